/**
 * The compiler's public face: source files in, checked execution plans and
 * every diagnostic out. The CLI, the language server, `sbx check` and sweeps
 * all call this one function.
 */
import type * as A from "../../language/ast.ts";
import { parseAttribute } from "../../language/syntax.ts";
import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { planHash } from "../plan/hash.ts";
import type { Plan, Profile } from "../plan/schema.ts";
import { LineIndex } from "../text/line-index.ts";
import { checkBlock, get, type CBlock } from "./check.ts";
import { normalizePath, type SourceHost } from "./host.ts";
import { lowerScenario, type LowerContext } from "./lower.ts";
import { cloneBlock, declarationModel, resolveRef, setPath, type MBlock, type ModelContext } from "./model.ts";
import { loadProgram, type Decl, type Module, type Program } from "./program.ts";
import { declSymbol, SymbolTable } from "./symbols.ts";

/** A setting given outside the source: `--set governance.audit.probability=0.2`. */
export interface Override {
  readonly path: string;
  /** The value as .sbx source text, e.g. `20%` or `"swarm-0.1"`. */
  readonly value: string;
  /** Where it came from, for messages (e.g. `--set`). */
  readonly origin?: string;
}

export interface CompileOptions {
  /** Overrides applied to the entry files' scenarios before checking. */
  readonly overrides?: readonly Override[];
  /** Restrict overrides (and lowering) to this scenario. */
  readonly scenario?: string;
}

export interface CompiledScenario {
  readonly name: string;
  readonly file: string;
  readonly decl: Decl;
  readonly plan: Plan | null;
  readonly planHash: string | null;
}

export interface Compilation {
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
  readonly symbols: SymbolTable;
  /** Scenarios declared in the entry files, in source order. */
  readonly scenarios: readonly CompiledScenario[];
  /** Checked models of every declaration, for tools (sweeps, the language server). */
  readonly checked: ReadonlyMap<Decl, CBlock | null>;
}

export function compile(host: SourceHost, entries: readonly string[], options: CompileOptions = {}): Compilation {
  const program = loadProgram(host, entries);
  const diagnostics: Diagnostic[] = [...program.diagnostics];
  const symbols = new SymbolTable();
  const overrideTexts = new Map<string, string>();
  const ctx: ModelContext = { program, diagnostics, symbols, overrideTexts };
  const models = new Map<Decl, MBlock | null>();
  const checked = new Map<Decl, CBlock | null>();
  const lineIndexes = new Map<string, LineIndex>();

  const checkedDecl = (decl: Decl): CBlock | null => {
    if (checked.has(decl)) return checked.get(decl)!;
    checked.set(decl, null);
    const model = declarationModel(ctx, decl, models);
    const result = model ? checkBlock(ctx, model, "", {}) : null;
    checked.set(decl, result);
    return result;
  };
  const lowerCtx: LowerContext = {
    ...ctx,
    checkedDecl,
    lineIndex: (file) => {
      let index = lineIndexes.get(file);
      if (!index) lineIndexes.set(file, (index = new LineIndex(program.modules.get(file)?.text ?? overrideTexts.get(file) ?? "")));
      return index;
    },
  };

  for (const module of program.modules.values()) {
    for (const decl of module.declarations) symbols.define(declSymbol(decl));
    for (const link of module.imports) {
      for (const name of link.node.names ?? []) {
        for (const decl of link.names.get(name.text) ?? []) symbols.reference(module.path, name.span, decl);
      }
    }
  }
  for (const module of program.modules.values()) {
    for (const decl of module.declarations) {
      if (decl.kind === "scenario" || decl.node === module.syntax.unfinished) continue;
      const result = checkedDecl(decl);
      if (result && decl.kind === "policy") checkPolicy(ctx, result);
      if (result && decl.kind === "sweep") checkSweepShape(ctx, module, decl, result);
    }
  }

  const scenarios: CompiledScenario[] = [];
  const entrySet = new Set(program.entries);
  /** A scenario of `module` checked (and, in an entry file, lowered); null when it is not reported (not an entry). */
  const compileScenario = (module: Module, decl: Decl): CompiledScenario | null => {
    const isEntry = entrySet.has(module.path);
    // Cut short by an unterminated comment: its missing parts are that one error's consequence.
    if (decl.node === module.syntax.unfinished) return isEntry ? new LoweredScenario(decl, module.path, null) : null;
    const selected = isEntry && (options.scenario === undefined || options.scenario === decl.name);
    const base = declarationModel(ctx, decl, models);
    if (!base) return isEntry ? new LoweredScenario(decl, module.path, null) : null;
    if (!isEntry) {
      checkBlock(ctx, base, "", {});
      return null;
    }
    const model = selected && options.overrides?.length ? applyOverrides(ctx, cloneBlock(base), options.overrides) : base;
    const profile = scenarioProfile(ctx, model);
    const result = checkBlock(ctx, model, "", { profile, inertIn: entrySet });
    const plan = selected || options.scenario === undefined ? lowerScenario(lowerCtx, result, decl) : null;
    return new LoweredScenario(decl, module.path, plan);
  };
  const extended = extendedNames(program);
  for (const module of program.modules.values()) {
    for (const decl of module.declarations) {
      if (decl.kind !== "scenario") continue;
      const compiled = compileScenario(module, decl);
      if (compiled) scenarios.push(compiled);
      // Checked and lowered, a scenario's model is garbage unless another declaration builds on it: dropped here, it
      // dies young instead of being copied by every collection until the compile ends.
      if (!extended.has(decl.name)) models.delete(decl);
    }
  }
  reportUnusedImports(ctx, entrySet);
  return { program, diagnostics: sortDiagnostics(diagnostics), symbols, scenarios, checked };
}

/**
 * The names any declaration `extends` (the scenarios whose models other declarations build on), as written: a
 * superset of those that resolve to a scenario, which is all keeping a model needs.
 */
function extendedNames(program: Program): Set<string> {
  const names = new Set<string>();
  for (const module of program.modules.values()) {
    for (const decl of module.declarations) {
      const ref = decl.node.extends;
      if (ref) names.add(ref.parts.length === 1 ? ref.parts[0]!.text : ref.parts.map((p) => p.text).join("."));
    }
  }
  return names;
}

/**
 * The plan hash is computed when first asked for: hashing every plan on every keystroke is wasted work. A class, not
 * an object literal with a getter, which V8 builds in its runtime.
 */
class LoweredScenario implements CompiledScenario {
  readonly name: string;
  private hash: string | null | undefined;

  constructor(
    readonly decl: Decl,
    readonly file: string,
    readonly plan: Plan | null,
  ) {
    this.name = decl.name;
  }

  get planHash(): string | null {
    if (this.hash === undefined) this.hash = this.plan ? planHash(this.plan) : null;
    return this.hash;
  }
}

/** A policy's action table is a distribution: its entries must sum to 1. */
function checkPolicy(ctx: ModelContext, policy: CBlock): void {
  const actions = policy.blocks.find((b) => b.kind === "actions");
  const node = actions?.model.node ?? policy.model.node;
  const sum = ["post", "reply", "vote", "propose", "claim_task", "noop"].reduce((acc, k) => acc + (actions ? (get(actions, k) as number) : 0), 0);
  if (Math.abs(sum - 1) > 1e-9 && node) {
    ctx.diagnostics.push(diagnostic("SBX3004", { sum: `${Number((sum * 100).toPrecision(10))}%` }, actions?.model.file ?? policy.model.file, node.type.span));
  }
}

function checkSweepShape(ctx: ModelContext, module: Module, decl: Decl, sweep: CBlock): void {
  if (!decl.node.of) {
    ctx.diagnostics.push(diagnostic("SBX3005", { context: `sweep '${decl.name}'`, what: "the scenario it sweeps: `sweep name of scenario { … }`" }, decl.module, decl.node.name!.span));
  } else {
    resolveRef(ctx, module, decl.node.of, "scenario", "a scenario");
  }
  // An arm's value naming a declaration (`population.g.persona = outgoing`) uses it: the import is not unused.
  for (const arm of sweep.model.blocks) {
    for (const attr of arm.attrs.values()) {
      if (attr.expr.kind !== "Ident") continue;
      const name = attr.expr.name;
      const used = [...module.imports.flatMap((l) => l.names.get(name) ?? []), ...module.declarations.filter((d) => d.name === name)][0];
      if (used) ctx.symbols.reference(attr.file, attr.expr.span, used);
    }
  }
  const varies = sweep.model.statements.some((st) => st.node.kind === "Vary");
  if (!varies && !sweep.blocks.some((b) => b.kind === "arm")) ctx.diagnostics.push(diagnostic("SBX3012", { name: decl.name }, decl.module, decl.node.name!.span));
}

function reportUnusedImports(ctx: ModelContext, entries: ReadonlySet<string>): void {
  for (const path of entries) {
    const module = ctx.program.modules.get(path);
    if (!module) continue;
    const importSpans = new Set(module.imports.flatMap((l) => (l.node.names ?? []).map((n) => n.span.start)));
    for (const link of module.imports) {
      for (const name of link.node.names ?? []) {
        const decls = link.names.get(name.text) ?? [];
        const used = ctx.symbols.refs.some((r) => r.file === path && !importSpans.has(r.span.start) && decls.some((d) => d.module === r.target.file && d.name === r.target.name));
        if (decls.length && !used) ctx.diagnostics.push(diagnostic("SBX3011", { name: name.text }, path, name.span));
      }
    }
  }
}

/** The profile a scenario model selects (checked quietly; errors surface in the full check). */
function scenarioProfile(ctx: ModelContext, model: MBlock): Profile | undefined {
  const attr = model.attrs.get("profile");
  if (!attr) return "sbx";
  const quiet: ModelContext = { ...ctx, diagnostics: [] };
  const shallow: MBlock = { ...model, blocks: [], statements: [], attrs: new Map([["profile", attr]]) };
  const value = get(checkBlock(quiet, shallow, "", {}), "profile");
  return typeof value === "string" ? (value as Profile) : undefined;
}

/** Apply command-line overrides to a model (a clone: the model is changed in place). Used by compile and compileSweep. */
export function applyOverrides(ctx: ModelContext, model: MBlock, overrides: readonly Override[]): MBlock {
  for (const [i, o] of overrides.entries()) {
    const text = `${o.path} = ${o.value}`;
    const file = `<${o.origin ?? "--set"}${overrides.length > 1 ? ` #${i + 1}` : ""}>`;
    ctx.overrideTexts?.set(file, text);
    const parsed = parseAttribute(text, file);
    const attribute = parsed.attribute;
    const hint = overrideHint(o, parsed.diagnostics.length === 0 && attribute ? attribute.value : null);
    if (hint) {
      const option = o.origin ?? "--set";
      ctx.diagnostics.push(diagnostic("SBX5010", { option, value: option === "--set" ? `${o.path}=${o.value}` : o.value, hint }, file, { start: 0, end: text.length }));
      continue;
    }
    if (parsed.diagnostics.length || !attribute || attribute.value.kind === "Missing" || attribute.span.end < text.trimEnd().length) {
      const detail = parsed.diagnostics[0]?.message ?? "expected `path=value` with an .sbx value, e.g. `governance.audit.probability=20%`";
      ctx.diagnostics.push(diagnostic("SBX5003", { override: `${o.path}=${o.value}`, detail }, file, { start: 0, end: text.length }));
      continue;
    }
    const last = attribute.path[attribute.path.length - 1]!;
    setPath(ctx, model, attribute.path, { name: last.text, expr: attribute.value, file, nameSpan: last.span, span: attribute.span }, file);
  }
  return model;
}

/**
 * What to write instead, for override values that are not .sbx the way the
 * shell suggests: a number in another base (`--seed 0x10`), or a string
 * without quotes (`--set profile=swarm-0.1`, which would read as `swarm - 0.1`).
 */
function overrideHint(o: Override, value: A.Expr | null): string | null {
  const raw = o.value.trim();
  const option = o.origin ?? "--set";
  const write = (v: string) => (option === "--set" ? `--set '${o.path}=${v}'` : `${option} ${v}`);
  const based = /^([+-]?)0([xob])([0-9a-f_]+)$/i.exec(raw);
  if (based) {
    const n = Number.parseInt(based[3]!.replace(/_/g, ""), { x: 16, o: 8, b: 2 }[based[2]!.toLowerCase() as "x" | "o" | "b"]);
    return Number.isSafeInteger(n) ? `numbers are written in decimal in .sbx; write ${write(`${based[1]}${n}`)}` : "numbers are written in decimal in .sbx";
  }
  // A word with dashes, dots or spaces that is not a number: meant as a string.
  const wordy = /^[A-Za-z_][\w.\-+ /:]*$/.test(raw) && /[-.+ /:]/.test(raw);
  const simple = value !== null && (value.kind === "Ident" || value.kind === "String" || value.kind === "Number" || value.kind === "Bool");
  if (wordy && !simple) return `strings are quoted in .sbx; write ${write(`"${raw}"`)}`;
  return null;
}

export function fileNames(program: Program): string[] {
  return [...program.modules.keys()].map(normalizePath);
}

export type { Diagnostic, Decl, Program, SourceHost, CBlock, Plan };
