/**
 * `sbx import FILE.yaml [--out FILE.sbx] [--profile sbx|swarm-0.1] [--json]`:
 * convert a sandbox scenario YAML to .sbx. The output is compiled before it
 * is written; nothing is written when the YAML is refused.
 *
 * Exit codes: 0 converted (warnings allowed); 1 refused (keys outside the
 * sandbox's schema, invalid YAML or values); 2 usage, I/O, or an internal
 * error (the output would not compile).
 */
import { readFileSync } from "node:fs";
import { fileDiagnostic, hasErrors, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { importAndVerify } from "../import/index.ts";
import type { Profile } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { osReason, writeFileAtomic } from "../platform/files.ts";
import { absolute, nodeHost } from "../platform/node-host.ts";
import { diagnosticsJson, displayPath, renderDiagnostics, summarize } from "./render-diagnostics.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export interface ImportCommandOptions {
  readonly out?: string;
  readonly profile?: Profile;
  readonly json?: boolean;
}

export function importCommand(file: string, options: ImportCommandOptions, term: Terminal): number {
  const path = absolute(file);
  const outPath = options.out !== undefined ? absolute(options.out) : undefined;
  const sources = new Map<string, string>();
  const finish = (diagnostics: readonly Diagnostic[], exit: number, sbx: string | null): number => {
    report(term, options, diagnostics, (f) => sources.get(f), sbx, outPath, exit);
    return exit;
  };

  if (outPath === path) {
    return finish([unplacedDiagnostic("SBX5002", { detail: "--out names the YAML file itself; choose another path for the .sbx" })], EXIT.usage, null);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : osReason(e);
    return finish([fileDiagnostic("SBX5001", { path: displayPath(path), reason }, path)], EXIT.usage, null);
  }
  sources.set(path, text);

  const result = importAndVerify(text, path, nodeHost(), { ...(options.profile ? { profile: options.profile } : {}), ...(outPath ? { outPath } : {}) });
  const diagnostics = [...result.diagnostics];
  if (result.sbx === null) {
    // An output that does not compile is the importer's fault, not the YAML's.
    const internal = diagnostics.some((d) => d.code === "SBX4003");
    return finish(diagnostics, internal ? EXIT.usage : hasErrors(diagnostics) ? EXIT.errors : EXIT.usage, null);
  }
  if (outPath !== undefined) {
    try {
      writeFileAtomic(outPath, result.sbx);
    } catch (e) {
      diagnostics.push(unplacedDiagnostic("SBX5009", { path: displayPath(outPath), reason: osReason(e) }));
      return finish(diagnostics, EXIT.usage, null);
    }
  } else if (!options.json) term.out(result.sbx);
  return finish(diagnostics, EXIT.ok, result.sbx);
}

function report(
  term: Terminal,
  options: ImportCommandOptions,
  diagnostics: readonly Diagnostic[],
  source: (file: string) => string | undefined,
  sbx: string | null,
  outPath: string | undefined,
  exit: number,
): void {
  if (options.json) {
    const doc = {
      format: "sbx-import",
      version: 1,
      sbxVersion: SBX_VERSION,
      ok: exit === EXIT.ok,
      profile: options.profile ?? "swarm-0.1",
      out: exit === EXIT.ok && outPath !== undefined ? displayPath(outPath) : null,
      summary: summarize(diagnostics),
      diagnostics: diagnosticsJson(diagnostics, source),
      sbx,
    };
    term.out(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  term.err(renderDiagnostics(diagnostics, source, term));
}
