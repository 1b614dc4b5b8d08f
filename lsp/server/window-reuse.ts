/**
 * After a keystroke the declaration at the cursor (cursor-index.ts) is
 * usually the one just edited, and most keystrokes in it change no
 * structure: a digit of a number, a space, a letter in a comment. Then the
 * parser would build the same tree with other offsets, so instead of parsing
 * the window again its tokens are re-read (the lexer, a fraction of a parse)
 * and the previous tree is carried over to the new offsets.
 *
 * The previous tree is carried only when the re-read tokens prove the parser
 * would see the same thing: the same token types, every token on the same
 * line, the same words, strings and operators (only number literals' digits
 * and comments' text may differ), and no new lexer error. The parser decides
 * on token types, on the words `by`, `vary` and unit words, and on line
 * breaks; it reads a number's digits only into that number's node. Otherwise
 * the window is parsed afresh. tests/lsp/window-reuse.test.ts checks the
 * carried tree against a fresh parse over random edits of the shipped files.
 */
import { tokenMatcher, type IToken } from "chevrotain";
import { MAX_SYNTAX_DIAGNOSTICS, lex, parse } from "../../language/syntax.ts";
import type * as A from "../../language/ast.ts";
import * as T from "../../language/tokens.ts";
import type { Parsed } from "./context.ts";

/** A parsed window with what deciding on reuse needs. */
export interface WindowParse {
  readonly text: string;
  readonly parsed: Parsed;
  readonly comments: readonly IToken[];
  /** At least the syntax diagnostics of the text (an upper bound once carried: a parse caps them, see syntax.ts). */
  readonly diagnostics: number;
}

export function parseWindow(text: string): WindowParse {
  const result = parse(text, "");
  // The comment tokens are the lexer's, in order; parse() keeps only their nodes.
  const comments = result.file.comments.length ? lex(text, "").comments : [];
  return { text, parsed: { file: result.file, tokens: result.tokens }, comments, diagnostics: result.diagnostics.length };
}

/** The window `text` (a new version of `old.text`), carried over from `old` when that gives what a parse would; else parsed. */
export function reparseWindow(old: WindowParse, text: string): WindowParse {
  return carried(old, text) ?? parseWindow(text);
}

/** The previous tree at the new offsets, or null when the tokens do not prove it is what a parse would build. */
export function carried(old: WindowParse, text: string): WindowParse | null {
  const before = old.text;
  // The changed range, by common prefix and suffix.
  const max = Math.min(before.length, text.length);
  let p = 0;
  while (p < max && before.charCodeAt(p) === text.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
  const oldEnd = before.length - s;
  const delta = text.length - before.length;

  const lexed = lex(text, "");
  // A new lexer error could tip the parse over its cap of diagnostics (it then keeps no tree).
  const diagnostics = old.diagnostics + lexed.diagnostics.length;
  if (old.diagnostics > MAX_SYNTAX_DIAGNOSTICS || diagnostics > MAX_SYNTAX_DIAGNOSTICS) return null;
  const tokens = lexed.tokens;
  const was = old.parsed.tokens;
  if (tokens.length !== was.length || lexed.comments.length !== old.comments.length) return null;
  for (let i = 0; i < tokens.length; i++) {
    const a = was[i]!;
    const b = tokens[i]!;
    if (!same(a, b, p, oldEnd, delta)) return null;
    if (a.image !== b.image && !tokenMatcher(b, T.NumberLiteral)) return null;
  }
  for (let i = 0; i < lexed.comments.length; i++) if (!same(old.comments[i]!, lexed.comments[i]!, p, oldEnd, delta)) return null;

  const map = new OffsetMap(was, tokens, old.comments, lexed.comments, p, oldEnd, delta);
  const file = old.parsed.file;
  try {
    const items = file.items.map((item) => map.node(item) as A.Item);
    const comments = file.comments.map((c, i): A.Comment => ({ ...c, text: lexed.comments[i]!.image, span: map.span(c.span) }));
    return { text, parsed: { file: { ...file, items, comments, span: map.span(file.span) }, tokens }, comments: lexed.comments, diagnostics };
  } catch (e) {
    if (e === AMBIGUOUS) return null;
    throw e;
  }
}

/**
 * The same token, as far as the parser can tell: its type and lines, and
 * its start and end where OffsetMap puts them (unchanged before the edit,
 * moved by the edit's length after it).
 */
function same(a: IToken, b: IToken, editStart: number, editEnd: number, delta: number): boolean {
  if (a.tokenTypeIdx !== b.tokenTypeIdx || a.startLine !== b.startLine || a.endLine !== b.endLine) return false;
  return moved(a.startOffset, b.startOffset, editStart, editEnd, delta) && moved(end(a), end(b), editStart, editEnd, delta);
}

function moved(x: number, y: number, editStart: number, editEnd: number, delta: number): boolean {
  return x < editStart ? y === x : x > editEnd ? y === x + delta : true;
}

const AMBIGUOUS = new Error("an offset inside the edit that is no token boundary");

/**
 * Old offsets → new ones. Token starts and ends map to the same token's
 * (tokens correspond one to one); other offsets shift with the edit unless
 * they fall inside it, where their place is ambiguous.
 */
class OffsetMap {
  private readonly oldStarts: number[] = [];
  private readonly newStarts: number[] = [];
  private readonly oldEnds: number[] = [];
  private readonly newEnds: number[] = [];
  /** New number literals by their old start offset. */
  private readonly numbers = new Map<number, IToken>();

  constructor(
    was: readonly IToken[],
    now: readonly IToken[],
    wasComments: readonly IToken[],
    nowComments: readonly IToken[],
    private readonly editStart: number,
    private readonly editEnd: number,
    private readonly delta: number,
  ) {
    // Tokens and comments interleave: merge them by offset so both lists stay sorted.
    let i = 0;
    let j = 0;
    while (i < was.length || j < wasComments.length) {
      const token = j >= wasComments.length || (i < was.length && was[i]!.startOffset < wasComments[j]!.startOffset);
      const a = token ? was[i]! : wasComments[j]!;
      const b = token ? now[i++]! : nowComments[j++]!;
      this.oldStarts.push(a.startOffset);
      this.newStarts.push(b.startOffset);
      this.oldEnds.push(end(a));
      this.newEnds.push(end(b));
      if (token && a.image !== b.image) this.numbers.set(a.startOffset, b);
    }
  }

  private shift(x: number, known: number[], to: number[]): number {
    // Tokens before the edit stayed and those after it moved by its length (see same()), and so did what lies between them.
    if (x < this.editStart) return x;
    if (x > this.editEnd) return x + this.delta;
    const i = indexOf(known, x);
    if (i >= 0) return to[i]!;
    throw AMBIGUOUS;
  }

  span(s: A.Span): A.Span {
    return { ...s, start: this.shift(s.start, this.oldStarts, this.newStarts), end: this.shift(s.end, this.oldEnds, this.newEnds) };
  }

  /** A copy of a tree node (any shape) with its spans moved and its changed numbers read anew. */
  node(n: unknown): unknown {
    if (Array.isArray(n)) return n.map((x) => this.node(x));
    if (n === null || typeof n !== "object") return n;
    const o = n as Record<string, unknown>;
    if (typeof o["start"] === "number" && typeof o["end"] === "number") return this.span(o as unknown as A.Span);
    const copy: Record<string, unknown> = {};
    for (const key in o) copy[key] = this.node(o[key]);
    if (o["kind"] === "Number") {
      const token = this.numbers.get((o as unknown as A.NumberLit).span.start);
      if (token) {
        copy["raw"] = token.image;
        copy["value"] = Number(token.image);
      }
    }
    return copy;
  }
}

const end = (t: IToken): number => (t.endOffset ?? t.startOffset) + 1;

function indexOf(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
