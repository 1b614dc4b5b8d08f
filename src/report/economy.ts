/**
 * The report's economy section, for runs with an `economy` block: the wealth
 * distribution over time (quantile bands of the balances) and its Lorenz
 * curve at the end, fees, dividends and interest per turn, and the
 * contracts' lifecycle. Everything comes from the run's per-epoch metrics and
 * agent snapshots (an agent's balance is its resources), so a replayed run
 * draws the same section. Self-contained: the report calls it only when the
 * plan has an economy.
 */
import type { TopLevelSpec } from "vega-lite";
import type { EpochRecord } from "../engine/index.ts";
import { metricDef } from "../metrics/registry.ts";
import { CONFIG } from "./charts.ts";
import { escapeHtml as e, table } from "./html.ts";
import type { ReportInput } from "./index.ts";
import { formatNumber, round } from "./model.ts";
import { renderSvg } from "./svg.ts";


/** The turn axis: one epoch of one step is one turn; otherwise the economy's metrics are per epoch. */
const turnAxis = (last: number, perTurn: boolean) => ({ field: "epoch", type: "quantitative" as const, title: perTurn ? "turn − 1" : "epoch", scale: { domain: [0, Math.max(last, 1)], nice: false }, axis: { tickMinStep: 1, format: "d" } });

/** The q-quantile of sorted values (linear interpolation). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Balances per epoch as bands: min–max, quartiles, median. */
export function wealthBands(epochs: readonly EpochRecord[]): { epoch: number; min: number; q1: number; median: number; q3: number; max: number }[] {
  return epochs.map((ep) => {
    const xs = ep.agents.map((a) => a.resources).sort((a, b) => a - b);
    return { epoch: ep.epoch, min: round(xs[0] ?? 0), q1: round(quantile(xs, 0.25)), median: round(quantile(xs, 0.5)), q3: round(quantile(xs, 0.75)), max: round(xs.at(-1) ?? 0) };
  });
}

/** The Lorenz curve of holdings after the economy's negative-balance rule: cumulative share of agents against cumulative share of tokens. */
export function lorenz(values: readonly number[], shift: number | null): { people: number; tokens: number }[] {
  const min = Math.min(...values);
  const xs = values.map((v) => (shift === null ? (min < 0 ? v - min : v) : Math.max(0, v + shift))).sort((a, b) => a - b);
  const total = xs.reduce((a, b) => a + b, 0);
  const out = [{ people: 0, tokens: 0 }];
  let acc = 0;
  xs.forEach((x, i) => {
    acc += x;
    out.push({ people: round((i + 1) / xs.length), tokens: round(total > 0 ? acc / total : (i + 1) / xs.length) });
  });
  return out;
}

function bandsSpec(rows: ReturnType<typeof wealthBands>, perTurn: boolean): TopLevelSpec {
  const last = rows.at(-1)?.epoch ?? 0;
  const x = turnAxis(last, perTurn);
  return {
    config: CONFIG,
    title: { text: "Wealth distribution", subtitle: "balances: full range (light), middle half (dark), median (line)" },
    width: 320,
    height: 200,
    data: { values: rows },
    layer: [
      { mark: { type: "area", color: "#93c5fd", opacity: 0.45 }, encoding: { x, y: { field: "min", type: "quantitative", title: "tokens" }, y2: { field: "max" } } },
      { mark: { type: "area", color: "#3b82f6", opacity: 0.55 }, encoding: { x, y: { field: "q1", type: "quantitative" }, y2: { field: "q3" } } },
      { mark: { type: "line", color: "#1e3a8a", strokeWidth: 2 }, encoding: { x, y: { field: "median", type: "quantitative" } } },
      { mark: { type: "rule", color: "#6b7280", strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
    ],
  } as TopLevelSpec;
}

function lorenzSpec(points: ReturnType<typeof lorenz>): TopLevelSpec {
  return {
    config: CONFIG,
    title: { text: "Lorenz curve at the end", subtitle: "after the Gini's negative-balance rule; the diagonal is equality" },
    width: 200,
    height: 200,
    layer: [
      { data: { values: [{ people: 0, tokens: 0 }, { people: 1, tokens: 1 }] }, mark: { type: "line", color: "#9ca3af", strokeDash: [4, 4] }, encoding: { x: { field: "people", type: "quantitative", title: "share of agents" }, y: { field: "tokens", type: "quantitative", title: "share of tokens" } } },
      { data: { values: points }, mark: { type: "line", color: "#b45309", strokeWidth: 2, point: { filled: true, size: 20, color: "#b45309" } }, encoding: { x: { field: "people", type: "quantitative" }, y: { field: "tokens", type: "quantitative" } } },
    ],
  } as TopLevelSpec;
}

function flowsSpec(rows: readonly { epoch: number; flow: string; tokens: number }[], perTurn: boolean): TopLevelSpec {
  const last = rows.reduce((m, r) => Math.max(m, r.epoch), 0);
  return {
    config: CONFIG,
    title: { text: "Fees, dividends and interest", subtitle: `tokens per ${perTurn ? "turn" : "epoch"}` },
    width: 320,
    height: 200,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 2 },
    encoding: {
      x: turnAxis(last, perTurn),
      y: { field: "tokens", type: "quantitative", title: "tokens" },
      color: { field: "flow", type: "nominal", title: "flow", scale: { domain: ["fees", "dividends", "interest"], range: ["#B91C1C", "#047857", "#7C3AED"] } },
    },
  } as TopLevelSpec;
}

function lifecycleSpec(rows: readonly { epoch: number; outcome: string; contracts: number }[], perTurn: boolean): TopLevelSpec {
  return {
    config: CONFIG,
    title: { text: "Contracts' lifecycle", subtitle: `proposed, settled and defaulted per ${perTurn ? "turn" : "epoch"}` },
    width: 320,
    height: 200,
    data: { values: rows },
    mark: { type: "bar" },
    encoding: {
      x: { field: "epoch", type: "ordinal" as const, title: perTurn ? "turn − 1" : "epoch", axis: { labelAngle: 0, labelOverlap: true } },
      xOffset: { field: "outcome", type: "nominal", sort: ["proposed", "settled", "defaulted"] },
      y: { field: "contracts", type: "quantitative", title: "contracts" },
      color: { field: "outcome", type: "nominal", title: "", sort: ["proposed", "settled", "defaulted"], scale: { domain: ["proposed", "settled", "defaulted"], range: ["#9ca3af", "#047857", "#B91C1C"] } },
    },
  } as TopLevelSpec;
}

const metric = (ep: EpochRecord, name: string): number | null => (ep.metrics[name] as number | null | undefined) ?? null;
const total = (epochs: readonly EpochRecord[], name: string): number => epochs.reduce((a, ep) => a + (metric(ep, name) ?? 0), 0);

/** The section's HTML with its charts rendered (call inside the report's exclusive rendering). */
export async function economySection(input: ReportInput): Promise<{ id: string; title: string; html: string }> {
  const { plan, result } = input;
  const epochs = result.epochs;
  const title = "Economy";
  if (!epochs.length) return { id: "economy", title, html: `<p class="note">No epoch completed.</p>` };
  const perTurn = plan.simulation.stepsPerEpoch === 1;
  const shift = plan.economy?.giniShift ?? null;
  const figure = async (name: string, spec: TopLevelSpec, caption: string): Promise<string> => {
    const svg = await renderSvg(spec, `chart-economy-${name}-caption`, `chart-economy-${name}`);
    const width = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(svg)?.[1];
    return `<figure class="chart" data-chart="economy-${name}"${width ? ` style="width:${width}px"` : ""}>\n${svg}\n<figcaption id="chart-economy-${name}-caption">${e(caption)}</figcaption>\n</figure>`;
  };
  const bands = wealthBands(epochs);
  const atEnd = bands.at(-1)!;
  const finalBalances = result.agents.map((a) => a.resources);
  const giniBalance = metric(epochs.at(-1)!, "economy.gini_balance");
  const flows = epochs.flatMap((ep) => [
    { epoch: ep.epoch, flow: "fees", tokens: metric(ep, "economy.fees") ?? 0 },
    { epoch: ep.epoch, flow: "dividends", tokens: metric(ep, "economy.dividends") ?? 0 },
    { epoch: ep.epoch, flow: "interest", tokens: metric(ep, "economy.interest") ?? 0 },
  ]);
  const lifecycle = epochs.flatMap((ep) => [
    { epoch: ep.epoch, outcome: "proposed", contracts: metric(ep, "economy.contracts") ?? 0 },
    { epoch: ep.epoch, outcome: "settled", contracts: metric(ep, "economy.contracts_settled") ?? 0 },
    { epoch: ep.epoch, outcome: "defaulted", contracts: metric(ep, "economy.contracts_defaulted") ?? 0 },
  ]);
  const fees = total(epochs, "economy.fees");
  const dividends = total(epochs, "economy.dividends");
  const proposed = total(epochs, "economy.contracts");
  const settled = total(epochs, "economy.contracts_settled");
  const defaulted = total(epochs, "economy.contracts_defaulted");
  const last = epochs.at(-1)!;
  const sum = (m: string): [string, string, string] => [m, formatNumber(total(epochs, m)), "total over the run"];
  const end = (m: string): [string, string, string] => [m, formatNumber(metric(last, m)), "at the end"];
  const facts: [string, string, string][] = [
    sum("economy.fees"),
    sum("economy.dividends"),
    ["economy.dividend_share", fees > 0 ? formatNumber(dividends / fees) : "—", "dividends ÷ fees over the run"],
    sum("economy.interest"),
    end("economy.supply"),
    end("economy.gini_wealth"),
    end("economy.gini_balance"),
    end("economy.negative_balance_agents"),
    sum("economy.blocks"),
    end("economy.winner_hhi"),
    sum("economy.contracts"),
    sum("economy.contracts_settled"),
    sum("economy.contracts_defaulted"),
    end("economy.settlement_rate"),
    sum("economy.errors"),
  ];
  const charts = [
    await figure("wealth", bandsSpec(bands, perTurn), `Balances of all ${result.agents.length} agents at the end of each ${perTurn ? "turn" : "epoch"}: at the end the median is ${formatNumber(atEnd.median)}, the middle half ${formatNumber(atEnd.q1)} to ${formatNumber(atEnd.q3)}, the range ${formatNumber(atEnd.min)} to ${formatNumber(atEnd.max)}.`),
    await figure("lorenz", lorenzSpec(lorenz(finalBalances, shift)), `Final balances ${shift === null ? "shifted by |min|" : `shifted by ${formatNumber(shift)} and clamped at 0`}; Gini ${formatNumber(giniBalance)}.`),
    await figure("flows", flowsSpec(flows, perTurn), `${formatNumber(fees)} tokens of inference fees, ${formatNumber(dividends)} paid as dividends to core owners${fees > 0 ? ` (${formatNumber((100 * dividends) / fees)}%)` : ""}; interest on negative balances is destroyed.`),
    await figure("contracts", lifecycleSpec(lifecycle, perTurn), `${formatNumber(proposed)} contracts proposed, ${formatNumber(settled)} settled and ${formatNumber(defaulted)} defaulted; the rest were still open at the end.`),
  ];
  const html = `<p class="lead">Balances are the agents' resources; a turn is a step. Totals over the run and levels at its end:</p>
${table({ head: ["metric", "value", "taken"], rows: facts.map(([m, v, how]) => [`<abbr title="${e(metricDef(m)?.doc ?? "")}"><code>${e(m)}</code></abbr>`, v, e(how)]), numeric: [false, true, false] })}
<div class="charts">
${charts.join("\n")}
</div>`;
  return { id: "economy", title, html };
}
