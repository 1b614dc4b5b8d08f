import { distance } from "fastest-levenshtein";
import type { Span } from "../text/span.ts";
import { CATALOGUE, messageOf, type Code, type ParamsOf, type Severity } from "./catalogue.ts";

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

interface DiagnosticBody {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly related: readonly Related[];
  readonly fixes: readonly Fix[];
}

/**
 * Where a diagnostic points, as honestly as it is known: a place in a file
 * (a span), a file as a whole (it cannot be read), or nowhere (a missing API
 * key, a bad option). A span never comes without its file. Positions are
 * offsets; they become line:column only at the edges (CLI, LSP), and only
 * when there is a span.
 */
export type Where =
  | { readonly file: string; readonly span: Span }
  | { readonly file: string; readonly span?: undefined }
  | { readonly file?: undefined; readonly span?: undefined };

export type Diagnostic = DiagnosticBody & Where;

/** A diagnostic at a place in a file: what every compiler phase reports. */
export type PlacedDiagnostic = DiagnosticBody & { readonly file: string; readonly span: Span };

export interface DiagnosticExtras {
  readonly related?: readonly Related[];
  readonly fixes?: readonly Fix[];
  readonly severity?: Severity;
}

function body<C extends Code>(code: C, params: ParamsOf<C>, extras: DiagnosticExtras): DiagnosticBody {
  return { code, severity: extras.severity ?? CATALOGUE[code].severity, message: messageOf(code, params), related: extras.related ?? [], fixes: extras.fixes ?? [] };
}

/** A diagnostic at `span` in `file`. */
export function diagnostic<C extends Code>(code: C, params: ParamsOf<C>, file: string, span: Span, extras: DiagnosticExtras = {}): PlacedDiagnostic {
  const b = body(code, params, extras);
  return { code: b.code, severity: b.severity, message: b.message, file, span, related: b.related, fixes: b.fixes };
}

/** A diagnostic about `file` as a whole, at no position in it (the file cannot be read, is no .sbx, …). */
export function fileDiagnostic<C extends Code>(code: C, params: ParamsOf<C>, file: string, extras: DiagnosticExtras = {}): Diagnostic {
  const b = body(code, params, extras);
  return { code: b.code, severity: b.severity, message: b.message, file, related: b.related, fixes: b.fixes };
}

/** A diagnostic about no file: a command-line option, the environment, the run as a whole. */
export function unplacedDiagnostic<C extends Code>(code: C, params: ParamsOf<C>, extras: DiagnosticExtras = {}): Diagnostic {
  return body(code, params, extras);
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

/** Stable order: diagnostics with no file first, then by file, position (a whole file before its spans) and code; duplicates (same place, code and message) dropped. */
export function sortDiagnostics<D extends Diagnostic>(diagnostics: readonly D[]): D[] {
  const seen = new Set<string>();
  const unique: D[] = [];
  for (const d of diagnostics) {
    const key = `${d.file ?? ""}\u0000${d.span?.start ?? -1}\u0000${d.span?.end ?? -1}\u0000${d.code}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  const file = (d: Diagnostic): string => d.file ?? "";
  const start = (d: Diagnostic): number => d.span?.start ?? -1;
  const end = (d: Diagnostic): number => d.span?.end ?? -1;
  return unique.sort((a, b) => (file(a) < file(b) ? -1 : file(a) > file(b) ? 1 : start(a) - start(b) || end(a) - end(b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)));
}
