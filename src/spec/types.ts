/**
 * The vocabulary of the schema registry: each block kind and attribute of the
 * language, with its type, unit, range, default, one-line doc and the plan
 * key it lowers to. Mechanisms declare their blocks with it; the checker, the
 * lowering, completion, hover, import and the reference documentation all
 * read the registry built from them.
 */
import type { Code, ParamsOf } from "../diagnostics/catalogue.ts";
import type { BlockValues } from "./lower.ts";
import type { Profile, SliceBinding } from "./plan.ts";

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
  | { readonly t: "edges" }
  /** The name of a per-epoch metric of the registry (`toxicity`, `governance.audits`). */
  | { readonly t: "metric" }
  /** Names of population groups or agent kinds: `"honest"` or `["value", "momentum"]`; lowered as a list. */
  | { readonly t: "names" };

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
  /**
   * The reference sandbox's YAML key for the setting, as a path from the
   * document's root (`governance.audit_probability`; `agents[]` is every item
   * of the agents list). `sbx import` reads the key from here (src/import/schema.ts);
   * hover and language/SCHEMA.md show it.
   */
  readonly reference?: string;
  /**
   * The field of the grown-up sandbox's (SWARM's) configuration the setting
   * reproduces, where 0.1's YAML has no key for it. Hover and
   * language/SCHEMA.md show it; `sbx import` does not read it.
   */
  readonly swarmField?: string;
  /** Only meaningful for some values of a sibling enum (e.g. network parameters per topology). */
  readonly relevantWhen?: { readonly attr: string; readonly values: readonly string[] };
  /** The key it lowers to in its block's plan slice (absent: the attribute is not lowered field by field). */
  readonly key?: string;
  /** The value lowered when its block is absent or switched off, where that differs from the default (a tax rate of 0). */
  readonly off?: PlainValue;
  /**
   * Its mechanism reads it during the run, not only when the run starts, so a
   * parameter shock (a `perturbations` block) may change it mid-run.
   */
  readonly live?: boolean;
}

/** A problem a block's own cross-attribute rule finds (see BlockSpec.validate). */
export interface BlockProblem {
  readonly code: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The attribute to point at; the block's name (or kind) when absent or not written. */
  readonly attr?: string;
}

/** A checked block as its cross-attribute rule reads it: each attribute's value (its default when not written). */
export interface BlockView {
  value(name: string): PlainValue;
  /** Whether the attribute is written. */
  written(name: string): boolean;
  /** How many settings (dotted attributes) a settings block writes. */
  readonly settings: number;
}

/**
 * Where a block lowers to. A block with a `slice` owns that part of the plan
 * (its attributes' keys are the slice's fields); a nested block with a
 * `field` lowers into that field of its parent's slice, or — with `merge` —
 * into the parent's slice itself, its presence recorded under `presence`.
 */
export interface Lowering {
  readonly slice?: SliceBinding;
  readonly field?: string;
  readonly merge?: boolean;
  /** A boolean field recording whether the block is written (and not switched off). */
  readonly presence?: string;
  /**
   * The slice when the block is absent or switched off: its fields' defaults
   * (`off` where given), or null. (An optional slice — `optionalSlice` — is
   * left out of the plan instead.) A repeatable block with a slice lowers to
   * the list of its written blocks, each with its `name`.
   */
  readonly absent?: "defaults" | "null";
  /**
   * Agent kinds whose counted member is several agents (a Sybil entity and
   * its identities): each member is `count` (an attribute) agents, and their
   * params' `index` field numbers the member within its group, from 1.
   */
  readonly members?: { readonly count: string; readonly index: string };
  /**
   * A repeatable, named nested block lowers into `field` of its parent's
   * slice as a record from each block's name to its values.
   */
  readonly keyed?: boolean;
  /** Only the attributes (and nested blocks) actually written are lowered: overrides its consumer merges over other values. */
  readonly sparse?: boolean;
  /** A repeatable nested block lowers to a list at `field`: every written instance in order, a named one with its `name`. */
  readonly list?: boolean;
  /**
   * The mechanism's own pass over its lowered slice, for what the registry
   * cannot state: values that depend on others (a room's path to a room that
   * must exist), checks against the population. Returns the slice to plan.
   */
  readonly finish?: (slice: PlainValue | undefined, ctx: SliceContext) => PlainValue | undefined;
  /** Fields that are not language attributes, with their fixed values. */
  readonly fixed?: Readonly<Record<string, PlainValue>>;
  /** The compiler lowers this slice by hand (it needs the program: references, the prelude's tables). */
  readonly byCompiler?: boolean;
}

/** Where something was written. */
export interface Location {
  readonly file: string;
  readonly span: { readonly start: number; readonly end: number };
}

/** What a mechanism's `finish` pass sees of the scenario beyond its own slice. */
export interface SliceContext {
  /** The block as written (null when absent), with where each part was written. */
  readonly written: LocatedValues | null;
  /** The plan's agents, lowered. */
  readonly agents: readonly { readonly id: string; readonly kind: string; readonly group: string; readonly params: unknown }[];
  /** The scenario's name, where a problem without a better place is reported. */
  readonly scenario: Location;
  /** Where a population group was written. */
  group(name: string): Location | undefined;
  /** Reports a diagnostic of the catalogue (src/diagnostics/catalogue.ts). */
  report<C extends Code>(code: C, params: ParamsOf<C>, at: Location): void;
}

/** A written block's values, and where each attribute and nested block was written. */
export interface LocatedValues {
  value(name: string): PlainValue | undefined;
  /** The attribute's value expression (absent: the block's name or type); `items` descend into list elements, `[2, 0]` the first of the third. */
  at(name?: string, ...items: number[]): Location;
  child(kind: string): LocatedValues | undefined;
  children(kind: string): readonly { readonly name: string | null; readonly values: LocatedValues }[];
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
  /**
   * The reference sandbox's YAML key the block stands for, shown in hover. For
   * a block switched on by presence it is the switch (`governance.audit_enabled`),
   * whose value `sbx import` reads as the block's `enabled`.
   */
  readonly reference?: string;
  /** How the block lowers into the plan (absent: lowered by hand, or not at all). */
  readonly lower?: Lowering;
  /**
   * Checks of a scenario-level block against the rest of its scenario (a
   * market naming a population group, agents that need the block), run by
   * the compiler whether or not the block is written.
   */
  readonly check?: (ctx: BlockCheck) => void;
  /**
   * Its dotted attributes (`governance.audit.probability = 40%`) are settings
   * of the enclosing scenario, checked exactly as `--set` checks them and
   * lowered to plan changes `{ path, value }` in the field named here. Only
   * attributes marked `live` may be set.
   */
  readonly settings?: { readonly field: string };
  /** Rules between the block's attributes, checked after each value is (e.g. "exactly one schedule"). */
  readonly validate?: (block: BlockView) => readonly BlockProblem[];
}

/** A scenario's population group as a block check sees it. */
export interface CheckedGroup {
  readonly name: string;
  /** The plan kind of its agents (a declared policy's agents are `stochastic`). */
  readonly kind: string;
  readonly count: number;
  readonly values: BlockValues;
}

/** Where a finding points: an attribute or nested block of the checked block, a population group, or the block itself. */
export type CheckSite = { readonly attr: string } | { readonly child: string; readonly name: string | null } | { readonly group: string } | null;

/** What a block check sees and how it reports (codes from src/diagnostics/catalogue.ts). */
export interface BlockCheck {
  /** The block as written, or null when it is not. */
  readonly values: BlockValues | null;
  readonly groups: readonly CheckedGroup[];
  report<C extends Code>(code: C, params: ParamsOf<C>, at: CheckSite): void;
  /** The candidate close enough to `name` to be a misspelling of it, for "did you mean". */
  closest(name: string, candidates: Iterable<string>): string | null;
}

/** A mechanism block as written in a scenario, for a mechanism's scenario-level checks. */
export interface WrittenBlock {
  readonly kind: string;
  readonly name: string | null;
  /** Written and not switched off (`enabled = false`). */
  readonly on: boolean;
  /** The checked value of an attribute, or its default. */
  value(attr: string): PlainValue;
  /** Whether the attribute is written. */
  has(attr: string): boolean;
  /** A nested block, if written. */
  child(kind: string): WrittenBlock | undefined;
  /** Nested blocks of a repeatable kind, in source order. */
  children(kind: string): readonly WrittenBlock[];
}

/**
 * What a mechanism's `check` sees of a scenario once its population is
 * known: its groups, its written blocks, and a way to report diagnostics at
 * them (checks that need the whole scenario: a block naming a population
 * group, two blocks that contradict each other).
 */
export interface ScenarioFacts {
  readonly profile: Profile;
  /** Population groups in registration order: name, declared kind (an agent kind or a policy's name), agents. */
  readonly groups: readonly { readonly name: string; readonly kind: string; readonly agents: number }[];
  /** The written blocks of a kind, in the scenario, its governance or its population, in source order. */
  blocks(kind: string): readonly WrittenBlock[];
  /**
   * Reports a diagnostic at a block (its name, else its kind) or at one of its
   * attributes' values; `replacement` offers a fix replacing that value.
   */
  report<C extends Code>(code: C, params: ParamsOf<C>, at: WrittenBlock, attr?: string, replacement?: string): void;
}
