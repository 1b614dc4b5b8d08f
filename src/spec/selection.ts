/**
 * Settings that name a population group or agent kind (`self_ensemble.group`,
 * `boundary.inside`): which plan agents such a name selects, and which names
 * a scenario offers (for "did you mean").
 */
import type { AgentEntry } from "./plan.ts";
import type { ScenarioFacts } from "./types.ts";

/** Whether a plan agent belongs to the population group or agent kind `name` (a declared policy's name included). */
export function inSelection(agent: AgentEntry, name: string): boolean {
  return agent.group === name || agent.kind === name || (agent.kind === "stochastic" && (agent.params as { policy?: string }).policy === name);
}

/**
 * The names a scenario's population offers: its groups and their kinds (policy names for declared policies). Asked
 * only where a block names something (most scenarios write none): every scenario's checks run.
 */
export function selectionNames(facts: ScenarioFacts): readonly string[] {
  // Several mechanisms may ask for the same scenario's names: computed once per table of groups, shared read-only.
  let names = SELECTION_NAMES.get(facts.groups);
  if (!names) SELECTION_NAMES.set(facts.groups, (names = [...new Set(facts.groups.flatMap((g) => [g.name, g.kind]))]));
  return names;
}

const SELECTION_NAMES = new WeakMap<ScenarioFacts["groups"], readonly string[]>();
