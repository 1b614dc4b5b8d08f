/**
 * Lowering a block to its plan slice, driven by the registry: every keyed
 * attribute becomes its field (its written value, else its default — or its
 * `off` value where the block is absent or switched off); nested blocks
 * lower into a field of the slice or merge into it; `fixed` fields are added
 * as they are. The compiler lowers scenarios this way, and a mechanism can
 * build a block's defaults the same way (a fallback agent's params).
 */
import type { BlockSpec, PlainValue } from "./types.ts";

/** A checked block as lowering reads it. */
export interface BlockValues {
  /** The attribute's checked value, if written. */
  value(name: string): PlainValue | undefined;
  /** A nested block, if written. */
  child(kind: string): BlockValues | undefined;
  /** Nested blocks of a repeatable kind, in order, with their names. */
  children(kind: string): readonly { readonly name: string | null; readonly values: BlockValues }[];
  /** The block is written and not switched off (`enabled = false`). */
  readonly on: boolean;
  /** A settings block's dotted attributes as plan changes (BlockSpec.settings), checked by the compiler. */
  settings?(): PlainValue;
}

/**
 * The slice a block lowers to: `values` null when the block is not written.
 * `resolve` turns a reference's name into the value it lowers to (a persona).
 */
export function lowerBlock(spec: BlockSpec, values: BlockValues | null, resolve?: (kind: string, name: string) => PlainValue): PlainValue {
  if (!(values?.on ?? false) && spec.lower?.absent === "null") return null;
  const out: Record<string, PlainValue> = {};
  fill(spec, values, out, resolve);
  return out;
}

/** Written values are kept even in a block switched off; only `off` values replace them there. */
function fill(spec: BlockSpec, values: BlockValues | null, out: Record<string, PlainValue>, resolve?: (kind: string, name: string) => PlainValue): void {
  const on = values?.on ?? false;
  for (const a of spec.attrs) {
    if (a.key === undefined) continue;
    let v: PlainValue = !on && a.off !== undefined ? a.off : (values?.value(a.name) ?? a.default ?? null);
    if (a.type.t === "ref" && typeof v === "string" && resolve) v = resolve(a.type.kind, v);
    out[a.key] = v;
  }
  const fixed = spec.lower?.fixed;
  if (fixed) for (const key of Object.keys(fixed)) out[key] = fixed[key]!;
  if (spec.lower?.presence) out[spec.lower.presence] = on;
  if (spec.settings) out[spec.settings.field] = values?.settings?.() ?? [];
  for (const nested of spec.blocks) {
    const how = nested.lower;
    if (!how) continue;
    if (how.keyed && how.field) {
      // Repeatable named blocks: a record from name to values, in the order written.
      const record: Record<string, PlainValue> = {};
      for (const c of values?.children(nested.kind) ?? []) {
        const sub: Record<string, PlainValue> = {};
        if (how.sparse) fillSparse(nested, c.values, sub);
        else fill(nested, c.values, sub, resolve);
        record[c.name ?? nested.kind] = sub;
      }
      out[how.field] = record;
      continue;
    }
    if (how.list && how.field) {
      // Repeatable blocks: a list of every written one, in order, a named one with its `name`.
      out[how.field] = (values?.children(nested.kind) ?? []).map((c) => {
        const item: Record<string, PlainValue> = c.name === null ? {} : { name: c.name };
        fill(nested, c.values, item, resolve);
        return item;
      });
      continue;
    }
    const child = values?.child(nested.kind) ?? null;
    if (how.merge) fill(nested, child, out, resolve);
    else if (how.field && !child && how.absent === "null") out[how.field] = null;
    else if (how.field) {
      const sub: Record<string, PlainValue> = {};
      fill(nested, child, sub, resolve);
      out[how.field] = sub;
    }
  }
}

/** One written block of a kind, with its name. */
export interface WrittenValues {
  readonly name: string | null;
  readonly values: BlockValues;
}

/**
 * What a mechanism's block puts at its slice's path: the block lowered (its
 * defaults when absent), or — for a repeatable block — the list of its
 * written blocks, each with its `name`. `undefined` when the slice is left
 * out of the plan (an optional slice, nothing written or switched off).
 */
export function lowerSlice(spec: BlockSpec, written: readonly WrittenValues[]): PlainValue | undefined {
  // An optional slice (optionalSlice) stays out of plans that do not write its block, or switch it off.
  const omit = spec.lower?.slice?.optional === true;
  if (spec.repeatable) {
    const on = written.filter((w) => w.values.on);
    if (on.length === 0 && omit) return undefined;
    return on.map((w) => ({ name: w.name, ...(lowerBlock(spec, w.values) as Record<string, PlainValue>) }));
  }
  const values = written[0]?.values ?? null;
  if (omit && !(values?.on ?? false)) return undefined;
  return lowerBlock(spec, values);
}

/** Only what is written: attributes set in the block and nested blocks written in it (sparse themselves). */
function fillSparse(spec: BlockSpec, values: BlockValues, out: Record<string, PlainValue>): void {
  for (const a of spec.attrs) {
    if (a.key === undefined) continue;
    const v = values.value(a.name);
    if (v !== undefined) out[a.key] = v;
  }
  for (const nested of spec.blocks) {
    const how = nested.lower;
    if (!how?.field) continue;
    const child = values.child(nested.kind);
    if (!child) continue;
    const sub: Record<string, PlainValue> = {};
    fillSparse(nested, child, sub);
    out[how.field] = sub;
  }
}
