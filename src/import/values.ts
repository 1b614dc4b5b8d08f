/**
 * A YAML value read for a registry setting. The YAML scalar becomes the .sbx
 * expression it spells, and the compiler's own value check
 * (src/compiler/values.ts: whole numbers, magnitudes, ranges, allowed words)
 * judges it — run on the YAML text, so that its diagnostics name the YAML
 * key and point at the YAML value. What stays here is what the compiler
 * cannot see: which YAML scalars can spell a value of each type at all.
 */
import { isScalar, type Scalar } from "yaml";
import type * as A from "../../language/ast.ts";
import { checkAttrValue, type ValueContext } from "../compiler/values.ts";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { AttrSpec, PlainValue, ValueType } from "../registry/types.ts";
import type { Style } from "./schema.ts";
import { describeYaml, type Entry } from "./yaml-tree.ts";

export interface Value {
  readonly value: PlainValue;
  /** The value as .sbx source. */
  readonly text: string;
}

export interface ReadContext {
  readonly file: string;
  readonly text: string;
  readonly diagnostics: Diagnostic[];
}

const SBX_NUMBER = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

export function typeError(ctx: ReadContext, label: string, expected: string, e: Entry): undefined {
  ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected, found: describeYaml(e.value) }, ctx.file, e.valueSpan.end > e.valueSpan.start ? e.valueSpan : e.keySpan));
  return undefined;
}

/** What a YAML value must be to spell a value of `type`, in the YAML's terms. */
function expectedText(type: ValueType): string {
  switch (type.t) {
    case "number":
      return type.int ? "a whole number" : "a number";
    case "probability":
      return "a number from 0 to 1";
    case "duration":
      return "a whole number";
    case "bool":
      return "true or false";
    case "string":
      return "a string";
    default:
      return "a word";
  }
}

/** The number as .sbx source: as written in the YAML when that is valid .sbx and exact, else its shortest form. */
export function numberText(value: number, written: string | undefined, percent = false): string {
  if (percent) {
    const scaled = String(Number((value * 100).toPrecision(12)));
    if (/^\d+(\.\d{1,4})?$/.test(scaled) && Number(scaled) / 100 === value) return `${scaled}%`;
  }
  if (written !== undefined) {
    const negative = written.startsWith("-");
    const digits = negative ? written.slice(1) : written.startsWith("+") ? written.slice(1) : written;
    if (SBX_NUMBER.test(digits) && (negative ? -Number(digits) : Number(digits)) === value) return negative ? `-${digits}` : digits;
  }
  const abs = String(Math.abs(value));
  return value < 0 || Object.is(value, -0) ? `-${abs}` : abs;
}

/** A .sbx string literal; multi-line text keeps its escapes on one line. */
export function stringText(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff) || code === 0x2028 || code === 0x2029) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The text of a scalar meant as a string: plain scalars as written (`yes` stays "yes"), quoted ones by value. */
export function scalarString(node: Scalar): string | null {
  if (node.value === null || typeof node.value === "object") return null;
  if (node.type === "PLAIN" && typeof node.source === "string") return node.source;
  return String(node.value);
}

export const isNull = (e: Entry): boolean => e.value === null || (isScalar(e.value) && e.value.value === null);

/**
 * The .sbx expression a YAML scalar spells for `type`, at the YAML value's
 * place; a message when it spells none.
 */
function expressionOf(node: Scalar, type: ValueType, span: A.Span, style: Style): A.Expr | string {
  const v = node.value;
  switch (type.t) {
    case "number":
    case "probability":
    case "duration":
      if (typeof v !== "number") return expectedText(type);
      if (!Number.isFinite(v)) return "a finite number";
      return { kind: "Number", value: v, raw: node.source ?? String(v), percent: false, unit: null, span };
    case "bool":
      return typeof v === "boolean" ? { kind: "Bool", value: v, span } : expectedText(type);
    case "string": {
      const s = scalarString(node);
      return s === null ? expectedText(type) : { kind: "String", value: s, triple: false, span };
    }
    case "enum":
    case "ref": {
      const s = scalarString(node);
      if (s === null || typeof v !== "string") return expectedText(type);
      // A word the loader's lower-casing makes valid is taken lower-cased; any other is quoted as written.
      const lower = s.toLowerCase();
      const word = style.lower && type.t === "enum" && type.values.includes(lower) ? lower : s;
      return { kind: "String", value: word, triple: false, span };
    }
    default:
      return expectedText(type);
  }
}

/**
 * Read a YAML value for a registry attribute. Undefined after an error; null
 * for an explicit null where the attribute allows none.
 */
export function read(ctx: ReadContext, e: Entry, label: string, spec: AttrSpec, style: Style = {}): Value | null | undefined {
  const node = isScalar(e.value) ? e.value : null;
  if (isNull(e) && spec.default === null) return null;
  if (!node || isNull(e)) return typeError(ctx, label, expectedText(spec.type), e);
  const type: ValueType = style.words ? { t: "enum", values: style.words } : spec.type;
  const expr = expressionOf(node, type, e.valueSpan, style);
  if (typeof expr === "string") return typeError(ctx, label, expr, e);
  // Advice is about the .sbx written, so it is reported when the output compiles (verify.ts).
  const { advise: _advice, ...checked } = spec;
  const values: ValueContext = { ...ctx, resolveRef: () => true };
  const value = checkAttrValue(values, { ...checked, type }, expr, label);
  if (value === undefined) return undefined;
  if (typeof value === "number") {
    const text = type.t === "duration" ? `${numberText(value, undefined)} ${type.unit}` : numberText(value, node.source, style.percent === true && type.t === "probability");
    return { value, text };
  }
  if (typeof value === "string") return { value, text: type.t === "string" ? stringText(value) : value };
  return { value, text: String(value) };
}
