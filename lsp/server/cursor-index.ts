/**
 * Completion and hover on large files without re-reading the whole file on
 * every keystroke: remember where top-level declarations start (lines where
 * parsing can begin afresh), carry those places across edits, and parse only
 * the declaration around the cursor.
 *
 * Places before an edit are unchanged. Places after it shift with the edit
 * when the edit only touched words, numbers and spaces; an edit that adds or
 * removes braces, quotes or comment marks drops them (the structure after it
 * may have changed), and they are found again by the next full scan.
 */
import { parse } from "../../language/syntax.ts";
import type { Parsed } from "./context.ts";
import type { Slices } from "./edited-text.ts";
import { reparsed } from "./reparse.ts";

export interface Window {
  readonly parsed: Parsed;
  readonly text: string;
  /** Offset of the window in the document. */
  readonly base: number;
}

/** Windows larger than this trigger a full scan, which finds the declarations typed since the last one. */
const LARGE_WINDOW = 12_000;
const PLAIN = /^[A-Za-z0-9_ \t.%-]*$/;
/** Declarations' parses kept (the cursor moves between a few while one types). */
const KEPT = 8;

/** A declaration's text and its parse; `clean`: it parsed without a diagnostic (reparse.ts starts only from those). */
interface Known {
  readonly text: string;
  readonly parsed: Parsed;
  readonly clean: boolean;
  /** Where in the document it was last asked for. */
  base: number;
}

export class CursorIndex {
  private text: string | null = null;
  private starts: number[] = [];
  /** The last window asked for (hover and completion often ask about the same text). */
  private last: Window | null = null;
  /** Recent declarations' parses, the latest first: a keystroke's declaration is parsed again from its previous parse. */
  private known: Known[] = [];

  /** The declaration around `offset` of `text`, whose characters `read` gives (the document's pieces, edited-text.ts). */
  window(text: string, offset: number, read: Slices = text): Window {
    this.follow(text);
    let w = this.cut(text, offset);
    if (w.end - w.start > LARGE_WINDOW && text.length > LARGE_WINDOW) {
      this.rescan(text);
      w = this.cut(text, offset);
    }
    const slice = read.slice(w.start, w.end);
    if (this.last && this.last.base === w.start && this.last.text === slice) return this.last;
    return (this.last = { parsed: this.parse(slice, w.start), text: slice, base: w.start });
  }

  /**
   * The parse of a declaration's text at `base`: one kept (windows are parsed on their own, so a declaration
   * that moved keeps its parse), else made from the last parse of the declaration at `base` when only a few
   * lines changed (reparse.ts), else parsed.
   */
  private parse(slice: string, base: number): Parsed {
    const i = this.known.findIndex((k) => k.text === slice);
    if (i >= 0) {
      const k = this.known[i]!;
      k.base = base;
      if (i > 0) this.known.unshift(...this.known.splice(i, 1));
      return k.parsed;
    }
    const before = this.known.find((k) => k.base === base && k.clean);
    const again = before ? reparsed(before.parsed, before.text, slice) : null;
    let known: Known;
    if (again) known = { text: slice, parsed: again, clean: true, base };
    else {
      const { file, tokens, diagnostics } = parse(slice, "");
      known = { text: slice, parsed: { file, tokens }, clean: diagnostics.length === 0, base };
    }
    // The declaration's older texts at this place go: a parse is kept per place.
    this.known = [known, ...this.known.filter((k) => k.base !== base).slice(0, KEPT - 1)];
    return known.parsed;
  }

  private cut(text: string, offset: number): { start: number; end: number } {
    let start = 0;
    let end = text.length;
    for (const s of this.starts) {
      if (s <= offset) start = s;
      else {
        // The declaration at the cursor ends where the next one starts (a word typed at a start belongs to it).
        if (s > offset) {
          end = s;
          break;
        }
      }
    }
    return { start, end };
  }

  private rescan(text: string): void {
    this.starts = topLevelStarts(text);
    this.text = text;
  }

  /**
   * An edit of the document: [start, end) of `old` became `insertLength` characters, giving `text`;
   * `read` gives the characters of both (the document's pieces, edited-text.ts).
   */
  edited(old: string, start: number, end: number, insertLength: number, text: string, read: { old: Slices; text: Slices } = { old, text }): void {
    if (this.text !== old) return;
    this.carry(read.old, read.text, text, start, end, start + insertLength);
  }

  /** Carry the known starts over from the previous text to `text`, finding the change by comparing them. */
  private follow(text: string): void {
    const old = this.text;
    if (old === null) return this.rescan(text);
    if (old === text) return;
    const max = Math.min(old.length, text.length);
    let p = 0;
    while (p < max && old.charCodeAt(p) === text.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && old.charCodeAt(old.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
    this.carry(old, text, text, p, old.length - s, text.length - s);
  }

  /** Carry the starts over an edit: [p, oldEnd) of the old text (read by `old`) became [p, newEnd) of `text` (read by `read`). */
  private carry(old: Slices, read: Slices, text: string, p: number, oldEnd: number, newEnd: number): void {
    // Look two characters around the change, so `""` + `"` is seen as `"""`.
    const removed = old.slice(Math.max(0, p - 2), Math.min(old.length, oldEnd + 2));
    const added = read.slice(Math.max(0, p - 2), Math.min(read.length, newEnd + 2));
    if (/"""|\/\*|\*\//.test(removed) || /"""|\/\*|\*\//.test(added)) return this.rescan(text);
    const plain = PLAIN.test(old.slice(p, oldEnd)) && PLAIN.test(read.slice(p, newEnd));
    const delta = newEnd - oldEnd;
    this.starts = [...this.starts.filter((x) => x < p), ...(plain ? this.starts.filter((x) => x - 1 >= oldEnd).map((x) => x + delta) : [])];
    this.text = text;
  }
}

const IDENT_START = /[A-Za-z_]/;

/**
 * Offsets where a top-level declaration or import starts at the beginning of
 * a line (outside every brace, string and comment): parsing can start afresh
 * there. A character scan, not the lexer: it runs over the whole file when
 * the places are lost, and must stay cheap on megabytes.
 */
export function topLevelStarts(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++; // {
    else if (c === 125) depth = Math.max(0, depth - 1); // }
    else if (c === 34) {
      // "…" to its closing quote on the line, or """…""" (as the lexer: an unclosed """ is an empty string and a quote)
      const close = text.startsWith('"""', i) ? text.indexOf('"""', i + 3) : -1;
      if (close >= 0) i = close + 2;
      else {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 92) j += 2; // backslash escape
          else if (d === 34 || d === 10 || d === 13) break;
          else j++;
        }
        i = text.charCodeAt(j) === 34 ? j : j - 1;
      }
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? n : eol - 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      // An unclosed /* runs to the end of the text (the lexer's UnterminatedComment).
      const close = text.indexOf("*/", i + 2);
      i = close >= 0 ? close + 1 : n;
    } else if (depth === 0 && (i === 0 || text.charCodeAt(i - 1) === 10) && IDENT_START.test(text[i]!)) out.push(i);
  }
  return out;
}
