/**
 * What the report shows, as plain data derived from a run: kinds and their
 * colours, series, freeze intervals, the network layout and the metrics
 * table. Small pure functions; the charts and the HTML only format these.
 */
import { kindsOf, planKinds } from "./summary.ts";
import type { EpochRecord, RunResult, SimEvent } from "../engine/index.ts";
import { METRICS, observedKey } from "../metrics/registry.ts";
import type { Plan } from "../plan/schema.ts";

/** An agent was frozen from `from` (epoch, and step when known) until `to`; `to` is null when it was still frozen at the end. */
export interface FreezeInterval {
  readonly agent: string;
  /** The epoch the freeze began in. */
  readonly from: number;
  /** The epoch the agent was unfrozen in, or null when it was still frozen when the run ended. */
  readonly to: number | null;
  /** The step within `from` (and `to`) at which it happened; known only from the event log. */
  readonly fromStep?: number;
  readonly toStep?: number;
}

/**
 * Exact freeze intervals from the event log (`agent_frozen` / `agent_unfrozen`),
 * in the order they began. Events arrive in time order, so a pairing per agent is enough.
 */
export function freezeIntervals(events: Iterable<SimEvent>): FreezeInterval[] {
  const open = new Map<string, number>();
  const out: FreezeInterval[] = [];
  for (const e of events) {
    if (e.type === "agent_frozen" && !open.has(e.agent)) {
      open.set(e.agent, out.length);
      out.push({ agent: e.agent, from: e.epoch, to: null, fromStep: e.step });
    } else if (e.type === "agent_unfrozen") {
      const i = open.get(e.agent);
      if (i === undefined) continue;
      open.delete(e.agent);
      out[i] = { ...out[i]!, to: e.epoch, toStep: e.step };
    }
  }
  return out;
}

/**
 * Freeze intervals to the epoch from the end-of-epoch snapshots, for when no
 * event log is at hand. A freeze lifted and re-imposed within one epoch is
 * invisible here, so back-to-back freezes show as one interval.
 */
export function freezesFromSnapshots(epochs: readonly EpochRecord[]): FreezeInterval[] {
  const out: FreezeInterval[] = [];
  const since = new Map<string, number>();
  for (const e of epochs) {
    for (const a of e.agents) {
      if (a.frozen && !since.has(a.id)) since.set(a.id, e.epoch);
      if (!a.frozen && since.has(a.id)) {
        out.push({ agent: a.id, from: since.get(a.id)!, to: e.epoch });
        since.delete(a.id);
      }
    }
  }
  for (const [agent, from] of since) out.push({ agent, from, to: null });
  return out.sort((a, b) => a.from - b.from);
}

/** Okabe–Ito colours, readable by colour-blind readers; the scripted kinds keep theirs in every report. */
const KIND_COLOURS: Readonly<Record<string, string>> = {
  honest: "#0072B2",
  opportunistic: "#E69F00",
  deceptive: "#CC79A7",
  adversarial: "#D55E00",
  llm: "#009E73",
};
const SPARE_COLOURS = ["#56B4E9", "#000000", "#8C6D31", "#7F7F7F", "#17BECF", "#BCBD22", "#393B79", "#AD494A"];

export interface Kinds {
  /** Kinds in first-appearance order (a stochastic agent's kind is its policy's name). */
  readonly names: readonly string[];
  readonly colours: readonly string[];
  /** One agent's kind. */
  readonly of: (agent: string) => string;
  /** Every listed agent's kind, aligned with the list: for whole populations (no lookup per agent when they are in the plan's order). */
  readonly each: (agents: readonly { readonly id: string; readonly kind: string }[]) => readonly string[];
}

export function agentKinds(plan: Plan, result: RunResult): Kinds {
  // Indexes by id are built only when a single agent is asked for (freeze rows, network nodes, a few table rows).
  let declared: ReadonlyMap<string, string> | undefined;
  let recorded: Map<string, string> | undefined;
  const of = (agent: string): string =>
    (declared ??= planKinds(plan)).get(agent) ?? (recorded ??= new Map(result.agents.map((a) => [a.id, a.kind]))).get(agent) ?? "unknown";
  const listed = new WeakMap<object, readonly string[]>();
  const each = (agents: readonly { readonly id: string; readonly kind: string }[]): readonly string[] => {
    let kinds = listed.get(agents);
    if (!kinds) listed.set(agents, (kinds = kindsOf(agents, plan)));
    return kinds;
  };
  const names = new Set<string>(kindsOf(plan.agents, plan));
  for (const k of each(result.agents)) names.add(k);
  let spare = 0;
  const colours = [...names].map((k) => KIND_COLOURS[k] ?? SPARE_COLOURS[spare++ % SPARE_COLOURS.length]!);
  return { names: [...names], colours, of, each };
}

/** Agent ids in registration order (the final state's order, then anyone only seen in the plan). */
export function agentOrder(plan: Plan, result: RunResult): string[] {
  const ids = result.agents.map((a) => a.id);
  // A run lists exactly the plan's agents, in its order: nothing to add, and no index to build.
  if (ids.length === plan.agents.length && plan.agents.every((a, i) => a.id === ids[i])) return ids;
  const seen = new Set(ids);
  for (const a of plan.agents) if (!seen.has(a.id)) ids.push(a.id);
  return ids;
}

/** A freeze interval as a bar on the epoch axis, where epoch e spans [e, e + 1) and steps divide it evenly. */
export interface FreezeBar {
  readonly agent: string;
  readonly kind: string;
  readonly start: number;
  readonly end: number;
  readonly ongoing: boolean;
}

export function freezeBars(freezes: readonly FreezeInterval[], kinds: Kinds, stepsPerEpoch: number, epochsCompleted: number): FreezeBar[] {
  const at = (epoch: number, step: number | undefined) => round(epoch + (stepsPerEpoch > 0 ? (step ?? 0) / stepsPerEpoch : 0));
  return freezes.map((f) => ({
    agent: f.agent,
    kind: kinds.of(f.agent),
    start: at(f.from, f.fromStep),
    end: f.to === null ? Math.max(epochsCompleted, at(f.from, f.fromStep)) : at(f.to, f.toStep),
    ongoing: f.to === null,
  }));
}

/** Node positions on a circle in the given order, starting at the top and going clockwise. */
export function circleLayout(nodes: readonly string[]): { id: string; x: number; y: number }[] {
  const n = nodes.length;
  return nodes.map((id, i) => {
    const angle = n === 1 ? 0 : (2 * Math.PI * i) / n;
    // Rounded so the layout (and so the SVG) does not depend on the last bits of sin/cos.
    return { id, x: round(n === 1 ? 0 : Math.sin(angle)), y: round(n === 1 ? 0 : Math.cos(angle)) };
  });
}

/**
 * Label positions for line ends: each value moved as little as possible so
 * that neighbours are at least `gap` apart, staying within [lo, hi] when they fit.
 */
export function spreadLabels(values: readonly number[], gap: number, lo: number, hi: number): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v || a.i - b.i);
  const ys = order.map((o) => o.v);
  for (let k = 1; k < ys.length; k++) ys[k] = Math.max(ys[k]!, ys[k - 1]! + gap);
  if (ys.length && ys[ys.length - 1]! > hi) {
    ys[ys.length - 1] = hi;
    for (let k = ys.length - 2; k >= 0; k--) ys[k] = Math.min(ys[k]!, ys[k + 1]! - gap);
  }
  if (ys.length && ys[0]! < lo) {
    ys[0] = lo;
    for (let k = 1; k < ys.length; k++) ys[k] = Math.max(ys[k]!, ys[k - 1]! + gap);
  }
  const out = new Array<number>(values.length);
  order.forEach((o, k) => (out[o.i] = ys[k]!));
  return out;
}

export interface MetricColumn {
  readonly name: string;
  readonly doc: string;
  readonly unit: string;
  readonly values: readonly (number | null)[];
}

/**
 * The per-epoch table's columns: every series metric of the registry, then the
 * plan's observed selections. Metrics undefined in every epoch (no network,
 * no ground truth) are left out and named in `omitted`.
 */
export function metricColumns(plan: Plan, epochs: readonly EpochRecord[]): { columns: MetricColumn[]; omitted: string[] } {
  const all: MetricColumn[] = [
    ...METRICS.filter((m) => m.shape === "series").map((m) => ({ name: m.name, doc: m.doc, unit: m.unit, values: epochs.map((e) => e.metrics[m.name] ?? null) })),
    ...plan.observe.map((o) => {
      const key = observedKey(o.metric, o.select);
      return { name: key, doc: `${o.metric} restricted to ${o.select.by} ${o.select.name} (observed for the scenario's criteria).`, unit: "", values: epochs.map((e) => e.observed[key] ?? null) };
    }),
  ];
  const defined = (c: MetricColumn) => c.values.some((v) => v !== null);
  return { columns: all.filter(defined), omitted: all.filter((c) => !defined(c)).map((c) => c.name) };
}

/** A metric's value per epoch, for a chart. */
export function seriesOf(epochs: readonly EpochRecord[], metric: string): { epoch: number; value: number | null }[] {
  return epochs.map((e) => ({ epoch: e.epoch, value: e.metrics[metric] ?? null }));
}

/** Numbers in tables: integers as they are, others to four significant digits. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString();
}

export function round(v: number, digits = 6): number {
  const f = 10 ** digits;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

// ---------------------------------------------------------------------------
// Large populations: the page stays readable, and its size bounded, however many agents run

/** Above this many agents, payoff per agent and the reputation trajectories are drawn as quantiles per kind. */
export const PER_AGENT_CHART_LIMIT = 100;
/** Reputation lines per agent stop here (agents × epochs): a hundred agents over thousands of epochs are drawn as bands too. */
export const PER_AGENT_POINT_LIMIT = 20_000;
/** Above this many frozen agents, the freeze chart counts frozen agents per epoch instead of a row for each. */
export const FREEZE_CHART_LIMIT = 100;
/** Above this many nodes or edges, the network is drawn kind by kind instead of node by node. */
export const NETWORK_NODE_LIMIT = 200;
export const NETWORK_EDGE_LIMIT = 2000;
/** Tables list at most this many rows; agents.csv and events.jsonl have them all. */
export const TABLE_ROW_LIMIT = 200;
/** With more agents than TABLE_ROW_LIMIT, the agent table lists this many at each end of the payoff ranking. */
export const AGENT_TABLE_EXTREMES = 25;
/** Agent names listed in running text before "and N more". */
export const INLINE_NAME_LIMIT = 20;

/** A distribution in seven numbers: extremes, the 10/25/50/75/90% quantiles. */
export interface Spread {
  readonly count: number;
  readonly min: number;
  readonly p10: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly p90: number;
  readonly max: number;
}

/** Quantiles by linear interpolation between order statistics (numpy's default). Null for no values. */
export function spread(values: ArrayLike<number>): Spread | null {
  if (!values.length) return null;
  const s = Float64Array.from(values).sort();
  const q = (p: number): number => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, s.length - 1);
    return round(s[lo]! + (h - lo) * (s[hi]! - s[lo]!));
  };
  return { count: s.length, min: round(s[0]!), p10: q(0.1), p25: q(0.25), median: q(0.5), p75: q(0.75), p90: q(0.9), max: round(s[s.length - 1]!) };
}

/** Agents' values grouped by kind, in the kinds' order; kinds without agents are left out. */
function byKindValues<T extends { readonly id: string; readonly kind: string }>(agents: readonly T[], kinds: Kinds, value: (a: T) => number): { kind: string; values: number[] }[] {
  const groups = new Map<string, number[]>(kinds.names.map((k) => [k, []]));
  const kindOf = kinds.each(agents);
  for (let i = 0; i < agents.length; i++) {
    const k = kindOf[i]!;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(value(agents[i]!));
  }
  return [...groups].filter(([, values]) => values.length).map(([kind, values]) => ({ kind, values }));
}

export type KindSpread = Spread & { readonly kind: string };

/** Each kind's spread of one value over its agents. */
export function kindSpreads<T extends { readonly id: string; readonly kind: string }>(agents: readonly T[], kinds: Kinds, value: (a: T) => number): KindSpread[] {
  return byKindValues(agents, kinds, value).map(({ kind, values }) => ({ kind, ...spread(values)! }));
}

/** Each kind's spread of reputation at the end of every epoch. */
export function reputationSpreads(epochs: readonly EpochRecord[], kinds: Kinds): (KindSpread & { readonly epoch: number })[] {
  return epochs.flatMap((ep) => kindSpreads(ep.agents, kinds, (a) => a.reputation).map((s) => ({ epoch: ep.epoch, ...s })));
}

/** How many of each kind's agents were frozen at the end of every epoch. */
export function frozenCounts(epochs: readonly EpochRecord[], kinds: Kinds): { epoch: number; kind: string; frozen: number }[] {
  return epochs.flatMap((ep) =>
    byKindValues(ep.agents, kinds, (a) => (a.frozen ? 1 : 0)).map(({ kind, values }) => ({
      epoch: ep.epoch,
      kind,
      frozen: values.reduce((s, v) => s + v, 0),
    })),
  );
}

/** The network folded onto kinds: for each pair of kinds, how many edges join them and their mean weight (both orders, for a symmetric matrix). */
export function kindLinks(network: { readonly edges: readonly (readonly [string, string, number])[] }, kinds: Kinds): { from: string; to: string; edges: number; meanWeight: number }[] {
  const cells = new Map<string, { from: string; to: string; edges: number; weight: number }>();
  const add = (from: string, to: string, w: number) => {
    const key = `${from}\u0000${to}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { from, to, edges: 0, weight: 0 }));
    c.edges++;
    c.weight += w;
  };
  for (const [a, b, w] of network.edges) {
    const ka = kinds.of(a);
    const kb = kinds.of(b);
    add(ka, kb, w);
    if (ka !== kb) add(kb, ka, w);
  }
  const rank = new Map(kinds.names.map((k, i) => [k, i]));
  return [...cells.values()]
    .sort((x, y) => (rank.get(x.from) ?? 0) - (rank.get(y.from) ?? 0) || (rank.get(x.to) ?? 0) - (rank.get(y.to) ?? 0))
    .map((c) => ({ from: c.from, to: c.to, edges: c.edges, meanWeight: round(c.weight / c.edges) }));
}

/** The first `limit` names, then how many more. */
export function someNames(names: readonly string[], limit = INLINE_NAME_LIMIT): string {
  return names.length <= limit ? names.join(", ") : `${names.slice(0, limit).join(", ")} and ${names.length - limit} more`;
}
