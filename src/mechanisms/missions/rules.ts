/**
 * The mission economy's rules as pure functions (the reference's
 * swarm/env/mission.py): a mission's measures and score over its
 * contributions, the three ways of sharing its reward, the exact Shapley
 * value of its score (to measure the approximation against), and the
 * marginal reward of one more contribution, which a participant's effort
 * follows.
 */
import type { Distribution, ObjectiveMetric } from "./language.ts";

export interface ObjectiveSpec {
  readonly name: ObjectiveMetric;
  readonly target: number;
  readonly weight: number;
}

/** The scale of the welfare measure: S = p·s_plus − (1 − p)·s_minus per contribution (the scenario's payoff). */
export interface WelfareScale {
  readonly sPlus: number;
  readonly sMinus: number;
}

/** A contribution is accepted by review when its p reaches this (the verification bar of a medium task). */
export const ACCEPT_BAR = 0.5;

/** One contributor's contributions, summarised: everything a measure needs, so coalitions add up. */
export interface Tally {
  count: number;
  sumP: number;
  minP: number;
  accepted: number;
  welfare: number;
}

export const emptyTally = (): Tally => ({ count: 0, sumP: 0, minP: Infinity, accepted: 0, welfare: 0 });

export function addTo(t: Tally, p: number, scale: WelfareScale): Tally {
  t.count++;
  t.sumP += p;
  t.minP = Math.min(t.minP, p);
  if (p >= ACCEPT_BAR) t.accepted++;
  t.welfare += p * scale.sPlus - (1 - p) * scale.sMinus;
  return t;
}

export function tallyOf(ps: readonly number[], scale: WelfareScale): Tally {
  const t = emptyTally();
  for (const p of ps) addTo(t, p, scale);
  return t;
}

function merge(into: Tally, t: Tally): Tally {
  into.count += t.count;
  into.sumP += t.sumP;
  into.minP = Math.min(into.minP, t.minP);
  into.accepted += t.accepted;
  into.welfare += t.welfare;
  return into;
}

/** A measure over contributions (0 when there are none, as the reference). */
export function measure(metric: ObjectiveMetric, t: Tally): number {
  if (t.count === 0) return 0;
  switch (metric) {
    case "avg_p":
      return t.sumP / t.count;
    case "min_p":
      return t.minP;
    case "total_count":
      return t.count;
    case "acceptance_rate":
      return t.accepted / t.count;
    case "total_welfare":
      return t.welfare;
  }
}

export interface Evaluation {
  /** Each objective's measured value, in order. */
  readonly measures: number[];
  /** Every objective met (measure ≥ target). */
  readonly met: boolean;
  /** Σ w·completion / Σ w, completion = 1 when met, else measure/target clipped to [0, 1]. */
  readonly score: number;
}

export function evaluate(objectives: readonly ObjectiveSpec[], t: Tally): Evaluation {
  const measures = objectives.map((o) => measure(o.name, t));
  let weighted = 0;
  let weights = 0;
  let met = true;
  objectives.forEach((o, i) => {
    const ok = measures[i] >= o.target;
    if (!ok) met = false;
    const completion = ok ? 1 : Math.min(1, Math.max(0, measures[i] / Math.max(o.target, 1e-10)));
    weighted += o.weight * completion;
    weights += o.weight;
  });
  return { measures, met, score: weights > 0 ? weighted / weights : 0 };
}

/**
 * Shares `pool` among the contributors (agents with at least one
 * contribution), in the order given:
 * - equal: pool / n each;
 * - proportional: in proportion to count × mean p (= Σ p);
 * - shapley, the reference's approximation by leave-one-out: in proportion
 *   to max(0, mean p of all − mean p without the agent) + the agent's share
 *   of the contributions; equal when every such value is 0.
 */
export function share(rule: Distribution, tallies: readonly Tally[], pool: number): number[] {
  const contributors = tallies.filter((t) => t.count > 0).length;
  if (contributors === 0) return tallies.map(() => 0);
  const equal = () => tallies.map((t) => (t.count > 0 ? pool / contributors : 0));
  if (rule === "equal") return equal();
  const weights = rule === "proportional" ? tallies.map((t) => t.sumP) : leaveOneOut(tallies);
  const total = weights.reduce((s, x) => s + x, 0);
  if (!(total > 0)) return rule === "proportional" ? tallies.map(() => 0) : equal();
  return weights.map((x) => (x / total) * pool);
}

/** The reference's marginal values: quality improvement (clipped at 0) plus volume share. */
export function leaveOneOut(tallies: readonly Tally[]): number[] {
  const all = tallies.reduce((into, t) => merge(into, t), emptyTally());
  const fullAvg = all.count > 0 ? all.sumP / all.count : 0;
  return tallies.map((t) => {
    if (t.count === 0) return 0;
    const rest = all.count - t.count;
    const withoutAvg = rest > 0 ? (all.sumP - t.sumP) / rest : 0;
    return Math.max(0, fullAvg - withoutAvg) + t.count / Math.max(all.count, 1);
  });
}

/**
 * The exact Shapley value of each contributor in the game whose value of a
 * coalition is the mission's score on that coalition's contributions
 * (v(∅) = 0); 2^n coalitions, so only for small n. Non-contributors are
 * null players (value 0).
 */
export function exactShapley(objectives: readonly ObjectiveSpec[], tallies: readonly Tally[]): number[] {
  const idx = tallies.flatMap((t, i) => (t.count > 0 ? [i] : []));
  const n = idx.length;
  const phi = tallies.map(() => 0);
  if (n === 0) return phi;
  const value = new Float64Array(1 << n);
  for (let mask = 1; mask < 1 << n; mask++) {
    const t = emptyTally();
    for (let k = 0; k < n; k++) if (mask & (1 << k)) merge(t, tallies[idx[k]]);
    value[mask] = evaluate(objectives, t).score;
  }
  // weight(s) = s!·(n − s − 1)!/n! for a coalition of size s not holding the player
  const weight: number[] = [];
  for (let s = 0; s < n; s++) weight.push(1 / (n * binomial(n - 1, s)));
  for (let k = 0; k < n; k++) {
    const bit = 1 << k;
    let sum = 0;
    for (let mask = 0; mask < 1 << n; mask++) {
      if (mask & bit) continue;
      sum += weight[popcount(mask)] * (value[mask | bit] - value[mask]);
    }
    phi[idx[k]] = sum;
  }
  return phi;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/**
 * How far the approximation's shares are from the exact Shapley shares
 * (φ_i / v(N), which sum to 1): half the sum of their absolute differences,
 * 0 when identical. Null when the mission's score is 0 (no shares to compare).
 */
export function shapleyError(objectives: readonly ObjectiveSpec[], tallies: readonly Tally[]): number | null {
  const all = tallies.reduce((into, t) => merge(into, t), emptyTally());
  const total = evaluate(objectives, all).score;
  if (!(total > 0)) return null;
  const exact = exactShapley(objectives, tallies).map((x) => x / total);
  const approx = leaveOneOut(tallies);
  const sum = approx.reduce((s, x) => s + x, 0);
  if (!(sum > 0)) return null;
  let d = 0;
  for (let i = 0; i < tallies.length; i++) d += Math.abs(approx[i] / sum - exact[i]);
  return d / 2;
}

/** What a mission pays each participant: its share when every objective is met, else nothing. */
export function payout(objectives: readonly ObjectiveSpec[], rule: Distribution, tallies: readonly Tally[], pool: number): number[] {
  const all = tallies.reduce((into, t) => merge(into, t), emptyTally());
  return evaluate(objectives, all).met ? share(rule, tallies, pool) : tallies.map(() => 0);
}

/**
 * What one more contribution would have earned participant i: its payout
 * with one more unit of its own mean p (the mission's mean p if it
 * contributed nothing, 0.5 if nobody did) minus its actual payout.
 */
export function marginal(objectives: readonly ObjectiveSpec[], rule: Distribution, tallies: readonly Tally[], pool: number, i: number, scale: WelfareScale): number {
  const actual = payout(objectives, rule, tallies, pool)[i];
  const all = tallies.reduce((into, t) => merge(into, t), emptyTally());
  const p = tallies[i].count > 0 ? tallies[i].sumP / tallies[i].count : all.count > 0 ? all.sumP / all.count : 0.5;
  const more = tallies.map((t, k) => (k === i ? addTo({ ...t }, p, scale) : t));
  return payout(objectives, rule, more, pool)[i] - actual;
}
