/**
 * Checking one attribute value against its registry type: from an expression
 * to a plain value, or diagnostics. Percentages, units, ranges and advice are
 * all enforced here, so every attribute is checked the same way.
 */
import type * as A from "../../language/ast.ts";
import { closest, diagnostic, replaceWith, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Distribution } from "../plan/schema.ts";
import type { AttrSpec, Bounds, PlainValue, ValueType } from "../registry/types.ts";
import { LIMITS, limitText } from "./limits.ts";
import { dottedName } from "../../language/ast.ts";
import { METRICS, metricDef } from "../metrics/registry.ts";

export interface ValueContext {
  readonly file: string;
  /** The file's text, for quoting what was written. */
  readonly text: string;
  readonly diagnostics: Diagnostic[];
  /** Resolves a reference to a declaration of `kind`; reports and returns false when it cannot. */
  readonly resolveRef: (kind: string, name: string, span: A.Span) => boolean;
}

const UNIT_ALIASES: Record<string, string> = { epoch: "epochs", epochs: "epochs", step: "steps", steps: "steps", seconds: "seconds", ms: "ms", tokens: "tokens", usd: "usd" };

export function typeName(type: ValueType): string {
  switch (type.t) {
    case "number":
      return type.int ? "a whole number" : "a number";
    case "probability":
      return "a probability (0..1 or a percentage)";
    case "bool":
      return "true or false";
    case "string":
      return "a string";
    case "enum":
      return `one of ${type.values.join(", ")}`;
    case "duration":
      return `a number of ${type.unit}`;
    case "ints":
      return "whole numbers (a list like [1, 2] or a range like 101..112)";
    case "ref":
      return `the name of a ${type.kind}`;
    case "distribution":
      return type.int ? "randint(a, b) or a whole number" : "uniform(a, b), randint(a, b) or a number";
    case "edges":
      return 'a list of edges like [["a", "b"], ["b", "c", 0.5]]';
    case "metric":
      return "the name of a per-epoch metric";
    case "names":
      return 'a name or a list of names, like "honest" or ["value", "momentum"]';
  }
}

export function describeExpr(expr: A.Expr): string {
  switch (expr.kind) {
    case "Number":
      return expr.percent ? "a percentage" : expr.unit ? `a number of ${expr.unit.text}` : "a number";
    case "String":
      return "a string";
    case "Bool":
      return "a boolean";
    case "Ident":
      return `the name '${expr.name}'`;
    case "List":
      return "a list";
    case "Range":
      return "a range";
    case "Call":
      return "a function call";
    case "Paren":
      return describeExpr(expr.expr);
    case "Missing":
      return "nothing";
    default:
      return "an expression";
  }
}

export function sourceOf(ctx: { text: string }, span: A.Span): string {
  const s = ctx.text.slice(span.start, span.end);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** A constant numeric expression: literals, unary minus and arithmetic. */
interface Num {
  readonly value: number;
  readonly percent: boolean;
  readonly unit: string | null;
  /** The division by zero inside it, if any: its value is then meaningless. */
  readonly divisionByZero?: A.Expr;
}

/** The value of a constant numeric expression (a percentage as a fraction), or null. */
export function constantNumber(expr: A.Expr): Num | null {
  return evalNumber(expr);
}

function evalNumber(expr: A.Expr): Num | null {
  switch (expr.kind) {
    case "Number":
      return { value: expr.percent ? expr.value / 100 : expr.value, percent: expr.percent, unit: expr.unit ? (UNIT_ALIASES[expr.unit.text] ?? expr.unit.text) : null };
    case "Paren":
      return evalNumber(expr.expr);
    case "Unary": {
      if (expr.op !== "-") return null;
      const inner = evalNumber(expr.arg);
      return inner && { ...inner, value: -inner.value };
    }
    case "Binary": {
      if (!["+", "-", "*", "/"].includes(expr.op)) return null;
      const l = evalNumber(expr.left);
      const r = evalNumber(expr.right);
      if (!l || !r) return null;
      const value = expr.op === "+" ? l.value + r.value : expr.op === "-" ? l.value - r.value : expr.op === "*" ? l.value * r.value : l.value / r.value;
      const divisionByZero = l.divisionByZero ?? r.divisionByZero ?? (expr.op === "/" && r.value === 0 ? expr : undefined);
      return { value, percent: l.percent || r.percent, unit: l.unit ?? r.unit, ...(divisionByZero ? { divisionByZero } : {}) };
    }
    default:
      return null;
  }
}

/**
 * Numbers the plan and the engine's arithmetic can carry: finite, at most
 * LIMITS.magnitude in size, no division by zero. Reports and returns false
 * otherwise. Checked before the whole-number check, so `1e309` is called too
 * large rather than fractional.
 */
export function checkMagnitude(ctx: { file: string; text: string; diagnostics: Diagnostic[] }, n: { value: number; divisionByZero?: A.Expr }, expr: A.Expr, label: string): boolean {
  if (n.divisionByZero) {
    ctx.diagnostics.push(diagnostic("SBX3019", { expr: sourceOf(ctx, n.divisionByZero.span) }, ctx.file, n.divisionByZero.span));
    return false;
  }
  if (Number.isFinite(n.value) && Math.abs(n.value) <= LIMITS.magnitude) return true;
  ctx.diagnostics.push(diagnostic("SBX2108", { value: sourceOf(ctx, expr.span), context: label, limit: limitText(LIMITS.magnitude) }, ctx.file, expr.span));
  return false;
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

function boundText(b: Bounds): string {
  const lo = b.min !== undefined ? formatNumber(b.min) : null;
  const hi = b.max !== undefined ? formatNumber(b.max) : null;
  if (lo !== null && hi !== null) return `between ${lo} and ${hi}`;
  if (lo !== null) return b.minExclusive ? `greater than ${lo}` : `at least ${lo}`;
  return `at most ${hi}`;
}

function violates(b: Bounds, v: number): boolean {
  if (b.min !== undefined && (b.minExclusive ? v <= b.min : v < b.min)) return true;
  return b.max !== undefined && v > b.max;
}

/** Check `expr` against an attribute's spec; undefined means an error was reported. */
export function checkAttrValue(ctx: ValueContext, spec: AttrSpec, expr: A.Expr, label: string): PlainValue | undefined {
  const value = checkValue(ctx, spec.type, expr, label);
  if (typeof value === "number") {
    if (spec.range && violates(spec.range, value)) {
      ctx.diagnostics.push(diagnostic("SBX3001", { attribute: label, bound: boundText(spec.range), value: sourceOf(ctx, expr.span) }, ctx.file, expr.span));
      return undefined;
    }
    if (spec.advise && violates(spec.advise, value)) {
      ctx.diagnostics.push(
        diagnostic("SBX3002", { attribute: label, value: sourceOf(ctx, expr.span), range: boundText(spec.advise), why: spec.advise.why }, ctx.file, expr.span),
      );
    }
  }
  return value;
}

export function checkValue(ctx: ValueContext, type: ValueType, expr: A.Expr, label: string): PlainValue | undefined {
  if (expr.kind === "Missing") return undefined;
  if (expr.kind === "Paren" && type.t !== "number" && type.t !== "probability" && type.t !== "duration") return checkValue(ctx, type, expr.expr, label);
  switch (type.t) {
    case "number":
    case "probability":
    case "duration": {
      const n = evalNumber(expr);
      if (!n) return reportMismatch(ctx, type, expr, label);
      if (!checkMagnitude(ctx, n, expr, label)) return undefined;
      if (n.percent && type.t !== "probability") {
        ctx.diagnostics.push(diagnostic("SBX2102", { attribute: label, unit: type.t === "duration" ? `a number of ${type.unit}` : "a plain number", found: "a percentage" }, ctx.file, expr.span));
        return undefined;
      }
      if (n.unit !== null && (type.t !== "duration" || n.unit !== type.unit)) {
        ctx.diagnostics.push(diagnostic("SBX2102", { attribute: label, unit: type.t === "duration" ? `a number of ${type.unit}` : "a plain number", found: `a number of ${n.unit}` }, ctx.file, expr.span));
        return undefined;
      }
      // Epochs and steps are whole; seconds may be fractional (a 0.5 s timeout).
      if (((type.t === "duration" && type.unit !== "seconds") || (type.t === "number" && type.int)) && !Number.isInteger(n.value)) {
        ctx.diagnostics.push(diagnostic("SBX2103", { attribute: label, value: sourceOf(ctx, expr.span) }, ctx.file, expr.span));
        return undefined;
      }
      return n.value;
    }
    case "bool":
      return expr.kind === "Bool" ? expr.value : reportMismatch(ctx, type, expr, label);
    case "string":
      return expr.kind === "String" ? expr.value : reportMismatch(ctx, type, expr, label);
    case "enum": {
      const word = expr.kind === "Ident" ? expr.name : expr.kind === "String" ? expr.value : null;
      if (word === null) return reportMismatch(ctx, type, expr, label);
      if (type.values.includes(word)) return word;
      const suggestion = closest(word, type.values);
      const replacement = suggestion && (/^[A-Za-z_][A-Za-z0-9_]*$/.test(suggestion) ? suggestion : JSON.stringify(suggestion));
      ctx.diagnostics.push(
        diagnostic("SBX2013", { value: word, attribute: label, values: type.values.join(", "), suggestion }, ctx.file, expr.span, {
          fixes: replacement ? [replaceWith(ctx.file, expr.span, replacement)] : [],
        }),
      );
      return undefined;
    }
    case "ints":
      return checkInts(ctx, expr, label);
    case "ref": {
      const word = expr.kind === "Ident" ? expr.name : expr.kind === "String" ? expr.value : null;
      if (word === null) return reportMismatch(ctx, type, expr, label);
      return ctx.resolveRef(type.kind, word, expr.span) ? word : undefined;
    }
    case "distribution":
      return checkDistribution(ctx, expr, label, type.int === true);
    case "edges":
      return checkEdges(ctx, expr, label);
    case "metric": {
      const name = expr.kind === "String" ? expr.value : dottedName(expr);
      if (name === null) return reportMismatch(ctx, type, expr, label);
      const def = metricDef(name);
      if (def?.shape === "series") return name;
      const suggestion = closest(name, METRICS.filter((m) => m.shape === "series").map((m) => m.name));
      ctx.diagnostics.push(diagnostic("SBX2004", { name, suggestion }, ctx.file, expr.span, { fixes: suggestion ? [replaceWith(ctx.file, expr.span, suggestion)] : [] }));
      return undefined;
    }
    case "names": {
      if (expr.kind === "String") return [expr.value];
      if (expr.kind !== "List" || !expr.items.every((item) => item.kind === "String")) return reportMismatch(ctx, type, expr, label);
      return expr.items.map((item) => (item as A.Expr & { kind: "String" }).value);
    }
  }
}

/** SBX2101 for checkValue. A function, not a closure made on every call: checkValue runs for every attribute of every block. */
function reportMismatch(ctx: ValueContext, type: ValueType, expr: A.Expr, label: string): undefined {
  ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected: typeName(type), found: describeExpr(expr) }, ctx.file, expr.span));
  return undefined;
}

function checkInts(ctx: ValueContext, expr: A.Expr, label: string): number[] | undefined {
  const int = (e: A.Expr): number | undefined => {
    const n = evalNumber(e);
    if (!n || n.percent || n.unit) {
      ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected: "whole numbers", found: describeExpr(e) }, ctx.file, e.span));
      return undefined;
    }
    if (!checkMagnitude(ctx, n, e, label)) return undefined;
    if (!Number.isInteger(n.value)) {
      ctx.diagnostics.push(diagnostic("SBX2103", { attribute: label, value: sourceOf(ctx, e.span) }, ctx.file, e.span));
      return undefined;
    }
    // Lists of whole numbers are seeds, and seeds are never negative (numpy's SeedSequence refuses them).
    if (n.value < 0) {
      ctx.diagnostics.push(diagnostic("SBX3001", { attribute: label, bound: "at least 0", value: sourceOf(ctx, e.span) }, ctx.file, e.span));
      return undefined;
    }
    return n.value;
  };
  if (expr.kind === "Range") {
    const from = int(expr.from);
    const to = int(expr.to);
    const step = expr.step ? int(expr.step) : 1;
    if (from === undefined || to === undefined || step === undefined) return undefined;
    if (step <= 0) {
      ctx.diagnostics.push(diagnostic("SBX3001", { attribute: `the step of ${label}`, bound: "at least 1", value: String(step) }, ctx.file, expr.step!.span));
      return undefined;
    }
    if (to < from) {
      ctx.diagnostics.push(diagnostic("SBX3008", { range: sourceOf(ctx, expr.span) }, ctx.file, expr.span));
      return undefined;
    }
    // Counted before it is expanded: `1..100000000` must not allocate a hundred million seeds.
    const count = Math.floor((to - from) / step) + 1;
    if (count > LIMITS.seeds) {
      ctx.diagnostics.push(diagnostic("SBX3017", { what: `${label} = ${sourceOf(ctx, expr.span)}`, count: limitText(count), limit: limitText(LIMITS.seeds) }, ctx.file, expr.span));
      return undefined;
    }
    const out: number[] = [];
    for (let v = from; v <= to; v += step) out.push(v);
    return out;
  }
  if (expr.kind === "List") {
    const out: number[] = [];
    let ok = true;
    for (const item of expr.items) {
      const v = int(item);
      if (v === undefined) ok = false;
      else out.push(v);
    }
    if (ok && out.length > LIMITS.seeds) {
      ctx.diagnostics.push(diagnostic("SBX3017", { what: label, count: limitText(out.length), limit: limitText(LIMITS.seeds) }, ctx.file, expr.span));
      return undefined;
    }
    return ok ? out : undefined;
  }
  const single = int(expr);
  return single === undefined ? undefined : [single];
}

function checkDistribution(ctx: ValueContext, expr: A.Expr, label: string, int: boolean): Distribution | undefined {
  const n = evalNumber(expr);
  if (n) {
    if (!checkMagnitude(ctx, n, expr, label)) return undefined;
    if (n.percent || n.unit) {
      ctx.diagnostics.push(diagnostic("SBX2102", { attribute: label, unit: "a plain number", found: n.percent ? "a percentage" : `a number of ${n.unit!}` }, ctx.file, expr.span));
      return undefined;
    }
    if (int && !Number.isInteger(n.value)) {
      ctx.diagnostics.push(diagnostic("SBX2103", { attribute: label, value: sourceOf(ctx, expr.span) }, ctx.file, expr.span));
      return undefined;
    }
    return { dist: "constant", value: n.value };
  }
  if (expr.kind !== "Call" || expr.callee.kind !== "Ident") {
    ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected: int ? "randint(a, b) or a whole number" : "uniform(a, b), randint(a, b) or a number", found: describeExpr(expr) }, ctx.file, expr.span));
    return undefined;
  }
  const fn = expr.callee.name;
  const allowed = int ? ["randint"] : ["uniform", "randint"];
  if (!allowed.includes(fn)) {
    const suggestion = closest(fn, allowed);
    if (!int || fn !== "uniform") {
      ctx.diagnostics.push(diagnostic("SBX2014", { name: fn, suggestion }, ctx.file, expr.callee.span, { fixes: suggestion ? [replaceWith(ctx.file, expr.callee.span, suggestion)] : [] }));
    } else {
      ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected: "whole numbers: randint(a, b)", found: "uniform(…)" }, ctx.file, expr.span));
    }
    return undefined;
  }
  if (expr.args.length !== 2) {
    ctx.diagnostics.push(diagnostic("SBX2105", { name: fn, expected: "2 arguments (low, high)", found: expr.args.length }, ctx.file, expr.span));
    return undefined;
  }
  const [lo, hi] = expr.args.map((a) => evalNumber(a.value));
  if (!lo || !hi || lo.percent || hi.percent || lo.unit || hi.unit) {
    ctx.diagnostics.push(diagnostic("SBX2101", { context: `${fn}(…) in ${label}`, expected: "two numbers", found: "something else" }, ctx.file, expr.span));
    return undefined;
  }
  if (!checkMagnitude(ctx, lo, expr.args[0]!.value, `${fn}(…) in ${label}`) || !checkMagnitude(ctx, hi, expr.args[1]!.value, `${fn}(…) in ${label}`)) return undefined;
  if (hi.value < lo.value) {
    ctx.diagnostics.push(diagnostic("SBX3008", { range: sourceOf(ctx, expr.span) }, ctx.file, expr.span));
    return undefined;
  }
  if (fn === "randint") {
    if (!Number.isInteger(lo.value) || !Number.isInteger(hi.value)) {
      ctx.diagnostics.push(diagnostic("SBX2103", { attribute: `the bounds of randint in ${label}`, value: sourceOf(ctx, expr.span) }, ctx.file, expr.span));
      return undefined;
    }
    return { dist: "randint", low: lo.value, high: hi.value };
  }
  return { dist: "uniform", low: lo.value, high: hi.value };
}

function checkEdges(ctx: ValueContext, expr: A.Expr, label: string): [string, string, number][] | undefined {
  if (expr.kind !== "List") {
    ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected: typeName({ t: "edges" }), found: describeExpr(expr) }, ctx.file, expr.span));
    return undefined;
  }
  const out: [string, string, number][] = [];
  for (const item of expr.items) {
    const parts = item.kind === "List" ? item.items : null;
    const a = parts?.[0];
    const b = parts?.[1];
    const w = parts?.[2] ? evalNumber(parts[2]) : { value: 1, percent: false, unit: null };
    if (w && parts?.[2] && !checkMagnitude(ctx, w, parts[2], `an edge weight of ${label}`)) return undefined;
    if (!parts || parts.length < 2 || parts.length > 3 || a?.kind !== "String" || b?.kind !== "String" || !w || w.percent || w.unit || w.value < 0) {
      ctx.diagnostics.push(diagnostic("SBX2101", { context: `an edge of ${label}`, expected: '["agent", "agent"] or ["agent", "agent", weight ≥ 0]', found: describeExpr(item) }, ctx.file, item.span));
      return undefined;
    }
    out.push([a.value, b.value, w.value]);
  }
  return out;
}
