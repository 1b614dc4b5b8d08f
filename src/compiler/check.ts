/**
 * Registry-driven checking of a model block tree: unknown names, value types,
 * ranges and advice, settings that are inert in the selected profile, and
 * settings that do not apply to the chosen topology. Produces a checked tree
 * whose `get` falls back to the registry default.
 */
import type * as A from "../../language/ast.ts";
import { closest, diagnostic, replaceWith, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Code } from "../diagnostics/catalogue.ts";
import type { Profile } from "../plan/schema.ts";
import { ARM, POPULATION } from "../registry/blocks.ts";
import type { AttrSpec, BlockSpec, PlainValue } from "../registry/types.ts";
import { scopeModule, type MAttr, type MBlock, type ModelContext } from "./model.ts";
import { lookup } from "./program.ts";
import { checkAttrValue, type ValueContext } from "./values.ts";

export interface CBlock {
  readonly model: MBlock;
  readonly spec: BlockSpec;
  readonly kind: string;
  readonly name: string | null;
  /** Dotted path from the declaration root, for messages. */
  readonly path: string;
  readonly values: ReadonlyMap<string, PlainValue>;
  readonly blocks: readonly CBlock[];
}

export interface CheckOptions {
  /** The profile the scenario runs with; inertness is only reported when known. */
  readonly profile?: Profile;
  /** Report inert settings only where they are written in these files (the entry files), not in inherited presets. */
  readonly inertIn?: ReadonlySet<string>;
}

export function attrSpec(spec: BlockSpec, name: string): AttrSpec | undefined {
  return attrIndex(spec).byName.get(name);
}

/** A block kind's attributes by name (the first of each), and those without a default, in registry order. */
interface AttrIndex {
  readonly byName: Map<string, AttrSpec>;
  readonly required: readonly AttrSpec[];
}

function attrIndex(spec: BlockSpec): AttrIndex {
  let index = ATTR_INDEX.get(spec);
  if (!index) {
    const byName = new Map<string, AttrSpec>();
    for (const a of spec.attrs) if (!byName.has(a.name)) byName.set(a.name, a);
    ATTR_INDEX.set(spec, (index = { byName, required: spec.attrs.filter((a) => a.default === undefined) }));
  }
  return index;
}

/** Each block kind's attribute index (the registry is fixed; checking asks for it constantly). */
const ATTR_INDEX = new WeakMap<BlockSpec, AttrIndex>();

/** The checked value, or the registry default (null when it has none). */
export function get(block: CBlock, name: string): PlainValue {
  // One lookup: a checked value is never undefined (checkBlock keeps only values it has).
  const value = block.values.get(name);
  if (value !== undefined) return value;
  const spec = attrSpec(block.spec, name);
  return spec?.default ?? null;
}

export function isSet(block: CBlock, name: string): boolean {
  return block.model.attrs.has(name);
}

export function child(block: CBlock, kind: string): CBlock | undefined {
  return block.blocks.find((b) => b.kind === kind);
}

export function children(block: CBlock, kind: string): CBlock[] {
  return block.blocks.filter((b) => b.kind === kind);
}

export function textOf(ctx: ModelContext, file: string): string {
  return ctx.program.modules.get(file)?.text ?? ctx.overrideTexts?.get(file) ?? "";
}

/**
 * The value context for checking values written in `file` (one per compilation
 * context and file: checking asks for it in every block).
 */
export function valueContext(ctx: ModelContext, file: string): ValueContext {
  let byFile = VALUE_CONTEXTS.get(ctx);
  if (!byFile) VALUE_CONTEXTS.set(ctx, (byFile = new Map()));
  let context = byFile.get(file);
  if (!context) byFile.set(file, (context = newValueContext(ctx, file)));
  return context;
}

const VALUE_CONTEXTS = new WeakMap<ModelContext, Map<string, ValueContext>>();

function newValueContext(ctx: ModelContext, file: string): ValueContext {
  return {
    file,
    text: textOf(ctx, file),
    diagnostics: ctx.diagnostics,
    resolveRef: (kind, name, span) => {
      const found = lookup(ctx.program, scopeModule(ctx, file), kind, name);
      if (found) {
        ctx.symbols.reference(file, span, found);
        return true;
      }
      const names = new Set<string>();
      for (const m of ctx.program.modules.values()) for (const d of m.declarations) if (d.kind === kind) names.add(d.name);
      const suggestion = closest(name, names);
      const fixes = suggestion ? [replaceWith(file, span, suggestion)] : [];
      if (kind === "persona") ctx.diagnostics.push(diagnostic("SBX2005", { name, suggestion }, file, span, { fixes }));
      else ctx.diagnostics.push(diagnostic("SBX2006", { what: kind, name, suggestion }, file, span, { fixes }));
      return false;
    },
  };
}

export function checkBlock(ctx: ModelContext, block: MBlock, path: string, options: CheckOptions): CBlock {
  const values = new Map<string, PlainValue>();
  let context: ValueContext | undefined;
  /** Whether the loop below left an attribute whose relevance (`relevantWhen`) the next loop must look at. */
  let relevance = false;
  const index = attrIndex(block.spec);
  // forEach, not a for-of: a Map's iterator made a result object per attribute (an entries pair too), and this runs for every block.
  block.attrs.forEach((attr, name) => {
    if (block.spec === ARM || (block.spec.settings && attr.path)) {
      relevance = true;
      return;
    }
    const spec = index.byName.get(name);
    if (!spec) {
      reportUnknownAttribute(ctx, block, attr);
      return;
    }
    if (spec.relevantWhen) relevance = true;
    // A block's attributes are nearly always from one file: one value context serves them all.
    if (!context || context.file !== attr.file) context = valueContext(ctx, attr.file);
    const value = checkAttrValue(context, spec, attr.expr, labelOf(path, name));
    if (value !== undefined) values.set(name, value);
    if (spec.inert && options.profile && spec.inert.profiles.includes(options.profile) && (!options.inertIn || options.inertIn.has(attr.file))) {
      ctx.diagnostics.push(diagnostic("SBX3003", { attribute: labelOf(path, name), profile: options.profile, why: spec.inert.why }, attr.file, attr.nameSpan));
    }
  });
  if (relevance) {
    block.attrs.forEach((attr, name) => {
      const when = index.byName.get(name)?.relevantWhen;
      if (!when) return;
      const sibling = values.get(when.attr) ?? index.byName.get(when.attr)?.default;
      if (typeof sibling === "string" && !when.values.includes(sibling)) {
        ctx.diagnostics.push(diagnostic("SBX3006", { attribute: labelOf(path, name), topology: sibling }, attr.file, attr.nameSpan));
      }
    });
  }
  if (block.spec.validate && block.node) validateBlock(ctx, block, values);
  if (block.spec.inert && options.profile && block.spec.inert.profiles.includes(options.profile) && block.node && values.get("enabled") !== false && (!options.inertIn || options.inertIn.has(block.file))) {
    ctx.diagnostics.push(diagnostic("SBX3003", { attribute: path || block.kind, profile: options.profile, why: block.spec.inert.why }, block.file, block.node.type.span));
  }
  if (block.node) {
    for (const spec of index.required) {
      if (block.attrs.has(spec.name)) continue;
      const what = block.name && block.spec !== POPULATION ? `${block.kind} '${block.name}'` : `'${block.kind}'`;
      ctx.diagnostics.push(diagnostic("SBX3005", { context: what, what: `'${spec.name}' (${spec.doc.replace(/\.$/, "").toLowerCase()})` }, block.file, (block.node.name ?? block.node.type).span));
    }
  }
  // Mapped, not pushed: an array of its own length (pushing left room for 16 more in every block's list).
  const checkedChildren = block.blocks.map((c) => checkBlock(ctx, c, childPath(path, c, block), options));
  for (const statement of block.statements) {
    if (block.spec.statements) continue;
    const what = statement.node.kind === "Vary" ? "'vary'" : "a criterion";
    const hint = statement.node.kind === "Vary" ? "; 'vary' belongs in a sweep" : "; criteria belong in an 'expect' block";
    ctx.diagnostics.push(diagnostic("SBX3007", { what, context: path || `'${block.kind}'`, hint }, statement.file, statement.node.span));
  }
  if (block.spec.statements === "criteria") {
    for (const statement of block.statements) {
      if (statement.node.kind === "Vary") {
        ctx.diagnostics.push(diagnostic("SBX3007", { what: "'vary'", context: "'expect'", hint: "; 'vary' belongs in a sweep" }, statement.file, statement.node.span));
      }
    }
  }
  return { model: block, spec: block.spec, kind: block.kind, name: block.name, path, values, blocks: checkedChildren };
}

function labelOf(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function childPath(path: string, c: MBlock, parent: MBlock): string {
  const segment = parent.spec === POPULATION || c.spec.repeatable ? (c.name ?? c.kind) : c.kind;
  return path ? `${path}.${segment}` : segment;
}

/** A block's own rules between its attributes (BlockSpec.validate), reported at the attribute they name. */
function validateBlock(ctx: ModelContext, block: MBlock, values: ReadonlyMap<string, PlainValue>): void {
  const view = {
    value: (name: string): PlainValue => (values.has(name) ? values.get(name)! : (attrSpec(block.spec, name)?.default ?? null)),
    written: (name: string): boolean => block.attrs.has(name),
    settings: [...block.attrs.values()].filter((a) => a.path && a.path.length > 1).length,
  };
  for (const problem of block.spec.validate!(view)) {
    const attr = problem.attr !== undefined ? block.attrs.get(problem.attr) : undefined;
    const node = block.node!;
    const [file, span] = attr ? [attr.file, attr.nameSpan] : [block.file, (node.name ?? node.type).span];
    ctx.diagnostics.push(diagnostic(problem.code as Code, problem.args as never, file, span));
  }
}

export function reportUnknownAttribute(ctx: ModelContext, block: MBlock, attr: MAttr): void {
  const candidates = [...block.spec.attrs.map((a) => a.name), ...block.spec.blocks.map((b) => b.kind)];
  const suggestion = closest(attr.name, candidates);
  const where = block.name && block.spec !== POPULATION ? `${block.kind} '${block.name}'` : `'${block.kind}'`;
  ctx.diagnostics.push(
    diagnostic("SBX2002", { name: attr.name, context: where, suggestion }, attr.file, attr.nameSpan, {
      fixes: suggestion ? [replaceWith(attr.file, attr.nameSpan, suggestion)] : [],
    }),
  );
}

export type { Diagnostic, A };
