/**
 * The collusion detector of the reference's next commit (docs/sandbox.md §13).
 *
 * Means and standard deviations follow numpy's pairwise summation so scores
 * match `np.mean`/`np.std`; the Pearson correlation sums its dot products left
 * to right, where numpy goes through BLAS (docs/differences.md).
 */

export interface CollusionInteraction {
  readonly initiator: string;
  readonly counterparty: string;
  readonly accepted: boolean;
  readonly p: number;
  readonly tau: number;
  readonly cA: number;
  readonly cB: number;
}

export interface CollusionParams {
  frequencyThreshold: number;
  minInteractions: number;
  scoreThreshold: number;
  /**
   * The reference stores `collusion_correlation_threshold` but never reads it.
   * When given (profile sbx), a pair's benefit correlation counts toward its
   * score only at or above this threshold.
   */
  correlationThreshold?: number;
}

export interface PairScore {
  a: string;
  b: string;
  count: number;
  acceptanceRate: number;
  benefitCorrelation: number;
  avgPWhenAInitiates: number;
  avgPWhenBInitiates: number;
  score: number;
}

export interface GroupScore {
  members: string[];
  internalRate: number;
  avgInternalP: number;
  avgExternalP: number;
  score: number;
}

export interface CollusionReport {
  ecosystemRisk: number;
  flaggedPairs: PairScore[];
  groups: GroupScore[];
  avgPairScore: number;
  maxPairScore: number;
  /** Per agent, in the order of the agent ids given. */
  agentRisk: Map<string, number>;
}

/** numpy's pairwise summation (blocks of 8 below 128 elements, halving above). */
export function pairwiseSum(a: readonly number[], start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

export function npMean(a: readonly number[]): number {
  return pairwiseSum(a) / a.length;
}

export function npStd(a: readonly number[]): number {
  const m = npMean(a);
  return Math.sqrt(pairwiseSum(a.map((x) => (x - m) * (x - m))) / a.length);
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = npMean(x);
  const my = npMean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const f = x.length - 1;
  const cxy = sxy / f;
  const c = cxy / Math.sqrt(sxx / f) / Math.sqrt(syy / f);
  return Math.max(-1, Math.min(1, c));
}

function pairKey(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

export function analyzeCollusion(
  xs: readonly CollusionInteraction[],
  agentIds: readonly string[],
  params: CollusionParams,
): CollusionReport {
  const empty: CollusionReport = { ecosystemRisk: 0, flaggedPairs: [], groups: [], avgPairScore: 0, maxPairScore: 0, agentRisk: new Map(agentIds.map((id) => [id, 0])) };
  if (xs.length === 0) return empty;

  // Pairs in order of first appearance, as a dict keyed by the sorted pair.
  const pairs = new Map<string, { a: string; b: string; items: CollusionInteraction[] }>();
  for (const x of xs) {
    const [a, b] = pairKey(x.initiator, x.counterparty);
    const key = `${a}\u0000${b}`;
    let entry = pairs.get(key);
    if (!entry) {
      entry = { a, b, items: [] };
      pairs.set(key, entry);
    }
    entry.items.push(x);
  }
  const counts = [...pairs.values()].map((e) => e.items.length);
  const countMean = npMean(counts);
  const countStd = npStd(counts);

  const scored: PairScore[] = [];
  for (const { a, b, items } of pairs.values()) {
    if (items.length < params.minInteractions) continue;
    scored.push(scorePair(a, b, items, counts.length >= 2 && countStd > 0 ? (items.length - countMean) / countStd : 0.0, params));
  }
  const flagged = scored.filter((s) => s.score >= params.scoreThreshold);
  // Stable sort, highest score first.
  flagged.sort((x, y) => y.score - x.score);
  const groups = detectGroups(flagged, xs, params);

  const risk = new Map<string, number>(agentIds.map((id) => [id, 0]));
  for (const s of scored) {
    risk.set(s.a, Math.max(risk.get(s.a) ?? 0, s.score));
    risk.set(s.b, Math.max(risk.get(s.b) ?? 0, s.score));
  }
  for (const g of groups) {
    for (const m of g.members) if (risk.has(m)) risk.set(m, Math.max(risk.get(m) as number, g.score));
  }

  let ecosystem = 0;
  if (scored.length > 0 || groups.length > 0) {
    const n = agentIds.length;
    const possible = (n * (n - 1)) / 2;
    const pairFraction = possible > 0 ? flagged.length / possible : 0.0;
    const inGroups = new Set<string>();
    for (const g of groups) for (const m of g.members) inGroups.add(m);
    const groupFraction = n > 0 ? inGroups.size / n : 0.0;
    const maxGroup = groups.reduce((m, g) => Math.max(m, g.score), 0.0);
    ecosystem = Math.min(1.0, 0.3 * pairFraction + 0.3 * groupFraction + 0.4 * maxGroup);
  }
  return {
    ecosystemRisk: ecosystem,
    flaggedPairs: flagged,
    groups,
    avgPairScore: scored.length ? npMean(scored.map((s) => s.score)) : 0.0,
    maxPairScore: scored.reduce((m, s) => Math.max(m, s.score), 0.0),
    agentRisk: risk,
  };
}

function scorePair(a: string, b: string, items: readonly CollusionInteraction[], z: number, params: CollusionParams): PairScore {
  const n = items.length;
  const acceptance = items.filter((x) => x.accepted).length / n;
  const benefitsA: number[] = [];
  const benefitsB: number[] = [];
  const pA: number[] = [];
  const pB: number[] = [];
  for (const x of items) {
    if (x.initiator === a) {
      benefitsA.push(-x.tau - x.cA);
      benefitsB.push(x.tau - x.cB);
      pA.push(x.p);
    } else {
      benefitsB.push(-x.tau - x.cA);
      benefitsA.push(x.tau - x.cB);
      pB.push(x.p);
    }
  }
  let corr = 0.0;
  if (benefitsA.length >= 2 && npStd(benefitsA) > 0 && npStd(benefitsB) > 0) {
    corr = pearson(benefitsA, benefitsB);
    if (Number.isNaN(corr)) corr = 0.0;
  }
  const avgA = pA.length ? npMean(pA) : 0.5;
  const avgB = pB.length ? npMean(pB) : 0.5;
  const avgP = npMean([avgA, avgB]);
  const freq = z > 0 ? Math.min(1.0, Math.max(0.0, z / params.frequencyThreshold)) : 0.0;
  const gate = params.correlationThreshold;
  const corrScore = gate !== undefined && !(corr >= gate) ? 0.0 : Math.max(0.0, corr);
  const acc = Math.max(0.0, (acceptance - 0.5) * 2);
  const qual = acceptance > 0.5 ? Math.max(0.0, (0.5 - avgP) * 2) : 0.0;
  const score = (0.25 * freq + 0.3 * corrScore + 0.2 * acc + 0.25 * qual) * Math.min(1.0, n / 10.0);
  return { a, b, count: n, acceptanceRate: acceptance, benefitCorrelation: corr, avgPWhenAInitiates: avgA, avgPWhenBInitiates: avgB, score };
}

function detectGroups(flagged: readonly PairScore[], xs: readonly CollusionInteraction[], params: CollusionParams): GroupScore[] {
  if (flagged.length === 0) return [];
  const adjacency = new Map<string, Set<string>>();
  const link = (u: string, v: string) => {
    let s = adjacency.get(u);
    if (!s) adjacency.set(u, (s = new Set()));
    s.add(v);
  };
  for (const p of flagged) {
    link(p.a, p.b);
    link(p.b, p.a);
  }
  const visited = new Set<string>();
  const components: string[][] = [];
  for (const start of adjacency.keys()) {
    if (visited.has(start)) continue;
    const component: string[] = [];
    const queue = [start];
    while (queue.length) {
      const node = queue.shift() as string;
      if (visited.has(node)) continue;
      visited.add(node);
      component.push(node);
      for (const nb of adjacency.get(node) ?? []) if (!visited.has(nb)) queue.push(nb);
    }
    if (component.length >= 2) components.push(component);
  }
  const groups: GroupScore[] = [];
  for (const members of components) {
    const inside = new Set(members);
    const internal: number[] = [];
    const external: number[] = [];
    for (const x of xs) {
      const i = inside.has(x.initiator);
      const c = inside.has(x.counterparty);
      if (i && c) internal.push(x.p);
      else if (i || c) external.push(x.p);
    }
    const total = internal.length + external.length;
    const internalRate = total > 0 ? internal.length / total : 0.0;
    const avgInternalP = internal.length ? npMean(internal) : 0.5;
    const avgExternalP = external.length ? npMean(external) : 0.5;
    const bias = Math.max(0.0, internalRate - 0.5) * 2;
    const asymmetry = Math.max(0.0, avgInternalP - avgExternalP);
    const sizeFactor = Math.min(1.0, members.length / 5.0);
    const score = (bias * 0.4 + asymmetry * 0.6) * (0.5 + 0.5 * sizeFactor);
    if (score >= params.scoreThreshold) groups.push({ members, internalRate, avgInternalP, avgExternalP, score });
  }
  groups.sort((x, y) => y.score - x.score);
  return groups;
}
