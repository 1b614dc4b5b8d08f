/**
 * The temperament: how a resident's Big-Five traits become what it does.
 *
 * Each action a has a utility u_a = base_a + Σ_t β_a,t·trait_t, where under
 * stress (credits below the town's `stress_below`) the neuroticism term is
 * multiplied by 1 + stress. Among the actions the agent can take now, it
 * picks a with probability w_a / Σ w, where w_a = factor_a·exp(u_a) and
 * factor_a is the product of the enacted rules' propensity factors for a.
 * Each w_a is monotone in each trait, increasing where β_a,t > 0 and
 * decreasing where it is < 0 (tests/town/properties.test.ts checks it).
 * Whether an agent joins an encounter this tick is the logistic
 * σ(u_meet), monotone in the same way.
 */
import type { Traits } from "../personas/language.ts";
import { TOWN_ACTIONS, type Coefficients, type Temperament, type TownActionKind } from "./language.ts";

export const ACTION_INDEX: Readonly<Record<TownActionKind, number>> = Object.fromEntries(TOWN_ACTIONS.map((a, i) => [a, i])) as Record<TownActionKind, number>;
export const K = TOWN_ACTIONS.length;

/** The actions an agent can take, as a bitmask over TOWN_ACTIONS. */
export const bit = (a: TownActionKind): number => 1 << ACTION_INDEX[a];
export const hasOption = (options: number, a: TownActionKind): boolean => (options & bit(a)) !== 0;

export function utility(c: Coefficients, t: Traits, stressed: boolean, stress: number): number {
  const n = stressed ? c.neuroticism * (1 + stress) : c.neuroticism;
  return c.base + c.openness * t.openness + c.conscientiousness * t.conscientiousness + c.extraversion * t.extraversion + c.agreeableness * t.agreeableness + n * t.neuroticism;
}

/** An action's unnormalised weight exp(u)·factor. */
export function propensity(temperament: Temperament, action: TownActionKind, traits: Traits, stressed: boolean, factor = 1): number {
  return factor * Math.exp(utility(temperament[action], traits, stressed, temperament.stress));
}

/** The probability of joining an encounter this tick. */
export function meetProbability(temperament: Temperament, traits: Traits, stressed: boolean): number {
  return 1 / (1 + Math.exp(-utility(temperament.meet, traits, stressed, temperament.stress)));
}

/**
 * The choice distribution over TOWN_ACTIONS (0 for actions not in
 * `options`); `factors[k]` multiplies action k's weight (enacted rules).
 * All zeros when nothing is possible.
 */
export function actionDistribution(temperament: Temperament, traits: Traits, options: number, stressed: boolean, factors: ArrayLike<number>, out = new Float64Array(K)): Float64Array {
  let total = 0;
  for (let k = 0; k < K; k++) {
    const w = options & (1 << k) ? propensity(temperament, TOWN_ACTIONS[k]!, traits, stressed, factors[k] ?? 1) : 0;
    out[k] = w;
    total += w;
  }
  if (total > 0) for (let k = 0; k < K; k++) out[k]! /= total;
  return out;
}

/** The plan's temperament from the default table (tests and docs). */
export function temperamentFrom(table: Readonly<Record<TownActionKind | "meet", readonly number[]>>, extra = { stress: 1, crowds: 1, novelty: 1 }): Temperament {
  const coef = (row: readonly number[]): Coefficients => ({ base: row[0]!, openness: row[1]!, conscientiousness: row[2]!, extraversion: row[3]!, agreeableness: row[4]!, neuroticism: row[5]! });
  return { ...(Object.fromEntries(Object.entries(table).map(([k, row]) => [k, coef(row)])) as Record<TownActionKind | "meet", Coefficients>), ...extra };
}
