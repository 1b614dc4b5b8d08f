/**
 * Builders for registry entries. A block that lowers to a plan slice takes
 * its attributes' ranges from the slice's zod schema, so a range is stated
 * once — in the plan's schema — and the checker, hover and the docs read it
 * from there.
 */
import { z } from "zod";
import type { AttrSpec, BlockSpec, Bounds, PlainValue, ValueType } from "./types.ts";

export const PROB: ValueType = { t: "probability" };
export const NUM: ValueType = { t: "number" };
export const INT: ValueType = { t: "number", int: true };
export const BOOL: ValueType = { t: "bool" };
export const STR: ValueType = { t: "string" };
export const NAMES: ValueType = { t: "names" };
export const enumOf = (values: readonly string[]): ValueType => ({ t: "enum", values });

export const NON_NEG: Bounds = { min: 0 };
export const POSITIVE: Bounds = { min: 0, minExclusive: true };
export const UNIT_INTERVAL: Bounds = { min: 0, max: 1 };

export const SWARM = ["swarm-0.1"] as const;

export const attr = (name: string, type: ValueType, doc: string, more: Partial<AttrSpec> = {}): AttrSpec => ({ name, type, doc, ...more });

/** A probability attribute (its range is [0, 1] by its type). */
export const prob = (name: string, def: number, doc: string, more: Partial<AttrSpec> = {}): AttrSpec =>
  attr(name, PROB, doc, { default: def, unit: "probability", range: UNIT_INTERVAL, ...more });

export const enabled = (doc = "Switch the block off without deleting it (handy in sweeps)."): AttrSpec => attr("enabled", BOOL, doc, { default: true });

export function block(kind: string, doc: string, attrs: AttrSpec[], more: Partial<BlockSpec> = {}): BlockSpec {
  const spec: BlockSpec = { kind, doc, attrs, blocks: [], named: "none", merge: "record", ...more };
  const schema = spec.lower?.slice?.schema;
  return schema ? withRanges(spec, schema) : spec;
}

/** A governance lever: switched on by writing its block, off with `enabled = false`. */
export const lever = (kind: string, doc: string, attrs: AttrSpec[], more: Partial<BlockSpec> = {}): BlockSpec =>
  block(kind, doc, [enabled(), ...attrs], { enabledByPresence: true, ...more });

/** The spec with every keyed attribute's range read from the schema it lowers into (nested blocks too). */
function withRanges(spec: BlockSpec, schema: z.ZodType): BlockSpec {
  const shape = objectShape(schema);
  if (!shape) return spec;
  const attrs = spec.attrs.map((a) => {
    const field = a.key === undefined ? undefined : shape[a.key];
    const range = field ? rangeOf(field) : undefined;
    return range ? { ...a, range } : a;
  });
  const blocks = spec.blocks.map((b) => {
    const target = b.lower?.merge ? schema : b.lower?.field ? itemOf(shape[b.lower.field]) : undefined;
    return target ? withRanges(b, target) : b;
  });
  // A block shared by several parents (observables) stays one object where nothing changed.
  const same = attrs.every((a, i) => a === spec.attrs[i]) && blocks.every((b, i) => b === spec.blocks[i]);
  return same ? spec : { ...spec, attrs, blocks };
}

/** A list field's item schema (a repeatable block lowers into a list, Lowering.list); any other schema as it is. */
function itemOf(schema: z.ZodType | undefined): z.ZodType | undefined {
  const inner = schema && unwrap(schema);
  return inner instanceof z.ZodArray ? (inner.element as z.ZodType) : schema;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  let inner = unwrap(schema);
  // A repeatable block's slice is a list of its blocks.
  if (inner instanceof z.ZodArray) inner = unwrap(inner.element as z.ZodType);
  // Keyed blocks (markets by name) lower into a record: their ranges are its values'.
  if (inner instanceof z.ZodRecord) inner = unwrap(inner._zod.def.valueType as z.ZodType);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : null;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodNullable || s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

/** The bounds a number schema enforces (null: none, or not a number). */
export function rangeOf(schema: z.ZodType): Bounds | undefined {
  const s = unwrap(schema);
  if (!(s instanceof z.ZodNumber)) return undefined;
  let bounds: { min?: number; max?: number; minExclusive?: boolean } = {};
  for (const check of s._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: number; inclusive?: boolean };
    if (def.check === "greater_than" && def.value !== undefined) bounds = { ...bounds, min: def.value, ...(def.inclusive ? {} : { minExclusive: true }) };
    if (def.check === "less_than" && def.value !== undefined) bounds = { ...bounds, max: def.value };
  }
  return bounds.min === undefined && bounds.max === undefined ? undefined : bounds;
}

/** The default of every keyed attribute, as its block's slice would hold it. */
export function defaults(spec: BlockSpec): Record<string, PlainValue> {
  return Object.fromEntries(spec.attrs.filter((a) => a.key !== undefined).map((a) => [a.key!, a.default ?? null]));
}
