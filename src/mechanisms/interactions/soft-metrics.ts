/**
 * Interaction metrics (docs/sandbox.md §4.1–§4.2) as pure functions.
 *
 * Sums run left to right from 0 in input order, means are sum/count and
 * variances are population variances, as in the reference, so results are
 * bit-identical for the same inputs. One exception: the reference squares
 * deviations with `** 2` (libm pow); here they are products, which can differ
 * in the last bit (docs/differences.md).
 */
import type { InteractionColumns } from "./epoch-columns.ts";

/** What the metrics read from an interaction. */
export interface ScoredInteraction {
  readonly p: number;
  readonly accepted: boolean;
  readonly payoffA: number;
  readonly payoffB: number;
  readonly cA: number;
  readonly cB: number;
  readonly tau: number;
  /** +1 / −1 when the true outcome is known. */
  readonly groundTruth: 1 | -1 | null;
}

function sumOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

function meanOf<T>(xs: readonly T[], f: (x: T) => number): number {
  return sumOf(xs, f) / xs.length;
}

/** The accepted interactions, in order. */
function acceptedOf<T extends { accepted: boolean }>(xs: readonly T[]): readonly T[] {
  return xs.filter((x) => x.accepted);
}

/** How many of xs pass the test. */
function countOf<T>(xs: readonly T[], test: (x: T) => boolean): number {
  let n = 0;
  for (const x of xs) if (test(x)) n++;
  return n;
}

/** E[1 − p | accepted]; 0 when nothing was accepted. */
export function toxicityRate(xs: readonly ScoredInteraction[]): number {
  const acc = acceptedOf(xs);
  if (acc.length === 0) return 0.0;
  return meanOf(acc, (x) => 1 - x.p);
}

/** E[1 − p]; 0 when empty. */
export function toxicityRateAll(xs: readonly ScoredInteraction[]): number {
  if (xs.length === 0) return 0.0;
  return meanOf(xs, (x) => 1 - x.p);
}

/** Share of accepted interactions with p below the threshold; 0 when nothing was accepted. */
export function hardToxicity(xs: readonly ScoredInteraction[], threshold = 0.5): number {
  const acc = acceptedOf(xs);
  if (acc.length === 0) return 0.0;
  return countOf(acc, (x) => x.p < threshold) / acc.length;
}

export function acceptanceRate(xs: readonly ScoredInteraction[]): number {
  return xs.length === 0 ? 0.0 : acceptedOf(xs).length / xs.length;
}

/** E[π_a | accepted] − E[π_a]; 0 when empty or nothing accepted. */
export function conditionalLossInitiator(xs: readonly ScoredInteraction[]): number {
  if (xs.length === 0) return 0.0;
  const acc = acceptedOf(xs);
  if (acc.length === 0) return 0.0;
  return meanOf(acc, (x) => x.payoffA) - meanOf(xs, (x) => x.payoffA);
}

export function conditionalLossCounterparty(xs: readonly ScoredInteraction[]): number {
  if (xs.length === 0) return 0.0;
  const acc = acceptedOf(xs);
  if (acc.length === 0) return 0.0;
  return meanOf(acc, (x) => x.payoffB) - meanOf(xs, (x) => x.payoffB);
}

/** (s₊ + s₋)·(E[p] − E[p | accepted]); 0 when empty or nothing accepted. */
export function spread(xs: readonly ScoredInteraction[], sPlus: number, sMinus: number): number {
  if (xs.length === 0) return 0.0;
  const acc = acceptedOf(xs);
  if (acc.length === 0) return 0.0;
  const all = meanOf(xs, (x) => x.p);
  const accepted = meanOf(acc, (x) => x.p);
  return (sPlus + sMinus) * (all - accepted);
}

/** E[p | accepted] − E[p | rejected]; 0 when either side is empty. */
export function qualityGap(xs: readonly ScoredInteraction[]): number {
  const acc = acceptedOf(xs);
  const rej = xs.filter((x) => !x.accepted);
  if (acc.length === 0 || rej.length === 0) return 0.0;
  return meanOf(acc, (x) => x.p) - meanOf(rej, (x) => x.p);
}

export interface Participation {
  highQualityAcceptance: number;
  lowQualityAcceptance: number;
  highQualityCount: number;
  lowQualityCount: number;
}

export function participationByQuality(xs: readonly ScoredInteraction[], threshold = 0.5): Participation {
  let high = 0;
  let low = 0;
  let highAcc = 0;
  let lowAcc = 0;
  for (const x of xs) {
    if (x.p >= threshold) {
      high++;
      if (x.accepted) highAcc++;
    }
    if (x.p < threshold) {
      low++;
      if (x.accepted) lowAcc++;
    }
  }
  return {
    highQualityAcceptance: high ? highAcc / high : 0.0,
    lowQualityAcceptance: low ? lowAcc / low : 0.0,
    highQualityCount: high,
    lowQualityCount: low,
  };
}

/** Strictly inside 0.5 ± band. */
export function isUncertain(p: number, band = 0.2): boolean {
  return 0.5 - band < p && p < 0.5 + band;
}

export function uncertainFraction(xs: readonly ScoredInteraction[], band = 0.2): number {
  if (xs.length === 0) return 0.0;
  return countOf(xs, (x) => isUncertain(x.p, band)) / xs.length;
}

export function averageQuality(xs: readonly ScoredInteraction[], acceptedOnly = false): number {
  const set = acceptedOnly ? acceptedOf(xs) : xs;
  if (set.length === 0) return 0.0;
  return meanOf(set, (x) => x.p);
}

/** Histogram of p over `bins` equal-width bins; edges are the float products i·(1/bins). */
export function qualityDistribution(xs: readonly ScoredInteraction[], bins = 10): [number, number, number][] {
  if (xs.length === 0) return [];
  const width = 1.0 / bins;
  const out: [number, number, number][] = [];
  for (let i = 0; i < bins; i++) {
    const start = i * width;
    const end = (i + 1) * width;
    const count = countOf(xs, (x) => (start <= x.p && x.p < end) || (i === bins - 1 && x.p === 1.0));
    out.push([start, end, count]);
  }
  return out;
}

export interface Welfare {
  totalWelfare: number;
  totalSocialSurplus: number;
  avgInitiatorPayoff: number;
  avgCounterpartyPayoff: number;
}

/** Welfare over accepted interactions; `social(p)` is S_soft − E_soft. */
export function welfareMetrics(xs: readonly ScoredInteraction[], social: (p: number) => number): Welfare {
  if (xs.length === 0) return { totalWelfare: 0.0, totalSocialSurplus: 0.0, avgInitiatorPayoff: 0.0, avgCounterpartyPayoff: 0.0 };
  const acc = acceptedOf(xs);
  return {
    totalWelfare: sumOf(acc, (x) => x.payoffA + x.payoffB),
    totalSocialSurplus: sumOf(acc, (x) => social(x.p)),
    avgInitiatorPayoff: acc.length ? sumOf(acc, (x) => x.payoffA) / acc.length : 0.0,
    avgCounterpartyPayoff: acc.length ? sumOf(acc, (x) => x.payoffB) / acc.length : 0.0,
  };
}

/** Population variance; 0 for fewer than two values. */
export function populationVariance(values: readonly number[]): number {
  if (values.length < 2) return 0.0;
  let s = 0;
  for (const v of values) s += v;
  const mean = s / values.length;
  let d = 0;
  for (const v of values) d += (v - mean) * (v - mean);
  return d / values.length;
}

export function qualityVariance(xs: readonly ScoredInteraction[], acceptedOnly = false): number {
  const set = acceptedOnly ? acceptedOf(xs) : xs;
  return populationVariance(set.map((x) => x.p));
}

export function qualityStd(xs: readonly ScoredInteraction[], acceptedOnly = false): number {
  return Math.sqrt(qualityVariance(xs, acceptedOnly));
}

export function payoffVarianceInitiator(xs: readonly ScoredInteraction[]): number {
  return populationVariance(xs.map((x) => x.payoffA));
}

export function payoffVarianceCounterparty(xs: readonly ScoredInteraction[]): number {
  return populationVariance(xs.map((x) => x.payoffB));
}

export interface CoefficientsOfVariation {
  cvP: number;
  cvPayoffInitiator: number;
  cvPayoffCounterparty: number;
}

/** std/mean of p (signed, 0 when the mean is 0) and |std/mean| of each payoff. */
export function coefficientOfVariation(xs: readonly ScoredInteraction[]): CoefficientsOfVariation {
  if (xs.length === 0) return { cvP: 0.0, cvPayoffInitiator: 0.0, cvPayoffCounterparty: 0.0 };
  const meanP = averageQuality(xs);
  const stdP = qualityStd(xs);
  const meanA = meanOf(xs, (x) => x.payoffA);
  const meanB = meanOf(xs, (x) => x.payoffB);
  const stdA = Math.sqrt(payoffVarianceInitiator(xs));
  const stdB = Math.sqrt(payoffVarianceCounterparty(xs));
  return {
    cvP: meanP !== 0 ? stdP / meanP : 0.0,
    cvPayoffInitiator: meanA !== 0 ? Math.abs(stdA / meanA) : 0.0,
    cvPayoffCounterparty: meanB !== 0 ? Math.abs(stdB / meanB) : 0.0,
  };
}

/** Σ (c_a + c_b) over all interactions. */
export function governanceCost(xs: readonly ScoredInteraction[]): number {
  return sumOf(xs, (x) => x.cA + x.cB);
}

/** Σ |τ| over all interactions. */
export function totalTransfers(xs: readonly ScoredInteraction[]): number {
  return sumOf(xs, (x) => Math.abs(x.tau));
}

/** Every soft metric of `interactionMetrics`, computed together (see `softMetricTable`). */
export interface SoftMetricTable {
  interactions: number;
  accepted: number;
  rejected: number;
  acceptanceRate: number;
  toxicity: number;
  toxicityAll: number;
  hardToxicity: number;
  qualityGap: number;
  averageQuality: number;
  spread: number;
  uncertainFraction: number;
  highQualityAcceptance: number;
  lowQualityAcceptance: number;
  qualityVariance: number;
  welfare: Welfare;
  conditionalLossInitiator: number;
  conditionalLossCounterparty: number;
  payoffVarianceInitiator: number;
  payoffVarianceCounterparty: number;
  governanceCost: number;
  transfers: number;
}

/**
 * The sums of an epoch's soft metrics, fed one interaction at a time in
 * completion order (the interactions reducer feeds the epoch's as they
 * complete): every figure of `softMetricTable` but the variances and the
 * social surplus, which need the whole epoch (the mean; the payoff at the
 * epoch's end, which a parameter shock may have changed). Each figure keeps its
 * own accumulator, fed the same terms in the same order from 0 as a pass over
 * the interactions would.
 */
export class SoftSums {
  n = 0;
  acc = 0;
  sumP = 0;
  sumHarm = 0;
  sumPA = 0;
  sumPB = 0;
  accP = 0;
  accHarm = 0;
  accPA = 0;
  accPB = 0;
  accWelfare = 0;
  accHard = 0;
  rejP = 0;
  uncertain = 0;
  high = 0;
  low = 0;
  highAcc = 0;
  lowAcc = 0;
  cost = 0;
  transfers = 0;

  /** One interaction: its p, whether it was accepted, both payoffs, c_a + c_b and τ. */
  add(p: number, accepted: boolean, a: number, b: number, cost: number, tau: number): void {
    this.n++;
    this.sumP += p;
    this.sumHarm += 1 - p;
    this.sumPA += a;
    this.sumPB += b;
    this.cost += cost;
    this.transfers += Math.abs(tau);
    if (isUncertain(p)) this.uncertain++;
    if (accepted) {
      this.acc++;
      this.accP += p;
      this.accHarm += 1 - p;
      this.accPA += a;
      this.accPB += b;
      this.accWelfare += a + b;
      if (p < 0.5) this.accHard++;
    } else this.rejP += p;
    if (p >= 0.5) {
      this.high++;
      if (accepted) this.highAcc++;
    }
    if (p < 0.5) {
      this.low++;
      if (accepted) this.lowAcc++;
    }
  }
}

/**
 * The functions above over an epoch's columns (epoch-columns.ts): their
 * running sums (`SoftSums`), then one pass for the variances and the social
 * surplus (an epoch's table ran about thirty passes, most of them in V8's
 * interpreter in a run's first epochs). Each figure is finished with its
 * function's division, so every value is bit-identical to its function's over
 * the same interactions as records (tests/metrics/soft.test.ts compares them).
 */
export function softMetricTable(xs: InteractionColumns, social: (p: number) => number, sPlus: number, sMinus: number): SoftMetricTable {
  const s = xs.sums;
  const n = xs.length;
  const ps = xs.p;
  const accepted = xs.accepted;
  const payoffA = xs.payoffA;
  const payoffB = xs.payoffB;
  const acc = s.acc;
  const rej = n - acc;
  const meanP = s.sumP / n;
  const meanA = s.sumPA / n;
  const meanB = s.sumPB / n;
  let accSocial = 0;
  let dP = 0;
  let dA = 0;
  let dB = 0;
  for (let i = 0; i < n; i++) {
    const p = ps[i];
    const a = payoffA[i];
    const b = payoffB[i];
    if (accepted[i] === 1) accSocial += social(p);
    dP += (p - meanP) * (p - meanP);
    dA += (a - meanA) * (a - meanA);
    dB += (b - meanB) * (b - meanB);
  }
  // Population variances; 0 for fewer than two values.
  const variances = n >= 2;
  const some = n > 0;
  const someAccepted = some && acc > 0;
  return {
    interactions: n,
    accepted: acc,
    rejected: rej,
    acceptanceRate: some ? acc / n : 0.0,
    toxicity: acc > 0 ? s.accHarm / acc : 0.0,
    toxicityAll: some ? s.sumHarm / n : 0.0,
    hardToxicity: acc > 0 ? s.accHard / acc : 0.0,
    qualityGap: acc > 0 && rej > 0 ? s.accP / acc - s.rejP / rej : 0.0,
    averageQuality: some ? meanP : 0.0,
    spread: someAccepted ? (sPlus + sMinus) * (meanP - s.accP / acc) : 0.0,
    uncertainFraction: some ? s.uncertain / n : 0.0,
    highQualityAcceptance: s.high ? s.highAcc / s.high : 0.0,
    lowQualityAcceptance: s.low ? s.lowAcc / s.low : 0.0,
    qualityVariance: variances ? dP / n : 0,
    welfare: some
      ? { totalWelfare: s.accWelfare, totalSocialSurplus: accSocial, avgInitiatorPayoff: acc ? s.accPA / acc : 0.0, avgCounterpartyPayoff: acc ? s.accPB / acc : 0.0 }
      : { totalWelfare: 0.0, totalSocialSurplus: 0.0, avgInitiatorPayoff: 0.0, avgCounterpartyPayoff: 0.0 },
    conditionalLossInitiator: someAccepted ? s.accPA / acc - meanA : 0.0,
    conditionalLossCounterparty: someAccepted ? s.accPB / acc - meanB : 0.0,
    payoffVarianceInitiator: variances ? dA / n : 0,
    payoffVarianceCounterparty: variances ? dB / n : 0,
    governanceCost: s.cost,
    transfers: s.transfers,
  };
}
