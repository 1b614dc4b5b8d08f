/** `sbx compile FILE… [--out plan.json] [--json] [--scenario NAME] [--set path=value]` */
import { statSync } from "node:fs";
import { compile, type Compilation, type CompiledScenario, type Override } from "../compiler/index.ts";
import { sweepDiagnostics } from "../compiler/sweep.ts";
import { diagnostic, fileDiagnostic, hasErrors, sortDiagnostics, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { validatePlan } from "../plan/validate.ts";
import { SBX_VERSION } from "../version.ts";
import { isFileSystemError, osReason, shownPath, writeFileAtomic } from "../platform/files.ts";
import { absolute, nodeHost } from "../platform/node-host.ts";
import { diagnosticsJson, displayPath, renderDiagnostics, summarize } from "./render-diagnostics.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export interface CompileCommandOptions {
  readonly out?: string;
  readonly json?: boolean;
  readonly scenario?: string;
  readonly set?: readonly string[];
  /** No notes. */
  readonly quiet?: boolean;
}

/** `path=value` strings from the command line → overrides. */
export function parseOverrides(sets: readonly string[] | undefined, origin = "--set"): { overrides: Override[]; problems: string[] } {
  const overrides: Override[] = [];
  const problems: string[] = [];
  for (const s of sets ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) problems.push(s);
    else overrides.push({ path: s.slice(0, eq).trim(), value: s.slice(eq + 1).trim(), origin });
  }
  return { overrides, problems };
}

/** Files that must exist (and be files) before compiling; others are I/O errors (exit 2). Messages name them as the user wrote them. */
export function missingFiles(files: readonly string[]): Diagnostic[] {
  return files.flatMap((f) => {
    let reason: string;
    try {
      if (!statSync(f).isDirectory()) return [];
      reason = "it is a directory (name the .sbx files in it; `sbx check` searches directories)";
    } catch (e) {
      reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : osReason(e);
    }
    return [fileDiagnostic("SBX5001", { path: displayPath(f), reason }, f)];
  });
}

export function compilationSource(result: Compilation): (file: string) => string | undefined {
  return (file) => result.program.modules.get(file)?.text;
}

export function chooseScenario(result: Compilation, name: string | undefined): { scenario?: CompiledScenario; problem?: Diagnostic } {
  const candidates = result.scenarios;
  const file = result.program.entries[0] ?? "";
  if (name !== undefined) {
    const found = candidates.find((s) => s.name === name);
    if (found) return { scenario: found };
    return { problem: fileDiagnostic("SBX2006", { what: "scenario", name, suggestion: null }, file) };
  }
  if (candidates.length === 1) return { scenario: candidates[0] };
  if (candidates.length === 0) return { problem: fileDiagnostic("SBX2017", {}, file) };
  return { problem: fileDiagnostic("SBX2018", { names: candidates.map((s) => s.name).join(", ") }, file) };
}

export async function compileCommand(files: readonly string[], options: CompileCommandOptions, term: Terminal): Promise<number> {
  const paths = files.map(absolute);
  const missing = missingFiles(paths);
  const { overrides, problems } = parseOverrides(options.set);
  const usage = problems.map((p) => unplacedDiagnostic("SBX5003", { override: p, detail: "expected path=value" }));
  if (missing.length || usage.length) {
    report(term, options, [...missing, ...usage], () => undefined, []);
    return EXIT.usage;
  }
  const result = compile(nodeHost(), paths, { overrides, ...(options.scenario !== undefined ? { scenario: options.scenario } : {}) });
  // Sweeps are checked cell by cell, as `sbx sweep` would, so a misspelt `vary` fails here too.
  const diagnostics = sortDiagnostics([...result.diagnostics, ...sweepDiagnostics(result, { overrides })]);
  let exit: number = hasErrors(diagnostics) ? EXIT.errors : EXIT.ok;
  const planScenarios = result.scenarios.filter((s) => options.scenario === undefined || s.name === options.scenario);

  if (options.out !== undefined && exit === EXIT.ok) {
    const chosen = chooseScenario(result, options.scenario);
    if (chosen.problem) {
      diagnostics.push(chosen.problem);
      exit = chosen.problem.code === "SBX2018" ? EXIT.usage : EXIT.errors;
    } else if (chosen.scenario?.plan && !validatePlan(chosen.scenario.plan).problems) {
      // A plan that breaks its schema is reported below (SBX4003) and never written.
      try {
        writeFileAtomic(options.out, `${JSON.stringify(chosen.scenario.plan, null, 2)}\n`);
      } catch (e) {
        if (!isFileSystemError(e)) throw e;
        const path = (e as { path?: string }).path ?? options.out;
        diagnostics.push(unplacedDiagnostic("SBX5009", { path: shownPath(path), reason: osReason(e) }));
        exit = EXIT.usage;
      }
    }
  } else if (options.scenario !== undefined && !result.scenarios.some((s) => s.name === options.scenario)) {
    diagnostics.push(chooseScenario(result, options.scenario).problem!);
    exit = EXIT.errors;
  }
  // The checker refuses what a plan cannot carry; a plan that still breaks its schema is a bug in sbx (SBX4003, exit 2).
  if (planScenarios.some((s) => s.plan && validatePlan(s.plan).problems)) exit = EXIT.usage;
  report(term, options, diagnostics, compilationSource(result), planScenarios);
  return exit;
}

function report(term: Terminal, options: CompileCommandOptions, diagnostics: readonly Diagnostic[], source: (f: string) => string | undefined, scenarios: readonly CompiledScenario[]): void {
  for (const s of scenarios) {
    const problems = s.plan ? validatePlan(s.plan).problems : null;
    if (problems) (diagnostics as Diagnostic[]).push(diagnostic("SBX4003", { detail: `the plan of '${s.name}' breaks its schema: ${problems.join("; ")}` }, s.file, s.decl.node.name!.span));
  }
  if (options.json) {
    const doc = {
      format: "sbx-compile",
      version: 1,
      sbxVersion: SBX_VERSION,
      ok: !hasErrors(diagnostics),
      summary: summarize(diagnostics),
      diagnostics: diagnosticsJson(diagnostics, source),
      scenarios: scenarios.map((s) => ({ name: s.name, file: s.file, planHash: s.planHash, plan: s.plan })),
    };
    term.out(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  term.err(renderDiagnostics(options.quiet ? diagnostics.filter((d) => d.severity !== "info") : diagnostics, source, term));
}
