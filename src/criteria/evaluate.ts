/**
 * Judging success criteria against finished runs. A criterion per run is
 * evaluated on every seed and passes when it passes on all of them; a
 * criterion over seeds (seeds.share, seeds.upper, …) is evaluated once across
 * them. Missing values (no network, no labelled interactions) make a verdict
 * undefined, which never passes.
 */
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { metricDef, observedKey } from "../metrics/registry.ts";
import type { Criterion, CriterionExpr, Plan, Selection } from "../plan/schema.ts";

/** What the evaluator needs of a run: per-epoch metrics and the agents. */
export interface RunOutcome {
  readonly seed: number;
  readonly epochsCompleted: number;
  readonly epochs: readonly { readonly epoch: number; readonly metrics: Readonly<Record<string, number | null>>; readonly observed: Readonly<Record<string, number | null>> }[];
  readonly agents: readonly { readonly id: string; readonly kind: string; readonly group: string }[];
}

export type Status = "pass" | "fail" | "undefined";

export interface SeedVerdict {
  readonly seed: number;
  readonly status: Status;
  /** The value compared against the bound (the left side of the top comparison), when there is one. */
  readonly observed: number | null;
}

export interface Interval {
  readonly level: number;
  readonly lower: number;
  readonly upper: number;
}

export interface Verdict {
  readonly id: string;
  readonly label: string;
  readonly status: Status;
  readonly overSeeds: boolean;
  /** The compared statistic: the seed mean for a per-run criterion, the statistic itself over seeds. */
  readonly observed: number | null;
  readonly comparator: string | null;
  readonly bound: number | null;
  readonly seeds: readonly SeedVerdict[];
  readonly passedSeeds: number;
  /** Confidence interval of the observed value's mean across seeds (per-run criteria over 2+ seeds). */
  readonly interval: Interval | null;
  readonly reason: string | null;
}

type Value = number | boolean | null;
type Series = readonly Value[];
type Evaluated = { readonly kind: "scalar"; readonly value: Value } | { readonly kind: "series"; readonly values: Series };

const scalar = (value: Value): Evaluated => ({ kind: "scalar", value });

/** Group membership for selections, as the plan declares it. */
export interface Membership {
  readonly kinds: ReadonlyMap<string, string>;
  readonly groups: ReadonlyMap<string, string>;
}

export function membership(plan: Pick<Plan, "agents">): Membership {
  return {
    kinds: new Map(plan.agents.map((a) => [a.id, a.kind === "stochastic" ? a.params.policy : a.kind])),
    groups: new Map(plan.agents.map((a) => [a.id, a.group])),
  };
}

function selected(run: RunOutcome, who: Membership, select: Selection | null): number {
  if (!select) return run.agents.length;
  return run.agents.filter((a) => (select.by === "agent" ? a.id === select.name : select.by === "group" ? who.groups.get(a.id) === select.name : (who.kinds.get(a.id) ?? a.kind) === select.name)).length;
}

function evalRun(expr: CriterionExpr, run: RunOutcome, who: Membership): Evaluated {
  switch (expr.op) {
    case "number":
      return scalar(expr.value);
    case "bool":
      return scalar(expr.value);
    case "metric": {
      if (expr.metric === "epochs_completed") return scalar(run.epochsCompleted);
      if (expr.metric === "agents") return scalar(selected(run, who, expr.select));
      const key = expr.select ? observedKey(expr.metric, expr.select) : expr.metric;
      const source = expr.select ? "observed" : "metrics";
      return { kind: "series", values: run.epochs.map((e) => e[source][key] ?? null) };
    }
    case "aggregate": {
      const arg = evalRun(expr.arg, run, who);
      const values = arg.kind === "series" ? arg.values : [arg.value];
      return scalar(aggregate(expr.fn, values));
    }
    case "at": {
      const arg = evalRun(expr.arg, run, who);
      return scalar(arg.kind === "series" ? (arg.values[expr.epoch] ?? null) : arg.value);
    }
    case "temporal": {
      const arg = evalRun(expr.arg, run, who);
      const values = arg.kind === "series" ? arg.values : [arg.value];
      const from = expr.from ?? 0;
      const until = Math.min(expr.until ?? values.length - 1, values.length - 1);
      const window = values.slice(from, until + 1);
      if (!window.length) return scalar(null);
      if (expr.fn === "always") return scalar(window.some((v) => v === false) ? false : window.every((v) => v === true) ? true : null);
      return scalar(window.some((v) => v === true) ? true : window.every((v) => v === false) ? false : null);
    }
    case "compare":
    case "arith":
    case "logic":
      return pointwise(evalRun(expr.left, run, who), evalRun(expr.right, run, who), (l, r) => binary(expr, l, r));
    case "neg":
      return map(evalRun(expr.arg, run, who), (v) => (typeof v === "number" ? -v : null));
    case "not":
      return map(evalRun(expr.arg, run, who), (v) => (typeof v === "boolean" ? !v : null));
    case "seeds":
      throw new Error("seed statistics are evaluated across runs");
  }
}

function map(e: Evaluated, f: (v: Value) => Value): Evaluated {
  return e.kind === "series" ? { kind: "series", values: e.values.map(f) } : scalar(f(e.value));
}

function pointwise(a: Evaluated, b: Evaluated, f: (l: Value, r: Value) => Value): Evaluated {
  if (a.kind === "scalar" && b.kind === "scalar") return scalar(f(a.value, b.value));
  const n = Math.max(a.kind === "series" ? a.values.length : 0, b.kind === "series" ? b.values.length : 0);
  const at = (e: Evaluated, i: number): Value => (e.kind === "series" ? (e.values[i] ?? null) : e.value);
  return { kind: "series", values: Array.from({ length: n }, (_, i) => f(at(a, i), at(b, i))) };
}

function binary(expr: Extract<CriterionExpr, { op: "compare" | "arith" | "logic" }>, l: Value, r: Value): Value {
  if (expr.op === "logic") {
    // Three-valued logic: a known answer wins over an unknown one.
    if (expr.fn === "and") return l === false || r === false ? false : l === true && r === true ? true : null;
    return l === true || r === true ? true : l === false && r === false ? false : null;
  }
  if (l === null || r === null) return null;
  if (expr.op === "arith") {
    if (typeof l !== "number" || typeof r !== "number") return null;
    const v = expr.fn === "+" ? l + r : expr.fn === "-" ? l - r : expr.fn === "*" ? l * r : r === 0 ? null : l / r;
    return v === null || Number.isFinite(v) ? v : null;
  }
  switch (expr.cmp) {
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
    case "==":
      return l === r;
    case "!=":
      return l !== r;
  }
}

function aggregate(fn: string, values: readonly Value[]): Value {
  if (fn === "final") return toNumber(values[values.length - 1] ?? null);
  if (fn === "first") return toNumber(values[0] ?? null);
  const nums = values.map(toNumber).filter((v): v is number => v !== null);
  if (!nums.length) return fn === "sum" && values.length === 0 ? 0 : null;
  switch (fn) {
    case "mean":
      return nums.reduce((a, b) => a + b, 0) / nums.length;
    case "sum":
      return nums.reduce((a, b) => a + b, 0);
    case "min":
      return Math.min(...nums);
    case "max":
      return Math.max(...nums);
  }
  return null;
}

function toNumber(v: Value): number | null {
  return typeof v === "boolean" ? (v ? 1 : 0) : v;
}

// ---- statistics over seeds ------------------------------------------------------------

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1). */
export function stdev(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Student-t confidence interval of the mean; null for fewer than two values. */
export function confidenceInterval(xs: readonly number[], level = 0.95): Interval | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  const half = tQuantile((1 + level) / 2, xs.length - 1) * (stdev(xs) / Math.sqrt(xs.length));
  return { level, lower: m - half, upper: m + half };
}

function seedStatistic(expr: Extract<CriterionExpr, { op: "seeds" }>, runs: readonly RunOutcome[], who: Membership): Value {
  const values = runs.map((run) => {
    const e = evalRun(expr.arg, run, who);
    return e.kind === "scalar" ? e.value : null;
  });
  if (expr.fn === "share") return runs.length ? values.filter((v) => v === true).length / runs.length : null;
  const nums = values.filter((v): v is number => typeof v === "number");
  if (!nums.length) return null;
  switch (expr.fn) {
    case "mean":
      return mean(nums);
    case "min":
      return Math.min(...nums);
    case "max":
      return Math.max(...nums);
    case "std":
      return stdev(nums);
    case "lower":
      return confidenceInterval(nums, expr.level)?.lower ?? null;
    case "upper":
      return confidenceInterval(nums, expr.level)?.upper ?? null;
  }
  return null;
}

/** Evaluate an expression over seeds: seed statistics become numbers, the rest folds as usual. */
function evalSeeds(expr: CriterionExpr, runs: readonly RunOutcome[], who: Membership): Value {
  switch (expr.op) {
    case "seeds":
      return seedStatistic(expr, runs, who);
    case "number":
    case "bool":
      return expr.value;
    case "compare":
    case "arith":
    case "logic":
      return binary(expr, evalSeeds(expr.left, runs, who), evalSeeds(expr.right, runs, who));
    case "neg": {
      const v = evalSeeds(expr.arg, runs, who);
      return typeof v === "number" ? -v : null;
    }
    case "not": {
      const v = evalSeeds(expr.arg, runs, who);
      return typeof v === "boolean" ? !v : null;
    }
    default:
      return null;
  }
}

const status = (v: Value): Status => (v === true ? "pass" : v === false ? "fail" : "undefined");

/** The two sides of the top comparison, if the criterion is one (possibly negated). */
function topComparison(expr: CriterionExpr): Extract<CriterionExpr, { op: "compare" }> | null {
  return expr.op === "compare" ? expr : null;
}

/** A constant side of a comparison: a number, or a negated one (`> -0.05`). */
function constant(e: CriterionExpr): number | null {
  if (e.op === "number") return e.value;
  return e.op === "neg" && e.arg.op === "number" ? -e.arg.value : null;
}

export function evaluateCriterion(criterion: Criterion, runs: readonly RunOutcome[], who: Membership): Verdict {
  const top = topComparison(criterion.expr);
  const boundExpr = top && (constant(top.right) !== null ? top.right : constant(top.left) !== null ? top.left : null);
  const observedSide = top ? (boundExpr === top.right ? top.left : top.right) : null;
  const base = { id: criterion.id, label: criterion.label, overSeeds: criterion.overSeeds, comparator: top?.cmp ?? null, bound: boundExpr ? constant(boundExpr) : null };
  if (!runs.length) {
    return { ...base, status: "undefined", observed: null, seeds: [], passedSeeds: 0, interval: null, reason: "no runs" };
  }
  if (criterion.overSeeds) {
    const result = evalSeeds(criterion.expr, runs, who);
    const observed = observedSide ? evalSeeds(observedSide, runs, who) : null;
    return {
      ...base,
      status: status(result),
      observed: typeof observed === "number" ? observed : null,
      seeds: [],
      passedSeeds: 0,
      interval: null,
      reason: result === null ? undefinedReason(criterion.expr, runs) : null,
    };
  }
  const seeds: SeedVerdict[] = runs.map((run) => {
    const verdict = evalRun(criterion.expr, run, who);
    const observed = observedSide ? evalRun(observedSide, run, who) : null;
    return {
      seed: run.seed,
      status: status(verdict.kind === "scalar" ? verdict.value : null),
      observed: observed?.kind === "scalar" && typeof observed.value === "number" ? observed.value : null,
    };
  });
  const passedSeeds = seeds.filter((s) => s.status === "pass").length;
  const overall: Status = seeds.some((s) => s.status === "fail") ? "fail" : seeds.every((s) => s.status === "pass") ? "pass" : "undefined";
  const observedValues = seeds.map((s) => s.observed).filter((v): v is number => v !== null);
  return {
    ...base,
    status: overall,
    observed: observedValues.length ? mean(observedValues) : null,
    seeds,
    passedSeeds,
    interval: confidenceInterval(observedValues),
    reason: overall === "undefined" ? undefinedReason(criterion.expr, runs) : null,
  };
}

export function evaluateCriteria(plan: Pick<Plan, "criteria" | "agents">, runs: readonly RunOutcome[]): Verdict[] {
  const who = membership(plan);
  return plan.criteria.items.map((c) => evaluateCriterion(c, runs, who));
}

/** Why a verdict is undefined: the first metric with no value, named. */
function undefinedReason(expr: CriterionExpr, runs: readonly RunOutcome[]): string {
  const metrics = metricsIn(expr);
  for (const m of metrics) {
    const def = metricDef(m);
    if (def?.shape !== "series") continue;
    const anyValue = runs.some((r) => r.epochs.some((e) => e.metrics[m] !== null && e.metrics[m] !== undefined));
    if (!anyValue && !runs.every((r) => r.epochs.length === 0)) return `${m} has no value in this run${def.optional ? ` (${m.startsWith("network.") ? "the scenario has no network" : "nothing to measure"})` : ""}`;
  }
  if (runs.every((r) => r.epochs.length === 0)) return "the run has no epochs";
  return "a value it needs is undefined";
}

function metricsIn(expr: CriterionExpr): string[] {
  switch (expr.op) {
    case "metric":
      return [expr.metric];
    case "number":
    case "bool":
      return [];
    case "aggregate":
    case "at":
    case "temporal":
    case "neg":
    case "not":
    case "seeds":
      return metricsIn(expr.arg);
    default:
      return [...metricsIn(expr.left), ...metricsIn(expr.right)];
  }
}

/** The seeds a scenario's criteria are judged over: those named, else its own seed. */
export function criteriaSeeds(plan: Pick<Plan, "criteria" | "simulation">): number[] {
  return plan.criteria.seeds.length ? [...plan.criteria.seeds] : [plan.simulation.seed];
}
