/**
 * The per-run columns a sweep adds for the mechanisms its plans use: each
 * mechanism names the metrics worth summarising (`sweepMetrics`, e.g. the
 * town's), and a sweep whose cells hold that mechanism's slices gets one
 * column per metric — its mean (or final value, or sum) over the run's
 * epochs — summarised per cell with a 95% interval like every other column.
 * Sweeps of plans without such mechanisms are unchanged.
 */
import type { SweepMetric } from "../kernel/mechanism.ts";
import { MECHANISMS } from "../mechanisms/index.ts";
import type { Plan } from "../plan/schema.ts";
import type { CompactRun } from "./run-outcome.ts";

export const columnOf = (m: SweepMetric): string => `${m.aggregate}_${m.metric}`;

/** The summarised metrics of every mechanism some plan uses, in mechanism order. */
export function mechanismMetrics(plans: readonly Plan[]): SweepMetric[] {
  // A slice is used when the plan holds it (optional slices are absent, a switched-off one may be null).
  const uses = (plan: Plan, bindings: readonly { readonly path: readonly string[] }[]) =>
    bindings.some((b) => b.path.reduce<unknown>((at, key) => (at as Record<string, unknown> | null | undefined)?.[key], plan) != null);
  return MECHANISMS.filter((m) => m.sweepMetrics?.length && plans.some((p) => uses(p, m.plan ?? []))).flatMap((m) => m.sweepMetrics!);
}

/** One run's value of a summarised metric (null where undefined in every epoch). */
export function mechanismMetricValue(m: SweepMetric, run: CompactRun): number | null {
  const xs = run.epochs.map((e) => e.metrics[m.metric]).filter((x): x is number => typeof x === "number");
  if (!xs.length) return null;
  if (m.aggregate === "final") return typeof run.epochs.at(-1)?.metrics[m.metric] === "number" ? (run.epochs.at(-1)!.metrics[m.metric] as number) : null;
  const sum = xs.reduce((a, b) => a + b, 0);
  return m.aggregate === "sum" ? sum : sum / xs.length;
}
