/**
 * A declaration's parse after a small edit, without lexing all of it again:
 * the tokens of the lines the edit touched are lexed afresh, the tokens before
 * them are kept, the tokens after them are shifted, and the tree is built from
 * that token vector by the parser's direct path (language/well-formed.ts), as
 * `parse` builds it for a text without syntax errors.
 *
 * A keystroke inside a declaration made completion and hover lex the whole
 * declaration again (`npm run bench:lsp`: lexing was most of a completion's
 * work besides the answer). Lexing is line-local except for the tokens that
 * may hold a line break (triple-quoted strings, block comments), so the
 * shortcut is taken only when none of those crosses the edited lines' edges
 * (one the edited lines open and do not close lexes as unterminated there);
 * and only from a text that parsed without a diagnostic, into a text whose
 * edited lines lex without one and which the direct path accepts. Anything else returns null: the caller parses the text
 * (`parse`), which is never wrong, only slower. tests/lsp/reparse.test.ts
 * compares the two on every declaration of the shipped files under random edits.
 */
import type { IToken } from "chevrotain";
import type * as A from "../../language/ast.ts";
import { lex } from "../../language/syntax.ts";
import * as T from "../../language/tokens.ts";
import { parseWellFormed } from "../../language/well-formed.ts";
import { firstAtOrAfter, lastBefore, type Parsed } from "./context.ts";

/**
 * The parse of `text`, made from `old` (the parse of `oldText`, which had no
 * diagnostic): exactly `parse(text, "")`'s tokens and tree, or null where this
 * shortcut does not apply.
 */
export function reparsed(old: Parsed, oldText: string, text: string): Parsed | null {
  if (oldText === text) return old;
  // The changed span: [p, oldEnd) of the old text became [p, newEnd) of the new one.
  const p = commonPrefix(oldText, text);
  const s = commonSuffix(oldText, text, Math.min(oldText.length, text.length) - p);
  const oldEnd = oldText.length - s;
  // Whole lines around it: from the start of p's line to the line break at or after the change (or the end).
  const from = p === 0 ? 0 : oldText.lastIndexOf("\n", p - 1) + 1;
  let oldTo = oldText.indexOf("\n", oldEnd);
  if (oldTo < 0) oldTo = oldText.length;
  const delta = text.length - oldText.length;
  const newTo = oldTo + delta;
  // A token that spans lines across either edge: the lines would not lex on their own as in the text.
  const { tokens, file } = old;
  if (crosses(tokens, from) || crosses(tokens, oldTo) || commentCrosses(file.comments, from) || commentCrosses(file.comments, oldTo)) return null;
  // A triple-quoted string or block comment the edited lines open and do not close is an unterminated one here.
  const lexed = lex(text.slice(from, newTo), "");
  if (lexed.diagnostics.length > 0) return null;

  const before = firstAtOrAfter(tokens, from);
  const after = firstAtOrAfter(tokens, oldTo);
  for (const t of lexed.tokens) {
    // Fresh tokens of the edited lines, moved to where those lines are.
    t.startOffset += from;
    t.endOffset = t.endOffset! + from;
  }
  const rest = tokens.slice(after);
  if (delta !== 0) for (let i = 0; i < rest.length; i++) rest[i] = T.movedToken(rest[i]!, delta);
  const out = tokens.slice(0, before).concat(lexed.tokens, rest);

  const items = parseWellFormed(out, "", text);
  if (items === null) return null;
  const comments: A.Comment[] = [];
  for (const c of file.comments) {
    if (c.span.start >= from) break;
    comments.push(c);
  }
  // As `parse` makes them (language/syntax.ts).
  for (const c of lexed.comments) comments.push({ text: c.image, block: c.tokenType !== T.LineComment, span: { start: c.startOffset + from, end: c.endOffset! + 1 + from } });
  for (const c of file.comments) if (c.span.start >= oldTo) comments.push(delta === 0 ? c : { text: c.text, block: c.block, span: { start: c.span.start + delta, end: c.span.end + delta } });
  // Fields in the order of a fresh parse's (cursor-index.ts): one hidden class, so the code that reads parses stays monomorphic.
  return { file: { kind: "File", items, comments, span: { start: 0, end: text.length } }, tokens: out };
}

/** Whether a token starts before `at` and reaches it. */
function crosses(tokens: readonly IToken[], at: number): boolean {
  const t = tokens[firstAtOrAfter(tokens, at) - 1];
  return t !== undefined && t.endOffset! >= at;
}

function commentCrosses(comments: readonly A.Comment[], at: number): boolean {
  const c = lastBefore(comments, at);
  return c !== undefined && c.span.end > at;
}

/** Characters compared at once, as strings (a comparison of two slices is far cheaper than a loop over their characters). */
const CHUNK = 64;

/** The length of the longest common prefix of `a` and `b`. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let p = 0;
  while (p + CHUNK <= n && a.slice(p, p + CHUNK) === b.slice(p, p + CHUNK)) p += CHUNK;
  while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** The length of the longest common suffix of `a` and `b`, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let s = 0;
  while (s + CHUNK <= max && a.slice(a.length - s - CHUNK, a.length - s) === b.slice(b.length - s - CHUNK, b.length - s)) s += CHUNK;
  while (s < max && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}
