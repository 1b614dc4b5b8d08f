/**
 * The events LLM agents log, and the tally of model usage over them — one
 * tally for the epoch metrics, the per-agent report and the global budget,
 * so live runs and replays count alike.
 */

interface At {
  epoch: number;
  step: number;
}

/**
 * One request sent: the tokens the provider reported, their cost at the
 * plan's prices (0 without cost tracking), and whether the answer was usable,
 * with the model's stated reasoning.
 */
export type LlmCall = At & {
  agent: string;
  decision: "act" | "accept";
  proposal: number | null;
  attempt: number;
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  ok: boolean;
  reasoning: string | null;
};

/** A call that failed (timeout, 429, 5xx, …) or returned an unusable answer (refusal, empty, malformed, invalid), and what came next. */
export type LlmFault = At & {
  agent: string;
  decision: "act" | "accept";
  proposal: number | null;
  attempt: number;
  fault: string;
  detail: string;
  next: "retry" | "fallback";
  /** How long the provider asked us to wait (retry-after), if it did; the wait itself is not logged, as it depends on the host's backoff settings. */
  retryAfterSeconds: number | null;
};

/** The decision was taken by the agent's fallback (nothing, or a scripted kind) instead of the model. */
export type LlmFallback = At & { agent: string; decision: "act" | "accept"; proposal: number | null; reason: "faults" | "invalid" | "budget"; fallback: string };

/** The next call could have exceeded the budget: no more calls this run (once per run). */
export type LlmBudgetExhausted = At & { budgetUsd: number; committedUsd: number };

/** Model usage: requests sent, faults, fallbacks, tokens and cost. */
export interface LlmTally {
  requests: number;
  failures: number;
  fallbacks: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export const emptyLlmTally = (): LlmTally => ({ requests: 0, failures: 0, fallbacks: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 });

/** An event as the tally reads it. */
export type LlmEvent = ({ type: "llm_call" } & LlmCall) | ({ type: "llm_fault" } & LlmFault) | ({ type: "llm_fallback" } & LlmFallback) | { type: string };

/** Adds one event to a usage tally (other events change nothing). */
export function tallyLlm(t: LlmTally, e: LlmEvent): void {
  switch (e.type) {
    case "llm_call": {
      const call = e as LlmCall;
      t.requests++;
      t.tokensIn += call.tokensIn;
      t.tokensOut += call.tokensOut;
      t.costUsd += call.costUsd;
      break;
    }
    case "llm_fault":
      t.failures++;
      break;
    case "llm_fallback":
      t.fallbacks++;
      break;
    default:
      break;
  }
}
