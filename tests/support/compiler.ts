/** Compiling test inputs through the real compiler and rendering its diagnostics as the CLI does. */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { compile, type Compilation } from "../../src/compiler/index.ts";
import { memoryHost, type SourceHost } from "../../src/compiler/host.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { LineIndex } from "../../src/text/line-index.ts";
import { ROOT } from "./golden.ts";

export const STDLIB = join(ROOT, "stdlib");

export function diskHost(): SourceHost {
  return { stdlibDir: STDLIB, readFile: (p) => (existsSync(p) ? readFileSync(p, "utf8") : undefined) };
}

/** Compile in-memory text as `/virtual/input.sbx` (imports of std/… still work). */
export function compileText(text: string, files: Record<string, string> = {}): Compilation {
  const host = memoryHost({ "/virtual/input.sbx": text, ...files }, STDLIB, diskHost());
  return compile(host, ["/virtual/input.sbx"]);
}

const shown = (file: string, base: string): string => (file.startsWith("<") ? file : relative(base, file).replace(/\\/g, "/"));

/** TypeScript-baseline style: one line per diagnostic, then the source line with squiggles. */
export function renderForGolden(diagnostics: readonly Diagnostic[], source: (file: string) => string | undefined, base: string): string {
  const out: string[] = [];
  for (const d of diagnostics) {
    const word = `${d.severity === "info" ? "note" : d.severity}[${d.code}]: ${d.message}`;
    // As the CLI prints them: `sbx:` for no file, the file alone for no position in it.
    if (d.file === undefined || !d.span) {
      out.push(`${d.file === undefined ? "sbx" : shown(d.file, base)}: ${word}`);
      continue;
    }
    const text = source(d.file) ?? "";
    const index = new LineIndex(text);
    const { line, column } = index.lineColumn(d.span.start);
    out.push(`${shown(d.file, base)}:${line}:${column}: ${word}`);
    if (text && !d.file.includes("/stdlib/")) {
      const start = index.position(d.span.start);
      const end = index.position(Math.max(d.span.start, d.span.end));
      const lineText = index.lineText(start.line);
      const width = Math.max(1, (end.line === start.line ? end.character : lineText.length) - start.character);
      out.push(`    ${lineText}`, `    ${" ".repeat(start.character)}${"~".repeat(width)}`);
    }
    for (const fix of d.fixes) out.push(`    fix: ${fix.title}`);
  }
  return out.length ? `${out.join("\n")}\n` : "(no diagnostics)\n";
}
