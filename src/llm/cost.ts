/**
 * Model cost: tokens priced from the plan's table (USD per million tokens),
 * and the conservative bound on a call's cost that the budget checks before
 * the call is made.
 */
export interface Price {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/** A price table by model name (the plan's `llm.prices`). */
export type Prices = Readonly<Record<string, Price>>;

/** An unpriced model costs nothing (the reference's rule; the compiler warns, SBX3010). */
const FREE: Price = { inputPerMTok: 0, outputPerMTok: 0 };

export function priceOf(prices: Prices, model: string): Price {
  return Object.hasOwn(prices, model) ? (prices[model] as Price) : FREE;
}

/** The reference's formula: in/1e6·rate_in + out/1e6·rate_out. */
export function callCost(price: Price, tokensIn: number, tokensOut: number): number {
  return (tokensIn / 1e6) * price.inputPerMTok + (tokensOut / 1e6) * price.outputPerMTok;
}

/**
 * Framing the provider adds around the text (role markers, message
 * boundaries), in tokens: a generous allowance for two messages.
 */
export const FRAMING_TOKENS = 64;

const encoder = new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * An upper bound on a call's input tokens: every tokenizer these providers
 * use spends at least one byte of UTF-8 per token, so the prompt's byte
 * length (plus framing) bounds its token count.
 */
export function inputTokenBound(system: string, user: string): number {
  return utf8Length(system) + utf8Length(user) + FRAMING_TOKENS;
}

/** The most a call can cost: its input bound and a full `maxTokens` completion. */
export function callCostBound(price: Price, inputBound: number, maxTokens: number): number {
  return callCost(price, inputBound, maxTokens);
}
