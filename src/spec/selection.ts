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

/** The names a scenario's population offers: its groups and their kinds (policy names for declared policies). */
export function selectionNames(facts: ScenarioFacts): string[] {
  return [...new Set(facts.groups.flatMap((g) => [g.name, g.kind]))];
}
