/**
 * The report's charts as Vega-Lite specs: pure functions of plain data. Data
 * is always inline (never a URL), field names are fixed (user text only ever
 * appears as data values, which Vega escapes), and every layout is computed
 * here, so a spec renders the same SVG every time.
 */
import type { TopLevelSpec } from "vega-lite";
import type { FreezeBar, Kinds, KindSpread } from "./model.ts";
import { circleLayout, round, spreadLabels } from "./model.ts";

export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const INK = "#1f2937";
const MUTED = "#4b5563";
const GRID = "#e5e7eb";

type Config = NonNullable<TopLevelSpec["config"]>;

const CONFIG: Config = {
  // Accessible names live on the HTML figures; per-mark ARIA labels would only bloat the SVG.
  aria: false,
  font: FONT,
  background: "white",
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 600,
    labelColor: MUTED,
    titleColor: INK,
    gridColor: GRID,
    domainColor: "#9ca3af",
    tickColor: "#9ca3af",
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleColor: INK, labelColor: MUTED, orient: "bottom", direction: "horizontal", symbolStrokeWidth: 2 },
  title: { fontSize: 14, fontWeight: 600, anchor: "start", color: INK, subtitleColor: MUTED, subtitleFontSize: 11, offset: 10 },
};

/** One colour per kind in every chart; the legend lists only the kinds a chart shows. */
const colourByKind = (kinds: Kinds, legend: boolean | readonly string[] = true) => ({
  field: "kind",
  type: "nominal" as const,
  title: "kind",
  scale: { domain: [...kinds.names], range: [...kinds.colours] },
  legend: legend === false ? null : legend === true ? { title: "kind" } : { title: "kind", values: kinds.names.filter((k) => legend.includes(k)) },
});

const epochAxis = (last: number) => ({
  field: "epoch",
  type: "quantitative" as const,
  title: "epoch",
  scale: { domain: [0, Math.max(last, 1)], nice: false },
  axis: { tickMinStep: 1, format: "d" },
});

export interface SeriesChart {
  readonly title: string;
  readonly subtitle: string;
  readonly yTitle: string;
  readonly colour: string;
  readonly values: readonly { epoch: number; value: number | null }[];
  /** Draw a dashed rule at 0 (quality gap: below it is adverse selection). */
  readonly zeroRule?: boolean;
}

/** One metric over epochs. */
export function seriesSpec(c: SeriesChart): TopLevelSpec {
  const last = c.values.at(-1)?.epoch ?? 0;
  const line = {
    mark: { type: "line" as const, color: c.colour, strokeWidth: 2, point: c.values.length <= 60 ? { filled: true, size: 24, color: c.colour } : false },
    encoding: {
      x: epochAxis(last),
      y: { field: "value", type: "quantitative" as const, title: c.yTitle, scale: { zero: false } },
    },
  };
  const layer = c.zeroRule ? [{ mark: { type: "rule" as const, color: "#6b7280", strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } }, line] : [line];
  return {
    config: CONFIG,
    title: { text: c.title, subtitle: c.subtitle },
    width: 280,
    height: 180,
    data: { values: c.values.map((v) => ({ epoch: v.epoch, value: v.value })) },
    layer,
  } as TopLevelSpec;
}

/** Total final payoff per kind, as horizontal bars. */
export function payoffByKindSpec(rows: readonly { kind: string; totalPayoff: number; meanPayoff: number; agents: number }[], kinds: Kinds): TopLevelSpec {
  return {
    config: CONFIG,
    title: { text: "Total payoff by kind", subtitle: "summed over each kind's agents at the end of the run" },
    width: 300,
    height: { step: 26 },
    data: { values: rows.map((r) => ({ kind: r.kind, total: r.totalPayoff })) },
    mark: { type: "bar", cornerRadiusEnd: 2 },
    encoding: {
      y: { field: "kind", type: "nominal", title: "kind", sort: [...kinds.names] },
      x: { field: "total", type: "quantitative", title: "total payoff" },
      color: colourByKind(kinds, false),
    },
  } as TopLevelSpec;
}

/** Final payoff per agent, in registration order, coloured by kind. */
export function payoffByAgentSpec(rows: readonly { agent: string; kind: string; payoff: number }[], kinds: Kinds, order: readonly string[]): TopLevelSpec {
  return {
    config: CONFIG,
    title: { text: "Payoff per agent", subtitle: "cumulative payoff at the end of the run" },
    width: 300,
    height: { step: 18 },
    data: { values: rows.map((r) => ({ agent: r.agent, kind: r.kind, payoff: r.payoff })) },
    mark: { type: "bar", cornerRadiusEnd: 2 },
    encoding: {
      y: { field: "agent", type: "nominal", title: "agent", sort: [...order] },
      x: { field: "payoff", type: "quantitative", title: "payoff" },
      color: colourByKind(kinds),
    },
  } as TopLevelSpec;
}

/** Cumulative payoff of each kind over epochs, summed from the per-epoch snapshots. */
export function payoffOverEpochsSpec(rows: readonly { epoch: number; kind: string; payoff: number }[], kinds: Kinds): TopLevelSpec {
  const last = rows.reduce((m, r) => Math.max(m, r.epoch), 0);
  return {
    config: CONFIG,
    title: { text: "Cumulative payoff by kind", subtitle: "summed over each kind's agents at the end of every epoch" },
    width: 300,
    height: 180,
    data: { values: rows.map((r) => ({ epoch: r.epoch, kind: r.kind, payoff: r.payoff })) },
    mark: { type: "line", strokeWidth: 2 },
    encoding: {
      x: epochAxis(last),
      y: { field: "payoff", type: "quantitative", title: "cumulative payoff" },
      color: colourByKind(kinds),
    },
  } as TopLevelSpec;
}

const TRAJECTORY_HEIGHT = 280;
/** With more agents than labels fit, this many at each end of the ranking keep theirs. */
const EXTREME_LABELS = 5;

/** Reputation of every agent over epochs, one line each, labelled at its end. */
export function reputationSpec(rows: readonly { epoch: number; agent: string; kind: string; reputation: number }[], kinds: Kinds, order: readonly string[]): TopLevelSpec {
  const last = rows.reduce((m, r) => Math.max(m, r.epoch), 0);
  // A fold, not Math.min(...values): a long run has more values than the stack has room for arguments.
  let lo = rows.reduce((m, r) => Math.min(m, r.reputation), 0);
  let hi = rows.reduce((m, r) => Math.max(m, r.reputation), 0);
  const pad = (hi - lo || 1) * 0.06;
  lo = round(lo - pad);
  hi = round(hi + pad);
  // End labels are nudged apart (about 12 px) so agents ending close together stay readable;
  // when they cannot all fit, only the highest and lowest few are labelled.
  const gap = ((hi - lo) * 12) / TRAJECTORY_HEIGHT;
  const final = new Map(rows.filter((r) => r.epoch === last).map((r) => [r.agent, r]));
  const all = order.map((agent) => final.get(agent)).filter((r) => r !== undefined);
  const room = Math.floor(TRAJECTORY_HEIGHT / 12);
  const ranked = [...all].sort((a, b) => b.reputation - a.reputation); // stable: ties keep registration order
  const extremes = new Set([...ranked.slice(0, EXTREME_LABELS), ...ranked.slice(-EXTREME_LABELS)].map((r) => r.agent));
  const ends = all.length <= room ? all : all.filter((r) => extremes.has(r.agent));
  const labelY = spreadLabels(
    ends.map((r) => r.reputation),
    gap,
    lo,
    hi,
  );
  const labels = ends.map((r, i) => ({ epoch: last, agent: r.agent, kind: r.kind, y: round(labelY[i]!) }));
  const y = { type: "quantitative" as const, title: "reputation", scale: { domain: [lo, hi], nice: false, zero: false } };
  return {
    config: CONFIG,
    title: {
      text: "Reputation trajectories",
      subtitle: `one line per agent, at the end of every epoch${ends.length < all.length ? `; labelled: the ${EXTREME_LABELS} highest and lowest at the end` : ""}`,
    },
    width: 560,
    height: TRAJECTORY_HEIGHT,
    layer: [
      {
        data: { values: rows.map((r) => ({ epoch: r.epoch, agent: r.agent, kind: r.kind, reputation: r.reputation })) },
        mark: { type: "line", strokeWidth: 1.75, opacity: 0.9 },
        encoding: {
          x: epochAxis(last),
          y: { ...y, field: "reputation" },
          color: colourByKind(kinds),
          detail: { field: "agent", type: "nominal" },
        },
      },
      {
        data: { values: labels },
        mark: { type: "text", align: "left", dx: 6, fontSize: 10, clip: false },
        encoding: {
          x: epochAxis(last),
          y: { ...y, field: "y" },
          text: { field: "agent", type: "nominal" },
          color: colourByKind(kinds),
        },
      },
    ],
  } as TopLevelSpec;
}

/** Who was frozen when: one row per frozen agent, a bar per interval. */
export function freezeSpec(bars: readonly FreezeBar[], kinds: Kinds, order: readonly string[], epochsCompleted: number): TopLevelSpec {
  const frozen = new Set(bars.map((b) => b.agent));
  const agents = order.filter((a) => frozen.has(a));
  const listed = new Set(agents);
  for (const b of bars) {
    if (listed.has(b.agent)) continue;
    listed.add(b.agent);
    agents.push(b.agent);
  }
  return {
    config: CONFIG,
    title: { text: "Frozen intervals", subtitle: "epoch e spans e to e + 1; a bar runs from the freeze to the release" },
    width: 560,
    height: { step: 26 },
    data: { values: bars.map((b) => ({ agent: b.agent, kind: b.kind, start: b.start, end: b.end })) },
    mark: { type: "bar", cornerRadius: 2, height: { band: 0.7 } },
    encoding: {
      y: { field: "agent", type: "nominal", title: "agent", sort: agents },
      x: { field: "start", type: "quantitative", title: "epoch", scale: { domain: [0, Math.max(epochsCompleted, 1)], nice: false }, axis: { tickMinStep: 1, format: "d" } },
      x2: { field: "end" },
      color: colourByKind(
        kinds,
        bars.map((b) => b.kind),
      ),
    },
  } as TopLevelSpec;
}

export interface NetworkData {
  readonly nodes: readonly string[];
  readonly edges: readonly (readonly [string, string, number])[];
}

/**
 * The final network as a node-link diagram. The layout is a circle in
 * registration order (computed here, not by Vega's random force layout), so
 * the same network always draws the same picture.
 */
export function networkSpec(network: NetworkData, kinds: Kinds, frozen: ReadonlySet<string>): TopLevelSpec {
  const layout = circleLayout(network.nodes);
  const at = new Map(layout.map((p) => [p.id, p]));
  const edges = network.edges
    .filter(([a, b]) => at.has(a) && at.has(b))
    .map(([a, b, w]) => ({ source: a, target: b, weight: w, x: at.get(a)!.x, y: at.get(a)!.y, x2: at.get(b)!.x, y2: at.get(b)!.y }));
  const maxWeight = edges.reduce((m, e) => Math.max(m, e.weight), 1);
  const anyFrozen = network.nodes.some((n) => frozen.has(n));
  const nodes = layout.map((p) => ({
    id: p.id,
    kind: kinds.of(p.id),
    state: frozen.has(p.id) ? "frozen" : "active",
    x: p.x,
    y: p.y,
    lx: round(p.x * 1.16),
    ly: round(p.y * 1.16),
    align: p.x > 0.05 ? "left" : p.x < -0.05 ? "right" : "center",
  }));
  // Room for labels left and right of the circle, less above and below.
  const [ex, ey] = network.nodes.length > 40 ? [1.2, 1.2] : [1.7, 1.25];
  const pos = (field: string, extent: number) => ({ field, type: "quantitative" as const, scale: { domain: [-extent, extent], nice: false, zero: false }, axis: null });
  const labels = (align: "left" | "right" | "center") => ({
    data: { values: nodes.filter((n) => n.align === align) },
    mark: { type: "text", align, baseline: "middle", fontSize: 10, color: INK },
    encoding: { x: pos("lx", ex), y: pos("ly", ey), text: { field: "id", type: "nominal" } },
  });
  return {
    config: CONFIG,
    title: { text: "Final network", subtitle: `${network.nodes.length} agents, ${edges.length} edges; circle layout in registration order` },
    width: 480,
    height: Math.round((480 * ey) / ex),
    layer: [
      {
        data: { values: edges },
        mark: { type: "rule", color: "#6b7280", opacity: 0.55, strokeCap: "round" },
        encoding: {
          x: pos("x", ex),
          y: pos("y", ey),
          x2: { field: "x2" },
          y2: { field: "y2" },
          strokeWidth: { field: "weight", type: "quantitative", title: "edge weight", scale: { domain: [0, maxWeight], range: [0.5, 6] }, legend: { title: "edge weight", symbolType: "stroke" } },
        },
      },
      {
        data: { values: nodes },
        mark: { type: "point", filled: true, size: network.nodes.length > 40 ? 60 : 220, stroke: "white", strokeWidth: 1.5, opacity: 1 },
        encoding: {
          x: pos("x", ex),
          y: pos("y", ey),
          color: colourByKind(kinds),
          shape: anyFrozen
            ? { field: "state", type: "nominal", title: "at the end", scale: { domain: ["active", "frozen"], range: ["circle", "square"] }, legend: { title: "at the end" } }
            : { value: "circle" },
        },
      },
      // Labels sit just outside the circle, aligned away from it; too many would be noise.
      ...(network.nodes.length <= 40 ? [labels("left"), labels("right"), labels("center")] : []),
    ],
  } as TopLevelSpec;
}

// ---------------------------------------------------------------------------
// Large populations (see model.ts: PER_AGENT_CHART_LIMIT and the others): one mark per kind, never per agent

/** Final payoff per agent as quantiles per kind: a whisker over the middle 80%, a box over the middle 50%, a tick at the median. */
export function payoffSpreadSpec(rows: readonly KindSpread[], kinds: Kinds, agents: number): TopLevelSpec {
  const y = { field: "kind", type: "nominal" as const, title: "kind", sort: [...kinds.names] };
  const x = (field: string) => ({ field, type: "quantitative" as const, title: "payoff", scale: { zero: false } });
  return {
    config: CONFIG,
    title: { text: "Payoff per agent", subtitle: `${agents} agents, as quantiles per kind: median, middle 50% (box) and 80% (whisker)` },
    width: 300,
    height: { step: 30 },
    data: { values: rows.map((r) => ({ kind: r.kind, p10: r.p10, p25: r.p25, median: r.median, p75: r.p75, p90: r.p90 })) },
    layer: [
      { mark: { type: "rule", strokeWidth: 1.5 }, encoding: { y, x: x("p10"), x2: { field: "p90" }, color: colourByKind(kinds, false) } },
      { mark: { type: "bar", height: { band: 0.6 }, opacity: 0.85 }, encoding: { y, x: x("p25"), x2: { field: "p75" }, color: colourByKind(kinds, false) } },
      { mark: { type: "tick", color: INK, thickness: 2, size: 20 }, encoding: { y, x: x("median") } },
    ],
  } as TopLevelSpec;
}

/** Reputation over epochs as quantile bands, one panel per kind: the median as a line, the middle 50% and 80% as bands. */
export function reputationBandsSpec(rows: readonly (KindSpread & { readonly epoch: number })[], kinds: Kinds, agents: number): TopLevelSpec {
  const last = rows.reduce((m, r) => Math.max(m, r.epoch), 0);
  let lo = rows.reduce((m, r) => Math.min(m, r.p10), 0);
  let hi = rows.reduce((m, r) => Math.max(m, r.p90), 0);
  const pad = (hi - lo || 1) * 0.06;
  lo = round(lo - pad);
  hi = round(hi + pad);
  const y = (field: string) => ({ field, type: "quantitative" as const, title: "reputation", stack: null, scale: { domain: [lo, hi], nice: false, zero: false } });
  const shown = kinds.names.filter((k) => rows.some((r) => r.kind === k));
  return {
    config: CONFIG,
    title: { text: "Reputation trajectories", subtitle: `${agents} agents, as quantiles per kind at the end of every epoch: median line, bands for the middle 50% and 80%` },
    data: { values: rows.map((r) => ({ epoch: r.epoch, kind: r.kind, p10: r.p10, p25: r.p25, median: r.median, p75: r.p75, p90: r.p90 })) },
    facet: { field: "kind", type: "nominal", title: null, sort: shown, header: { labelFontSize: 12, labelFontWeight: 600, labelColor: INK, labelAnchor: "start" } },
    columns: 2,
    spec: {
      width: 260,
      height: 150,
      layer: [
        { mark: { type: "area", opacity: 0.18 }, encoding: { x: epochAxis(last), y: y("p10"), y2: { field: "p90" }, color: colourByKind(kinds, false) } },
        { mark: { type: "area", opacity: 0.38 }, encoding: { x: epochAxis(last), y: y("p25"), y2: { field: "p75" }, color: colourByKind(kinds, false) } },
        { mark: { type: "line", strokeWidth: 2 }, encoding: { x: epochAxis(last), y: y("median"), color: colourByKind(kinds, false) } },
      ],
    },
  } as TopLevelSpec;
}

/** How many agents of each kind were frozen at the end of every epoch. */
export function frozenCountSpec(rows: readonly { epoch: number; kind: string; frozen: number }[], kinds: Kinds, agents: number): TopLevelSpec {
  const last = rows.reduce((m, r) => Math.max(m, r.epoch), 0);
  return {
    config: CONFIG,
    title: { text: "Frozen agents", subtitle: `${agents} agents were frozen at some point: how many of each kind were frozen at the end of every epoch` },
    width: 560,
    height: 220,
    data: { values: rows.map((r) => ({ epoch: r.epoch, kind: r.kind, frozen: r.frozen })) },
    mark: { type: "line", strokeWidth: 2, point: rows.length <= 200 },
    encoding: {
      x: epochAxis(last),
      y: { field: "frozen", type: "quantitative", title: "frozen agents" },
      color: colourByKind(
        kinds,
        rows.map((r) => r.kind),
      ),
    },
  } as TopLevelSpec;
}

/** The final network folded onto kinds: a matrix of how many edges join each pair of kinds. */
export function kindNetworkSpec(cells: readonly { from: string; to: string; edges: number; meanWeight: number }[], kinds: Kinds, nodes: number, edges: number): TopLevelSpec {
  const most = cells.reduce((m, c) => Math.max(m, c.edges), 0);
  const shown = kinds.names.filter((k) => cells.some((c) => c.from === k || c.to === k));
  const axis = (field: string, title: string) => ({ field, type: "nominal" as const, title, sort: shown });
  return {
    config: CONFIG,
    title: { text: "Final network, kind by kind", subtitle: `${nodes} agents and ${edges} edges, too many to draw one by one: edges within and between kinds` },
    width: { step: 96 },
    height: { step: 36 },
    data: { values: cells.map((c) => ({ from: c.from, to: c.to, edges: c.edges, weight: c.meanWeight })) },
    encoding: { x: { ...axis("to", "to kind"), axis: { labelAngle: 0 } }, y: axis("from", "from kind") },
    layer: [
      { mark: { type: "rect", stroke: "white", strokeWidth: 2 }, encoding: { color: { field: "edges", type: "quantitative", title: "edges", scale: { scheme: "blues", domain: [0, Math.max(most, 1)] } } } },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: { text: { field: "edges", type: "quantitative", format: "d" }, color: { condition: { test: `datum.edges > ${most / 2}`, value: "white" }, value: INK } },
      },
    ],
  } as TopLevelSpec;
}
