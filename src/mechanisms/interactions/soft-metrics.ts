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
 * The functions above over an epoch's columns (epoch-columns.ts), in one pass
 * for the sums and one for the variances (an epoch's table ran about thirty
 * passes, most of them in V8's interpreter in a run's first epochs). Each
 * figure keeps its own accumulator, fed the same terms in the same order from
 * 0, and is finished with the same division, so every value is bit-identical
 * to its function's over the same interactions as records
 * (tests/metrics/soft.test.ts compares them).
 */
export function softMetricTable(xs: InteractionColumns, social: (p: number) => number, sPlus: number, sMinus: number): SoftMetricTable {
  const n = xs.length;
  const ps = xs.p;
  const accepted = xs.accepted;
  const payoffA = xs.payoffA;
  const payoffB = xs.payoffB;
  const costs = xs.cost;
  const taus = xs.tau;
  let acc = 0;
  let rej = 0;
  let sumP = 0;
  let sumHarm = 0;
  let sumPA = 0;
  let sumPB = 0;
  let accP = 0;
  let accHarm = 0;
  let accPA = 0;
  let accPB = 0;
  let accWelfare = 0;
  let accSocial = 0;
  let accHard = 0;
  let rejP = 0;
  let uncertain = 0;
  let high = 0;
  let low = 0;
  let highAcc = 0;
  let lowAcc = 0;
  let cost = 0;
  let transfers = 0;
  for (let i = 0; i < n; i++) {
    const p = ps[i];
    const a = payoffA[i];
    const b = payoffB[i];
    sumP += p;
    sumHarm += 1 - p;
    sumPA += a;
    sumPB += b;
    cost += costs[i];
    transfers += Math.abs(taus[i]);
    if (isUncertain(p)) uncertain++;
    if (accepted[i] === 1) {
      acc++;
      accP += p;
      accHarm += 1 - p;
      accPA += a;
      accPB += b;
      accWelfare += a + b;
      accSocial += social(p);
      if (p < 0.5) accHard++;
    } else {
      rej++;
      rejP += p;
    }
    if (p >= 0.5) {
      high++;
      if (accepted[i] === 1) highAcc++;
    }
    if (p < 0.5) {
      low++;
      if (accepted[i] === 1) lowAcc++;
    }
  }
  let varP = 0;
  let varA = 0;
  let varB = 0;
  if (n >= 2) {
    const meanP = sumP / n;
    const meanA = sumPA / n;
    const meanB = sumPB / n;
    let dP = 0;
    let dA = 0;
    let dB = 0;
    for (let i = 0; i < n; i++) {
      const p = ps[i];
      const a = payoffA[i];
      const b = payoffB[i];
      dP += (p - meanP) * (p - meanP);
      dA += (a - meanA) * (a - meanA);
      dB += (b - meanB) * (b - meanB);
    }
    varP = dP / n;
    varA = dA / n;
    varB = dB / n;
  }
  const some = n > 0;
  const someAccepted = some && acc > 0;
  return {
    interactions: n,
    accepted: acc,
    rejected: n - acc,
    acceptanceRate: some ? acc / n : 0.0,
    toxicity: acc > 0 ? accHarm / acc : 0.0,
    toxicityAll: some ? sumHarm / n : 0.0,
    hardToxicity: acc > 0 ? accHard / acc : 0.0,
    qualityGap: acc > 0 && rej > 0 ? accP / acc - rejP / rej : 0.0,
    averageQuality: some ? sumP / n : 0.0,
    spread: someAccepted ? (sPlus + sMinus) * (sumP / n - accP / acc) : 0.0,
    uncertainFraction: some ? uncertain / n : 0.0,
    highQualityAcceptance: high ? highAcc / high : 0.0,
    lowQualityAcceptance: low ? lowAcc / low : 0.0,
    qualityVariance: varP,
    welfare: some
      ? { totalWelfare: accWelfare, totalSocialSurplus: accSocial, avgInitiatorPayoff: acc ? accPA / acc : 0.0, avgCounterpartyPayoff: acc ? accPB / acc : 0.0 }
      : { totalWelfare: 0.0, totalSocialSurplus: 0.0, avgInitiatorPayoff: 0.0, avgCounterpartyPayoff: 0.0 },
    conditionalLossInitiator: someAccepted ? accPA / acc - sumPA / n : 0.0,
    conditionalLossCounterparty: someAccepted ? accPB / acc - sumPB / n : 0.0,
    payoffVarianceInitiator: varA,
    payoffVarianceCounterparty: varB,
    governanceCost: cost,
    transfers,
  };
}
