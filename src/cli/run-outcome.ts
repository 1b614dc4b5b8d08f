/**
 * One run as the pool hands it back: what criteria, sweep rows and summaries
 * need (per-epoch metrics and observed values, final agents, totals), never
 * the event log or the per-epoch agent snapshots, which would dominate the
 * message size. Shared by the worker thread and the in-process (`--jobs 1`)
 * path so both give the same outcome.
 */
import { runPlan, UnsupportedAgentError, type AgentRecord, type RunResult } from "../engine/index.ts";
import { hasLlmAgents, missingKeyMessage, missingKeys, type MissingKey } from "../platform/llm/keys.ts";
import type { ModelClient } from "../llm/types.ts";
import type { Plan } from "../plan/schema.ts";
import { byKind, runTotals, type KindSummary, type RunTotals } from "../report/summary.ts";

export interface CompactEpoch {
  readonly epoch: number;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly observed: Readonly<Record<string, number | null>>;
}

/** Satisfies the criteria evaluator's `RunOutcome`. */
export interface CompactRun {
  readonly scenario: string;
  readonly seed: number;
  readonly planHash: string;
  readonly sbxVersion: string;
  readonly epochsCompleted: number;
  readonly epochs: readonly CompactEpoch[];
  readonly agents: readonly AgentRecord[];
  readonly totals: RunTotals;
  readonly byKind: readonly KindSummary[];
}

/**
 * Why a run produced nothing. `unsupported`: the engine cannot run the
 * plan's agents (LLM agents today) — a fact about the scenario, not a bug.
 * `internal`: anything else the engine threw, or a dying worker (SBX4003).
 * `cancelled`: the pool was closed first (an interrupted sweep).
 * `crashed`: the worker thread running it died (not the plan's doing).
 */
export interface RunFailure {
  readonly kind: "unsupported" | "internal" | "cancelled" | "crashed";
  readonly message: string;
  readonly stack: string | null;
}

export type RunReply = { readonly ok: true; readonly run: CompactRun } | { readonly ok: false; readonly failure: RunFailure };

/** The plan with another seed: what one replicate of a scenario runs. */
export function withSeed(plan: Plan, seed: number): Plan {
  return plan.simulation.seed === seed ? plan : { ...plan, simulation: { ...plan.simulation, seed } };
}

export function failureOf(error: unknown): RunFailure {
  const e = error instanceof Error ? error : new Error(String(error));
  // Matched by name as well: an error crossing a thread boundary loses its class. An error
  // carrying SBX4004 (a provider's API key missing) means the same: the scenario cannot run here.
  const code = (e as { code?: unknown }).code;
  const unsupported = e instanceof UnsupportedAgentError || e.name === "UnsupportedAgentError" || code === "SBX4004";
  return { kind: unsupported ? "unsupported" : "internal", message: e.message, stack: e.stack ?? null };
}

/** How a pool runs plans with LLM agents: live (keys from the environment) or with the offline responder. */
export interface ExecuteOptions {
  readonly dryRun?: boolean;
  /**
   * Live calls go through this client instead of the providers' SDKs (a
   * queued sweep's call queues, src/distributed/calls.ts). In-process only:
   * it cannot cross to a worker thread.
   */
  readonly client?: () => ModelClient;
}

/** Run a validated plan to completion; engine exceptions become a failure, never a throw. */
export function executeRun(plan: Plan): RunReply {
  // LLM agents answer asynchronously: executeTask runs them.
  if (hasLlmAgents(plan)) return { ok: false, failure: { kind: "unsupported", message: llmUnsupported(plan), stack: null } };
  try {
    // A compact run keeps no epoch's agents: the engine need not list them.
    return { ok: true, run: compactRun(plan, runPlan(plan, { epochAgents: false })) };
  } catch (e) {
    return { ok: false, failure: failureOf(e) };
  }
}

/**
 * What a pool runs: `executeRun`, except that plans with LLM agents run
 * asynchronously (a promise), live or with the offline responder; a live run
 * whose provider key is missing is `unsupported` (SBX4004).
 */
export function executeTask(plan: Plan, options: ExecuteOptions = {}): RunReply | Promise<RunReply> {
  return hasLlmAgents(plan) ? executeLlmRun(plan, options) : executeRun(plan);
}

function llmUnsupported(plan: Plan, missing: readonly MissingKey[] = missingKeys(plan, process.env)): string {
  const agent = plan.agents.find((a) => a.kind === "llm")?.id ?? "";
  if (!missing.length) return `LLM agent ${agent} decides asynchronously: run the plan with executeTask`;
  return `LLM agent ${agent} cannot run here: ${missing.map(missingKeyMessage).join("; ")} [SBX4004] (--dry-run answers LLM agents offline)`;
}

async function executeLlmRun(plan: Plan, options: ExecuteOptions): Promise<RunReply> {
  // The providers' SDKs are loaded only for runs that need them: they would double a worker's start-up.
  const { createLlmHost, LlmSetupError, runWithLlm } = await import("../platform/llm/host.ts");
  try {
    const host = createLlmHost(plan, { mode: options.dryRun ? "dry-run" : "live", ...(options.client ? { client: options.client() } : {}) });
    return { ok: true, run: compactRun(plan, await runWithLlm(plan, host)) };
  } catch (e) {
    if (e instanceof LlmSetupError && e.code === "SBX4004") return { ok: false, failure: { kind: "unsupported", message: llmUnsupported(plan, e.missing), stack: null } };
    return { ok: false, failure: failureOf(e) };
  }
}

function compactRun(plan: Plan, result: RunResult): CompactRun {
  return {
    scenario: result.scenario,
    seed: result.seed,
    planHash: result.planHash,
    sbxVersion: result.sbxVersion,
    epochsCompleted: result.epochsCompleted,
    epochs: result.epochs.map((e) => ({ epoch: e.epoch, metrics: e.metrics, observed: e.observed })),
    agents: result.agents,
    totals: runTotals(result),
    byKind: byKind(result.agents, plan),
  };
}
