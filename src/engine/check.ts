/**
 * What the engine needs of a plan beyond its schema: problems a plan written
 * by hand (or by another tool) can have that the compiler never produces.
 */
import { fileDiagnostic, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { metricDef } from "../metrics/registry.ts";
import { semanticsFor } from "../kernel/semantics.ts";
import type { Plan } from "../plan/schema.ts";
import { MECHANISMS } from "../mechanisms/index.ts";

const RANDOM_TOPOLOGIES = new Set(["random_erdos_renyi", "small_world", "scale_free"]);

/** Every problem that keeps the engine from running the plan, in plan order. */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const a of plan.agents) {
    if (seen.has(a.id)) problems.push(`agent ${a.id} already registered`);
    seen.add(a.id);
  }
  for (const o of plan.observe) {
    const def = metricDef(o.metric);
    if (!def) problems.push(`observe: unknown metric "${o.metric}"`);
    else if (def.shape !== "series") problems.push(`observe: "${o.metric}" is a run-level scalar, not an epoch series`);
    else if (def.select === "none") problems.push(`observe: "${o.metric}" cannot be restricted to a selection`);
  }
  const network = plan.network;
  if (network?.topology === "custom") {
    for (const [a, b] of network.edges) {
      for (const id of [a, b]) if (!seen.has(id)) problems.push(`custom network edge [${a}, ${b}] names an unknown agent '${id}'`);
    }
  }
  if (network && RANDOM_TOPOLOGIES.has(network.topology) && semanticsFor(plan.profile).rng === "reference" && plan.simulation.seed < 0) {
    problems.push("numpy's default_rng cannot take a negative seed: profile swarm-0.1 needs a seed ≥ 0 for a random network topology");
  }
  for (const m of MECHANISMS) problems.push(...(m.problems?.(plan) ?? []));
  return problems;
}

/**
 * The plan's problems as diagnostics (SBX5070), about `file` when it came
 * from one: how a plan from outside the compiler is refused before it runs.
 */
export function planDiagnostics(plan: Plan, file?: string): Diagnostic[] {
  return planProblems(plan).map((problem) => (file === undefined ? unplacedDiagnostic("SBX5070", { problem }) : fileDiagnostic("SBX5070", { problem }, file)));
}

/** A plan the engine cannot run: thrown only when a caller skipped the check, which is a bug in sbx. */
export class InvalidPlanError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
  }
}
