/**
 * The schema registry: every block and attribute of .sbx. The scenario's own
 * attributes, its population, outputs and criteria, and sweeps are declared
 * here; every other block is a mechanism's (src/mechanisms/<name>/language.ts),
 * placed where its mechanism attaches it, in mechanism order.
 * Defaults are the reference sandbox's (docs/sandbox.md §5–§10) unless noted.
 */
import type { Attachment } from "../kernel/mechanism.ts";
import { MECHANISMS } from "../mechanisms/index.ts";
import { attr, block, enumOf, INT, NON_NEG, STR } from "../spec/build.ts";
import { PROFILES } from "../spec/plan.ts";
import type { BlockSpec } from "../spec/types.ts";

export { ADVERSARIAL, DECEPTIVE, HONEST, OPPORTUNISTIC, POLICY, POLICY_GROUP } from "../mechanisms/scripted-agents/language.ts";
export { LLM, LLM_AGENT, PRICES } from "../mechanisms/llm-agents/language.ts";
export { PERSONA } from "../mechanisms/personas/language.ts";
export { OBSERVABLES, PAYOFF, PROXY } from "../mechanisms/interactions/language.ts";
export { NETWORK } from "../mechanisms/network/language.ts";

const attached = (under: Attachment["under"]): BlockSpec[] => MECHANISMS.flatMap((m) => (m.language ?? []).filter((a) => a.under === under).map((a) => a.block));

/** Every agent kind with a population block of its own, in mechanism order. */
export const AGENT_KINDS: readonly BlockSpec[] = MECHANISMS.flatMap((m) => Object.values(m.agents ?? {}).flatMap((k) => (k.block ? [k.block] : [])));

export const POPULATION = block("population", "Who takes part: `kind = count` for default parameters, or `kind name? { count = N … }` with parameters. Order is registration order, which is the schedule order.", [], {
  blocks: AGENT_KINDS,
  merge: "replace",
  reference: "agents",
});

/** The governance levers, in mechanism order. */
export const LEVERS: readonly BlockSpec[] = attached("governance");

export const GOVERNANCE = block("governance", "Governance levers. A lever acts once its block is written; `enabled = false` switches it off.", [], {
  blocks: LEVERS,
  preset: true,
});

export const OUTPUTS = block("outputs", "Files the run writes (paths relative to the working directory).", [
  attr("event_log", STR, "Append-only JSONL event log.", { default: null, reference: "outputs.event_log" }),
  attr("metrics_csv", STR, "Per-epoch metrics as CSV.", { default: null, reference: "outputs.metrics_csv" }),
]);

export const EXPECT = block("expect", "Success criteria: expressions over the metric registry that the outcome must satisfy. `sbx check` exits 3 when one fails.", [
  attr("seeds", { t: "ints" }, "Seeds to judge the criteria over, e.g. `101..112`; by default the scenario's own seed.", { default: [] }),
], { statements: "criteria", merge: "replace" });

/** Mechanisms' blocks written directly in a scenario. */
const SCENARIO_BLOCKS = attached("scenario");

export const SCENARIO = block("scenario", "One experiment: who takes part, how they interact, what governs them, and what the outcome must satisfy.", [
  attr("description", STR, "What the scenario studies.", { default: "", reference: "description" }),
  attr("motif", STR, "A short tag for the kind of study.", { default: "", reference: "motif" }),
  attr("seed", INT, "Root seed: every random stream of the run derives from it.", { default: 42, range: NON_NEG, reference: "simulation.seed" }),
  attr("epochs", INT, "Epochs to run.", { default: 10, range: NON_NEG, reference: "simulation.n_epochs" }),
  attr("steps", INT, "Steps per epoch; every active agent gets at most one turn per step.", { default: 10, range: NON_NEG, reference: "simulation.steps_per_epoch" }),
  attr("schedule", enumOf(["round_robin", "random", "priority"]), "Turn order within a step: registration order, shuffled, or by reputation.", { default: "round_robin" }),
  attr("max_actions_per_step", INT, "Successful actions per step after which the remaining agents skip their turn.", { default: 20, range: NON_NEG }),
  attr("profile", enumOf(PROFILES), "Semantics to run with: `sbx` (every mechanism active) or `swarm-0.1` (the reference, reproduced bit for bit, dormant mechanisms included).", { default: "sbx" }),
  attr("mode", enumOf(["auto", "sync", "async"]), "sync: agents act one after another against live state; async: all observations are taken before any action (needed for LLM agents); auto picks async when LLM agents take part.", { default: "auto" }),
], {
  blocks: [POPULATION, ...SCENARIO_BLOCKS, GOVERNANCE, OUTPUTS, EXPECT],
  named: "required",
});

export const ARM = block("arm", "A named condition of a sweep: settings applied over the base scenario, as `path = value`.", [], { named: "required", repeatable: true });

export const SWEEP = block("sweep", "A study over a scenario: `vary` settings over a design, times seeds.", [
  attr("design", enumOf(["grid", "random", "latin_hypercube"]), "How cells are chosen: every combination, uniform random samples, or a Latin hypercube.", { default: "grid" }),
  attr("samples", INT, "Cells drawn by a random or Latin-hypercube design.", { default: 10, range: { min: 1 } }),
  attr("seeds", { t: "ints" }, "Seeds every cell runs with (common random numbers across cells).", { default: [] }),
  attr("replicates", INT, "When no seeds are listed: seeds derived from the root seed per replicate.", { default: 1, range: { min: 1 } }),
  attr("root_seed", INT, "Root of derived seeds (default: the scenario's seed).", { default: null }),
], { blocks: [ARM], named: "required", statements: "vary" });

/**
 * Kinds that may be declared at top level: scenarios and sweeps, the
 * mechanisms' declarations (personas, policies, observables, price tables),
 * and every scenario block that may be declared once and reused (`preset`).
 */
export const DECLARATIONS: readonly BlockSpec[] = [SCENARIO, SWEEP, ...attached("declarations"), GOVERNANCE, ...SCENARIO_BLOCKS.filter((b) => b.preset)];
