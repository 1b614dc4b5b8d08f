/**
 * The importer's promise: what it writes compiles. This runs the real
 * compiler on the output and reports what it says against the YAML file:
 * warnings (advised ranges, settings a topology ignores) move to the YAML
 * key they came from; an error means the importer wrote something invalid,
 * a bug reported as SBX4003, and the output is withheld.
 */
import type { Span } from "../text/span.ts";
import { compile } from "../compiler/index.ts";
import { memoryHost, type SourceHost } from "../compiler/host.ts";
import { diagnostic, fileDiagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Plan } from "../plan/schema.ts";
import { importYaml, type ImportOptions, type ImportResult } from "./convert.ts";
import type { SourceMapEntry } from "./emit.ts";

export interface VerifyOptions extends ImportOptions {
  /** Where the .sbx will live (absolute); it names the output in the compiler's eyes. Default: the YAML path with `.sbx`. */
  readonly outPath?: string;
}

export interface CheckedImport extends ImportResult {
  /** The plan the output compiles to, when it was produced. */
  readonly plan: Plan | null;
}

export function sbxPathFor(yamlPath: string): string {
  return `${yamlPath.replace(/\.ya?ml$/i, "")}.sbx`;
}

/** Import `text`, compile the result against `host`'s standard library, and report everything against the YAML. */
export function importAndVerify(text: string, yamlFile: string, host: SourceHost, options: VerifyOptions = {}): CheckedImport {
  const imported = importYaml(text, yamlFile, options);
  if (imported.sbx === null) return { ...imported, plan: null };
  const outPath = options.outPath ?? sbxPathFor(yamlFile);
  const sbx = imported.sbx;
  const result = compile(memoryHost({ [outPath]: sbx }, host.stdlibDir, host), [outPath]);
  const diagnostics: Diagnostic[] = [...imported.diagnostics];
  let failed = false;
  for (const d of result.diagnostics) {
    if (d.severity === "info") continue;
    // Where the output's problem came from in the YAML; with no mapped key, the YAML file as a whole.
    const span = d.file === outPath && d.span ? yamlSpanOf(d, d.span, sbx, imported.sourceMap) : undefined;
    if (d.severity === "error") {
      failed = true;
      const params = { detail: `sbx import wrote .sbx that does not compile (${d.code}: ${d.message})` };
      diagnostics.push(span ? diagnostic("SBX4003", params, yamlFile, span) : fileDiagnostic("SBX4003", params, yamlFile));
    } else {
      const { code, severity, message } = d;
      diagnostics.push(span ? { code, severity, message, file: yamlFile, span, related: [], fixes: [] } : { code, severity, message, file: yamlFile, related: [], fixes: [] });
    }
  }
  const plan = result.scenarios[0]?.plan ?? null;
  if (!failed && !plan) {
    failed = true;
    diagnostics.push(fileDiagnostic("SBX4003", { detail: "sbx import wrote .sbx that compiles to no plan" }, yamlFile));
  }
  return { sbx: failed ? null : sbx, diagnostics: sortDiagnostics(diagnostics), sourceMap: imported.sourceMap, plan: failed ? null : plan };
}

/** The YAML range the output at `at` came from: the innermost mapped range holding it, if any. */
function yamlSpanOf(d: Diagnostic, at: Span, sbx: string, map: readonly SourceMapEntry[]): Span | undefined {
  // A model without a price is reported at the scenario's name; the YAML key that names the model is the better place.
  const model = d.code === "SBX3010" ? /'(.*)'/.exec(d.message)?.[1] : undefined;
  if (model !== undefined) {
    const entry = map.find((m) => sbx.slice(m.out.start, m.out.end).startsWith("model = ") && sbx.slice(m.out.start, m.out.end).includes(JSON.stringify(model)));
    if (entry) return entry.yaml;
  }
  let best: SourceMapEntry | null = null;
  for (const m of map) {
    if (m.out.start <= at.start && at.start < Math.max(m.out.end, m.out.start + 1)) {
      if (!best || m.out.end - m.out.start < best.out.end - best.out.start) best = m;
    }
  }
  return best?.yaml;
}
