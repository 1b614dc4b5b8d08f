/**
 * Types of the schema registry: each block kind and attribute of the language,
 * with its type, unit, range, default and one-line doc. The checker, the
 * lowering, completion, hover and the reference documentation all read it.
 */
import type { Profile } from "../plan/schema.ts";

export type ValueType =
  | { readonly t: "number"; readonly int?: boolean }
  | { readonly t: "probability" }
  | { readonly t: "bool" }
  | { readonly t: "string" }
  | { readonly t: "enum"; readonly values: readonly string[] }
  /** A whole number of some unit, written `2 epochs` or plainly `2`. */
  | { readonly t: "duration"; readonly unit: "epochs" | "steps" | "seconds" }
  /** Whole numbers given as a list `[1, 2]` or an inclusive range `101..112`. */
  | { readonly t: "ints" }
  /** A name declared elsewhere: a persona, a policy, a preset. */
  | { readonly t: "ref"; readonly kind: string }
  /** `uniform(a, b)`, `randint(a, b)` or a constant. */
  | { readonly t: "distribution"; readonly int?: boolean }
  /** Custom network edges: `[["a", "b"], ["b", "c", 0.5]]`. */
  | { readonly t: "edges" };

export interface Bounds {
  readonly min?: number;
  readonly max?: number;
  /** The bound itself is excluded (e.g. a weight must be > 0). */
  readonly minExclusive?: boolean;
}

export interface Advice extends Bounds {
  /** Where the advice comes from, shown in the warning. */
  readonly why: string;
}

/** A setting accepted by every profile but acting only in some. */
export interface Inertness {
  readonly profiles: readonly Profile[];
  readonly why: string;
}

export type PlainValue = number | boolean | string | null | readonly number[] | readonly unknown[] | { readonly [k: string]: unknown };

export interface AttrSpec {
  readonly name: string;
  readonly type: ValueType;
  readonly doc: string;
  /** Display unit for hover and docs ("probability", "epochs", "USD"). */
  readonly unit?: string;
  /** The default when absent; `undefined` means required, `null` means "none". */
  readonly default?: PlainValue;
  readonly range?: Bounds;
  readonly advise?: Advice;
  readonly inert?: Inertness;
  /** The reference sandbox's name for the setting, for hover and `sbx import`. */
  readonly reference?: string;
  /** Only meaningful for some values of a sibling enum (e.g. network parameters per topology). */
  readonly relevantWhen?: { readonly attr: string; readonly values: readonly string[] };
}

export interface BlockSpec {
  readonly kind: string;
  readonly doc: string;
  readonly attrs: readonly AttrSpec[];
  /** Nested block kinds, by kind. */
  readonly blocks: readonly BlockSpec[];
  /** Whether the block takes a name: `persona careful { … }`. */
  readonly named: "required" | "optional" | "none";
  /** How `extends` combines an inherited block with this one. `record`: attribute by attribute; `replace`: wholesale. */
  readonly merge: "record" | "replace";
  /** Several blocks of this kind may appear side by side (keyed by name). */
  readonly repeatable?: boolean;
  /** Statements the block holds: success criteria or sweep variations. */
  readonly statements?: "criteria" | "vary";
  /** May be declared at top level with a name and reused via `extends`. */
  readonly preset?: boolean;
  /** A lever or feature switched on by writing the block; `enabled = false` switches it off. */
  readonly enabledByPresence?: boolean;
  /** Inert in some profiles as a whole. */
  readonly inert?: Inertness;
  /** Words to show in hover, e.g. the reference YAML key it replaces. */
  readonly reference?: string;
}
