/**
 * The scenario model: a declaration with its `extends` chain and presets
 * merged in, still holding unchecked expressions and where each came from.
 * Overrides (`--set`, sweep variations, arms) are applied at this level, so
 * they are checked exactly like source.
 */
import type * as A from "../../language/ast.ts";
import { closest, diagnostic, replaceWith, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { ARM, POLICY_GROUP, POPULATION } from "../registry/blocks.ts";
import type { BlockSpec } from "../registry/types.ts";
import { lookup, type Decl, type Module, type Program } from "./program.ts";
import type { SymbolTable } from "./symbols.ts";

export interface MAttr {
  readonly name: string;
  /** For sweep arms: the full setting path the attribute overrides. */
  readonly path?: readonly A.Name[];
  readonly expr: A.Expr;
  readonly file: string;
  readonly nameSpan: A.Span;
  readonly span: A.Span;
}

export interface MStatement {
  readonly file: string;
  readonly node: A.Statement | A.Vary;
}

export interface MBlock {
  readonly spec: BlockSpec;
  readonly kind: string;
  name: string | null;
  /** Where the block was written last (the innermost contributing declaration). */
  file: string;
  node: A.Block | null;
  readonly attrs: Map<string, MAttr>;
  readonly blocks: MBlock[];
  statements: MStatement[];
  /** For population groups: the declared policy, when the kind names one. */
  policy?: Decl;
  /** Its `extends` chain could not be resolved, so missing settings are not worth reporting. */
  incomplete?: boolean;
}

export interface ModelContext {
  readonly program: Program;
  readonly diagnostics: Diagnostic[];
  readonly symbols: SymbolTable;
  /** Texts of virtual files holding overrides (`--set`), so messages can quote them. */
  readonly overrideTexts?: Map<string, string>;
}

function emptyBlock(spec: BlockSpec, kind: string, name: string | null, file: string, node: A.Block | null): MBlock {
  return { spec, kind, name, file, node, attrs: new Map(), blocks: [], statements: [] };
}

export function cloneBlock(b: MBlock): MBlock {
  return {
    spec: b.spec,
    kind: b.kind,
    name: b.name,
    file: b.file,
    node: b.node,
    attrs: copyAttrs(b.attrs),
    blocks: b.blocks.map(cloneBlock),
    statements: [...b.statements],
    ...(b.policy ? { policy: b.policy } : {}),
    ...(b.incomplete ? { incomplete: true } : {}),
  };
}

/** A copy of a block's attributes, in order (the Map constructor went through an iterator, a result object per entry). */
function copyAttrs(attrs: ReadonlyMap<string, MAttr>): Map<string, MAttr> {
  const copy = new Map<string, MAttr>();
  attrs.forEach((attr, name) => copy.set(name, attr));
  return copy;
}

const moduleOf = (ctx: ModelContext, path: string): Module => ctx.program.modules.get(path)!;

/** The module whose scope applies to `file`; overrides (virtual files) see the entry file's scope. */
export function scopeModule(ctx: ModelContext, file: string): Module {
  return ctx.program.modules.get(file) ?? ctx.program.modules.get(ctx.program.entries[0] ?? "") ?? ctx.program.prelude!;
}

/**
 * The fully merged model of a top-level declaration (memoised per declaration;
 * callers clone before changing it). The `extends` chain is followed with a
 * loop, not recursion, so a chain of any length cannot exhaust the stack.
 */
export function declarationModel(ctx: ModelContext, decl: Decl, cache: Map<Decl, MBlock | null>): MBlock | null {
  if (cache.has(decl)) return cache.get(decl)!;
  // Walk up to the first ancestor already built (or the root, an unresolved name or a cycle)...
  const chain: Decl[] = [];
  const onChain = new Set<Decl>();
  let base: MBlock | null = null;
  let current: Decl = decl;
  for (;;) {
    chain.push(current);
    onChain.add(current);
    if (!current.node.extends) break;
    const parent = resolveRef(ctx, moduleOf(ctx, current.module), current.node.extends, current.kind, `a ${current.kind}`);
    if (!parent) break;
    if (cache.has(parent)) {
      base = cache.get(parent)!;
      break;
    }
    if (onChain.has(parent)) {
      const cycle = [...chain.slice(chain.indexOf(parent)), parent].map((d) => d.name).join(" → ");
      ctx.diagnostics.push(diagnostic("SBX2012", { chain: cycle }, parent.module, parent.node.extends?.span ?? parent.node.type.span));
      break;
    }
    current = parent;
  }
  // ...then build down from there, each model on its parent's.
  for (let i = chain.length - 1; i >= 0; i--) {
    const d = chain[i]!;
    const incomplete = d.node.extends !== null && (base === null || base.incomplete === true);
    const model = base ? cloneBlock(base) : emptyBlock(d.spec, d.kind, d.name, d.module, d.node);
    if (incomplete) model.incomplete = true;
    model.name = d.name;
    model.file = d.module;
    model.node = d.node;
    applyMembers(ctx, model, d.node, d.module, cache);
    cache.set(d, model);
    base = model;
  }
  return base;
}

/** Resolve `extends`/`of` references: `name` in scope, of the wanted declaration kind. */
export function resolveRef(ctx: ModelContext, module: Module, ref: A.Ref, kind: string, what: string): Decl | null {
  const name = ref.parts.map((p) => p.text).join(".");
  const found = lookup(ctx.program, module, kind, name);
  if (found) {
    ctx.symbols.reference(module.path, ref.span, found);
    return found;
  }
  const otherKind = [...ctx.program.modules.values()].flatMap((m) => m.declarations).find((d) => d.name === name);
  if (otherKind && lookupAny(ctx, module, name)) {
    ctx.diagnostics.push(diagnostic("SBX2016", { name, actual: `a ${otherKind.kind}`, expected: what }, module.path, ref.span));
    return null;
  }
  const candidates = visibleOfKind(ctx, module, kind);
  const suggestion = closest(name, candidates);
  ctx.diagnostics.push(
    diagnostic("SBX2006", { what: kind, name, suggestion }, module.path, ref.span, {
      fixes: suggestion ? [replaceWith(module.path, ref.span, suggestion)] : [],
    }),
  );
  return null;
}

function lookupAny(ctx: ModelContext, module: Module, name: string): boolean {
  return [module.declarations, ...module.imports.map((l) => [...l.names.values()].flat()), ctx.program.prelude?.declarations ?? []].some((ds) =>
    ds.some((d) => d.name === name),
  );
}

function visibleOfKind(ctx: ModelContext, module: Module, kind: string): string[] {
  const names = new Set<string>();
  for (const d of ctx.program.prelude?.declarations ?? []) if (d.kind === kind) names.add(d.name);
  for (const l of module.imports) for (const ds of l.names.values()) for (const d of ds) if (d.kind === kind) names.add(d.name);
  for (const d of module.declarations) if (d.kind === kind) names.add(d.name);
  return [...names];
}

/** Apply the members of a written block onto a model block (overriding what it inherited). */
export function applyMembers(ctx: ModelContext, target: MBlock, node: A.Block, file: string, cache: Map<Decl, MBlock | null>): void {
  // Attributes already set in this block, to report a second one. Most blocks hold a handful of members, for which a scan
  // of the earlier ones costs less than a map per block (every block of every declaration passes here).
  const seen = node.members.length > SCAN_MEMBERS ? new Map<string, A.Span>() : null;
  const members = node.members;
  for (let m = 0; m < members.length; m++) {
    const member = members[m]!;
    switch (member.kind) {
      case "Attribute": {
        const key = member.path.length === 1 ? member.path[0]!.text : member.path.map((p) => p.text).join(".");
        const previous = seen ? seen.get(key) : earlierAttribute(members, m, member.path);
        if (previous) {
          ctx.diagnostics.push(
            diagnostic("SBX2011", { name: key, context: describeBlock(target) }, file, member.path[0]!.span, {
              related: [{ file, span: previous, message: "first set here" }],
            }),
          );
          continue;
        }
        seen?.set(key, member.path[0]!.span);
        if (target.spec === ARM || (target.spec.settings && member.path.length > 1)) {
          // An arm's attributes, and a settings block's dotted ones (a parameter shock's), are settings of the
          // scenario, checked where the scenario is known: when the sweep is compiled, when the scenario is lowered.
          const last = member.path[member.path.length - 1]!;
          target.attrs.set(key, { name: key, path: member.path, expr: member.value, file, nameSpan: { start: member.path[0]!.span.start, end: last.span.end }, span: member.span });
          continue;
        }
        setPath(ctx, target, member.path, { name: member.path[member.path.length - 1]!.text, expr: member.value, file, nameSpan: member.path[member.path.length - 1]!.span, span: member.span }, file);
        break;
      }
      case "Block":
        applyChildBlock(ctx, target, member, file, cache);
        break;
      case "Statement":
      case "Vary":
        target.statements.push({ file, node: member });
        break;
    }
  }
}

/** Above this many members a block's attributes are remembered in a map rather than found by a scan. */
const SCAN_MEMBERS = 16;

/** Where the first attribute before `m` with the same path was written (its path's first name), if any. */
function earlierAttribute(members: readonly A.Member[], m: number, path: readonly A.Name[]): A.Span | undefined {
  next: for (let i = 0; i < m; i++) {
    const other = members[i]!;
    if (other.kind !== "Attribute" || other.path.length !== path.length) continue;
    for (let j = 0; j < path.length; j++) if (other.path[j]!.text !== path[j]!.text) continue next;
    return other.path[0]!.span;
  }
  return undefined;
}

function applyChildBlock(ctx: ModelContext, parent: MBlock, node: A.Block, file: string, cache: Map<Decl, MBlock | null>): void {
  const kind = node.type.text;
  const spec = childSpec(ctx, parent, kind, node.type.span, file);
  if (!spec) return;
  const { spec: childSpecResolved, policy } = spec;
  if (childSpecResolved.named === "required" && !node.name) {
    ctx.diagnostics.push(diagnostic("SBX3005", { context: `a '${kind}' block`, what: "a name" }, file, node.type.span));
    return;
  }
  if (childSpecResolved.named === "none" && node.name) {
    ctx.diagnostics.push(diagnostic("SBX1001", { found: `'${node.name.text}'`, expected: `'{' after '${kind}' (it takes no name)` }, file, node.name.span));
  }
  const inPopulation = parent.spec === POPULATION;
  const name = node.name?.text ?? (inPopulation ? kind : null);
  const index = inPopulation
    ? parent.blocks.findIndex((b) => b.name === name)
    : parent.blocks.findIndex((b) => b.kind === kind && (!childSpecResolved.repeatable || b.name === name));
  if (inPopulation && index >= 0) {
    ctx.diagnostics.push(diagnostic("SBX3009", { name: name! }, file, (node.name ?? node.type).span));
    return;
  }
  let child: MBlock;
  if (node.extends) {
    // `kind extends preset { … }` replaces whatever was inherited with the preset plus these members.
    const module = scopeModule(ctx, file);
    const preset = resolveRef(ctx, module, node.extends, kind, `a ${kind} preset`);
    const base = preset ? declarationModel(ctx, preset, cache) : null;
    child = base ? cloneBlock(base) : emptyBlock(childSpecResolved, kind, name, file, node);
    child.name = name;
  } else if (index >= 0 && childSpecResolved.merge === "record") {
    child = parent.blocks[index]!;
  } else {
    child = emptyBlock(childSpecResolved, kind, name, file, node);
  }
  child.file = file;
  child.node = node;
  if (policy) child.policy = policy;
  applyMembers(ctx, child, node, file, cache);
  if (index >= 0) parent.blocks[index] = child;
  else parent.blocks.push(child);
}

/** The spec of a child block kind, or a diagnostic. Population entries may name declared policies. */
export function childSpec(ctx: ModelContext, parent: MBlock, kind: string, span: A.Span, file: string): { spec: BlockSpec; policy?: Decl } | null {
  const spec = nestedSpec(parent.spec, kind);
  if (spec) return { spec };
  if (parent.spec === POPULATION) {
    const module = scopeModule(ctx, file);
    const policy = lookup(ctx.program, module, "policy", kind);
    if (policy) {
      ctx.symbols.reference(file, span, policy);
      return { spec: POLICY_GROUP, policy };
    }
    const candidates = [...parent.spec.blocks.map((b) => b.kind), ...visibleOfKind(ctx, module, "policy")];
    const suggestion = closest(kind, candidates);
    ctx.diagnostics.push(diagnostic("SBX2003", { name: kind, suggestion }, file, span, { fixes: suggestion ? [replaceWith(file, span, suggestion)] : [] }));
    return null;
  }
  const candidates = [...parent.spec.blocks.map((b) => b.kind), ...parent.spec.attrs.map((a) => a.name)];
  const suggestion = closest(kind, candidates);
  const fixes = suggestion ? [replaceWith(file, span, suggestion)] : [];
  if (parent.kind === "governance") ctx.diagnostics.push(diagnostic("SBX2007", { name: kind, suggestion }, file, span, { fixes }));
  else ctx.diagnostics.push(diagnostic("SBX2001", { name: kind, context: describeBlock(parent), suggestion }, file, span, { fixes }));
  return null;
}

/** Each block kind's nested block kinds by name, the first of each (the registry is fixed; every block written asks). */
const NESTED_INDEX = new WeakMap<BlockSpec, Map<string, BlockSpec>>();

function nestedSpec(spec: BlockSpec, kind: string): BlockSpec | undefined {
  let index = NESTED_INDEX.get(spec);
  if (!index) {
    index = new Map();
    for (const b of spec.blocks) if (!index.has(b.kind)) index.set(b.kind, b);
    NESTED_INDEX.set(spec, index);
  }
  return index.get(kind);
}

/**
 * Set `a.b.c = expr` under `root`: every segment but the last names a nested
 * block (created if absent); in the population, `kind = n` is a group of n.
 */
export function setPath(ctx: ModelContext, root: MBlock, path: readonly A.Name[], value: MAttr, file: string): boolean {
  let block = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    const next = findChild(block, seg.text);
    if (next) {
      block = next;
      continue;
    }
    const spec = childSpec(ctx, block, seg.text, seg.span, file);
    if (!spec) return false;
    const created = emptyBlock(spec.spec, seg.text, block.spec === POPULATION ? seg.text : null, file, null);
    if (spec.policy) created.policy = spec.policy;
    block.blocks.push(created);
    block = created;
  }
  const last = path[path.length - 1]!;
  if (block.spec === POPULATION) {
    // `honest = 2` is shorthand for the group `honest { count = 2 }`.
    const existing = block.blocks.find((b) => b.name === last.text);
    if (existing) {
      existing.attrs.set("count", { ...value, name: "count" });
      return true;
    }
    const spec = childSpec(ctx, block, last.text, last.span, file);
    if (!spec) return false;
    const group = emptyBlock(spec.spec, last.text, last.text, file, null);
    if (spec.policy) group.policy = spec.policy;
    group.attrs.set("count", { ...value, name: "count" });
    block.blocks.push(group);
    return true;
  }
  block.attrs.set(last.text, value);
  return true;
}

export function findChild(block: MBlock, segment: string): MBlock | undefined {
  if (block.spec === POPULATION) return block.blocks.find((b) => b.name === segment);
  return block.blocks.find((b) => b.kind === segment) ?? block.blocks.find((b) => b.name === segment);
}

export function describeBlock(b: MBlock): string {
  if (!b.name) return `'${b.kind}'`;
  return b.spec === POLICY_GROUP || b.spec.repeatable ? `'${b.kind} ${b.name}'` : `${b.kind} '${b.name}'`;
}

export function childBlocks(b: MBlock, kind: string): MBlock[] {
  return b.blocks.filter((c) => c.kind === kind);
}

export function childBlock(b: MBlock, kind: string): MBlock | undefined {
  return b.blocks.find((c) => c.kind === kind);
}

export type { Decl };
