/**
 * The simulation engine's public API. The engine reads only execution plans
 * (src/plan/schema.ts) and has no Node-only dependencies.
 */
import { canonicalJson } from "../plan/hash.ts";
import { Plan } from "../plan/schema.ts";
import type { SimEvent } from "./events.ts";
import { Simulation, type RunOptions } from "./orchestrator.ts";
import type { RunResult } from "./types.ts";

export type { AgentRecord, EpochRecord, InteractionRecord, RunResult } from "./types.ts";
export type { SimEvent, SimEventType } from "./events.ts";
export { EVENT_FORMAT, EVENT_VERSION, fromJsonl, toJsonl } from "./events.ts";
export { reconstruct, replay, ReplayError, type Reconstruction } from "./replay.ts";
export { semanticsFor, type Semantics } from "./semantics.ts";
export { UnsupportedAgentError } from "./agents/index.ts";
export { llmPolicies, LlmRuntime, type LlmRuntimeOptions, type LlmUsage } from "./agents/llm.ts";
export type { RunOptions } from "./orchestrator.ts";
export type { Action, Policy, PolicyContext, Settled, TurnView } from "./agents/types.ts";

/** Runs a plan to completion. `plan.simulation.mode` picks run() or run_async() semantics. */
export function runPlan(plan: Plan, options: RunOptions = {}): RunResult {
  const parsed = Plan.parse(plan);
  return new Simulation(parsed, options).run();
}

/**
 * Runs a plan whose agents may decide asynchronously (policies with
 * actAsync/acceptAsync, awaited as run_async awaits LLM calls). For plans of
 * synchronous policies the result equals runPlan's.
 */
export async function runPlanAsync(plan: Plan, options: RunOptions = {}): Promise<RunResult> {
  const parsed = Plan.parse(plan);
  return new Simulation(parsed, options).runAsync();
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
