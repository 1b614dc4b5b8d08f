/**
 * LLM agents (docs/sandbox.md §9): agents whose decisions come from a language model. Their
 * policies need a model client, which the host supplies (RunOptions.policyFor
 * with `llmPolicies`, src/mechanisms/llm-agents/policy.ts; the budget, the
 * shared runtime and the observation are budget.ts, runtime.ts, observe.ts);
 * every call, fault and fallback is an event, tallied into the `llm.*` metrics.
 */
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { World } from "../../kernel/world.ts";
import { LLM, LLM_AGENT, LLM_SLICE, LlmParams, PRICES } from "./language.ts";
import { emptyLlmTally, tallyLlm, type LlmBudgetExhausted, type LlmCall, type LlmFallback, type LlmFault, type LlmTally } from "../../llm/usage.ts";
import type { LlmExtension } from "../../llm/extension.ts";
import type { TurnView } from "../../kernel/policy.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    llm_call: LlmCall;
    llm_fault: LlmFault;
    llm_fallback: LlmFallback;
    llm_budget_exhausted: LlmBudgetExhausted;
  }
}

declare module "../../kernel/mechanism.ts" {
  interface Instance {
    /** The extension point for LLM agents: actions and an observation section a mechanism adds to their prompts (the economy's). */
    llmExtension?(): LlmExtension | null;
  }
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** What mechanisms add to LLM agents' prompts and answers, in mechanism order. */
    llmExtensions(): readonly LlmExtension[];
  }
}

/** A plan with LLM agents was run without a model client for them. */
export class UnsupportedAgentError extends Error {}

function createLlmAgents(w: World) {
  let tally: LlmTally = emptyLlmTally();
  const count = (e: { type: string }): void => tallyLlm(tally, e);
  let extensions: readonly LlmExtension[] | null = null;
  return {
    turn: {
      llmExtensions(this: TurnView): readonly LlmExtension[] {
        extensions ??= w.hooks("llmExtension").flatMap((offer) => offer() ?? []);
        return extensions;
      },
    },
    get tally(): LlmTally {
      return tally;
    },
    reduce: {
      epoch_started: () => {
        tally = emptyLlmTally();
      },
      llm_call: count,
      llm_fault: count,
      llm_fallback: count,
    },
  };
}

type LlmAgents = ReturnType<typeof createLlmAgents>;
const usage = (key: keyof LlmTally) => (m: LlmAgents) => m.tally[key];

export const llmAgents = mechanism({
  name: "llm-agents",
  doc: "Agents whose decisions come from a language model, prompted with a persona.",
  plan: [LLM_SLICE],
  create: createLlmAgents,
  language: [
    { under: "scenario", block: LLM },
    { under: "declarations", block: PRICES },
  ],
  // The scheduler awaits model calls only in run_async's loop.
  problems: (plan) => (plan.simulation.mode !== "async" && plan.agents.some((a) => a.kind === "llm") ? ['LLM agents decide asynchronously: they need simulation.mode "async"'] : []),
  agents: {
    llm: {
      params: LlmParams,
      block: LLM_AGENT,
      reportsAs: "honest",
      policy: (agent) => {
        throw new UnsupportedAgentError(
          `agent "${agent.id}" is an LLM agent: it needs a model client (run it with \`sbx run\`, or runPlanAsync with policyFor from llmPolicies)`,
        );
      },
    },
  },
  metrics: [
    series("llm", "none", "flow", "llm.requests", "count", "Model calls made this epoch.", "|calls|", usage("requests")),
    series("llm", "none", "flow", "llm.failures", "count", "Model calls that failed or returned an unusable answer this epoch.", "|failed calls|", usage("failures")),
    series("llm", "none", "flow", "llm.fallbacks", "count", "Decisions taken by the fallback instead of the model this epoch.", "|fallbacks|", usage("fallbacks")),
    series("llm", "none", "flow", "llm.tokens_in", "tokens", "Prompt tokens sent this epoch.", "Σ input tokens", usage("tokensIn")),
    series("llm", "none", "flow", "llm.tokens_out", "tokens", "Completion tokens received this epoch.", "Σ output tokens", usage("tokensOut")),
    series("llm", "none", "flow", "llm.cost_usd", "USD", "Model cost this epoch at the scenario's prices.", "Σ in/1e6·price_in + out/1e6·price_out", usage("costUsd")),
  ],
});
