/**
 * The economy's arithmetic, as pure functions: a market's rules (the
 * economy's with its overrides merged in), the inference fee, lottery
 * weights, the Gini with its negative-balance rule. docs/economy.md states
 * each formula and where it comes from.
 */
import type { Distribution } from "../interactions/language.ts";
import type { Rng } from "../../kernel/rng/types.ts";
import type { Economy, MarketOverrides, MarketRules } from "./language.ts";

/** A market's rules: the economy's, with what the market writes laid over them. */
export function marketRules(economy: Economy, overrides: MarketOverrides | null): MarketRules {
  const { giniShift: _g, markets: _m, ...base } = economy;
  if (!overrides) return base;
  const { lottery, contracts, ...flat } = overrides;
  return {
    ...base,
    ...flat,
    lottery: { ...base.lottery, ...(lottery ?? {}) },
    contracts: { ...base.contracts, ...(contracts ?? {}) },
  } as MarketRules;
}

/** One draw of a usage distribution (never negative). */
export function drawUnits(d: Distribution, rng: Rng): number {
  const v = d.dist === "constant" ? d.value : d.dist === "uniform" ? rng.uniform(d.low, d.high) : rng.randint(d.low, d.high);
  return Math.max(0, v);
}

/**
 * The fee for one agent's turn: ⌊rate · max(0, output + discount·thinking − threshold) · (1 − study)^level⌋.
 * The floor is the paper's integer ledger (fees − dividends in its data is the first turn's fees plus
 * the remainders of dividing each turn's fees among the cores: docs/economy.md).
 */
export function inferenceFee(rules: MarketRules, thinking: number, output: number, level: number): number {
  const units = Math.max(0, output + rules.thinkingDiscount * thinking - rules.commonsThreshold);
  const raw = rules.inferenceRate * units * (level > 0 ? (1 - rules.studyDiscount) ** level : 1);
  return Math.floor(raw + 1e-9);
}

/** Interest on a negative balance for one turn (destroyed): ⌊rate · |balance|⌋. */
export function interestOn(rules: MarketRules, balance: number): number {
  return balance < 0 ? Math.floor(rules.interestRate * -balance + 1e-9) : 0;
}

/** A burn's weight at `turn`: counted from maturity on, decaying geometrically. */
export function burnWeight(rules: MarketRules, burns: readonly { readonly turn: number; readonly amount: number }[], turn: number): number {
  const { burnWeight: perToken, burnMaturity, burnDecay } = rules.lottery;
  let w = 0;
  for (const b of burns) {
    const age = turn - b.turn;
    if (age >= burnMaturity) w += perToken * b.amount * (1 - burnDecay) ** (age - burnMaturity);
  }
  return w;
}

/**
 * The Gini coefficient of holdings, with the negative-balance rule: a fixed
 * `shift` is added to every value and what is still negative counts as 0 (the
 * paper's driver: +2000), or, with no shift given, every value is shifted by
 * |min| when the minimum is negative. 0 when nothing is held.
 */
export function gini(values: readonly number[], shift: number | null): number | null {
  const n = values.length;
  if (n === 0) return null;
  let xs: number[];
  if (shift === null) {
    const min = Math.min(...values);
    xs = min < 0 ? values.map((v) => v - min) : [...values];
  } else {
    xs = values.map((v) => Math.max(0, v + shift));
  }
  xs.sort((a, b) => a - b);
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += xs[i]!;
    weighted += (i + 1) * xs[i]!;
  }
  if (total === 0) return 0;
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/** Herfindahl–Hirschman index of win counts (null without wins). */
export function hhi(counts: readonly number[]): number | null {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return null;
  let h = 0;
  for (const c of counts) h += (c / total) ** 2;
  return h;
}
