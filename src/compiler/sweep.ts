/**
 * Sweeps: a scenario varied over a design. Each cell is the scenario with
 * its arm and its variation values applied as overrides — checked exactly
 * like source — and lowered to its own plan. Runs are cells × seeds.
 */
import seedrandom from "seedrandom";
import type * as A from "../../language/ast.ts";
import { diagnostic, fileDiagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { planHash } from "../plan/hash.ts";
import type { Plan } from "../plan/schema.ts";
import { deriveSeed } from "../plan/seeds.ts";
import { checkBlock, children, get, type CBlock } from "./check.ts";
import type { SourceHost } from "./host.ts";
import { applyOverrides, compile, type Compilation, type CompileOptions } from "./index.ts";
import { lowerScenario, type LowerContext } from "./lower.ts";
import { cloneBlock, declarationModel, resolveRef, setPath, type MBlock, type ModelContext } from "./model.ts";
import type { Decl, Module } from "./program.ts";
import { LineIndex } from "../text/line-index.ts";
import { checkMagnitude, constantNumber, formatNumber, sourceOf } from "./values.ts";
import { LIMITS, limitText } from "./limits.ts";

export type CellValue = number | boolean | string;

export interface SweepParameter {
  readonly path: string;
  /** The values a grid takes, or the sampled interval / choices of a random design. */
  readonly values: readonly CellValue[] | { readonly low: number; readonly high: number };
}

export interface SweepCell {
  readonly index: number;
  readonly arm: string | null;
  /** Parameter path → value, as the researcher would write it. */
  readonly coords: Readonly<Record<string, CellValue>>;
  readonly plan: Plan;
  readonly planHash: string;
}

export interface SweepPlan {
  readonly name: string;
  readonly scenario: string;
  readonly design: "grid" | "random" | "latin_hypercube";
  readonly parameters: readonly SweepParameter[];
  readonly arms: readonly string[];
  /** Seeds every cell runs with, in order; a run's coordinates are (cell, replicate). */
  readonly seeds: readonly number[];
  readonly seedSource: "listed" | "derived";
  readonly rootSeed: number;
  readonly cells: readonly SweepCell[];
}

export interface SweepCompilation {
  readonly compilation: Compilation;
  readonly sweep: SweepPlan | null;
  readonly diagnostics: readonly Diagnostic[];
  /** The sweeps declared in the file, for `--sweep` suggestions. */
  readonly available: readonly string[];
}

interface Variation {
  readonly path: readonly A.Name[];
  readonly pathText: string;
  readonly file: string;
  readonly span: A.Span;
  /** Literal choices (each an expression checked in the cell), or an interval for sampling. */
  readonly choices: readonly A.Expr[] | null;
  readonly interval: { low: number; high: number; percent: boolean; span: A.Span } | null;
}

export function compileSweep(host: SourceHost, file: string, sweepName?: string, options: CompileOptions = {}): SweepCompilation {
  const compilation = compile(host, [file], options);
  const diagnostics: Diagnostic[] = [...compilation.diagnostics];
  const module = compilation.program.modules.get(compilation.program.entries[0] ?? "");
  const sweeps = module?.declarations.filter((d) => d.kind === "sweep") ?? [];
  const available = sweeps.map((d) => d.name);
  const done = (sweep: SweepPlan | null): SweepCompilation => ({ compilation, sweep, diagnostics: sortDiagnostics(diagnostics), available });
  if (!module) return done(null);
  const decl = sweepName === undefined ? (sweeps.length === 1 ? sweeps[0] : undefined) : sweeps.find((d) => d.name === sweepName);
  if (!decl) {
    const names = available.join(", ") || "none";
    const detail = sweepName === undefined ? `the file declares ${sweeps.length ? `several sweeps (${names}); choose one with --sweep` : "no sweep"}` : `no sweep '${sweepName}' in the file (declared: ${names})`;
    diagnostics.push(fileDiagnostic("SBX5002", { detail }, module.path));
    return done(null);
  }
  return done(sweepOf(compilation, module, decl, options, diagnostics));
}

/**
 * Every sweep declared in the compilation's entry files, checked cell by cell
 * exactly as `sbx sweep` would before running it: `sbx compile` and
 * `sbx check` report these diagnostics too, so CI catches a misspelt `vary`.
 */
export function sweepDiagnostics(compilation: Compilation, options: CompileOptions = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const entry of compilation.program.entries) {
    const module = compilation.program.modules.get(entry);
    for (const decl of module?.declarations ?? []) {
      if (decl.kind === "sweep") sweepOf(compilation, module!, decl, options, diagnostics);
    }
  }
  return sortDiagnostics(diagnostics);
}

/** The sweep's plan, its diagnostics pushed onto `diagnostics`. */
function sweepOf(compilation: Compilation, module: Module, decl: Decl, options: CompileOptions, diagnostics: Diagnostic[]): SweepPlan | null {
  const done = (sweep: SweepPlan | null): SweepPlan | null => sweep;
  const checked = compilation.checked.get(decl);
  if (!checked || !decl.node.of) return done(null);
  const cellDiagnostics: Diagnostic[] = [];
  const ctx: ModelContext = { program: compilation.program, diagnostics: cellDiagnostics, symbols: compilation.symbols, overrideTexts: new Map() };
  const scenarioDecl = resolveRef(ctx, module, decl.node.of, "scenario", "a scenario");
  const declared = scenarioDecl ? declarationModel(ctx, scenarioDecl, new Map()) : null;
  // Overrides (--set) change the swept scenario itself, before arms and variations apply.
  const base = declared && options.overrides?.length ? applyOverrides(ctx, cloneBlock(declared), options.overrides) : declared;
  if (!scenarioDecl || !base) {
    diagnostics.push(...cellDiagnostics);
    return done(null);
  }

  const design = get(checked, "design") as SweepPlan["design"];
  const variations = checked.model.statements.flatMap((s) => (s.node.kind === "Vary" ? [variation(ctx, s.file, s.node, design, diagnostics)] : [])).filter((v): v is Variation => v !== null);
  const arms = children(checked, "arm");

  const rootSeed = (get(checked, "root_seed") as number | null) ?? scenarioSeed(ctx, base);
  const listed = get(checked, "seeds") as number[];
  const replicates = get(checked, "replicates") as number;
  const samples = get(checked, "samples") as number;
  // Sizes are counted before anything is expanded (src/compiler/limits.ts).
  const armList: (CBlock | null)[] = arms.length ? arms : [null];
  const cellCount = armList.length * (design === "grid" ? variations.reduce((n, v) => n * (v.choices?.length ?? 0), 1) : samples);
  const sizeAt = (name: string): { file: string; span: A.Span } => {
    const attr = checked.model.attrs.get(name);
    return attr ? { file: attr.file, span: attr.expr.span } : { file: decl.module, span: decl.node.name!.span };
  };
  if (!listed.length && replicates > LIMITS.seeds) {
    const where = sizeAt("replicates");
    diagnostics.push(diagnostic("SBX3017", { what: `sweep '${decl.name}' (replicates = ${replicates})`, count: limitText(replicates), limit: limitText(LIMITS.seeds) }, where.file, where.span));
    return done(null);
  }
  if (cellCount > LIMITS.sweepCells) {
    const where = design === "grid" ? { file: decl.module, span: decl.node.name!.span } : sizeAt("samples");
    diagnostics.push(diagnostic("SBX3018", { what: `sweep '${decl.name}'`, count: `${limitText(cellCount)} cells`, limit: limitText(LIMITS.sweepCells) }, where.file, where.span));
    return done(null);
  }
  const seeds = listed.length ? listed : Array.from({ length: replicates }, (_, i) => deriveSeed(rootSeed, "replicate", i));

  const points = designPoints(design, variations, samples, deriveSeed(rootSeed, "design", decl.name));
  const cells: SweepCell[] = [];
  const checkedDecls = new Map<Decl, CBlock | null>();
  const lowerCtx: LowerContext = {
    ...ctx,
    checkedDecl: (d) => {
      if (!checkedDecls.has(d)) {
        const m = declarationModel(ctx, d, new Map());
        checkedDecls.set(d, m ? checkBlock(ctx, m, "", {}) : null);
      }
      return checkedDecls.get(d)!;
    },
    lineIndex: (f) => new LineIndex(compilation.program.modules.get(f)?.text ?? ""),
  };
  for (const arm of armList) {
    for (const point of points) {
      const model = cloneBlock(base);
      const coords: Record<string, CellValue> = {};
      if (arm) {
        for (const attr of arm.model.attrs.values()) setPath(ctx, model, attr.path!, { ...attr, name: attr.path![attr.path!.length - 1]!.text }, attr.file);
      }
      point.forEach((value, i) => {
        const v = variations[i]!;
        coords[v.pathText] = value.display;
        setPath(ctx, model, v.path, { name: v.path[v.path.length - 1]!.text, expr: value.expr, file: v.file, nameSpan: v.path[v.path.length - 1]!.span, span: v.span }, v.file);
      });
      const result = checkBlock(ctx, model, "", {});
      const plan = lowerScenario(lowerCtx, result, scenarioDecl);
      if (plan) cells.push({ index: cells.length, arm: arm?.name ?? null, coords, plan, planHash: planHash(plan) });
    }
  }
  const errorsBefore = diagnostics.some((d) => d.severity === "error");
  diagnostics.push(...cellDiagnostics);
  if (errorsBefore || cellDiagnostics.some((d) => d.severity === "error") || compilation.diagnostics.some((d) => d.severity === "error")) return done(null);
  const parameters = variations.map((v) => ({ path: v.pathText, values: v.interval ? { low: v.interval.low, high: v.interval.high } : points.length ? [...new Set(points.map((p) => p[variations.indexOf(v)]!.display))] : [] }));
  return done({ name: decl.name, scenario: scenarioDecl.name, design, parameters, arms: arms.map((a) => a.name!), seeds, seedSource: listed.length ? "listed" : "derived", rootSeed, cells });
}

function scenarioSeed(ctx: ModelContext, model: MBlock): number {
  const quiet: ModelContext = { ...ctx, diagnostics: [] };
  const seed = get(checkBlock(quiet, { ...model, blocks: [], statements: [] }, "", {}), "seed");
  return typeof seed === "number" ? seed : 42;
}

function variation(ctx: ModelContext, file: string, node: A.Vary, design: SweepPlan["design"], diagnostics: Diagnostic[]): Variation | null {
  const pathText = node.path.map((p) => p.text).join(".");
  const text = ctx.program.modules.get(file)?.text ?? "";
  const values = node.values.kind === "Paren" ? node.values.expr : node.values;
  if (values.kind === "List") {
    if (!values.items.length) {
      diagnostics.push(diagnostic("SBX3008", { range: sourceOf({ text }, values.span) }, file, values.span));
      return null;
    }
    return { path: node.path, pathText, file, span: node.span, choices: values.items, interval: null };
  }
  if (values.kind === "Range") {
    const lo = constantNumber(values.from);
    const hi = constantNumber(values.to);
    const step = values.step ? constantNumber(values.step) : null;
    if (!lo || !hi || (values.step && !step)) {
      diagnostics.push(diagnostic("SBX2101", { context: `vary ${pathText}`, expected: "a range of numbers such as 0%..20% by 5%", found: sourceOf({ text }, values.span) }, file, values.span));
      return null;
    }
    const numbers = { file, text, diagnostics };
    if (!checkMagnitude(numbers, lo, values.from, `vary ${pathText}`) || !checkMagnitude(numbers, hi, values.to, `vary ${pathText}`) || (step && !checkMagnitude(numbers, step, values.step!, `vary ${pathText}`))) return null;
    if (hi.value < lo.value) {
      diagnostics.push(diagnostic("SBX3008", { range: sourceOf({ text }, values.span) }, file, values.span));
      return null;
    }
    const integral = Number.isInteger(lo.value) && Number.isInteger(hi.value) && !lo.percent && !hi.percent;
    if (design === "grid" || step) {
      const by = step?.value ?? (integral ? 1 : NaN);
      if (!(by > 0)) {
        diagnostics.push(diagnostic("SBX2101", { context: `vary ${pathText} in a grid design`, expected: "a list, or a range with a step such as `0%..20% by 5%`", found: "a range of fractions without a step" }, file, values.span));
        return null;
      }
      const choices: A.Expr[] = [];
      const count = Math.floor((hi.value - lo.value) / by + 1e-9);
      if (count + 1 > LIMITS.varyValues) {
        diagnostics.push(diagnostic("SBX3018", { what: `vary ${pathText} in ${sourceOf({ text }, values.span)}`, count: `${limitText(count + 1)} values`, limit: limitText(LIMITS.varyValues) }, file, values.span));
        return null;
      }
      for (let i = 0; i <= count; i++) {
        const v = Number((lo.value + i * by).toPrecision(12));
        choices.push(literal(lo.percent ? v * 100 : v, lo.percent, values.span));
      }
      return { path: node.path, pathText, file, span: node.span, choices, interval: null };
    }
    return { path: node.path, pathText, file, span: node.span, choices: null, interval: { low: lo.value, high: hi.value, percent: lo.percent || hi.percent, span: values.span } };
  }
  // A single value: a constant setting for every cell.
  return { path: node.path, pathText, file, span: node.span, choices: [values], interval: null };
}

function literal(value: number, percent: boolean, span: A.Span): A.NumberLit {
  const raw = formatNumber(value);
  return { kind: "Number", value, raw, percent, unit: null, span };
}

interface PointValue {
  readonly expr: A.Expr;
  readonly display: CellValue;
}

function displayOf(expr: A.Expr): CellValue {
  switch (expr.kind) {
    case "Number":
      return expr.percent ? Number((expr.value / 100).toPrecision(12)) : expr.value;
    case "Bool":
      return expr.value;
    case "String":
      return expr.value;
    case "Ident":
      return expr.name;
    default: {
      const n = constantNumber(expr);
      return n ? n.value : "";
    }
  }
}

/** The design's points: one value per variation per cell, in a fixed order. */
function designPoints(design: SweepPlan["design"], variations: readonly Variation[], samples: number, seed: number): PointValue[][] {
  if (!variations.length) return [[]];
  if (design === "grid") {
    let points: PointValue[][] = [[]];
    for (const v of variations) {
      const choices = v.choices ?? [];
      points = points.flatMap((p) => choices.map((c) => [...p, { expr: c, display: displayOf(c) }]));
    }
    return points;
  }
  const rng = seedrandom.alea(String(seed));
  const pick = (v: Variation, u: number): PointValue => {
    if (v.interval) {
      const value = v.interval.low + (v.interval.high - v.interval.low) * u;
      return { expr: literal(v.interval.percent ? value * 100 : value, v.interval.percent, v.interval.span), display: value };
    }
    const choices = v.choices!;
    const c = choices[Math.min(choices.length - 1, Math.floor(u * choices.length))]!;
    return { expr: c, display: displayOf(c) };
  };
  if (design === "random") {
    return Array.from({ length: samples }, () => variations.map((v) => pick(v, rng.double())));
  }
  // Latin hypercube: each variation's range is cut into `samples` strata, each used once, in a shuffled order.
  const columns = variations.map((v) => {
    const order = Array.from({ length: samples }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.double() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order.map((stratum) => pick(v, (stratum + rng.double()) / samples));
  });
  return Array.from({ length: samples }, (_, i) => columns.map((col) => col[i]!));
}
