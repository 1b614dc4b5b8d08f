/**
 * The incoherence decomposition of one decision point replayed K times
 * (the reference's swarm/metrics/incoherence.py): disagreement D, error E
 * against a benchmark, and the index I = D/(E + ε) clipped to [0, 1].
 * Pure functions over action tokens; `null` is a replay that abstained.
 */

/** The modal token and its count (ties go to the token seen first); null when there is none. */
export function modal(tokens: readonly (string | null)[]): { token: string; count: number } | null {
  const counts = new Map<string, number>();
  for (const t of tokens) if (t !== null) counts.set(t, (counts.get(t) ?? 0) + 1);
  let best: { token: string; count: number } | null = null;
  // Map order is first-seen order, so a strict comparison keeps the earliest of tied tokens.
  for (const [token, count] of counts) if (!best || count > best.count) best = { token, count };
  return best;
}

/** D = 1 − (modal count ÷ n) over the replays that did not abstain; 0 when none did. */
export function disagreement(tokens: readonly (string | null)[]): number {
  const n = tokens.reduce((k, t) => k + (t === null ? 0 : 1), 0);
  const m = modal(tokens);
  return n === 0 || !m ? 0 : 1 - m.count / n;
}

/** E = the share of non-abstaining replays whose action differs from the benchmark's; 0 without a benchmark or replays. */
export function decisionError(tokens: readonly (string | null)[], benchmark: string | null): number {
  if (benchmark === null) return 0;
  let n = 0;
  let wrong = 0;
  for (const t of tokens) {
    if (t === null) continue;
    n++;
    if (t !== benchmark) wrong++;
  }
  return n === 0 ? 0 : wrong / n;
}

/** I = D / (E + ε), clipped to [0, 1]; 0 when D is 0. */
export function incoherenceIndex(d: number, e: number, epsilon: number): number {
  if (!(d > 0)) return 0;
  const value = d / (e + epsilon);
  if (!(value >= 0)) return 0;
  return value > 1 ? 1 : value;
}

export interface DecisionPoint {
  readonly d: number;
  readonly e: number;
  readonly i: number;
}

export function decompose(tokens: readonly (string | null)[], benchmark: string | null, epsilon: number): DecisionPoint {
  const d = disagreement(tokens);
  const e = decisionError(tokens, benchmark);
  return { d, e, i: incoherenceIndex(d, e, epsilon) };
}
