/**
 * Calibration metrics over interactions with a known outcome (docs/sandbox.md §4.1). Each
 * returns null when no interaction carries a ground-truth label.
 */
import type { ScoredInteraction } from "./soft-metrics.ts";

/** What calibration reads of an interaction. */
export type Forecast = Pick<ScoredInteraction, "p" | "groundTruth">;

function labelled(xs: readonly Forecast[]): Forecast[] {
  return xs.filter((x) => x.groundTruth !== null);
}

/** E[p] − share of positives. */
export function calibrationError(xs: readonly Forecast[]): number | null {
  const w = labelled(xs);
  if (w.length === 0) return null;
  let s = 0;
  for (const x of w) s += x.p;
  const avg = s / w.length;
  return avg - w.filter((x) => x.groundTruth === 1).length / w.length;
}

/** E[(p − v)²], v = (gt + 1)/2. */
export function brierScore(xs: readonly Forecast[]): number | null {
  const w = labelled(xs);
  if (w.length === 0) return null;
  let total = 0.0;
  for (const x of w) {
    const v = ((x.groundTruth as number) + 1) / 2;
    total += (x.p - v) * (x.p - v);
  }
  return total / w.length;
}

/** Per bin: (mean p, share positive, count); an empty bin reports its midpoint, 0, 0. */
export function calibrationCurve(xs: readonly Forecast[], bins = 10): [number, number, number][] {
  const w = labelled(xs);
  if (w.length === 0) return [];
  const width = 1.0 / bins;
  const out: [number, number, number][] = [];
  for (let b = 0; b < bins; b++) {
    const start = b * width;
    const end = (b + 1) * width;
    const inBin = w.filter((x) => (start <= x.p && x.p < end) || (b === bins - 1 && x.p === 1.0));
    if (inBin.length === 0) {
      out.push([start + width / 2, 0.0, 0]);
    } else {
      let s = 0;
      for (const x of inBin) s += x.p;
      out.push([s / inBin.length, inBin.filter((x) => x.groundTruth === 1).length / inBin.length, inBin.length]);
    }
  }
  return out;
}

/** Σ_bins (n_b/n)·|E_b[p] − P_b(+1)|. */
export function expectedCalibrationError(xs: readonly Forecast[], bins = 10): number | null {
  const curve = calibrationCurve(xs, bins);
  if (curve.length === 0) return null;
  let total = 0;
  for (const [, , c] of curve) total += c;
  if (total === 0) return null;
  let ece = 0.0;
  for (const [mean, frac, count] of curve) {
    if (count > 0) ece += (count / total) * Math.abs(mean - frac);
  }
  return ece;
}

/** −E[v·ln p̃ + (1 − v)·ln(1 − p̃)], p̃ clamped to [eps, 1 − eps]. */
export function logLoss(xs: readonly Forecast[], eps = 1e-15): number | null {
  const w = labelled(xs);
  if (w.length === 0) return null;
  let total = 0.0;
  for (const x of w) {
    const v = ((x.groundTruth as number) + 1) / 2;
    const p = Math.max(eps, Math.min(1 - eps, x.p));
    total -= v * Math.log(p) + (1 - v) * Math.log(1 - p);
  }
  return total / w.length;
}

/**
 * (concordant + ties/2)/(n₊·n₋) over positive × negative pairs; null unless
 * both classes occur. Counted by sorting, which gives the same counts as the
 * reference's all-pairs loop in O(n log n).
 */
export function discriminationAuc(xs: readonly Forecast[]): number | null {
  const w = labelled(xs);
  if (w.length === 0) return null;
  const pos = w.filter((x) => x.groundTruth === 1).map((x) => x.p).sort((a, b) => a - b);
  const neg = w.filter((x) => x.groundTruth === -1).map((x) => x.p).sort((a, b) => a - b);
  if (pos.length === 0 || neg.length === 0) return null;
  let concordant = 0;
  let ties = 0;
  let below = 0; // negatives strictly below the current positive
  let equalEnd = 0; // negatives ≤ the current positive
  for (const p of pos) {
    while (below < neg.length && neg[below] < p) below++;
    if (equalEnd < below) equalEnd = below;
    while (equalEnd < neg.length && neg[equalEnd] === p) equalEnd++;
    concordant += below;
    ties += equalEnd - below;
  }
  return (concordant + 0.5 * ties) / (pos.length * neg.length);
}
