/**
 * The metric registry: every metric a criterion, a report or a sweep can name
 * — each mechanism's metrics in mechanism order, then the run-level scalars.
 * Each definition lives beside the state it is computed from
 * (src/mechanisms/<name>); here they are only listed.
 */
import type { MetricDef } from "../kernel/metric.ts";
import { MECHANISMS } from "../mechanisms/index.ts";

export type { MetricDef, MetricFlow, MetricSelect, MetricShape } from "../kernel/metric.ts";

/** Run-level scalars: read from the RunResult (epochsCompleted, the agents), not computed per epoch. */
const RUN_SCALARS: readonly MetricDef[] = [
  { name: "epochs_completed", doc: "Epochs the run completed.", formula: "|epochs|", unit: "count", shape: "scalar", select: "none", flow: "stock", category: "run" },
  { name: "agents", doc: "Agents in the selection (all agents when unselected).", formula: "|agents|", unit: "count", shape: "scalar", select: "agent", flow: "stock", category: "run" },
];

/** Plain definitions (no computation), so the compiler, the editor and the docs read them as data. */
function definition({ name, doc, formula, unit, shape, select, flow, category, optional }: MetricDef): MetricDef {
  return { name, doc, formula, unit, shape, select, flow, category, optional };
}

export const METRICS: readonly MetricDef[] = [...MECHANISMS.flatMap((m) => (m.metrics ?? []).map(definition)), ...RUN_SCALARS];

export const METRIC_BY_NAME: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((m) => [m.name, m]));

export function metricDef(name: string): MetricDef | undefined {
  return METRIC_BY_NAME.get(name);
}

/** The key under which the engine records a selected metric, e.g. `payoff[kind:adversarial]`. */
export function observedKey(metric: string, select: { by: string; name: string }): string {
  return `${metric}[${select.by}:${select.name}]`;
}
