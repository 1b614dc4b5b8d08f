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
  /** The value compared against the bound (see Verdict.observed), when there is one. */
  readonly observed: number | null;
  /** The two sides of the top comparison on this seed, as written. */
  readonly left: number | null;
  readonly right: number | null;
  /** Why this seed's verdict is undefined. */
  readonly reason: string | null;
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
  /**
   * The compared statistic — the side of the top comparison that is not a
   * constant (the left one when neither is) — as the seed mean for a per-run
   * criterion over several seeds, or the statistic itself over seeds.
   */
  readonly observed: number | null;
  readonly comparator: string | null;
  /** The other side: the constant it is compared with, or the value of the other expression. */
  readonly bound: number | null;
  /** Both sides of the top comparison as written (`left comparator right`), each a seed mean for a per-run criterion. */
  readonly left: number | null;
  readonly right: number | null;
  /** Per-run criteria: the verdict on each seed. Empty for a criterion over seeds, judged once across them. */
  readonly seeds: readonly SeedVerdict[];
  /** The seeds of the runs judged (for a criterion over seeds as for any other). */
  readonly judgedSeeds: readonly number[];
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

/**
 * Why a value came out undefined: the first place that turned known inputs
 * (or missing data) into no value, in words. Kept while evaluating, shown
 * only when the verdict ends up undefined.
 */
interface Why {
  text: string | null;
}

const because = (why: Why, text: string): null => {
  why.text ??= text;
  return null;
};

function metricNote(metric: string): string {
  const def = metricDef(metric);
  if (!def?.optional) return "";
  return metric.startsWith("network.") ? " (the scenario has no network)" : metric.startsWith("llm.") ? " (the scenario has no LLM agents)" : " (nothing to measure)";
}

function evalRun(expr: CriterionExpr, run: RunOutcome, who: Membership, why: Why): Evaluated {
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
      const arg = evalRun(expr.arg, run, who, why);
      const values = arg.kind === "series" ? arg.values : [arg.value];
      const value = aggregate(expr.fn, values);
      if (value === null && !values.length) return scalar(because(why, "the run has no epochs"));
      if (value === null) {
        const text = exprText(expr.arg);
        const where = expr.fn === "final" ? ` in its last epoch (${values.length - 1})` : expr.fn === "first" ? " in its first epoch" : " in any epoch";
        return scalar(because(why, `${text} has no value${where}${expr.arg.op === "metric" ? metricNote(expr.arg.metric) : ""}`));
      }
      return scalar(value);
    }
    case "at": {
      const arg = evalRun(expr.arg, run, who, why);
      if (arg.kind !== "series") return arg;
      if (expr.epoch >= arg.values.length) return scalar(because(why, `${exprText(expr)} asks for epoch ${expr.epoch}, but the run has ${arg.values.length === 1 ? "1 epoch" : `${arg.values.length} epochs`} (0..${arg.values.length - 1})`));
      const value = arg.values[expr.epoch] ?? null;
      return scalar(value === null ? because(why, `${exprText(expr.arg)} has no value in epoch ${expr.epoch}${expr.arg.op === "metric" ? metricNote(expr.arg.metric) : ""}`) : value);
    }
    case "temporal": {
      const arg = evalRun(expr.arg, run, who, why);
      const values = arg.kind === "series" ? arg.values : [arg.value];
      const from = expr.from ?? 0;
      const until = Math.min(expr.until ?? values.length - 1, values.length - 1);
      const window = values.slice(from, until + 1);
      if (!window.length) return scalar(because(why, values.length ? `${exprText(expr)} looks at no epoch: the run has ${values.length} (0..${values.length - 1})` : "the run has no epochs"));
      const result = expr.fn === "always" ? (window.some((v) => v === false) ? false : window.every((v) => v === true) ? true : null) : window.some((v) => v === true) ? true : window.every((v) => v === false) ? false : null;
      return scalar(result === null ? because(why, `${exprText(expr.arg)} has no value in some of epochs ${from}..${until}`) : result);
    }
    case "compare":
    case "arith":
    case "logic":
      return pointwise(evalRun(expr.left, run, who, why), evalRun(expr.right, run, who, why), (l, r) => binary(expr, l, r, why));
    case "neg":
      return map(evalRun(expr.arg, run, who, why), (v) => (typeof v === "number" ? -v : null));
    case "not":
      return map(evalRun(expr.arg, run, who, why), (v) => (typeof v === "boolean" ? !v : null));
    case "seeds":
      throw new Error("seed statistics are evaluated across runs");
  }
}

/** A criterion expression as it would be written (for messages). */
export function exprText(expr: CriterionExpr): string {
  const wrap = (e: CriterionExpr): string => (e.op === "compare" || e.op === "arith" || e.op === "logic" ? `(${exprText(e)})` : exprText(e));
  switch (expr.op) {
    case "number":
      return String(Number(expr.value.toPrecision(12)));
    case "bool":
      return String(expr.value);
    case "metric":
      return expr.select ? `${expr.metric}[${expr.select.name}]` : expr.metric;
    case "aggregate":
      return `${expr.fn}(${exprText(expr.arg)})`;
    case "at":
      return `at(${exprText(expr.arg)}, ${expr.epoch})`;
    case "temporal": {
      const named = [expr.from !== null ? `from = ${expr.from}` : "", expr.until !== null ? `by = ${expr.until}` : ""].filter(Boolean);
      return `${expr.fn}(${[exprText(expr.arg), ...named].join(", ")})`;
    }
    case "compare":
      return `${wrap(expr.left)} ${expr.cmp} ${wrap(expr.right)}`;
    case "arith":
    case "logic":
      return `${wrap(expr.left)} ${expr.fn} ${wrap(expr.right)}`;
    case "neg":
      return `-${wrap(expr.arg)}`;
    case "not":
      return `not ${wrap(expr.arg)}`;
    case "seeds":
      return `seeds.${expr.fn}(${exprText(expr.arg)}${expr.fn === "lower" || expr.fn === "upper" ? `, ${Number((expr.level * 100).toPrecision(6))}%` : ""})`;
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

function binary(expr: Extract<CriterionExpr, { op: "compare" | "arith" | "logic" }>, l: Value, r: Value, why: Why): Value {
  if (expr.op === "logic") {
    // Three-valued logic: a known answer wins over an unknown one.
    if (expr.fn === "and") return l === false || r === false ? false : l === true && r === true ? true : null;
    return l === true || r === true ? true : l === false && r === false ? false : null;
  }
  if (l === null || r === null) return null;
  if (expr.op === "arith") {
    if (typeof l !== "number" || typeof r !== "number") return null;
    if (expr.fn === "/" && r === 0) return because(why, `${exprText(expr)} divides by zero: ${exprText(expr.right)} is 0`);
    const v = expr.fn === "+" ? l + r : expr.fn === "-" ? l - r : expr.fn === "*" ? l * r : l / r;
    return Number.isFinite(v) ? v : because(why, `${exprText(expr)} overflows (${l} ${expr.fn} ${r})`);
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

function seedStatistic(expr: Extract<CriterionExpr, { op: "seeds" }>, runs: readonly RunOutcome[], who: Membership, why: Why): Value {
  const values = runs.map((run) => {
    const e = evalRun(expr.arg, run, who, why);
    return e.kind === "scalar" ? e.value : null;
  });
  if (!runs.length) return because(why, "no runs");
  if (expr.fn === "share") return values.filter((v) => v === true).length / runs.length;
  const nums = values.filter((v): v is number => typeof v === "number");
  if (!nums.length) return because(why, `${exprText(expr.arg)} has no value on any seed`);
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
    case "upper": {
      const ci = confidenceInterval(nums, expr.level);
      if (!ci) return because(why, `${exprText(expr)} needs at least 2 seeds with a value, and has ${nums.length}${runs.length > nums.length ? ` of ${runs.length}` : ""}`);
      return expr.fn === "lower" ? ci.lower : ci.upper;
    }
  }
  return null;
}

/** Evaluate an expression over seeds: seed statistics become numbers, the rest folds as usual. */
function evalSeeds(expr: CriterionExpr, runs: readonly RunOutcome[], who: Membership, why: Why): Value {
  switch (expr.op) {
    case "seeds":
      return seedStatistic(expr, runs, who, why);
    case "number":
    case "bool":
      return expr.value;
    case "compare":
    case "arith":
    case "logic":
      return binary(expr, evalSeeds(expr.left, runs, who, why), evalSeeds(expr.right, runs, who, why), why);
    case "neg": {
      const v = evalSeeds(expr.arg, runs, who, why);
      return typeof v === "number" ? -v : null;
    }
    case "not": {
      const v = evalSeeds(expr.arg, runs, who, why);
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
  // A constant side: a number, or a negated one (`> -0.05`).
  const constant = (e: CriterionExpr): boolean => e.op === "number" || (e.op === "neg" && e.arg.op === "number");
  // The observed side is the one that is not a constant; when neither is, the left one.
  const observedIsLeft = top ? !(constant(top.left) && !constant(top.right)) : false;
  const pick = (left: number | null, right: number | null) => (top ? (observedIsLeft ? { observed: left, bound: right } : { observed: right, bound: left }) : { observed: null, bound: null });
  const base = { id: criterion.id, label: criterion.label, overSeeds: criterion.overSeeds, comparator: top?.cmp ?? null, judgedSeeds: runs.map((r) => r.seed) };
  const num = (v: Value | undefined): number | null => (typeof v === "number" ? v : null);
  if (!runs.length) {
    return { ...base, status: "undefined", observed: null, bound: null, left: null, right: null, seeds: [], passedSeeds: 0, interval: null, reason: "no runs" };
  }
  if (criterion.overSeeds) {
    const why: Why = { text: null };
    const result = evalSeeds(criterion.expr, runs, who, why);
    const left = top ? num(evalSeeds(top.left, runs, who, { text: null })) : null;
    const right = top ? num(evalSeeds(top.right, runs, who, { text: null })) : null;
    return {
      ...base,
      status: status(result),
      ...pick(left, right),
      left,
      right,
      seeds: [],
      passedSeeds: 0,
      interval: null,
      reason: result === null ? undefinedReason(criterion.expr, runs, why) : null,
    };
  }
  const scalarOf = (e: Evaluated): number | null => (e.kind === "scalar" ? num(e.value) : null);
  const seeds: SeedVerdict[] = runs.map((run) => {
    const why: Why = { text: null };
    const verdict = evalRun(criterion.expr, run, who, why);
    const value = verdict.kind === "scalar" ? verdict.value : null;
    const left = top ? scalarOf(evalRun(top.left, run, who, { text: null })) : null;
    const right = top ? scalarOf(evalRun(top.right, run, who, { text: null })) : null;
    return { seed: run.seed, status: status(value), observed: pick(left, right).observed, left, right, reason: value === null ? undefinedReason(criterion.expr, [run], why) : null };
  });
  const passedSeeds = seeds.filter((s) => s.status === "pass").length;
  const overall: Status = seeds.some((s) => s.status === "fail") ? "fail" : seeds.every((s) => s.status === "pass") ? "pass" : "undefined";
  const meanOf = (xs: readonly (number | null)[]): number | null => (xs.length && xs.every((x) => x !== null) ? mean(xs as number[]) : null);
  const left = meanOf(seeds.map((s) => s.left));
  const right = meanOf(seeds.map((s) => s.right));
  const observedValues = seeds.map((s) => s.observed).filter((v): v is number => v !== null);
  const undefinedSeed = seeds.find((s) => s.status === "undefined");
  return {
    ...base,
    status: overall,
    ...pick(left, right),
    observed: observedValues.length ? mean(observedValues) : null,
    left,
    right,
    seeds,
    passedSeeds,
    interval: confidenceInterval(observedValues),
    reason: overall === "undefined" && undefinedSeed?.reason ? (runs.length > 1 ? `seed ${undefinedSeed.seed}: ${undefinedSeed.reason}` : undefinedSeed.reason) : null,
  };
}

export function evaluateCriteria(plan: Pick<Plan, "criteria" | "agents">, runs: readonly RunOutcome[]): Verdict[] {
  const who = membership(plan);
  return plan.criteria.items.map((c) => evaluateCriterion(c, runs, who));
}

/** Why a verdict is undefined: what the evaluation found first, else the first metric with no value, named. */
function undefinedReason(expr: CriterionExpr, runs: readonly RunOutcome[], why: Why): string {
  if (runs.every((r) => r.epochs.length === 0) && metricsIn(expr).some((m) => metricDef(m)?.shape === "series")) return "the run has no epochs";
  if (why.text) return why.text;
  const metrics = metricsIn(expr);
  for (const m of metrics) {
    const def = metricDef(m);
    if (def?.shape !== "series") continue;
    const anyValue = runs.some((r) => r.epochs.some((e) => e.metrics[m] !== null && e.metrics[m] !== undefined));
    if (!anyValue) return `${m} has no value in this run${metricNote(m)}`;
  }
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
