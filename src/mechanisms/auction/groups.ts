/**
 * Who takes part: an auction's bidders, a mission's members and a market's
 * traders are written as population groups or agent kinds (a name or a
 * list; src/spec/selection.ts). Shared by the auction, missions and
 * negotiation mechanisms.
 */
import { closest } from "../../diagnostics/diagnostic.ts";
import type { AgentEntry } from "../../spec/plan.ts";
import { inSelection, selectionNames } from "../../spec/selection.ts";
import type { ScenarioFacts, WrittenBlock } from "../../spec/types.ts";

/** Whether a plan agent is of one of the named groups or kinds (null: everyone). */
export function inGroups(names: readonly string[] | null, agent: AgentEntry): boolean {
  return names === null || names.some((name) => inSelection(agent, name));
}

/**
 * Reports every name of the attribute that is no population group or agent
 * kind (SBX2260, with a suggestion), and returns how many agents the names
 * select (every agent when the attribute is absent; null when a name is unknown).
 */
export function checkGroups(facts: ScenarioFacts, b: WrittenBlock, attr: string, context: string): number | null {
  const names = b.value(attr) as string[] | null;
  const known = selectionNames(facts);
  let unknown = false;
  for (const name of names ?? []) {
    if (known.includes(name)) continue;
    unknown = true;
    const suggestion = closest(name, known);
    // A single name can be replaced in place; in a list the fix would replace the whole list.
    const fix = names!.length === 1 && suggestion ? JSON.stringify(suggestion) : undefined;
    facts.report("SBX2260", { name, context, suggestion }, b, attr, fix);
  }
  if (unknown) return null;
  return facts.groups.filter((g) => names === null || names.includes(g.name) || names.includes(g.kind)).reduce((s, g) => s + g.agents, 0);
}
