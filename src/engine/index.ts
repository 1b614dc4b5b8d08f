/**
 * The simulation engine's public API. The engine reads only execution plans
 * (src/plan/schema.ts) and has no Node-only dependencies.
 */
import { canonicalJson } from "../plan/hash.ts";
import type { Plan } from "../plan/schema.ts";
import { isCheckedPlan, validatePlan } from "../plan/validate.ts";
import type { SimEvent } from "../kernel/events.ts";
import type { RunResult } from "../kernel/records.ts";
import { InvalidPlanError, planProblems } from "./check.ts";
import { Scheduler, type RunOptions } from "./scheduler.ts";

export { InvalidPlanError, planDiagnostics, planProblems } from "./check.ts";

export type { AgentRecord, EpochRecord, InteractionRecord, RunResult } from "../kernel/records.ts";
export type { SimEvent, EventType as SimEventType } from "../kernel/events.ts";
export { EVENT_FORMAT, EVENT_VERSION, fromJsonl, toJsonl } from "../kernel/events.ts";
export { reconstruct, replay, ReplayError, type Reconstruction } from "./replay.ts";
export { semanticsFor, type Semantics } from "../kernel/semantics.ts";
export { UnsupportedAgentError } from "../mechanisms/llm-agents/index.ts";
export { llmPolicies } from "../mechanisms/llm-agents/policy.ts";
export { LlmRuntime, type LlmRuntimeOptions, type LlmUsage } from "../mechanisms/llm-agents/runtime.ts";
export type { RunOptions } from "./scheduler.ts";
export type { Action } from "../kernel/actions.ts";
export type { Policy, PolicyContext, Settled, TurnView } from "../kernel/policy.ts";

/**
 * The plan as the engine runs it: schema-checked, every engine requirement met (else InvalidPlanError).
 * A plan validatePlan gave in this process (`sbx run`'s, checked where it was compiled or read) is not parsed again.
 */
function runnable(plan: Plan): Plan {
  let checked = plan;
  if (!isCheckedPlan(plan)) {
    const parsed = validatePlan(plan);
    if (parsed.problems) throw new InvalidPlanError(parsed.problems);
    checked = parsed.plan;
  }
  const problems = planProblems(checked);
  if (problems.length) throw new InvalidPlanError(problems);
  return checked;
}

/** Runs a plan to completion. `plan.simulation.mode` picks run() or run_async() semantics. */
export function runPlan(plan: Plan, options: RunOptions = {}): RunResult {
  return new Scheduler(runnable(plan), options).run();
}

/**
 * Runs a plan whose agents may decide asynchronously (policies with
 * actAsync/acceptAsync, awaited as run_async awaits LLM calls). For plans of
 * synchronous policies the result equals runPlan's.
 */
export async function runPlanAsync(plan: Plan, options: RunOptions = {}): Promise<RunResult> {
  return new Scheduler(runnable(plan), options).runAsync();
}

/** A result as canonical JSON (keys sorted): equal results give equal text. */
export function resultJson(result: RunResult): string {
  return canonicalJson(result);
}

/** Collects a run's events in memory (handy for tests and small runs). */
export function runWithEvents(plan: Plan, options: Omit<RunOptions, "events"> = {}): { result: RunResult; events: SimEvent[] } {
  const events: SimEvent[] = [];
  const result = runPlan(plan, { ...options, events: (e) => events.push(e) });
  return { result, events };
}
