/**
 * Hosting a plan's LLM agents for a run: the client that answers them (the
 * providers' SDKs, a cassette, or the offline responder), the key check that
 * happens before the run starts, recording, and the usage report.
 *
 *   const host = createLlmHost(plan, { mode: "live", record: "calls.jsonl" });
 *   const result = await runPlanAsync(plan, { policyFor: host.policyFor, onEpoch: () => host.flush() });
 *   host.flush();
 */
import { diagnostic } from "../../diagnostics/diagnostic.ts";
import { llmPolicies, runPlanAsync, type LlmRuntime, type LlmRuntimeOptions, type RunOptions, type RunResult } from "../../engine/index.ts";
import { emptyLlmTally } from "../../llm/usage.ts";
import { planHash } from "../../plan/hash.ts";
import type { Plan } from "../../plan/schema.ts";
import { CassetteError, CassetteRecorder, ReplayClient, readCassette, type Cassette } from "./cassette.ts";
import { missingKeyMessage, missingKeys, planProviders, type MissingKey } from "./keys.ts";

export { missingKeyMessage };
import { MECHANISMS } from "../../mechanisms/index.ts";
import { OfflineResponder } from "../../llm/offline.ts";
import type { AgentUsage, LlmReport } from "./report.ts";
import { liveClient } from "./providers/index.ts";
import { scrubberFor, type Scrubber } from "../../llm/scrub.ts";
import type { ModelClient } from "../../llm/types.ts";

/** live: the providers' APIs; dry-run: the offline responder; replay: a cassette. */
export type LlmMode = "live" | "dry-run" | "replay";

export interface LlmHostOptions {
  readonly mode?: LlmMode;
  /** Record every call to this cassette file. */
  readonly record?: string;
  /** The cassette to answer from (mode replay): a path or a loaded cassette. */
  readonly replay?: string | Cassette;
  /** Where keys and base URLs come from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly runtime?: LlmRuntimeOptions;
  /** Live: answer through this client instead of the providers' SDKs (the keys are still checked). */
  readonly client?: ModelClient;
}

/** The run cannot start: a missing key (SBX4004) or an unusable cassette. */
export class LlmSetupError extends Error {
  constructor(
    message: string,
    readonly code: "SBX4004" | "SBX5001",
    readonly missing: readonly MissingKey[] = [],
  ) {
    super(message);
    this.name = "LlmSetupError";
  }
}


export class LlmHost {
  readonly policyFor: NonNullable<RunOptions["policyFor"]>;
  readonly runtime: LlmRuntime;

  constructor(
    private readonly plan: Plan,
    readonly mode: LlmMode,
    client: ModelClient,
    readonly recorder: CassetteRecorder | null,
    private readonly replayClient: ReplayClient | null,
    runtime: LlmRuntimeOptions,
    private readonly warm: () => Promise<void> = async () => undefined,
  ) {
    const hosted = llmPolicies(plan, recorder ? recorder.wrap(client) : client, runtime);
    this.runtime = hosted.runtime;
    this.policyFor = hosted.policyFor;
  }

  /** Load what the calls need (the providers' SDKs) before the run, so the first calls do not pay for it. */
  prepare(): Promise<void> {
    return this.warm();
  }

  /** Write the cassette so far (call at epoch ends and at the end). */
  flush(): void {
    this.recorder?.flush();
  }

  /** Usage per agent and in total, from the settled decisions (the same numbers `llmReport` derives from the events). */
  report(): LlmReport {
    const agents: AgentUsage[] = this.plan.agents.flatMap((a) => (a.kind === "llm" ? [{ agent: a.id, ...(this.runtime.usage.get(a.id) ?? emptyLlmTally()) }] : []));
    return { budgetUsd: this.plan.llm.budgetUsd, exhausted: this.runtime.exhausted, totals: { ...this.runtime.total }, agents };
  }

  /** Calls a replay could not answer from its cassette (the run diverged from the recording). */
  get cassetteMisses(): readonly string[] {
    return this.replayClient ? [...this.replayClient.misses] : [];
  }
}

/**
 * The host for a plan's run. Throws LlmSetupError before anything runs when
 * a live run lacks a key or a cassette cannot be used.
 */
export function createLlmHost(plan: Plan, options: LlmHostOptions = {}): LlmHost {
  const mode = options.mode ?? "live";
  const env = options.env ?? process.env;
  const scrub: Scrubber = scrubberFor(env);
  const instant = { sleep: async () => undefined };
  let client: ModelClient;
  let warm = async (): Promise<void> => undefined;
  let replay: ReplayClient | null = null;
  let runtime: LlmRuntimeOptions = options.runtime ?? {};
  switch (mode) {
    case "live": {
      const missing = missingKeys(plan, env);
      if (missing.length) throw new LlmSetupError(missing.map(missingKeyMessage).join("; "), "SBX4004", missing);
      if (options.client) {
        client = options.client;
        break;
      }
      const live = liveClient(env, scrub);
      client = live;
      warm = () => live.prepare(planProviders(plan));
      break;
    }
    case "dry-run":
      client = new OfflineResponder(plan.simulation.seed, MECHANISMS.flatMap((m) => (m.offlineAnswer ? [m.offlineAnswer] : [])));
      // Nothing to wait for offline.
      runtime = { ...runtime, ...instant };
      break;
    case "replay": {
      if (options.replay === undefined) throw new LlmSetupError("replay needs a cassette", "SBX5001");
      let cassette: Cassette;
      try {
        cassette = typeof options.replay === "string" ? readCassette(options.replay) : options.replay;
      } catch (e) {
        throw new LlmSetupError((e as Error).message, "SBX5001");
      }
      const hash = planHash(plan);
      if (cassette.header.planHash !== hash) {
        throw new LlmSetupError(
          `the cassette was recorded from another plan (${cassette.header.scenario}, seed ${cassette.header.seed}, ${cassette.header.planHash.slice(0, 19)}); this run's plan is ${hash.slice(0, 19)}`,
          "SBX5001",
        );
      }
      client = replay = new ReplayClient(cassette);
      // The recorded waits already happened; a replay repeats their log, not their time.
      runtime = { ...runtime, ...instant };
      break;
    }
  }
  const recorder = options.record
    ? new CassetteRecorder(options.record, { format: "sbx-cassette", version: 1, scenario: plan.scenario.name, planHash: planHash(plan), seed: plan.simulation.seed }, scrub)
    : null;
  return new LlmHost(plan, mode, client, recorder, replay, runtime, warm);
}

/** Runs a plan with its LLM agents hosted (for check, sweep and tests); the cassette is flushed at each epoch and at the end. */
export async function runWithLlm(plan: Plan, host: LlmHost, options: Omit<RunOptions, "policyFor"> = {}): Promise<RunResult> {
  await host.prepare();
  try {
    return await runPlanAsync(plan, {
      ...options,
      policyFor: host.policyFor,
      onEpoch: (r) => {
        options.onEpoch?.(r);
        host.flush();
      },
    });
  } finally {
    host.flush();
  }
}

export { CassetteError };
export type { AgentUsage, LlmReport } from "./report.ts";
