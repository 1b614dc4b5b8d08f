/**
 * The town's metrics (docs/town.md defines each). All are per epoch — a
 * tick when `steps = 1` — and take a selection of agents (a population
 * group, a kind, an agent); the town also records each per trait cohort.
 */
import { TRAITS } from "../personas/language.ts";
import { K } from "./temperament.ts";
import type { TownState } from "./state.ts";

type Select = ReadonlySet<string> | null;

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Successful cooperative actions (talk, gift, help) ÷ attempted town actions. */
export function cooperationRate(s: TownState, select: Select): number | null {
  let ok = 0;
  let tried = 0;
  for (const i of s.members(select)) {
    ok += s.cooperated[i]!;
    tried += s.attempts[i]!;
  }
  return tried ? ok / tried : null;
}

/** Gini coefficient of credits: Σ_i Σ_j |x_i − x_j| / (2·n·Σ x); 0 when nobody holds anything. */
export function giniWealth(s: TownState, select: Select): number | null {
  const xs = [...s.members(select)].map((i) => s.credits[i]!).sort((a, b) => a - b);
  const n = xs.length;
  if (!n) return null;
  const total = xs.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  // Sorted: Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n + 1)·x_i (i from 0).
  let acc = 0;
  xs.forEach((x, i) => (acc += (2 * i - n + 1) * x));
  return acc / (n * total);
}

/** The mean over topics of the (population) variance of opinions: 0 consensus, 1/3 uniform, 1 split at the poles. */
export function polarization(s: TownState, select: Select): number | null {
  const T = s.topics.length;
  if (!T) return null;
  const members = [...s.members(select)];
  if (!members.length) return null;
  let sum = 0;
  for (let t = 0; t < T; t++) {
    const xs = members.map((i) => s.opinion(i, t));
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    sum += xs.reduce((a, x) => a + (x - m) * (x - m), 0) / xs.length;
  }
  return sum / T;
}

/**
 * Weighted assortativity of numeric attributes over the social graph's ties
 * (Newman's r: the Pearson correlation of the values at the two ends of each
 * tie, each tie counted both ways and weighted by its strength), for every
 * attribute in one pass over the edges. Null where there are no ties or no
 * variance.
 */
export function assortativities(s: TownState, values: readonly Float64Array[]): (number | null)[] {
  const A = values.length;
  let w = 0;
  const sx = new Float64Array(A);
  const sxx = new Float64Array(A);
  const sxy = new Float64Array(A);
  s.graph.forEachEdge((_e, attrs, a, b) => {
    const k = attrs.ties;
    if (k <= 0) return;
    const i = s.idx.get(a)!;
    const j = s.idx.get(b)!;
    w += 2 * k;
    for (let q = 0; q < A; q++) {
      const x = values[q]![i]!;
      const y = values[q]![j]!;
      sx[q]! += k * (x + y);
      sxx[q]! += k * (x * x + y * y);
      sxy[q]! += 2 * k * x * y;
    }
  });
  return Array.from({ length: A }, (_, q) => {
    if (w === 0) return null;
    const m = sx[q]! / w;
    const variance = sxx[q]! / w - m * m;
    return variance > 1e-12 ? (sxy[q]! / w - m * m) / variance : null;
  });
}

/** Trait and opinion assortativity, computed once per change of the graph or opinions. */
function homophilies(s: TownState): { traits: number | null; opinions: number | null } {
  const cached = s.homophilyCache;
  if (cached && cached.version === s.version) return cached.value;
  const columns = (n: number, f: (i: number, q: number) => number) =>
    Array.from({ length: n }, (_, q) => Float64Array.from({ length: s.n }, (_x, i) => f(i, q)));
  const traits = assortativities(s, columns(TRAITS.length, (i, q) => s.label(i)?.[TRAITS[q]!] ?? 0));
  const opinions = assortativities(s, columns(s.topics.length, (i, q) => s.opinion(i, q)));
  const value = { traits: mean(traits.filter((r): r is number => r !== null)), opinions: mean(opinions.filter((r): r is number => r !== null)) };
  s.homophilyCache = { version: s.version, value };
  return value;
}

/** Trait assortativity: the mean over the five traits (label values) that vary among tied agents. */
export function traitHomophily(s: TownState): number | null {
  return homophilies(s).traits;
}

/** Opinion assortativity: the mean over topics. */
export function opinionHomophily(s: TownState): number | null {
  return homophilies(s).opinions;
}

/** The mean of trait and opinion assortativity (whichever are defined). */
export function homophily(s: TownState): number | null {
  const h = homophilies(s);
  return mean([h.traits, h.opinions].filter((r): r is number => r !== null));
}

export function conflicts(s: TownState, select: Select): number | null {
  let c = 0;
  let any = false;
  for (const i of s.members(select)) {
    any = true;
    c += s.conflicts[i]!;
  }
  return any ? c : null;
}

/** The environment's grade: normalised deliverables (reports, plans, token sets) per agent. */
export function productivity(s: TownState, select: Select): number | null {
  const members = [...s.members(select)];
  return members.length ? members.reduce((a, i) => a + s.grades[i]!, 0) / members.length : null;
}

/** Shannon entropy, in bits, of the kinds of action attempted. */
export function actionEntropy(s: TownState, select: Select): number | null {
  const counts = new Float64Array(K);
  let total = 0;
  for (const i of s.members(select)) {
    for (let k = 0; k < K; k++) {
      counts[k]! += s.kinds[i * K + k]!;
      total += s.kinds[i * K + k]!;
    }
  }
  if (!total) return null;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

/**
 * One agent's persona adherence. Trait-driven agents: 1 − the total
 * variation distance between the mix of actions it took and the mix its
 * label traits predict for the choices it had (so far in the run). LLM
 * agents: the mean score of its self-report probes.
 */
export function agentAdherence(s: TownState, i: number): number | null {
  if (s.llm[i]) return s.probeCount[i]! ? s.probeSum[i]! / s.probeCount[i]! : null;
  const n = s.decisions[i]!;
  if (!n) return null;
  let tv = 0;
  for (let k = 0; k < K; k++) tv += Math.abs(s.observed[i * K + k]! / n - s.predicted[i * K + k]! / n);
  return 1 - tv / 2;
}

export function personaAdherence(s: TownState, select: Select): number | null {
  return mean([...s.members(select)].map((i) => agentAdherence(s, i)).filter((r): r is number => r !== null));
}

export function encounters(s: TownState, select: Select): number | null {
  const members = [...s.members(select)];
  return members.length ? members.reduce((a, i) => a + s.encounters[i]!, 0) / members.length : null;
}

export function wealth(s: TownState, select: Select): number | null {
  const members = [...s.members(select)];
  return members.length ? members.reduce((a, i) => a + s.credits[i]!, 0) / members.length : null;
}
