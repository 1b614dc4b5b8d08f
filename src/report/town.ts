/**
 * The report's town section, for runs with a town: the social graph at the
 * end (ties and sanctions, agents coloured by their most pronounced trait
 * cohort), the town's metrics over the epochs, each topic's opinion
 * distribution over time, and every town metric per trait cohort. Called
 * from the report (src/report/index.ts) only when the run has a town; its
 * charts render like the others' (inline SVG, deterministic).
 */
import type { TopLevelSpec } from "vega-lite";
import type { RunResult } from "../engine/index.ts";
import { metricDef } from "../metrics/registry.ts";
import type { TownSummary } from "../mechanisms/town/index.ts";
import type { Plan } from "../plan/schema.ts";
import { CONFIG } from "./charts.ts";
import { escapeHtml as e, table } from "./html.ts";
import { circleLayout, formatNumber, round } from "./model.ts";
import { renderSvg } from "./svg.ts";

const TRAIT_OF: Readonly<Record<string, string>> = { O: "openness", C: "conscientiousness", E: "extraversion", A: "agreeableness", N: "neuroticism" };
/** Colour-blind-safe colours for the ten cohorts and "no cohort". */
const COHORT_COLOURS: Readonly<Record<string, string>> = {
  "E:high": "#E69F00", "E:low": "#F0E442", "A:high": "#009E73", "A:low": "#D55E00", "C:high": "#0072B2", "C:low": "#56B4E9",
  "O:high": "#CC79A7", "O:low": "#882255", "N:high": "#B91C1C", "N:low": "#6B7280", none: "#D1D5DB",
};

/** The metrics the section tabulates per cohort, in order. */
export const TOWN_TABLE = ["town.cooperation_rate", "town.gini_wealth", "town.polarization", "town.conflicts", "town.productivity", "town.action_entropy", "town.persona_adherence", "town.encounters"] as const;

/** An agent's most pronounced cohort: the one whose trait is farthest from 0 (first in trait order on ties), or "none". */
export function dominantCohort(agent: TownSummary["agents"][number]): string {
  let best = "none";
  let size = -1;
  for (const c of agent.cohorts) {
    const v = Math.abs(agent.traits?.[TRAIT_OF[c[0]!]!] ?? 0);
    if (v > size) {
      best = c;
      size = v;
    }
  }
  return best;
}

const mean = (xs: readonly (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => typeof x === "number");
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

function graphSpec(town: TownSummary): { spec: TopLevelSpec; caption: string } {
  const ids = town.agents.map((a) => a.id);
  const layout = circleLayout(ids);
  const at = new Map(layout.map((p) => [p.id, p]));
  const cohort = new Map(town.agents.map((a) => [a.id, dominantCohort(a)]));
  const edge = (kind: "tie" | "sanction") =>
    town.edges
      .filter(([a, b, ties, sanctions]) => at.has(a) && at.has(b) && (kind === "tie" ? ties > 0 : sanctions > 0))
      .map(([a, b, ties, sanctions]) => ({ weight: kind === "tie" ? ties : sanctions, x: at.get(a)!.x, y: at.get(a)!.y, x2: at.get(b)!.x, y2: at.get(b)!.y }));
  const ties = edge("tie");
  const sanctions = edge("sanction");
  const present = [...new Set(layout.map((p) => cohort.get(p.id)!))].sort();
  const nodes = layout.map((p) => ({ id: p.id, cohort: cohort.get(p.id)!, x: p.x, y: p.y }));
  const pos = (field: string) => ({ field, type: "quantitative" as const, scale: { domain: [-1.15, 1.15], nice: false, zero: false }, axis: null });
  const maxTies = Math.max(1, ...ties.map((t) => t.weight));
  const spec = {
    config: CONFIG,
    title: { text: "Social graph at the end", subtitle: `${ids.length} agents on a circle in registration order; grey ties (talk, gifts, help) wider the stronger, red sanctions (thefts, reports)` },
    width: 460,
    height: 460,
    layer: [
      { data: { values: ties }, mark: { type: "rule", color: "#6b7280", opacity: 0.45 }, encoding: { x: pos("x"), y: pos("y"), x2: { field: "x2" }, y2: { field: "y2" }, strokeWidth: { field: "weight", type: "quantitative", scale: { domain: [0, maxTies], range: [0.4, 5] }, legend: null } } },
      { data: { values: sanctions }, mark: { type: "rule", color: "#B91C1C", opacity: 0.6, strokeDash: [4, 3] }, encoding: { x: pos("x"), y: pos("y"), x2: { field: "x2" }, y2: { field: "y2" } } },
      {
        data: { values: nodes },
        mark: { type: "point", filled: true, size: ids.length > 40 ? 60 : 160, stroke: "white", strokeWidth: 1.2, opacity: 1 },
        encoding: { x: pos("x"), y: pos("y"), color: { field: "cohort", type: "nominal", title: "cohort", scale: { domain: present, range: present.map((c) => COHORT_COLOURS[c] ?? "#9ca3af") } } },
      },
    ],
  } as TopLevelSpec;
  const counts = present.map((c) => `${c} ${nodes.filter((n) => n.cohort === c).length}`).join(", ");
  return { spec, caption: `The social graph at the end: ${ties.length} ties and ${sanctions.length} sanctioned pairs among ${ids.length} agents, each coloured by its most pronounced trait cohort (${counts}).` };
}

function seriesSpec(result: RunResult): { spec: TopLevelSpec; caption: string } {
  const names = ["town.cooperation_rate", "town.gini_wealth", "town.polarization", "town.persona_adherence"];
  const rows = result.epochs.flatMap((ep) => names.map((m) => ({ epoch: ep.epoch, metric: m.replace("town.", ""), value: ep.metrics[m] ?? null })).filter((r) => r.value !== null));
  const spec = {
    config: CONFIG,
    title: { text: "The town over time", subtitle: "per epoch (a tick when steps = 1)" },
    width: 560,
    height: 220,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 1.6 },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", scale: { nice: false }, axis: { tickMinStep: 1, format: "d" } },
      y: { field: "value", type: "quantitative", title: "value", scale: { domain: [0, 1] } },
      color: { field: "metric", type: "nominal", title: "metric", scale: { range: ["#009E73", "#E69F00", "#CC79A7", "#0072B2"] } },
    },
  } as TopLevelSpec;
  const described = names.map((m) => `${m.replace("town.", "")} ${formatNumber(mean(result.epochs.map((ep) => ep.metrics[m])))}`).join(", ");
  return { spec, caption: `Cooperation rate, wealth Gini, opinion polarization and persona adherence per epoch; means over the run: ${described}.` };
}

function opinionSpec(town: TownSummary, topic: number): { spec: TopLevelSpec; caption: string } {
  const bins = town.history[0]?.opinions[topic]?.length ?? 10;
  const rows = town.history.flatMap((h) => (h.opinions[topic] ?? []).map((count, b) => ({ epoch: h.epoch, low: round(-1 + (2 * b) / bins), high: round(-1 + (2 * (b + 1)) / bins), count })));
  const name = town.topics[topic]!;
  const spec = {
    config: CONFIG,
    title: { text: `Opinions on ${name} over time`, subtitle: "agents per opinion band at the end of each epoch" },
    width: 560,
    height: 180,
    data: { values: rows },
    mark: { type: "rect" },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", bin: { binned: true, step: 1 }, scale: { nice: false }, axis: { tickMinStep: 1, format: "d" } },
      x2: { field: "epochEnd" },
      y: { field: "low", type: "quantitative", title: "opinion", scale: { domain: [-1, 1] } },
      y2: { field: "high" },
      color: { field: "count", type: "quantitative", title: "agents", scale: { scheme: "blues" } },
    },
    transform: [{ calculate: "datum.epoch + 1", as: "epochEnd" }],
  } as TopLevelSpec;
  const last = town.history.at(-1)?.opinions[topic] ?? [];
  const peak = last.indexOf(Math.max(...last));
  return { spec, caption: `Opinions on ${name}: each column an epoch, each band a tenth of [−1, 1], darker with more agents. At the end the most agents hold opinions in [${formatNumber(round(-1 + (2 * peak) / bins))}, ${formatNumber(round(-1 + (2 * (peak + 1)) / bins))}).` };
}

/** The section's HTML, charts rendered. */
export async function renderTownSection(plan: Plan, result: RunResult): Promise<string> {
  const town = result.town!;
  const figure = async (name: string, chart: { spec: TopLevelSpec; caption: string }): Promise<string> => {
    const svg = await renderSvg(chart.spec, `chart-${name}-caption`, `chart-${name}`);
    const width = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1];
    return `<figure class="chart" data-chart="${name}"${width ? ` style="width:${width}px"` : ""}>\n${svg}\n<figcaption id="chart-${name}-caption">${e(chart.caption)}</figcaption>\n</figure>`;
  };
  const t = plan.town!;
  const lead = `<p class="lead">${town.agents.length} residents in ${town.rooms.length} rooms (${town.rooms.map(e).join(", ")}); environment ${e(t.environment)} at difficulty ${t.difficulty}; ${town.topics.length ? `opinions on ${town.topics.map(e).join(", ")}` : "no opinion topics"}; ${town.enacted.length ? `rules enacted: ${town.enacted.map(e).join(", ")}` : "no rule enacted"}.</p>`;
  const figures = [await figure("town-graph", graphSpec(town)), ...(result.epochs.length ? [await figure("town-metrics", seriesSpec(result))] : [])];
  for (let k = 0; k < town.topics.length; k++) if (town.history.length) figures.push(await figure(`town-opinions-${k}`, opinionSpec(town, k)));
  const cohorts = [...new Set(town.history.flatMap((h) => Object.keys(h.cohorts)))].sort();
  const head = ["cohort", "agents", ...TOWN_TABLE.map((m) => `<abbr title="${e(metricDef(m)?.doc ?? "")}"><code>${e(m.replace("town.", ""))}</code></abbr>`)];
  const size = (c: string) => town.agents.filter((a) => a.cohorts.includes(c)).length;
  const rows = [
    ["all", String(town.agents.length), ...TOWN_TABLE.map((m) => formatNumber(mean(result.epochs.map((ep) => ep.metrics[m]))))],
    ...cohorts.map((c) => [e(c), String(size(c)), ...TOWN_TABLE.map((m) => formatNumber(mean(town.history.map((h) => h.cohorts[c]?.[m]))))]),
  ];
  const cohortTable = table({ caption: "Town metrics per trait cohort: the mean over epochs (persona adherence is cumulative); a cohort is every agent whose trait label is at or beyond the band", head, rows, numeric: head.map((_, i) => i > 0) });
  return `${lead}\n${figures.join("\n")}\n<div class="table-scroll">\n${cohortTable}\n</div>`;
}
