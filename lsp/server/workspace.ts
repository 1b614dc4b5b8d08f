/**
 * The server's view of the files: open buffers over the disk, and what has
 * been computed from them. The compiler does no IO; its host here serves
 * open buffers first.
 *
 * Caching: lexing and parsing are kept per document version; a compilation is
 * kept per entry and "world generation" (bumped by every edit, open, close or
 * change on disk), so hover, completion and navigation never recompile when
 * nothing changed. Completion and hover may also use the last compilation of
 * an older generation for names declared elsewhere, which a one-character
 * edit does not change.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { lex, parse, type ParseResult } from "../../language/syntax.ts";
import type { SourceHost } from "../../src/compiler/host.ts";
import { normalizePath } from "../../src/compiler/host.ts";
import { compile, type Compilation } from "../../src/compiler/index.ts";
import type { Module } from "../../src/compiler/program.ts";
import { LineIndex, type Position } from "../../src/text/line-index.ts";
import type { Lexed } from "./context.ts";
import { CursorIndex, type Window } from "./cursor-index.ts";

export interface OpenDocument {
  readonly uri: string;
  readonly path: string;
  readonly version: number;
  readonly text: string;
  readonly lines: LineIndex;
}

/** An LSP content change: a replaced range, or the whole text. */
export interface ContentChange {
  readonly range?: { readonly start: Position; readonly end: Position };
  readonly text: string;
}

interface Derived {
  version: number;
  lexed?: Lexed;
  parsed?: ParseResult;
}

interface CachedCompilation {
  readonly generation: number;
  readonly result: Compilation;
}

export class Workspace {
  private readonly docs = new Map<string, OpenDocument>();
  private readonly derived = new Map<string, Derived>();
  private readonly compilations = new Map<string, CachedCompilation>();
  private readonly disk = new Map<string, string | undefined>();
  private readonly diskLines = new Map<string, LineIndex>();
  private readonly cursorIndexes = new Map<string, CursorIndex>();
  private generation = 0;
  /** How many compilations ran (tests and the benchmark read it). */
  compiles = 0;

  constructor(
    readonly stdlibDir: string,
    private readonly readDisk: (path: string) => string | undefined = defaultReadDisk,
  ) {
    this.host = { stdlibDir, readFile: (path) => this.text(path) };
  }

  // ---- documents ----------------------------------------------------------------------

  set(uri: string, version: number, text: string): OpenDocument {
    const doc = { uri, path: uriToPath(uri), version, text, lines: new LineIndex(text) };
    this.docs.set(doc.path, doc);
    this.generation++;
    return doc;
  }

  /** Apply incremental changes (in order): only the lines around each edit are re-indexed. */
  change(uri: string, version: number, changes: readonly ContentChange[]): OpenDocument {
    const path = uriToPath(uri);
    const previous = this.docs.get(path);
    if (!previous) return this.set(uri, version, changes.at(-1)?.text ?? "");
    let { text, lines } = previous;
    const index = this.cursorIndexes.get(path);
    for (const c of changes) {
      if (!c.range) {
        text = c.text;
        lines = new LineIndex(text);
        continue;
      }
      const start = lines.offset(c.range.start);
      const end = Math.max(start, lines.offset(c.range.end));
      const next = text.slice(0, start) + c.text + text.slice(end);
      index?.edited(text, start, end, c.text.length, next);
      lines = lines.edited(start, end, c.text, next);
      text = next;
    }
    const doc = { uri, path, version, text, lines };
    this.docs.set(path, doc);
    this.generation++;
    return doc;
  }

  close(uri: string): void {
    const path = uriToPath(uri);
    this.docs.delete(path);
    this.derived.delete(path);
    this.cursorIndexes.delete(path);
    this.compilations.delete(path);
    this.generation++;
  }

  /** Files changed on disk (saved elsewhere, created, deleted). */
  diskChanged(): void {
    this.disk.clear();
    this.diskLines.clear();
    this.generation++;
  }

  document(path: string): OpenDocument | undefined {
    return this.docs.get(path);
  }

  documents(): OpenDocument[] {
    return [...this.docs.values()];
  }

  isOpen(path: string): boolean {
    return this.docs.has(path);
  }

  uriOf(path: string): string {
    return this.docs.get(path)?.uri ?? pathToFileURL(path).href;
  }

  /** The text of any file: an open buffer, else the disk. */
  text(path: string): string | undefined {
    const open = this.docs.get(path);
    if (open) return open.text;
    if (!this.disk.has(path)) this.disk.set(path, this.readDisk(path));
    return this.disk.get(path);
  }

  readonly host: SourceHost;

  isStdlib(path: string): boolean {
    return path.startsWith(normalizePath(this.stdlibDir) + "/");
  }

  // ---- derived per version ------------------------------------------------------------------

  private derivedOf(doc: OpenDocument): Derived {
    let d = this.derived.get(doc.path);
    if (!d || d.version !== doc.version) this.derived.set(doc.path, (d = { version: doc.version }));
    return d;
  }

  lexed(doc: OpenDocument): Lexed {
    const d = this.derivedOf(doc);
    if (!d.lexed) {
      const { tokens, comments } = lex(doc.text, doc.path);
      d.lexed = { tokens, comments };
    }
    return d.lexed;
  }

  /** The lexed declaration around `offset`, for completion and hover (see cursor-index.ts). */
  window(doc: OpenDocument, offset: number): Window {
    let index = this.cursorIndexes.get(doc.path);
    if (!index) this.cursorIndexes.set(doc.path, (index = new CursorIndex()));
    return index.window(doc.text, offset);
  }

  parsed(doc: OpenDocument): ParseResult {
    const d = this.derivedOf(doc);
    if (!d.parsed) {
      const compiled = this.compilations.get(doc.path);
      const module = compiled?.result.program.modules.get(doc.path);
      d.parsed = module && module.text === doc.text ? module.syntax : parse(doc.text, doc.path);
    }
    return d.parsed;
  }

  lines(path: string): LineIndex {
    const doc = this.docs.get(path);
    if (doc) return doc.lines;
    let index = this.diskLines.get(path);
    if (!index) this.diskLines.set(path, (index = new LineIndex(this.text(path) ?? "")));
    return index;
  }

  // ---- compilations -----------------------------------------------------------------------

  /** The compilation of `path` as an entry, up to date with every open buffer. */
  compilation(path: string): Compilation {
    const cached = this.compilations.get(path);
    if (cached && cached.generation === this.generation) return cached.result;
    const result = compile(this.host, [path]);
    this.compiles++;
    this.compilations.set(path, { generation: this.generation, result });
    const doc = this.docs.get(path);
    const module = result.program.modules.get(path);
    if (doc && module && module.text === doc.text) this.derivedOf(doc).parsed = module.syntax;
    return result;
  }

  /** The last compilation of `path`, however old; compiles only when there is none. */
  recentCompilation(path: string): Compilation {
    return this.compilations.get(path)?.result ?? this.compilation(path);
  }

  isCurrent(path: string): boolean {
    return this.compilations.get(path)?.generation === this.generation;
  }

  /** The module of `path` in a compilation. */
  module(result: Compilation, path: string): Module | undefined {
    return result.program.modules.get(path);
  }
}

function defaultReadDisk(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** `file:` URIs map to their path; other schemes (unsaved buffers) to a stable virtual path. */
export function uriToPath(uri: string): string {
  if (uri.startsWith("file:")) return normalizePath(fileURLToPath(uri));
  const name = uri.replace(/[^A-Za-z0-9_.-]+/g, "_");
  return `/__unsaved__/${name.endsWith(".sbx") ? name : `${name}.sbx`}`;
}
