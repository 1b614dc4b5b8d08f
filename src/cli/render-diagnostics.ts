/**
 * Diagnostics at the CLI edge: `file:line:col: error[SBXnnnn]: message`
 * (GNU style, 1-based), with a source excerpt and caret on a terminal, and
 * the versioned JSON form for `--json`. A diagnostic about a whole file
 * prints `file: error[…]`, and one about no file `sbx: error[…]`, as GNU
 * tools name themselves.
 */
import { relative } from "node:path";
import type { Diagnostic, PlacedDiagnostic } from "../diagnostics/diagnostic.ts";
import { LineIndex } from "../text/line-index.ts";
import type { Terminal } from "./terminal.ts";

export type SourceLookup = (file: string) => string | undefined;

export function displayPath(file: string, cwd = process.cwd()): string {
  if (file.startsWith("<")) return file;
  const rel = relative(cwd, file).replace(/\\/g, "/");
  return rel === "" ? file : rel;
}

const SEVERITY_WORD = { error: "error", warning: "warning", info: "note" } as const;

export interface JsonPosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** `file` is absent for a diagnostic about no file, and `range` for one at no position in its file. */
export interface JsonDiagnostic {
  readonly file?: string;
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly range?: { readonly start: JsonPosition; readonly end: JsonPosition };
  readonly related: { file: string; message: string; range: { start: JsonPosition; end: JsonPosition } }[];
  readonly fixes: { title: string; edits: { file: string; range: { start: JsonPosition; end: JsonPosition }; text: string }[] }[];
}

class Indexes {
  private readonly cache = new Map<string, LineIndex>();
  constructor(private readonly source: SourceLookup) {}
  get(file: string): LineIndex {
    let index = this.cache.get(file);
    if (!index) this.cache.set(file, (index = new LineIndex(this.source(file) ?? "")));
    return index;
  }
  range(file: string, span: { start: number; end: number }): { start: JsonPosition; end: JsonPosition } {
    const index = this.get(file);
    const at = (offset: number): JsonPosition => ({ ...index.lineColumn(offset), offset });
    return { start: at(span.start), end: at(span.end) };
  }
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[], source: SourceLookup): JsonDiagnostic[] {
  const indexes = new Indexes(source);
  return diagnostics.map((d) => ({
    ...(d.file !== undefined ? { file: displayPath(d.file) } : {}),
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.span ? { range: indexes.range(d.file, d.span) } : {}),
    related: d.related.map((r) => ({ file: displayPath(r.file), message: r.message, range: indexes.range(r.file, r.span) })),
    fixes: d.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ file: displayPath(e.file), range: indexes.range(e.file, e.span), text: e.text })) })),
  }));
}

export function summarize(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number; notes: number } {
  return {
    errors: diagnostics.filter((d) => d.severity === "error").length,
    warnings: diagnostics.filter((d) => d.severity === "warning").length,
    notes: diagnostics.filter((d) => d.severity === "info").length,
  };
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], source: SourceLookup, term: Terminal, options: { excerpt?: boolean } = {}): string {
  const indexes = new Indexes(source);
  const c = term.color;
  const excerpt = options.excerpt ?? term.isTTY;
  const lines: string[] = [];
  for (const d of diagnostics) {
    const word = SEVERITY_WORD[d.severity];
    const paint = d.severity === "error" ? c.red : d.severity === "warning" ? c.yellow : c.cyan;
    lines.push(`${c.bold(`${where(d, indexes)}:`)} ${paint(c.bold(`${word}[${d.code}]`))}: ${d.message}`);
    if (excerpt && d.span && source(d.file) !== undefined) lines.push(...caretExcerpt(indexes.get(d.file), d.span, paint, c.dim));
    for (const r of d.related) {
      const pos = indexes.get(r.file).lineColumn(r.span.start);
      lines.push(`  ${c.dim(`${displayPath(r.file)}:${pos.line}:${pos.column}:`)} ${r.message}`);
    }
  }
  if (excerpt && diagnostics.length) {
    const { errors, warnings } = summarize(diagnostics);
    const parts = [errors ? c.red(`${errors} error${errors === 1 ? "" : "s"}`) : "", warnings ? c.yellow(`${warnings} warning${warnings === 1 ? "" : "s"}`) : ""].filter(Boolean);
    if (parts.length) lines.push(parts.join(", "));
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/** `file:line:col` at a span, `file` for a whole file, `sbx` for no file. */
function where(d: Diagnostic, indexes: Indexes): string {
  if (d.file === undefined) return "sbx";
  if (!d.span) return displayPath(d.file);
  const { line, column } = indexes.get(d.file).lineColumn(d.span.start);
  return `${displayPath(d.file)}:${line}:${column}`;
}

function caretExcerpt(index: LineIndex, span: { start: number; end: number }, paint: (s: string) => string, dim: (s: string) => string): string[] {
  const start = index.position(span.start);
  const end = index.position(Math.max(span.start, span.end));
  const text = index.lineText(start.line);
  const number = String(start.line + 1);
  const gutter = " ".repeat(number.length);
  const width = Math.max(1, (end.line === start.line ? end.character : text.length) - start.character);
  const lead = text.slice(0, start.character).replace(/[^\t]/g, " ");
  return [`${dim(`${number} |`)} ${text}`, `${dim(`${gutter} |`)} ${lead}${paint("^".repeat(width))}`];
}

/**
 * What `sbx run`, `check` and `sweep` show of the compiler's diagnostics: the
 * notes that settings have no effect in the profile (SBX3003) once per file —
 * the first, naming the others on one related line — and no notes at all with
 * `--quiet`. `sbx compile` lists every one.
 */
export function condenseNotes(diagnostics: readonly Diagnostic[], options: { quiet?: boolean } = {}): Diagnostic[] {
  if (options.quiet) return diagnostics.filter((d) => d.severity !== "info");
  const firstInert = new Map<string, { index: number; others: PlacedDiagnostic[] }>();
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    // SBX3003 is always at the setting's place; one at none would be left as it is.
    if (d.code !== "SBX3003" || !d.span) {
      out.push(d);
      continue;
    }
    const seen = firstInert.get(d.file);
    if (seen) seen.others.push(d);
    else {
      firstInert.set(d.file, { index: out.length, others: [] });
      out.push(d);
    }
  }
  for (const { index, others } of firstInert.values()) {
    if (!others.length) continue;
    const first = out[index]!;
    const names = others.map((o) => /^(\S+) has no effect/.exec(o.message)?.[1] ?? o.message);
    const profile = /in profile (\S+?):/.exec(first.message)?.[1] ?? "this profile";
    const message = `and ${names.join(", ")} ${others.length === 1 ? "has" : "have"} no effect in profile ${profile} either (\`sbx compile\` says why)`;
    out[index] = { ...first, related: [...first.related, { file: others[0]!.file, span: others[0]!.span, message }] };
  }
  return out;
}
