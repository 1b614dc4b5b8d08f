/**
 * The editor thread's view of the files: open buffers over the disk, and
 * what a parse alone gives (line indexes, the declaration window around the
 * cursor, the whole tree for the outline). Compilations live in the analyzer
 * (analysis.ts), usually on another thread. Files that are not open are
 * read through `ServerFiles` (the disk, or the playground's virtual files).
 */
import { lex, parse, type ParseResult } from "../../language/syntax.ts";
import { normalizePath, type SourceHost } from "../../src/compiler/host.ts";
import { LineIndex, type Position } from "../../src/text/line-index.ts";
import type { Lexed } from "./context.ts";
import { CursorIndex, type Window } from "./cursor-index.ts";
import { EditedText } from "./edited-text.ts";
import { fileUriToPath, pathToFileUri, type ServerFiles } from "./files.ts";

export interface OpenDocument {
  readonly uri: string;
  readonly path: string;
  readonly version: number;
  readonly text: string;
  /** The text as pieces: read around the cursor without copying the document (edited-text.ts). */
  readonly pieces: EditedText;
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

export class Workspace {
  private readonly docs = new Map<string, OpenDocument>();
  private readonly derived = new Map<string, Derived>();
  private readonly diskLines = new Map<string, { stamp: string; lines: LineIndex }>();
  private readonly cursorIndexes = new Map<string, CursorIndex>();

  constructor(
    readonly stdlibDir: string,
    private readonly files: ServerFiles,
  ) {
    this.host = { stdlibDir, readFile: (path) => this.text(path) };
  }

  /** The compiler's host on this thread: open buffers first, then the disk. */
  readonly host: SourceHost;

  // ---- documents ----------------------------------------------------------------------

  set(uri: string, version: number, text: string): OpenDocument {
    const doc = { uri, path: uriToPath(uri), version, text, pieces: EditedText.of(text), lines: new LineIndex(text) };
    this.docs.set(doc.path, doc);
    return doc;
  }

  /**
   * Apply incremental changes (in order): only the lines around each edit are
   * re-indexed, and the text is not copied (edited-text.ts). A change to a
   * document that is not open is ignored (a late message after `didClose`
   * must not bring a fragment back as a document).
   */
  change(uri: string, version: number, changes: readonly ContentChange[]): OpenDocument | null {
    const path = uriToPath(uri);
    const previous = this.docs.get(path);
    if (!previous) return null;
    let { pieces, lines } = previous;
    const index = this.cursorIndexes.get(path);
    for (const c of changes) {
      if (!c.range) {
        pieces = EditedText.of(c.text);
        lines = new LineIndex(c.text);
        continue;
      }
      const start = lines.offset(c.range.start);
      const end = Math.max(start, lines.offset(c.range.end));
      const next = pieces.edited(start, end, c.text);
      index?.edited(pieces.text, start, end, c.text.length, next.text, { old: pieces, text: next });
      lines = lines.edited(start, end, c.text, next.text);
      pieces = next;
    }
    const doc = { uri, path, version, text: pieces.text, pieces, lines };
    this.docs.set(path, doc);
    return doc;
  }

  close(uri: string): string {
    const path = uriToPath(uri);
    this.docs.delete(path);
    this.derived.delete(path);
    this.cursorIndexes.delete(path);
    return path;
  }

  document(path: string): OpenDocument | undefined {
    return this.docs.get(path);
  }

  documents(): OpenDocument[] {
    return [...this.docs.values()];
  }

  uriOf(path: string): string {
    return this.docs.get(path)?.uri ?? pathToFileUri(path);
  }

  /** The text of any file: an open buffer, else the disk (read afresh: this thread reads unopened files rarely). */
  text(path: string): string | undefined {
    const open = this.docs.get(path);
    if (open) return open.text;
    return this.files.read(path);
  }

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
      const parsed = d.parsed;
      d.lexed = parsed ? { tokens: parsed.tokens, comments: lex(doc.text, doc.path).comments } : lex(doc.text, doc.path);
    }
    return d.lexed;
  }

  /** The parsed declaration around `offset`, for completion and hover (see cursor-index.ts). */
  window(doc: OpenDocument, offset: number): Window {
    let index = this.cursorIndexes.get(doc.path);
    if (!index) this.cursorIndexes.set(doc.path, (index = new CursorIndex()));
    return index.window(doc.text, offset, doc.pieces);
  }

  parsed(doc: OpenDocument): ParseResult {
    const d = this.derivedOf(doc);
    if (!d.parsed) d.parsed = parse(doc.text, doc.path);
    return d.parsed;
  }

  lines(path: string): LineIndex {
    const doc = this.docs.get(path);
    if (doc) return doc.lines;
    // A file that is gone has no lines.
    const stamp = this.files.stamp(path);
    const known = this.diskLines.get(path);
    if (known && known.stamp === stamp) return known.lines;
    const lines = new LineIndex(this.text(path) ?? "");
    this.diskLines.set(path, { stamp, lines });
    return lines;
  }
}

/**
 * Paths of the URIs seen lately: every message names its document by URI, and
 * parsing it as a URL cost more than the rest of a keystroke's `didChange`
 * (`npm run bench:lsp`). Emptied when it grows past a workspace's worth.
 */
const paths = new Map<string, string>();

/** `file:` URIs map to their path; other schemes (unsaved buffers) to a stable virtual path. */
export function uriToPath(uri: string): string {
  let path = paths.get(uri);
  if (path === undefined) {
    if (paths.size >= 1024) paths.clear();
    paths.set(uri, (path = pathOf(uri)));
  }
  return path;
}

function pathOf(uri: string): string {
  if (uri.startsWith("file:")) return normalizePath(fileUriToPath(uri));
  const name = uri.replace(/[^A-Za-z0-9_.-]+/g, "_");
  return `/__unsaved__/${name.endsWith(".sbx") ? name : `${name}.sbx`}`;
}
