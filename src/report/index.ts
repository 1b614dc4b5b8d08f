/**
 * `report.html`: one self-contained page per run. Inline CSS, inline SVG
 * charts rendered here with Vega-Lite and Vega, no scripts, and a Content
 * Security Policy that forbids loading anything, so the page opens offline,
 * today or years from now. Deterministic: the same plan, result,
 * verdicts and freezes give the same bytes (no clock, no random ids, fixed
 * orders, a layout computed here).
 */
import type { TopLevelSpec } from "vega-lite";
import { byKind, runTotals, type KindSummary } from "./summary.ts";
import { comparisonText, failingSeeds, formatSeeds, formatValue } from "../criteria/format.ts";
import type { Verdict } from "../criteria/evaluate.ts";
import type { RunResult } from "../engine/index.ts";
import { metricDef } from "../metrics/registry.ts";
import type { Plan } from "../plan/schema.ts";
import {
  freezeSpec,
  frozenCountSpec,
  kindNetworkSpec,
  networkSpec,
  payoffByAgentSpec,
  payoffByKindSpec,
  payoffOverEpochsSpec,
  payoffSpreadSpec,
  reputationBandsSpec,
  reputationSpec,
  seriesSpec,
} from "./charts.ts";
import { escapeHtml as e, table } from "./html.ts";
import {
  AGENT_TABLE_EXTREMES,
  agentKinds,
  agentOrder,
  FREEZE_CHART_LIMIT,
  formatNumber,
  freezeBars,
  freezesFromSnapshots,
  frozenCounts,
  kindLinks,
  kindSpreads,
  metricColumns,
  NETWORK_EDGE_LIMIT,
  NETWORK_NODE_LIMIT,
  PER_AGENT_CHART_LIMIT,
  PER_AGENT_POINT_LIMIT,
  reputationSpreads,
  seriesOf,
  someNames,
  TABLE_ROW_LIMIT,
  type FreezeInterval,
  type Kinds,
} from "./model.ts";
import { economySection } from "./economy.ts";
import { CSS } from "./style.ts";
import { CHART_LIBRARIES, exclusively, renderSvg, resetCharts } from "./svg.ts";

export { freezeIntervals, freezesFromSnapshots, type FreezeInterval } from "./model.ts";
export { escapeHtml } from "./html.ts";

export interface ReportInput {
  readonly plan: Plan;
  readonly result: RunResult;
  readonly verdicts: readonly Verdict[];
  /** Exact freeze intervals from the event log (see `freezeIntervals`); without them they come from the per-epoch snapshots. */
  readonly freezes?: readonly FreezeInterval[];
}

/** The charts a report shows, in page order; `data-chart` names them in the HTML. */
export const CHART_NAMES = ["toxicity", "quality-gap", "welfare", "payoff-by-kind", "payoff-by-agent", "payoff-over-epochs", "reputation", "freezes", "network"] as const;
export type ChartName = (typeof CHART_NAMES)[number];

interface Chart {
  readonly name: ChartName;
  readonly spec: TopLevelSpec;
  readonly caption: string;
}

/**
 * The report as one HTML document. Asynchronous because Vega renders so;
 * reports render one at a time (see svg.ts).
 */
export function renderReport(input: ReportInput): Promise<string> {
  return exclusively(async () => {
    resetCharts();
    const view = reportView(input);
    const svgs = new Map<ChartName, string>();
    for (const c of view.charts) svgs.set(c.name, await renderSvg(c.spec, captionId(c.name), `chart-${c.name}`));
    const extra = input.plan.economy ? [await economySection(input)] : [];
    return page(view, svgs, extra);
  });
}

const captionId = (name: ChartName) => `chart-${name}-caption`;

interface ReportView {
  readonly input: ReportInput;
  readonly kinds: Kinds;
  /** The final agents summed by kind (byKind), once for every section that shows them. */
  readonly kindRows: readonly KindSummary[];
  readonly order: readonly string[];
  readonly freezes: readonly FreezeInterval[];
  readonly freezesExact: boolean;
  readonly charts: readonly Chart[];
}

/** Everything the page shows, derived once; the charts only where they have something to draw. */
function reportView(input: ReportInput): ReportView {
  const { plan, result } = input;
  const kinds = agentKinds(plan, result);
  const order = agentOrder(plan, result);
  const epochs = result.epochs;
  const freezesExact = input.freezes !== undefined;
  const freezes = input.freezes ?? freezesFromSnapshots(epochs);
  const charts: Chart[] = [];

  if (epochs.length) {
    const series = (name: ChartName, metric: string, title: string, colour: string, subtitle: string, zeroRule = false) => {
      const values = seriesOf(epochs, metric);
      charts.push({ name, spec: seriesSpec({ title, subtitle, yTitle: metric.replace(/_/g, " "), colour, values, zeroRule }), caption: `${title}: ${metricDef(metric)?.doc ?? ""} ${describeSeries(values)}` });
    };
    series("toxicity", "toxicity", "Toxicity", "#B91C1C", "expected harm among accepted interactions");
    series("quality-gap", "quality_gap", "Quality gap", "#1D4ED8", "below 0: adverse selection", true);
    series("welfare", "welfare", "Welfare", "#047857", "total payoff of the epoch's interactions");
  }

  const kindRows = byKind(result.agents, plan);
  if (result.agents.length) {
    const best = [...kindRows].sort((a, b) => b.totalPayoff - a.totalPayoff || kinds.names.indexOf(a.kind) - kinds.names.indexOf(b.kind));
    charts.push({
      name: "payoff-by-kind",
      spec: payoffByKindSpec(kindRows, kinds),
      caption: `Total payoff by kind at the end of the run: ${best.map((k) => `${k.kind} ${formatNumber(k.totalPayoff)}`).join(", ")}.`,
    });
  }
  if (epochs.length) {
    // One pass per epoch: linear in the agents.
    const rows = epochs.flatMap((ep) => {
      const sums = new Map<string, number>();
      const kindOf = kinds.each(ep.agents);
      ep.agents.forEach((a, i) => sums.set(kindOf[i]!, (sums.get(kindOf[i]!) ?? 0) + a.payoff));
      return kinds.names.filter((kind) => sums.has(kind)).map((kind) => ({ epoch: ep.epoch, kind, payoff: sums.get(kind)! }));
    });
    charts.push({ name: "payoff-over-epochs", spec: payoffOverEpochsSpec(rows, kinds), caption: "Cumulative payoff of each kind's agents over the epochs: a flat stretch is a kind that stopped earning (frozen, refused or idle)." });
  }
  // Above PER_AGENT_CHART_LIMIT agents a mark per agent is unreadable (and Vega cannot draw a million):
  // the per-agent charts show each kind's quantiles instead, and say so.
  const population = result.agents.length;
  const perAgent = population <= PER_AGENT_CHART_LIMIT;
  if (population) {
    if (perAgent) {
      const rows = result.agents.map((a) => ({ agent: a.id, kind: kinds.of(a.id), payoff: a.payoff }));
      charts.push({ name: "payoff-by-agent", spec: payoffByAgentSpec(rows, kinds, order), caption: "Final cumulative payoff of every agent, in registration order, coloured by kind." });
    } else {
      charts.push({
        name: "payoff-by-agent",
        spec: payoffSpreadSpec(kindSpreads(result.agents, kinds, (a) => a.payoff), kinds, population),
        caption: `Final cumulative payoff of the ${population} agents, too many for a bar each (more than ${PER_AGENT_CHART_LIMIT}): for each kind the tick is the median, the box holds the middle 50% of its agents and the whisker the middle 80%.${payoffRange(result.agents)}`,
      });
    }
  }
  if (epochs.length && epochs.some((ep) => ep.agents.length)) {
    const { highest, lowest } = extremes(result.agents);
    const ends = highest && lowest ? ` Highest at the end: ${highest.id} (${formatNumber(highest.reputation)}); lowest: ${lowest.id} (${formatNumber(lowest.reputation)}).` : "";
    // A line per agent also needs few enough points: a hundred agents over thousands of epochs are drawn as bands too.
    const points = epochs.reduce((n, ep) => n + ep.agents.length, 0);
    if (perAgent && points <= PER_AGENT_POINT_LIMIT) {
      const rows = epochs.flatMap((ep) => ep.agents.map((a) => ({ epoch: ep.epoch, agent: a.id, kind: kinds.of(a.id), reputation: a.reputation })));
      charts.push({
        name: "reputation",
        spec: reputationSpec(rows, kinds, order),
        caption: `Reputation of every agent at the end of each epoch, coloured by kind, with agent names at the lines' ends.${ends}`,
      });
    } else {
      charts.push({
        name: "reputation",
        spec: reputationBandsSpec(reputationSpreads(epochs, kinds), kinds, population),
        caption: `Reputation of the ${population} agents at the end of each epoch, ${perAgent ? `too many points for a line each (more than ${PER_AGENT_POINT_LIMIT} agent-epochs)` : `too many for a line each (more than ${PER_AGENT_CHART_LIMIT})`}: for each kind the line is the median and the bands hold the middle 50% and 80% of its agents.${ends}`,
      });
    }
  }
  if (freezes.length) {
    const agents = new Set(freezes.map((f) => f.agent)).size;
    const counted = `${freezes.length} freeze${freezes.length === 1 ? "" : "s"} of ${agents} agent${agents === 1 ? "" : "s"}`;
    if (agents <= FREEZE_CHART_LIMIT || !epochs.length) {
      const bars = freezeBars(freezes, kinds, plan.simulation.stepsPerEpoch, result.epochsCompleted);
      charts.push({
        name: "freezes",
        spec: freezeSpec(bars, kinds, order, result.epochsCompleted),
        caption: `${counted}, ${freezesExact ? "exact to the step, from the event log" : "to the epoch, from the end-of-epoch snapshots"}.`,
      });
    } else {
      charts.push({
        name: "freezes",
        spec: frozenCountSpec(frozenCounts(epochs, kinds), kinds, agents),
        caption: `${counted}, too many for a row each (more than ${FREEZE_CHART_LIMIT} agents): how many agents of each kind were frozen at the end of every epoch.`,
      });
    }
  }
  if (plan.network && result.network) {
    const { nodes, edges } = result.network;
    if (nodes.length <= NETWORK_NODE_LIMIT && edges.length <= NETWORK_EDGE_LIMIT) {
      const frozen = new Set(result.agents.filter((a) => a.frozen).map((a) => a.id));
      charts.push({
        name: "network",
        spec: networkSpec(result.network, kinds, frozen),
        caption: `The network at the end of the run: ${nodes.length} agents on a circle in registration order, ${edges.length} edges drawn wider the heavier they are, nodes coloured by kind${frozen.size ? ", squares for agents frozen at the end" : ""}.`,
      });
    } else {
      charts.push({
        name: "network",
        spec: kindNetworkSpec(kindLinks(result.network, kinds), kinds, nodes.length, edges.length),
        caption: `The network at the end of the run: ${nodes.length} agents and ${edges.length} edges, too many to draw one by one (more than ${NETWORK_NODE_LIMIT} agents or ${NETWORK_EDGE_LIMIT} edges): each cell counts the edges joining an agent of one kind to an agent of another, or of the same kind on the diagonal.`,
      });
    }
  }
  return { input, kinds, kindRows, order, freezes, freezesExact, charts };
}

/** " Lowest: id (x); highest: id (y)." over all agents, or nothing when there are none. */
function payoffRange(agents: readonly { id: string; payoff: number }[]): string {
  if (!agents.length) return "";
  let lowest = agents[0]!;
  let highest = agents[0]!;
  for (const a of agents) {
    if (a.payoff < lowest.payoff) lowest = a;
    if (a.payoff > highest.payoff) highest = a;
  }
  return ` Lowest: ${lowest.id} (${formatNumber(lowest.payoff)}); highest: ${highest.id} (${formatNumber(highest.payoff)}).`;
}

/** The agents with the highest and the lowest reputation; the first in registration order on ties. */
function extremes(agents: readonly { id: string; reputation: number }[]): { highest?: { id: string; reputation: number }; lowest?: { id: string; reputation: number } } {
  let highest = agents[0];
  let lowest = agents[0];
  for (const a of agents) {
    if (a.reputation > highest!.reputation) highest = a;
    // The last on ties, as a stable descending sort puts it at the end.
    if (a.reputation <= lowest!.reputation) lowest = a;
  }
  return { ...(highest ? { highest } : {}), ...(lowest ? { lowest } : {}) };
}

function describeSeries(values: readonly { epoch: number; value: number | null }[]): string {
  const defined = values.filter((v): v is { epoch: number; value: number } => v.value !== null);
  if (!defined.length) return "Undefined in every epoch.";
  const mean = defined.reduce((s, v) => s + v.value, 0) / defined.length;
  const lo = defined.reduce((m, v) => (v.value < m.value ? v : m));
  const hi = defined.reduce((m, v) => (v.value > m.value ? v : m));
  return `Mean ${formatNumber(mean)} over ${defined.length} epoch${defined.length === 1 ? "" : "s"}; lowest ${formatNumber(lo.value)} (epoch ${lo.epoch}), highest ${formatNumber(hi.value)} (epoch ${hi.epoch}).`;
}

// ---------------------------------------------------------------------------
// The page

function page(view: ReportView, svgs: ReadonlyMap<ChartName, string>, extra: readonly { id: string; title: string; html: string }[] = []): string {
  const { plan, result } = view.input;
  const figure = (name: ChartName): string => {
    const chart = view.charts.find((c) => c.name === name);
    const svg = svgs.get(name);
    if (!chart || svg === undefined) return "";
    // As wide as its chart, so the caption wraps under it instead of widening it.
    const width = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1];
    return `<figure class="chart" data-chart="${name}"${width ? ` style="width:${width}px"` : ""}>\n${svg}\n<figcaption id="${captionId(name)}">${e(chart.caption)}</figcaption>\n</figure>`;
  };
  const sections = [
    { id: "criteria", title: "Criteria", html: criteriaSection(view.input.verdicts, plan) },
    { id: "quality", title: "Toxicity, quality gap and welfare", html: qualitySection(view, figure) },
    { id: "payoff", title: "Payoff by agent kind", html: payoffSection(view, figure) },
    { id: "reputation", title: "Reputation", html: reputationSection(view, figure) },
    { id: "freezes", title: "Frozen intervals", html: freezeSection(view, figure) },
    ...(plan.network ? [{ id: "network", title: "Network", html: networkSection(view, figure) }] : []),
    ...extra,
    { id: "metrics", title: "Per-epoch metrics", html: metricsSection(view) },
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sbx ${e(result.sbxVersion)}">
<title>${e(result.scenario)} — sbx run report</title>
<style>${CSS}</style>
</head>
<body>
<div class="page">
${header(view, sections)}
<main>
${sections.map((s) => `<section id="${s.id}" aria-labelledby="${s.id}-title">\n<h2 id="${s.id}-title">${e(s.title)}</h2>\n${s.html}\n</section>`).join("\n")}
</main>
<footer>
<p>Generated by sbx ${e(result.sbxVersion)} from plan <code>${e(result.planHash)}</code>. This page is self-contained: it loads no scripts, fonts or images; the charts are SVG rendered when the run was written (${e(CHART_LIBRARIES)}).</p>
</footer>
</div>
</body>
</html>
`;
}

function header(view: ReportView, sections: readonly { id: string; title: string }[]): string {
  const { plan, result, verdicts } = view.input;
  const totals = runTotals(result);
  const epochs =
    result.epochsCompleted === plan.simulation.epochs
      ? `${plan.simulation.epochs} × ${plan.simulation.stepsPerEpoch}`
      : `${plan.simulation.epochs} × ${plan.simulation.stepsPerEpoch} (${result.epochsCompleted} completed)`;
  const setup: [string, string][] = [
    ["seed", String(result.seed)],
    ["profile", result.profile],
    ["epochs × steps", epochs],
    ["mode", plan.simulation.mode],
    ["agents", String(result.agents.length)],
    ["network", plan.network ? plan.network.topology.replace(/_/g, " ") + (plan.network.dynamic ? ", dynamic" : "") : "none"],
    ...(plan.scenario.motif ? [["motif", plan.scenario.motif] as [string, string]] : []),
    ["sbx version", result.sbxVersion],
  ];
  const outcome: [string, string][] = [
    ["interactions", `${totals.interactions} (${totals.accepted} accepted)`],
    ["mean toxicity", formatNumber(totals.meanToxicity)],
    ["mean quality gap", formatNumber(totals.meanQualityGap)],
    ["welfare per epoch", formatNumber(totals.welfarePerEpoch)],
    ["frozen at the end", totals.frozenAgents.length ? someNames(totals.frozenAgents) : "none"],
  ];
  const facts = (label: string, rows: readonly [string, string][]) =>
    `<dl class="facts" aria-label="${label}">\n${rows.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join("\n")}\n</dl>`;
  const failed = verdicts.filter((v) => v.status !== "pass").length;
  const banner = !verdicts.length
    ? `<p class="banner">No criteria declared.</p>`
    : failed
      ? `<p class="banner"><span class="status status-fail">FAIL</span> ${failed} of ${verdicts.length} criteria did not pass.</p>`
      : `<p class="banner"><span class="status status-pass">PASS</span> All ${verdicts.length} criteria passed.</p>`;
  return `<header class="run" id="run">
<p class="eyebrow">sbx run report</p>
<h1>${e(result.scenario)}</h1>
${plan.scenario.description ? `<p class="description">${e(plan.scenario.description)}</p>` : ""}
${facts("Run", setup)}
<p class="hash">plan <code>${e(result.planHash)}</code></p>
${facts("Outcome", outcome)}
${banner}
${kindLegend(view.kinds, view.kindRows)}
<nav class="toc" aria-label="Sections"><ol>${sections.map((s) => `<li><a href="#${s.id}">${e(s.title)}</a></li>`).join("")}</ol></nav>
</header>`;
}

function swatch(kinds: Kinds, kind: string): string {
  const colour = kinds.colours[kinds.names.indexOf(kind)] ?? "#7F7F7F";
  return `<span class="swatch" style="background:${colour}" aria-hidden="true"></span>`;
}

/** The colour key every chart shares, with how many agents each kind has. */
function kindLegend(kinds: Kinds, counts: readonly { kind: string; agents: number }[]): string {
  if (!kinds.names.length) return "";
  const count = (k: string) => counts.find((c) => c.kind === k)?.agents ?? 0;
  return `<ul class="legend" aria-label="Colours by agent kind"><li class="title">Agents by kind:</li>${kinds.names.map((k) => `<li>${swatch(kinds, k)}${e(k)} (${count(k)})</li>`).join("")}</ul>`;
}

const STATUS_WORD = { pass: "PASS", fail: "FAIL", undefined: "UNDEF" } as const;

/**
 * Each criterion with both sides of its comparison (`72.8 ≥ 3.117` for a
 * failed `a < b`), the seeds that passed and those that did not with their
 * values. Criteria over seeds, which one run cannot judge, are listed as left
 * to `sbx check`.
 */
function criteriaSection(verdicts: readonly Verdict[], plan: Plan): string {
  const judged = new Set(verdicts.map((v) => v.id));
  const overSeeds = plan.criteria.items.filter((c) => c.overSeeds && !judged.has(c.id));
  if (!verdicts.length && !overSeeds.length) return `<p class="note">This scenario declares no criteria.</p>`;
  const passed = verdicts.filter((v) => v.status === "pass").length;
  const name = (id: string, label: string) => (label === id ? `<code>${e(id)}</code>` : `<code>${e(id)}</code><br>${e(label)}`);
  const rows = verdicts.map((v) => {
    const seeds = failingSeeds(v);
    const note = [v.seeds.length > 1 ? "" : (v.reason ?? ""), seeds.length ? `${v.status === "fail" ? "failed on " : ""}${seeds.slice(0, 5).join("; ")}${seeds.length > 5 ? `; and ${seeds.length - 5} more` : ""}` : ""].filter(Boolean).join("; ");
    return [
      name(v.id, v.label),
      `<span class="status status-${v.status}">${STATUS_WORD[v.status]}</span>`,
      e(comparisonText(v) ?? "—"),
      v.overSeeds ? e(`over ${v.judgedSeeds.length}`) : `<span title="${e(`seeds ${v.seeds.map((s) => s.seed).join(", ")}`)}">${v.passedSeeds}/${v.seeds.length}</span>`,
      v.interval ? e(`${Math.round(v.interval.level * 100)}% [${formatValue(v.interval.lower)}, ${formatValue(v.interval.upper)}]`) : "—",
      e(note),
    ];
  });
  const seeds = plan.criteria.seeds.length ? plan.criteria.seeds : [plan.simulation.seed];
  for (const c of overSeeds) {
    rows.push([name(c.id, c.label), `<span class="status status-skipped">—</span>`, "—", "—", "—", e(`over seeds ${formatSeeds(seeds)}: \`sbx check\` judges it; one run cannot`)]);
  }
  const lead = `${passed} of ${verdicts.length} criteria passed on this run.${overSeeds.length ? ` ${overSeeds.length} more ${overSeeds.length === 1 ? "is" : "are"} judged over seeds by \`sbx check\`.` : ""} UNDEF means the value was undefined (no labelled interactions, no network), which never passes.`;
  return `<p class="lead">${e(lead)}</p>
${table({
  className: "verdicts",
  head: ["criterion", "status", "values", "seeds passed", "confidence interval", "note"],
  rows,
  numeric: [false, false, true, true, true, false],
  rowAttrs: [...verdicts.map((v) => `data-criterion="${e(v.id)}" data-status="${v.status}"`), ...overSeeds.map((c) => `data-criterion="${e(c.id)}" data-status="over-seeds"`)],
})}`;
}

type Figure = (name: ChartName) => string;

function qualitySection(view: ReportView, figure: Figure): string {
  if (!view.input.result.epochs.length) return `<p class="note">No epoch completed.</p>`;
  return `<p class="lead">Per epoch: toxicity is the expected harm among accepted interactions, the quality gap compares accepted with rejected interactions (negative: adverse selection), welfare is the epoch's total payoff.</p>
<div class="charts">
${figure("toxicity")}
${figure("quality-gap")}
${figure("welfare")}
</div>`;
}

function payoffSection(view: ReportView, figure: Figure): string {
  const { result } = view.input;
  if (!result.agents.length) return `<p class="note">The run has no agents.</p>`;
  const kinds = view.kindRows;
  const kindTable = table({
    caption: "By kind, at the end of the run",
    head: ["kind", "agents", "total payoff", "payoff per agent", "mean reputation", "frozen at the end"],
    rows: kinds.map((k) => [`${swatch(view.kinds, k.kind)}${e(k.kind)}`, String(k.agents), formatNumber(k.totalPayoff), formatNumber(k.meanPayoff), formatNumber(k.meanReputation), String(k.frozen)]),
    numeric: [false, true, true, true, true, true],
  });
  // A row per agent while that stays readable; beyond, the two ends of the payoff ranking (agents.csv has everyone).
  const all = result.agents.length <= TABLE_ROW_LIMIT;
  const listed = all ? result.agents.map((a, i) => ({ a, i })) : payoffEnds(result.agents, AGENT_TABLE_EXTREMES);
  const kindOf = view.kinds.each(result.agents);
  const agentTable = table({
    caption: all
      ? "By agent, at the end of the run"
      : `By agent, at the end of the run: the ${AGENT_TABLE_EXTREMES} highest and ${AGENT_TABLE_EXTREMES} lowest payoffs of ${result.agents.length} agents (agents.csv lists them all)`,
    head: ["agent", "kind", "group", "payoff", "reputation", "resources", "frozen", "initiated", "received"],
    rows: listed.map(({ a, i }) => [
      e(a.id),
      `${swatch(view.kinds, kindOf[i]!)}${e(kindOf[i]!)}`,
      e(a.group),
      formatNumber(a.payoff),
      formatNumber(a.reputation),
      formatNumber(a.resources),
      a.frozen ? "yes" : "no",
      String(a.interactionsInitiated),
      String(a.interactionsReceived),
    ]),
    numeric: [false, false, false, true, true, true, false, true, true],
  });
  return `<div class="charts">
${figure("payoff-by-kind")}
${figure("payoff-by-agent")}
${figure("payoff-over-epochs")}
</div>
${kindTable}
${agentTable}`;
}

/**
 * The `n` agents with the highest payoff and the `n` with the lowest, from
 * highest to lowest, with their positions; ties keep registration order. One pass, keeping only
 * the two ends in order: linear in the agents, however many there are.
 */
function payoffEnds<T extends { payoff: number }>(agents: readonly T[], n: number): { a: T; i: number }[] {
  type Ranked = { a: T; i: number };
  if (agents.length <= 2 * n) return agents.map((a, i) => ({ a, i })).sort((x, y) => y.a.payoff - x.a.payoff || x.i - y.i);
  // Both lists are in ranking order (payoff descending, then registration order); a later agent ranks after an equal one.
  const top: Ranked[] = [];
  const bottom: Ranked[] = [];
  agents.forEach((a, i) => {
    const k = a.payoff;
    if (top.length < n || k > top[n - 1]!.a.payoff) {
      let p = top.length;
      while (p > 0 && top[p - 1]!.a.payoff < k) p--;
      top.splice(p, 0, { a, i });
      if (top.length > n) top.pop();
    }
    if (bottom.length < n || k <= bottom[0]!.a.payoff) {
      let p = 0;
      while (p < bottom.length && bottom[p]!.a.payoff >= k) p++;
      bottom.splice(p, 0, { a, i });
      if (bottom.length > n) bottom.shift();
    }
  });
  return [...top, ...bottom];
}

function reputationSection(view: ReportView, figure: Figure): string {
  if (!view.input.result.epochs.length) return `<p class="note">No epoch completed.</p>`;
  return figure("reputation");
}

function freezeSection(view: ReportView, figure: Figure): string {
  const { plan } = view.input;
  if (!view.freezes.length) {
    const breaker = plan.governance.circuitBreaker.enabled ? "" : " The circuit breaker is off in this scenario.";
    return `<p class="note">No agent was frozen during this run.${breaker}</p>`;
  }
  const at = (epoch: number, step: number | undefined) => (step === undefined ? `epoch ${epoch}` : `epoch ${epoch}, step ${step}`);
  const bars = freezeBars(view.freezes, view.kinds, plan.simulation.stepsPerEpoch, view.input.result.epochsCompleted);
  const frozen = new Set(view.freezes.map((f) => f.agent));
  const position = new Map<string, number>();
  view.order.forEach((id, i) => {
    if (frozen.has(id)) position.set(id, i);
  });
  const rank = (agent: string) => position.get(agent) ?? view.order.length;
  // Grouped by agent in registration order, then in time: stable whatever order the intervals came in.
  const sorted = view.freezes.map((f, i) => ({ f, bar: bars[i]!, i })).sort((a, b) => rank(a.f.agent) - rank(b.f.agent) || a.bar.start - b.bar.start || a.i - b.i);
  const rows = sorted
    .slice(0, TABLE_ROW_LIMIT)
    .map(({ f, bar }) => [
      e(f.agent),
      `${swatch(view.kinds, view.kinds.of(f.agent))}${e(view.kinds.of(f.agent))}`,
      e(at(f.from, f.fromStep)),
      f.to === null ? "still frozen at the end" : e(at(f.to, f.toStep)),
      formatNumber(Math.round((bar.end - bar.start) * 100) / 100),
    ]);
  return `<p class="lead">${view.freezesExact ? "From the event log, exact to the step." : "From the end-of-epoch snapshots, to the epoch: a freeze lifted and re-imposed within one epoch shows as one interval."} The circuit breaker ${plan.governance.circuitBreaker.enabled ? `freezes an agent for ${plan.governance.circuitBreaker.freezeEpochs} epoch${plan.governance.circuitBreaker.freezeEpochs === 1 ? "" : "s"} after ${plan.governance.circuitBreaker.violations} toxicity violation${plan.governance.circuitBreaker.violations === 1 ? "" : "s"} above ${formatNumber(plan.governance.circuitBreaker.toxicityThreshold)}` : "is off in this scenario"}.</p>
${figure("freezes")}
${table({
  caption: rows.length < sorted.length ? `Freezes: the first ${rows.length} of ${sorted.length}, by agent in registration order (events.jsonl records every one)` : "Freezes",
  head: ["agent", "kind", "frozen at", "released at", "epochs frozen"],
  rows,
  numeric: [false, false, false, false, true],
})}`;
}

function networkSection(view: ReportView, figure: Figure): string {
  const { plan, result } = view.input;
  const net = plan.network!;
  const lead = `<p class="lead">Topology ${e(net.topology.replace(/_/g, " "))}${net.dynamic ? `, dynamic: accepted interactions strengthen an edge by ${formatNumber(net.strengthenRate)}, every epoch weights decay by ${formatNumber(net.decayRate)} and edges below ${formatNumber(net.minEdgeWeight)} are pruned` : ", static"}.</p>`;
  if (!result.network) return `${lead}\n<p class="note">The run recorded no network state.</p>`;
  const last = result.epochs.at(-1);
  const stats = ["network.edges", "network.avg_degree", "network.avg_clustering", "network.avg_path_length", "network.components", "network.density"]
    .filter((m) => last && last.metrics[m] !== undefined && last.metrics[m] !== null)
    .map((m) => [`<code>${e(m)}</code>`, formatNumber(last!.metrics[m] ?? null), e(metricDef(m)?.doc ?? "")]);
  return `${lead}
${figure("network")}
${stats.length ? table({ caption: "At the end of the last epoch", head: ["metric", "value", "meaning"], rows: stats, numeric: [false, true, false] }) : ""}`;
}

function metricsSection(view: ReportView): string {
  const { plan, result } = view.input;
  if (!result.epochs.length) return `<p class="note">No epoch completed.</p>`;
  const { columns, omitted } = metricColumns(plan, result.epochs);
  const head = ["epoch", ...columns.map((c) => `<abbr title="${e(`${c.doc}${c.unit ? ` (${c.unit})` : ""}`)}"><code>${e(c.name)}</code></abbr>`)];
  const rows = result.epochs.map((ep, i) => [String(ep.epoch), ...columns.map((c) => formatNumber(c.values[i]))]);
  return `<p class="lead">Every metric of every epoch, as in <code>metrics.csv</code>; hover a name for its meaning.${omitted.length ? ` Undefined in every epoch, so left out: ${omitted.map((m) => `<code>${e(m)}</code>`).join(", ")}.` : ""}</p>
<details id="metrics-table">
<summary>Show ${columns.length} metrics for ${result.epochs.length} epoch${result.epochs.length === 1 ? "" : "s"}</summary>
<div class="table-scroll">
${table({ className: "metrics", head, rows, numeric: head.map((_, i) => i > 0) })}
</div>
</details>`;
}
