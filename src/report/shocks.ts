/**
 * The report's view of perturbations and learning agents: when each shock
 * was under way (from the event log, to the step), as shaded bands behind
 * the per-epoch series, a table of what each did, and the learners'
 * strategy shares over the epochs.
 */
import type { TopLevelSpec } from "vega-lite";
import type { EpochRecord, SimEvent } from "../engine/index.ts";
import { STRATEGIES } from "../mechanisms/learning-agents/language.ts";
import { CONFIG, epochAxis } from "./charts.ts";
import { escapeHtml as e, table } from "./html.ts";
import { formatNumber, round } from "./model.ts";

/** A perturbation from its start to its heal, on the epoch axis (epoch e spans [e, e + 1), steps divide it). */
export interface ShockInterval {
  readonly id: string;
  readonly kind: string;
  readonly start: number;
  /** Where it healed; null when it lasted to the end. Equal to `start` for a resource shock, which is instant. */
  readonly end: number | null;
  /** What it did, in words. */
  readonly what: string;
}

/** Shock intervals from the event log (`perturbation_started` / `perturbation_healed`), in the order they started. */
export function shockIntervals(events: Iterable<SimEvent>, stepsPerEpoch: number): ShockInterval[] {
  const at = (epoch: number, step: number) => round(epoch + (stepsPerEpoch > 0 ? step / stepsPerEpoch : 0));
  const out: ShockInterval[] = [];
  const open = new Map<string, number>();
  for (const ev of events) {
    if (ev.type === "perturbation_started") {
      const instant = ev.kind === "resource_shock";
      if (!instant) open.set(ev.id, out.length);
      out.push({ id: ev.id, kind: ev.kind, start: at(ev.epoch, ev.step), end: instant ? at(ev.epoch, ev.step) : null, what: describe(ev) });
    } else if (ev.type === "perturbation_healed") {
      const i = open.get(ev.id);
      if (i === undefined) continue;
      open.delete(ev.id);
      out[i] = { ...out[i]!, end: at(ev.epoch, ev.step) };
    }
  }
  return out;
}

function describe(ev: Extract<SimEvent, { type: "perturbation_started" }>): string {
  const agents = (ids: readonly string[] | undefined) => `${ids?.length ?? 0} agent${ids?.length === 1 ? "" : "s"}`;
  switch (ev.kind) {
    case "dropout":
      return `${agents(ev.agents)} dropped out`;
    case "signal_corruption":
      return `signals of ${agents(ev.agents)} corrupted (${ev.mode})`;
    case "parameter_shock":
      return (ev.changes ?? []).map((c) => `${c.setting} ${formatValue(c.from)} → ${formatValue(c.to)}`).join("; ");
    case "partition":
      return `${ev.fragments?.length ?? 0} fragments (${ev.mode})`;
    case "resource_shock":
      return `resources ${ev.mode} (${agents(ev.deltas?.map(([id]) => id))}, net ${formatNumber((ev.deltas ?? []).reduce((s, [, d]) => s + d, 0))})`;
  }
}

const formatValue = (v: unknown): string => (typeof v === "number" ? formatNumber(v) : String(v));

/** Shaded bands for a series chart (Vega-Lite layer), one per shock; instant shocks as thin rules. */
export function shockLayer(shocks: readonly ShockInterval[], last: number): object[] {
  if (!shocks.length) return [];
  const values = shocks.map((s) => ({ id: s.id, start: s.start, end: s.end === null ? Math.max(last, s.start) : s.end === s.start ? s.start + 0.05 : s.end }));
  return [{ data: { values }, mark: { type: "rect", color: "#9ca3af", opacity: 0.18 }, encoding: { x: { field: "start", type: "quantitative" }, x2: { field: "end" } } }];
}

/** The learners' strategy shares over the epochs, or null when the run has no learners. */
export function strategyShareRows(epochs: readonly EpochRecord[]): { epoch: number; strategy: string; share: number }[] | null {
  const rows = epochs.flatMap((ep) =>
    STRATEGIES.flatMap((s) => {
      const v = ep.metrics[`strategy_share.${s}`];
      return typeof v === "number" ? [{ epoch: ep.epoch, strategy: s, share: v }] : [];
    }),
  );
  return rows.length ? rows : null;
}

/** The shocks as a table. */
export function shockTable(shocks: readonly ShockInterval[]): string {
  return table({
    caption: "Perturbations, from the event log",
    head: ["perturbation", "kind", "from (epoch)", "healed (epoch)", "what it did"],
    rows: shocks.map((s) => [e(s.id), e(s.kind), formatNumber(s.start), s.kind === "resource_shock" ? "at once" : s.end === null ? "—" : formatNumber(s.end), e(s.what)]),
    numeric: [false, false, true, true, false],
  });
}

/** The learners' strategy shares over the epochs, stacked. */
export function strategySharesSpec(rows: readonly { epoch: number; strategy: string; share: number }[], shocks: readonly ShockInterval[]): TopLevelSpec {
  const last = rows.at(-1)?.epoch ?? 0;
  const area = {
    data: { values: rows.map((r) => ({ ...r, order: STRATEGIES.indexOf(r.strategy as never) })) },
    mark: { type: "area", opacity: 0.85 },
    encoding: {
      x: epochAxis(last),
      y: { field: "share", type: "quantitative", title: "share of learners", stack: "zero", scale: { domain: [0, 1] } },
      color: { field: "strategy", type: "nominal", title: "strategy", scale: { domain: [...STRATEGIES], range: STRATEGY_COLOURS }, legend: { title: "strategy" } },
      order: { field: "order", type: "quantitative" },
    },
  };
  return {
    config: CONFIG,
    title: { text: "Strategy shares", subtitle: "share of the learners playing each strategy, per epoch" },
    width: 300,
    height: 180,
    layer: [...shockLayer(shocks, last), area],
  } as unknown as TopLevelSpec;
}

/** The scripted kinds' report colours, for the strategies that mirror them. */
const STRATEGY_COLOURS = ["#0072B2", "#E69F00", "#CC79A7", "#D55E00"];
