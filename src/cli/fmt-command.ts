/**
 * `sbx fmt [--check] FILE…`: rewrite files in the canonical layout
 * (language/format.ts, the same formatter the language server uses).
 *
 * Exit codes: 0 done (or, with --check, everything already formatted);
 * 1 a file has syntax errors, or with --check a file would change;
 * 2 a file is missing or cannot be written.
 */
import { readFileSync } from "node:fs";
import { format } from "../../language/format.ts";
import { fileDiagnostic, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { missingFiles } from "./compile-command.ts";
import { osReason, writeFileAtomic } from "../platform/files.ts";
import { absolute } from "../platform/node-host.ts";
import { displayPath, renderDiagnostics } from "./render-diagnostics.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export interface FmtCommandOptions {
  readonly check?: boolean;
}

export function fmtCommand(files: readonly string[], options: FmtCommandOptions, term: Terminal): number {
  const paths = files.map(absolute);
  const missing = missingFiles(paths);
  if (missing.length) {
    term.err(renderDiagnostics(missing, () => undefined, term));
    return EXIT.usage;
  }
  const sources = new Map<string, string>();
  const problems: Diagnostic[] = [];
  const changed: string[] = [];
  let exit: number = EXIT.ok;
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      problems.push(fileDiagnostic("SBX5001", { path: displayPath(path), reason: osReason(e) }, path));
      exit = EXIT.usage;
      continue;
    }
    sources.set(path, text);
    const result = format(text, path);
    if ("error" in result) {
      problems.push(...result.error);
      exit = Math.max(exit, EXIT.errors);
      continue;
    }
    if (result.text === text) continue;
    changed.push(path);
    if (options.check) continue;
    try {
      writeFileAtomic(path, result.text);
    } catch (e) {
      problems.push(unplacedDiagnostic("SBX5009", { path: displayPath(path), reason: osReason(e) }));
      exit = EXIT.usage;
    }
  }
  if (problems.length) term.err(renderDiagnostics(problems, (f) => sources.get(f), term));
  // Like `gofmt -l`: the files that changed (or would change) on stdout, one per line.
  for (const path of changed) term.out(`${displayPath(path)}\n`);
  if (options.check && changed.length) {
    term.err(`${changed.length} file${changed.length === 1 ? "" : "s"} not formatted; run \`sbx fmt\` on ${changed.length === 1 ? "it" : "them"}\n`);
    exit = Math.max(exit, EXIT.errors);
  }
  return exit;
}
