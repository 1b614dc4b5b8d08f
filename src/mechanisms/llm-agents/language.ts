/**
 * The language surface of LLM agents: the `llm` population kind and the
 * `llm` settings block (budget, prices, concurrency). The personas they are
 * prompted with are declared in src/mechanisms/personas.
 */
import { z } from "zod";
import { nonNeg, nonNegInt, posInt, prob, slice } from "../../spec/plan.ts";
import { LLM_PROVIDERS } from "../../llm/types.ts";
import { attr, block, BOOL, enumOf, INT, NUM, prob as probAttr, STR } from "../../spec/build.ts";
import { count, SCRIPTED_KINDS, ScriptedKind } from "../scripted-agents/language.ts";
import { Persona } from "../personas/language.ts";

export const LlmParams = z.strictObject({
  provider: z.enum(LLM_PROVIDERS),
  model: z.string(),
  persona: Persona,
  systemPrompt: z.string().nullable(),
  temperature: prob,
  maxTokens: posInt,
  timeoutSeconds: z.number().positive(),
  maxRetries: nonNegInt,
  /** What the agent does when the model cannot answer: nothing, or a scripted policy's action. */
  fallback: z.union([z.literal("noop"), ScriptedKind]),
  costTracking: z.boolean(),
});

export const Price = z.strictObject({ inputPerMTok: nonNeg, outputPerMTok: nonNeg });
export const Llm = z.strictObject({
  budgetUsd: nonNeg.nullable(),
  prices: z.record(z.string(), Price),
  concurrency: z.strictObject({ anthropic: posInt, openai: posInt, ollama: posInt }),
});

export const LLM_SLICE = slice(["llm"], Llm);

export const LLM_AGENT = block("llm", "Agents whose decisions come from a language model, prompted with a persona.", [
  count,
  attr("provider", enumOf(LLM_PROVIDERS), "Which provider's API answers.", { key: "provider", reference: "agents[].llm.provider", default: "anthropic" }),
  attr("model", STR, "Model name as the provider spells it.", { key: "model", reference: "agents[].llm.model", default: "claude-sonnet-4-20250514" }),
  attr("persona", { t: "ref", kind: "persona" }, "The persona whose prompt frames the agent: honest, strategic, adversarial, open, or a declared persona.", { key: "persona", reference: "agents[].llm.persona", default: "open" }),
  attr("system_prompt", STR, "A system prompt that replaces the persona's prompt.", { key: "systemPrompt", reference: "agents[].llm.system_prompt", default: null }),
  probAttr("temperature", 0.7, "Sampling temperature.", { key: "temperature", reference: "agents[].llm.temperature" }),
  attr("max_tokens", INT, "Largest completion the model may return.", { key: "maxTokens", reference: "agents[].llm.max_tokens", default: 512, unit: "tokens" }),
  attr("timeout", { t: "duration", unit: "seconds" }, "How long to wait for one answer before counting a fault.", { key: "timeoutSeconds", reference: "agents[].llm.timeout", default: 30, unit: "seconds" }),
  attr("max_retries", INT, "Retries after a failed call (rate limits and server errors).", { key: "maxRetries", reference: "agents[].llm.max_retries", default: 3 }),
  attr("fallback", enumOf(["noop", ...SCRIPTED_KINDS]), "What the agent does when the model cannot answer: nothing, or what a scripted kind would do.", { key: "fallback", default: "noop" }),
  attr("cost_tracking", BOOL, "Whether calls count against the scenario's budget and cost metrics.", { key: "costTracking", reference: "agents[].llm.cost_tracking", default: true }),
], { named: "optional", repeatable: true, lower: { slice: slice([], LlmParams) } });

export const PRICE_MODEL = block("model", "Price of one model, in USD per million tokens.", [
  attr("input", NUM, "USD per million prompt tokens.", { key: "inputPerMTok", default: 0, unit: "USD/Mtok" }),
  attr("output", NUM, "USD per million completion tokens.", { key: "outputPerMTok", default: 0, unit: "USD/Mtok" }),
], { named: "required", repeatable: true, lower: { slice: slice([], Price) } });

export const PRICES = block("prices", "A price table for LLM calls. The standard table is `std/llm`'s `reference`; extend it to add or change models.", [], {
  blocks: [PRICE_MODEL],
  preset: true,
});

const CONCURRENCY = block("concurrency", "Most calls in flight at once, per provider.", [
  attr("anthropic", INT, "Concurrent Anthropic calls.", { key: "anthropic", default: 4 }),
  attr("openai", INT, "Concurrent OpenAI calls.", { key: "openai", default: 4 }),
  attr("ollama", INT, "Concurrent Ollama calls.", { key: "ollama", default: 2 }),
], { lower: { field: "concurrency" } });

export const LLM = block("llm", "Settings shared by the scenario's LLM agents.", [
  attr("budget", NUM, "Hard ceiling on model spend; no call is made that could exceed it.", { key: "budgetUsd", default: null, unit: "USD" }),
], { blocks: [PRICES, CONCURRENCY], preset: true, lower: { slice: LLM_SLICE, byCompiler: true } });
