/**
 * What a run spent on models, per agent and in total, as `sbx run` reports
 * it. Computed from the LLM events with the same tally the epoch metrics use,
 * so `sbx replay` reports exactly what the run did.
 */
import type { SimEvent } from "../engine/events.ts";
import { emptyLlmTally, tallyLlm, type LlmTally } from "../engine/metrics.ts";
import type { Plan } from "../plan/schema.ts";

export interface AgentUsage extends LlmTally {
  readonly agent: string;
}

export interface LlmReport {
  readonly budgetUsd: number | null;
  /** Set when the budget stopped the calls. */
  readonly exhausted: { readonly budgetUsd: number; readonly committedUsd: number } | null;
  readonly totals: LlmTally;
  /** Every LLM agent, in registration order. */
  readonly agents: readonly AgentUsage[];
}

export function llmReport(plan: Plan, events: Iterable<SimEvent>): LlmReport {
  const totals = emptyLlmTally();
  const byAgent = new Map<string, LlmTally>(plan.agents.filter((a) => a.kind === "llm").map((a) => [a.id, emptyLlmTally()]));
  let exhausted: LlmReport["exhausted"] = null;
  for (const e of events) {
    if (e.type === "llm_budget_exhausted") exhausted = { budgetUsd: e.budgetUsd, committedUsd: e.committedUsd };
    if (e.type !== "llm_call" && e.type !== "llm_fault" && e.type !== "llm_fallback") continue;
    tallyLlm(totals, e);
    const mine = byAgent.get(e.agent);
    if (mine) tallyLlm(mine, e);
  }
  return { budgetUsd: plan.llm.budgetUsd, exhausted, totals, agents: [...byAgent].map(([agent, u]) => ({ agent, ...u })) };
}
