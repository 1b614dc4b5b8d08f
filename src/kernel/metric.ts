/**
 * The vocabulary of metrics. Each mechanism declares its metrics next to its
 * state, each with the `compute` that reads that state at an epoch's end; the
 * metric registry (src/metrics/registry.ts) is the ordered union of them.
 */

import type { World } from "./world.ts";

/** `series`: one value per epoch. `scalar`: one value per run. */
export type MetricShape = "series" | "scalar";
/** What a selection `metric[name]` filters: interactions by their initiator, or agents. */
export type MetricSelect = "initiator" | "agent" | "none";
/** `flow`: counted within the epoch. `stock`: a level observed at the end of the epoch. */
export type MetricFlow = "flow" | "stock";

/** A metric as the compiler, the language server and the docs see it: plain data. */
export interface MetricDef {
  readonly name: string;
  readonly doc: string;
  readonly formula: string;
  readonly unit: string;
  readonly shape: MetricShape;
  readonly select: MetricSelect;
  readonly flow: MetricFlow;
  /** The group it is listed under in docs and reports. */
  readonly category: string;
  /** The value can be undefined (no labelled interactions, no network, ...). */
  readonly optional?: boolean;
}

/**
 * A metric with its computation over its mechanism's instance `I` (and, for
 * what other mechanisms hold, the run's world). `select`: the agent ids a
 * selection `metric[name]` keeps (null: all). `undefined`: the mechanism
 * takes no part in this run, and the metric is left out of its records.
 */
export interface MetricSpec<I = never> extends MetricDef {
  readonly compute: (instance: I, select: ReadonlySet<string> | null, w: World) => number | null | undefined;
}

/** A series metric of a category, with its computation. */
export function series<I>(
  category: string,
  select: MetricSelect,
  flow: MetricFlow,
  name: string,
  unit: string,
  doc: string,
  formula: string,
  compute: MetricSpec<I>["compute"],
  optional = false,
): MetricSpec<I> {
  return { name, doc, formula, unit, shape: "series", select, flow, category, optional, compute };
}
