/** The `.sbx` files named on a command line: files as given, directories searched recursively. */
import { readdirSync, statSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { fileDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { osReason } from "../platform/files.ts";
import { absolute } from "../platform/node-host.ts";
import { displayPath } from "./render-diagnostics.ts";

/** Directories never searched: dependencies, build output, hidden folders. */
const SKIPPED_DIRS = new Set(["node_modules", "dist"]);

export function collectSbxFiles(args: readonly string[]): { files: string[]; problems: Diagnostic[] } {
  const files: string[] = [];
  const problems: Diagnostic[] = [];
  for (const arg of args) {
    const path = absolute(arg);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (e) {
      problems.push(fileDiagnostic("SBX5001", { path: arg, reason: osReason(e) }, path));
      continue;
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const found = walk(path, problems);
    if (!found.length && !problems.length) problems.push(fileDiagnostic("SBX5001", { path: arg, reason: "the directory holds no .sbx files" }, path));
    files.push(...found);
  }
  return { files: [...new Set(files)], problems };
}

/** The .sbx files under `dir`; a folder that cannot be listed, or a file that cannot be reached (a dangling or looping link), is a problem with the OS's reason. */
function walk(dir: string, problems: Diagnostic[]): string[] {
  const out: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push(fileDiagnostic("SBX5001", { path: displayPath(dir), reason: osReason(e) }, dir));
    return out;
  }
  // Sorted so the order of a check's report does not depend on the file system.
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith(".")) continue;
    const path = `${dir}/${entry.name}`.replace(/\/+/g, "/");
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...walk(path, problems));
    } else if (entry.name.endsWith(".sbx")) {
      try {
        statSync(path);
      } catch (e) {
        problems.push(fileDiagnostic("SBX5001", { path: displayPath(path), reason: osReason(e) }, path));
        continue;
      }
      out.push(join(path).replace(/\\/g, "/"));
    }
  }
  return out;
}
