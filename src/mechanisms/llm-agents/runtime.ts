/**
 * What every LLM agent of one run shares (src/mechanisms/llm-agents/policy.ts):
 * the model client, the budget (budget.ts), each provider's concurrency limit,
 * retry backoff with seeded jitter, and the usage accounts.
 */
import type { z } from "zod";
import { sliceOf, type CorePlan } from "../../spec/plan.ts";
import { LLM_SLICE } from "./language.ts";
import type { ModelClient, ModelOutcome, Provider } from "../../llm/types.ts";
import { emptyLlmTally, tallyLlm, type LlmTally } from "../../llm/usage.ts";
import type { SimEvent } from "../../kernel/events.ts";
import { SbxStream, streamKey } from "../../kernel/rng/streams.ts";
import { Budget } from "./budget.ts";

export interface LlmRuntimeOptions {
  /** Base of the exponential backoff between retries, in seconds (the reference's retry_base_delay). Default 1. */
  readonly retryBaseSeconds?: number;
  /** The longest retry-after the runtime honours, in seconds. Default 60. */
  readonly maxRetryAfterSeconds?: number;
  /** How to wait between retries; default real timers. Replays and offline runs pass a no-op. */
  readonly sleep?: (seconds: number) => Promise<void>;
}

/** One agent's (or the run's) model usage. */
export type LlmUsage = LlmTally;

/** At most n calls in flight; waiters served first come, first served. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private free: number;
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** What every LLM agent of one run shares: the client, the budget, the limits, the accounts. */
export class LlmRuntime {
  readonly budget: Budget;
  private readonly limits: Record<Provider, Semaphore>;
  private serial = 0;
  /** What the budget-exhausted event said, once logged. */
  private exhaustion: { budgetUsd: number; committedUsd: number } | null = null;
  /** Usage per agent, from settled decisions (so identical in every run with the same answers). */
  readonly usage = new Map<string, LlmUsage>();
  readonly total: LlmUsage = emptyLlmTally();
  readonly retryBase: number;
  readonly maxRetryAfter: number;
  readonly sleep: (seconds: number) => Promise<void>;
  /** The plan's LLM settings: budget, prices, concurrency. */
  readonly llm: z.infer<typeof LLM_SLICE.schema>;

  constructor(
    readonly plan: CorePlan,
    readonly client: ModelClient,
    options: LlmRuntimeOptions = {},
  ) {
    this.llm = sliceOf(plan, LLM_SLICE);
    this.budget = new Budget(this.llm.budgetUsd);
    const c = this.llm.concurrency;
    this.limits = { anthropic: new Semaphore(c.anthropic), openai: new Semaphore(c.openai), ollama: new Semaphore(c.ollama) };
    this.retryBase = options.retryBaseSeconds ?? 1.0;
    this.maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
    this.sleep = options.sleep ?? ((s) => new Promise((resolve) => setTimeout(resolve, s * 1000)));
  }

  nextSerial(): number {
    return this.serial++;
  }

  limit(provider: Provider): Semaphore {
    return this.limits[provider];
  }

  /** A retry's wait: what the provider asked for, else exponential backoff with seeded jitter in [0.5, 1.5). */
  backoff(outcome: Extract<ModelOutcome, { kind: "fault" }>, retry: number, callId: string): number {
    if (outcome.retryAfterSeconds !== null) return round3(Math.min(Math.max(0, outcome.retryAfterSeconds), this.maxRetryAfter));
    const jitter = new SbxStream(streamKey(this.plan.simulation.seed, `llm-retry:${callId}`)).random();
    return round3(this.retryBase * 2 ** (retry - 1) * (0.5 + jitter));
  }

  /** The one budget-exhausted event of the run, at the first decision (in schedule order) refused for the budget. */
  exhaustionEvent(at: { epoch: number; step: number }): SimEvent | null {
    if (this.exhaustion || this.budget.limit === null) return null;
    this.exhaustion = { budgetUsd: this.budget.limit, committedUsd: this.budget.committed };
    return { type: "llm_budget_exhausted", ...at, ...this.exhaustion };
  }

  /** The budget stopped the calls: the budget and what was committed then (as the event says). */
  get exhausted(): { budgetUsd: number; committedUsd: number } | null {
    return this.exhaustion ? { ...this.exhaustion } : null;
  }

  record(agent: string, events: readonly SimEvent[]): void {
    let u = this.usage.get(agent);
    if (!u) this.usage.set(agent, (u = emptyLlmTally()));
    for (const e of events) {
      tallyLlm(u, e);
      tallyLlm(this.total, e);
    }
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
