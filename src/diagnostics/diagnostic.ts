import { distance } from "fastest-levenshtein";
import type { Span } from "../text/span.ts";
import { CATALOGUE, type Code, type ParamsOf, type Severity } from "./catalogue.ts";

export interface TextEdit {
  readonly file: string;
  readonly span: Span;
  readonly text: string;
}

/** A machine-applicable repair, e.g. replacing a misspelt key with the suggested one. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
}

export interface Related {
  readonly file: string;
  readonly span: Span;
  readonly message: string;
}

/** Positions are offsets; they become line:column only at the edges (CLI, LSP). */
export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly span: Span;
  readonly related: readonly Related[];
  readonly fixes: readonly Fix[];
}

export interface DiagnosticExtras {
  readonly related?: readonly Related[];
  readonly fixes?: readonly Fix[];
  readonly severity?: Severity;
}

export function diagnostic<C extends Code>(code: C, params: ParamsOf<C>, file: string, span: Span, extras: DiagnosticExtras = {}): Diagnostic {
  const spec = CATALOGUE[code];
  return {
    code,
    severity: extras.severity ?? spec.severity,
    message: (spec.message as (p: ParamsOf<C>) => string)(params),
    file,
    span,
    related: extras.related ?? [],
    fixes: extras.fixes ?? [],
  };
}

/** The candidate closest to `name`, if it is close enough to be a plausible misspelling. */
export function closest(name: string, candidates: Iterable<string>): string | null {
  const list = [...candidates];
  // A name cut short (`network.avg_path`) most likely means the candidate it starts.
  const extensions = list.filter((c) => c !== name && c.startsWith(name) && name.length >= 3).sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  if (extensions.length) return extensions[0]!;
  let best: string | null = null;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of list) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== null && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return bestDistance <= limit && bestDistance > 0 ? best : bestDistance === 0 && best !== name ? best : null;
}

/** The "did you mean" fix for a misspelt name at `span`. */
export function replaceWith(file: string, span: Span, text: string): Fix {
  return { title: `Change to '${text}'`, edits: [{ file, span, text }] };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order: by file, then position, then code; duplicates (same place, code and message) dropped. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = `${d.file}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.code}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  return unique.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || a.span.end - b.span.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)));
}
