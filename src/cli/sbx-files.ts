/** The `.sbx` files named on a command line: files as given, directories searched recursively. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { absolute } from "../platform/node-host.ts";

/** Directories never searched: dependencies, build output, hidden folders. */
const SKIPPED_DIRS = new Set(["node_modules", "dist"]);

export function collectSbxFiles(args: readonly string[]): { files: string[]; problems: Diagnostic[] } {
  const files: string[] = [];
  const problems: Diagnostic[] = [];
  for (const arg of args) {
    const path = absolute(arg);
    if (!existsSync(path)) {
      problems.push(fileDiagnostic("SBX5001", { path: arg, reason: "no such file or directory" }, path));
      continue;
    }
    if (!statSync(path).isDirectory()) {
      files.push(path);
      continue;
    }
    const found = walk(path);
    if (!found.length) problems.push(fileDiagnostic("SBX5001", { path: arg, reason: "the directory holds no .sbx files" }, path));
    files.push(...found);
  }
  return { files: [...new Set(files)], problems };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  // Sorted so the order of a check's report does not depend on the file system.
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith(".")) continue;
    const path = `${dir}/${entry.name}`.replace(/\/+/g, "/");
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...walk(path));
    } else if (entry.name.endsWith(".sbx")) {
      out.push(join(path).replace(/\\/g, "/"));
    }
  }
  return out;
}
