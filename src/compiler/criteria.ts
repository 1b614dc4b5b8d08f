/**
 * Success criteria: typed expressions over the metric registry.
 *
 * Every expression has a level — a constant, one value per run, one value per
 * epoch (a series), or one value over seeds — and a base type, number or bool.
 * A criterion must be a verdict: a bool per run (judged on every seed) or a
 * bool over seeds (seeds.share, seeds.upper, …).
 */
import type * as A from "../../language/ast.ts";
import { dottedName } from "../../language/ast.ts";
import { closest, diagnostic, replaceWith, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { METRICS, metricDef, observedKey } from "../metrics/registry.ts";
import { AGGREGATIONS, SEED_STATISTICS, type CriterionExpr, type Observed, type Selection } from "../plan/schema.ts";
import type { SymbolDef, SymbolTable } from "./symbols.ts";
import { LIMITS, limitText } from "./limits.ts";
import { sourceOf } from "./values.ts";

type Level = "const" | "run" | "series" | "seeds";
type Base = "number" | "bool";
interface Typed {
  readonly level: Level;
  readonly base: Base;
  readonly expr: CriterionExpr;
}

export interface SelectionScope {
  /** Agent kinds present in the population (scripted kinds, llm, policy names). */
  readonly kinds: ReadonlySet<string>;
  /** Population groups, with the symbol that declares each. */
  readonly groups: ReadonlyMap<string, SymbolDef | null>;
  readonly agents: ReadonlySet<string>;
}

export interface CriteriaContext {
  readonly file: string;
  readonly text: string;
  readonly diagnostics: Diagnostic[];
  readonly scope: SelectionScope;
  readonly symbols: SymbolTable;
  /** Selections the engine must record, collected while checking. */
  readonly observe: Map<string, Observed>;
}

const EPOCH_FUNCTIONS = new Set<string>(AGGREGATIONS);
const FUNCTIONS = [...AGGREGATIONS, "at", "always", "eventually", ...SEED_STATISTICS.map((s) => `seeds.${s}`)];
const LEVEL_ORDER: Record<Level, number> = { const: 0, run: 1, series: 2, seeds: 3 };

export function checkCriterion(ctx: CriteriaContext, statement: A.Statement): { expr: CriterionExpr; overSeeds: boolean } | null {
  const typed = typeOf(ctx, statement.expr);
  if (!typed) return null;
  if (typed.base !== "bool" || typed.level === "series") {
    const found = typed.level === "series" ? `a per-epoch ${typed.base === "bool" ? "condition" : "series"}` : typed.base === "number" ? "a number" : "a condition";
    const hint =
      typed.level === "series" && typed.base === "bool"
        ? "; wrap it in always(...) or eventually(...)"
        : typed.level === "series"
          ? "; aggregate it with mean, min, max, final or sum, then compare it"
          : "; compare it with a bound, e.g. `… <= 0.3`";
    ctx.diagnostics.push(diagnostic("SBX2104", { found, hint }, ctx.file, statement.expr.span));
    return null;
  }
  return { expr: typed.expr, overSeeds: typed.level === "seeds" };
}

function combine(ctx: CriteriaContext, node: A.Expr, a: Typed, b: Typed): Level | null {
  const levels = [a.level, b.level];
  if (levels.includes("seeds") && (levels.includes("run") || levels.includes("series"))) {
    ctx.diagnostics.push(
      diagnostic("SBX2106", { detail: "put the per-run value inside the seeds function, e.g. seeds.mean(final(payoff))" }, ctx.file, node.span),
    );
    return null;
  }
  return LEVEL_ORDER[a.level] >= LEVEL_ORDER[b.level] ? a.level : b.level;
}

function typeOf(ctx: CriteriaContext, node: A.Expr): Typed | null {
  switch (node.kind) {
    case "Missing":
      return null;
    case "Paren":
      return typeOf(ctx, node.expr);
    case "Number":
      if (node.unit) {
        ctx.diagnostics.push(diagnostic("SBX2102", { attribute: "a criterion", unit: "plain numbers and percentages", found: `a number of ${node.unit.text}` }, ctx.file, node.span));
        return null;
      }
      if (!Number.isFinite(node.value) || Math.abs(node.value) > LIMITS.magnitude) return tooLarge(ctx, node, "a criterion");
      return { level: "const", base: "number", expr: { op: "number", value: node.percent ? node.value / 100 : node.value } };
    case "Bool":
      return { level: "const", base: "bool", expr: { op: "bool", value: node.value } };
    case "String":
    case "List":
    case "Range":
      ctx.diagnostics.push(diagnostic("SBX2101", { context: "a criterion", expected: "a metric, a number or a condition", found: node.kind === "String" ? "a string" : node.kind === "List" ? "a list" : "a range" }, ctx.file, node.span));
      return null;
    case "Ident":
    case "Member":
      return metricRef(ctx, node, null);
    case "Index":
      return selection(ctx, node);
    case "Unary": {
      const arg = typeOf(ctx, node.arg);
      if (!arg) return null;
      const wanted: Base = node.op === "not" ? "bool" : "number";
      if (arg.base !== wanted) return mismatch(ctx, node.arg, node.op === "not" ? "'not'" : "'-'", wanted);
      return { level: arg.level, base: wanted, expr: node.op === "not" ? { op: "not", arg: arg.expr } : { op: "neg", arg: arg.expr } };
    }
    case "Binary":
      return binary(ctx, node);
    case "Call":
      return call(ctx, node);
  }
}

function tooLarge(ctx: CriteriaContext, node: A.Expr, context: string): null {
  ctx.diagnostics.push(diagnostic("SBX2108", { value: sourceOf(ctx, node.span), context, limit: limitText(LIMITS.magnitude) }, ctx.file, node.span));
  return null;
}

/** The value of a constant criterion expression (numbers, minus and arithmetic), or null when it is not constant. */
function constantValue(expr: CriterionExpr): number | null {
  switch (expr.op) {
    case "number":
      return expr.value;
    case "neg": {
      const v = constantValue(expr.arg);
      return v === null ? null : -v;
    }
    case "arith": {
      const l = constantValue(expr.left);
      const r = constantValue(expr.right);
      if (l === null || r === null) return null;
      return expr.fn === "+" ? l + r : expr.fn === "-" ? l - r : expr.fn === "*" ? l * r : l / r;
    }
    default:
      return null;
  }
}

function mismatch(ctx: CriteriaContext, node: A.Expr, context: string, expected: Base): null {
  ctx.diagnostics.push(diagnostic("SBX2101", { context, expected: expected === "bool" ? "a condition" : "a number", found: expected === "bool" ? "a number" : "a condition" }, ctx.file, node.span));
  return null;
}

function binary(ctx: CriteriaContext, node: A.BinaryExpr): Typed | null {
  const left = typeOf(ctx, node.left);
  const right = typeOf(ctx, node.right);
  if (!left || !right) return null;
  const level = combine(ctx, node, left, right);
  if (!level) return null;
  switch (node.op) {
    case "and":
    case "or":
      if (left.base !== "bool") return mismatch(ctx, node.left, `'${node.op}'`, "bool");
      if (right.base !== "bool") return mismatch(ctx, node.right, `'${node.op}'`, "bool");
      return { level, base: "bool", expr: { op: "logic", fn: node.op, left: left.expr, right: right.expr } };
    case "+":
    case "-":
    case "*":
    case "/":
      if (left.base !== "number") return mismatch(ctx, node.left, `'${node.op}'`, "number");
      if (right.base !== "number") return mismatch(ctx, node.right, `'${node.op}'`, "number");
      // A constant divisor of 0 makes the criterion undefined in every run: say so now, not after the runs.
      if (node.op === "/" && constantValue(right.expr) === 0) {
        ctx.diagnostics.push(diagnostic("SBX3019", { expr: sourceOf(ctx, node.span) }, ctx.file, node.span));
        return null;
      }
      {
        const folded = constantValue({ op: "arith", fn: node.op, left: left.expr, right: right.expr });
        if (folded !== null && !(Number.isFinite(folded) && Math.abs(folded) <= LIMITS.magnitude)) return tooLarge(ctx, node, "a criterion");
      }
      return { level, base: "number", expr: { op: "arith", fn: node.op, left: left.expr, right: right.expr } };
    default:
      if (left.base !== "number" && !(node.op === "==" || node.op === "!=")) return mismatch(ctx, node.left, `'${node.op}'`, "number");
      if (right.base !== left.base) return mismatch(ctx, node.right, `'${node.op}'`, left.base);
      return { level, base: "bool", expr: { op: "compare", cmp: node.op, left: left.expr, right: right.expr } };
  }
}

function metricName(node: A.Expr): string | null {
  return dottedName(node);
}

function unknownMetric(ctx: CriteriaContext, node: A.Expr, name: string): null {
  const suggestion = closest(name, METRICS.map((m) => m.name));
  ctx.diagnostics.push(
    diagnostic("SBX2004", { name, suggestion }, ctx.file, node.span, { fixes: suggestion ? [replaceWith(ctx.file, node.span, suggestion)] : [] }),
  );
  return null;
}

function metricRef(ctx: CriteriaContext, node: A.Expr, select: Selection | null): Typed | null {
  const name = metricName(node);
  if (name === null) {
    ctx.diagnostics.push(diagnostic("SBX2101", { context: "a criterion", expected: "a metric name", found: sourceOf(ctx, node.span) }, ctx.file, node.span));
    return null;
  }
  const def = metricDef(name);
  if (!def) return unknownMetric(ctx, node, name);
  // Keyed by observedKey: lowering sorts the recorded selections by their keys.
  if (select) ctx.observe.set(observedKey(name, select), { metric: name, select });
  return { level: def.shape === "series" ? "series" : "run", base: "number", expr: { op: "metric", metric: name, select } };
}

function selection(ctx: CriteriaContext, node: A.IndexExpr): Typed | null {
  const name = metricName(node.target);
  if (name === null) {
    ctx.diagnostics.push(diagnostic("SBX2101", { context: "a selection", expected: "a metric name before [...]", found: sourceOf(ctx, node.target.span) }, ctx.file, node.target.span));
    return null;
  }
  const def = metricDef(name);
  if (!def) return unknownMetric(ctx, node.target, name);
  if (def.select === "none") {
    ctx.diagnostics.push(diagnostic("SBX2107", { metric: name }, ctx.file, node.span));
    return null;
  }
  if (node.args.length !== 1) {
    ctx.diagnostics.push(diagnostic("SBX2105", { name: `${name}[…]`, expected: "one selection", found: node.args.length }, ctx.file, node.span));
    return null;
  }
  const select = resolveSelection(ctx, node.args[0]!);
  return select ? metricRef(ctx, node.target, select) : null;
}

function resolveSelection(ctx: CriteriaContext, arg: A.Arg): Selection | null {
  const value = arg.value;
  const word = value.kind === "Ident" ? value.name : value.kind === "String" ? value.value : null;
  if (word === null) {
    ctx.diagnostics.push(diagnostic("SBX2101", { context: "a selection", expected: "an agent kind, a population group or an agent id", found: sourceOf(ctx, value.span) }, ctx.file, value.span));
    return null;
  }
  const scope = ctx.scope;
  const forced = arg.name?.text;
  if (forced !== undefined && !["kind", "group", "agent"].includes(forced)) {
    const suggestion = closest(forced, ["kind", "group", "agent"]);
    ctx.diagnostics.push(diagnostic("SBX2002", { name: forced, context: "a selection", suggestion }, ctx.file, arg.name!.span));
    return null;
  }
  if ((forced === undefined || forced === "kind") && scope.kinds.has(word)) return { by: "kind", name: word };
  if ((forced === undefined || forced === "group") && scope.groups.has(word)) {
    const def = scope.groups.get(word);
    if (def) ctx.symbols.reference(ctx.file, value.span, def);
    return { by: "group", name: word };
  }
  if ((forced === undefined || forced === "agent") && scope.agents.has(word)) return { by: "agent", name: word };
  const pool = forced === "kind" ? scope.kinds : forced === "group" ? scope.groups.keys() : forced === "agent" ? scope.agents : [...scope.kinds, ...scope.groups.keys(), ...scope.agents];
  const suggestion = closest(word, pool);
  ctx.diagnostics.push(
    diagnostic("SBX2015", { name: word, suggestion }, ctx.file, value.span, { fixes: suggestion ? [replaceWith(ctx.file, value.span, suggestion)] : [] }),
  );
  return null;
}

const NO_NAMED_ARGS: ReadonlyMap<string, A.Arg> = new Map();

function call(ctx: CriteriaContext, node: A.CallExpr): Typed | null {
  const fn = dottedName(node.callee);
  if (fn === null || !FUNCTIONS.includes(fn)) {
    const name = fn ?? sourceOf(ctx, node.callee.span);
    const suggestion = closest(name, FUNCTIONS);
    ctx.diagnostics.push(
      diagnostic("SBX2014", { name, suggestion }, ctx.file, node.callee.span, { fixes: suggestion ? [replaceWith(ctx.file, node.callee.span, suggestion)] : [] }),
    );
    return null;
  }
  // Most calls name no argument: then the arguments are the positional ones, and no table of named ones is made.
  const anyNamed = node.args.some((a) => a.name !== null);
  const positional = anyNamed ? node.args.filter((a) => a.name === null) : node.args;
  const named = anyNamed ? new Map(node.args.filter((a) => a.name !== null).map((a) => [a.name!.text, a])) : NO_NAMED_ARGS;
  const arity = (expected: string, ok: boolean): boolean => {
    if (!ok) ctx.diagnostics.push(diagnostic("SBX2105", { name: fn, expected, found: node.args.length }, ctx.file, node.span));
    return ok;
  };
  const rejectNamed = (allowed: string[]): boolean => {
    for (const [name, arg] of named) {
      if (allowed.includes(name)) continue;
      const suggestion = closest(name, allowed);
      ctx.diagnostics.push(diagnostic("SBX2002", { name, context: `${fn}(…)`, suggestion }, ctx.file, arg.name!.span, { fixes: suggestion ? [replaceWith(ctx.file, arg.name!.span, suggestion)] : [] }));
      return false;
    }
    return true;
  };

  if (EPOCH_FUNCTIONS.has(fn)) {
    if (!arity("one per-epoch metric", positional.length === 1 && named.size === 0)) return null;
    const arg = typeOf(ctx, positional[0]!.value);
    if (!arg) return null;
    if (arg.level !== "series") {
      ctx.diagnostics.push(
        diagnostic("SBX2101", { context: `${fn}(…)`, expected: "a per-epoch series (a metric such as toxicity)", found: arg.level === "seeds" ? "a value over seeds" : "a single value" }, ctx.file, positional[0]!.value.span),
      );
      return null;
    }
    return { level: "run", base: "number", expr: { op: "aggregate", fn: fn as (typeof AGGREGATIONS)[number], arg: arg.expr } };
  }

  if (fn === "at") {
    if (!arity("a per-epoch metric and an epoch", positional.length === 2 && named.size === 0)) return null;
    const arg = typeOf(ctx, positional[0]!.value);
    const epoch = positional[1]!.value;
    const epochValue = epoch.kind === "Number" && !epoch.percent && !epoch.unit ? epoch.value : epoch.kind === "Number" && epoch.unit && /^epochs?$/.test(epoch.unit.text) ? epoch.value : NaN;
    if (epoch.kind === "Number" && !(Math.abs(epoch.value) <= LIMITS.magnitude)) return tooLarge(ctx, epoch, "the epoch of at(…)");
    if (!Number.isInteger(epochValue) || epochValue < 0) {
      ctx.diagnostics.push(diagnostic("SBX2103", { attribute: "the epoch of at(…)", value: sourceOf(ctx, epoch.span) }, ctx.file, epoch.span));
      return null;
    }
    if (!arg) return null;
    if (arg.level !== "series") {
      ctx.diagnostics.push(diagnostic("SBX2101", { context: "at(…)", expected: "a per-epoch series", found: "a single value" }, ctx.file, positional[0]!.value.span));
      return null;
    }
    return { level: "run", base: arg.base, expr: { op: "at", epoch: epochValue, arg: arg.expr } };
  }

  if (fn === "always" || fn === "eventually") {
    if (!arity("one per-epoch condition (and optional from/by epochs)", positional.length === 1) || !rejectNamed(["from", "by"])) return null;
    const arg = typeOf(ctx, positional[0]!.value);
    if (!arg) return null;
    if (arg.base !== "bool" || arg.level !== "series") {
      ctx.diagnostics.push(diagnostic("SBX2101", { context: `${fn}(…)`, expected: "a per-epoch condition such as `toxicity < 0.5`", found: arg.base === "bool" ? "a single condition" : "a number" }, ctx.file, positional[0]!.value.span));
      return null;
    }
    const epochArg = (key: string): number | null | undefined => {
      const a = named.get(key);
      if (!a) return null;
      const v = a.value;
      const n = v.kind === "Number" && !v.percent && (!v.unit || /^epochs?$/.test(v.unit.text)) ? v.value : NaN;
      if (v.kind === "Number" && !(Math.abs(v.value) <= LIMITS.magnitude)) {
        tooLarge(ctx, v, `'${key}' of ${fn}(…)`);
        return undefined;
      }
      if (!Number.isInteger(n) || n < 0) {
        ctx.diagnostics.push(diagnostic("SBX2103", { attribute: `'${key}' of ${fn}(…)`, value: sourceOf(ctx, v.span) }, ctx.file, v.span));
        return undefined;
      }
      return n;
    };
    const from = epochArg("from");
    const until = epochArg("by");
    if (from === undefined || until === undefined) return null;
    return { level: "run", base: "bool", expr: { op: "temporal", fn, from, until, arg: arg.expr } };
  }

  // seeds.*
  const stat = fn.slice("seeds.".length) as (typeof SEED_STATISTICS)[number];
  const withLevel = stat === "lower" || stat === "upper";
  if (!rejectNamed(withLevel ? ["level"] : [])) return null;
  if (!arity(withLevel ? "a per-run value and an optional confidence level" : "one per-run value", positional.length === 1 || (withLevel && positional.length === 2))) return null;
  const arg = typeOf(ctx, positional[0]!.value);
  if (!arg) return null;
  if (arg.level === "seeds" || arg.level === "series") {
    ctx.diagnostics.push(
      diagnostic("SBX2106", { detail: arg.level === "series" ? `aggregate the series over epochs first, e.g. ${fn}(mean(toxicity))` : "seeds functions do not nest" }, ctx.file, positional[0]!.value.span),
    );
    return null;
  }
  const wanted: Base = stat === "share" ? "bool" : "number";
  if (arg.base !== wanted) return mismatch(ctx, positional[0]!.value, `${fn}(…)`, wanted);
  let level = 0.95;
  const levelExpr = positional[1]?.value ?? named.get("level")?.value;
  if (levelExpr) {
    const v = levelExpr.kind === "Number" && !levelExpr.unit ? (levelExpr.percent ? levelExpr.value / 100 : levelExpr.value) : NaN;
    if (!(v > 0 && v < 1)) {
      ctx.diagnostics.push(diagnostic("SBX3001", { attribute: `the confidence level of ${fn}`, bound: "strictly between 0 and 1 (e.g. 95%)", value: sourceOf(ctx, levelExpr.span) }, ctx.file, levelExpr.span));
      return null;
    }
    level = v;
  }
  return { level: "seeds", base: "number", expr: { op: "seeds", fn: stat, level, arg: arg.expr } };
}
