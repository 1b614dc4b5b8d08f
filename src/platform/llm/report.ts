/**
 * What a run spent on models, per agent and in total, as `sbx run` reports
 * it. Computed from the LLM events with the same tally the epoch metrics use,
 * so `sbx replay` reports exactly what the run did.
 */
import type { Plan } from "../../plan/schema.ts";
import { emptyLlmTally, tallyLlm, type LlmBudgetExhausted, type LlmEvent, type LlmTally } from "../../llm/usage.ts";

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

export function llmReport(plan: Plan, events: Iterable<LlmEvent>): LlmReport {
  const totals = emptyLlmTally();
  const byAgent = new Map<string, LlmTally>(plan.agents.filter((a) => a.kind === "llm").map((a) => [a.id, emptyLlmTally()]));
  let exhausted: LlmReport["exhausted"] = null;
  for (const e of events) {
    if (e.type === "llm_budget_exhausted") {
      const { budgetUsd, committedUsd } = e as unknown as LlmBudgetExhausted;
      exhausted = { budgetUsd, committedUsd };
    }
    if (e.type !== "llm_call" && e.type !== "llm_fault" && e.type !== "llm_fallback") continue;
    tallyLlm(totals, e);
    const mine = byAgent.get((e as { agent: string }).agent);
    if (mine) tallyLlm(mine, e);
  }
  return { budgetUsd: plan.llm.budgetUsd, exhausted, totals, agents: [...byAgent].map(([agent, u]) => ({ agent, ...u })) };
}
