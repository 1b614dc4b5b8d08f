/**
 * Text → syntax tree. Parsing never fails: it returns the best tree it can
 * build and every syntax diagnostic, so the checker and the editor can keep
 * working on broken files.
 */
import type { IRecognitionException, IToken, TokenType } from "chevrotain";
import { diagnostic, type PlacedDiagnostic } from "../src/diagnostics/diagnostic.ts";
import type * as A from "./ast.ts";
import { dedent, greater, lesser, sbxParser, spanOf } from "./parser.ts";
import * as T from "./tokens.ts";
import { parseWellFormed } from "./well-formed.ts";

export { dedent, spanOf };

export interface ParseResult {
  readonly file: A.SourceFile;
  readonly tokens: readonly IToken[];
  readonly diagnostics: readonly PlacedDiagnostic[];
  /**
   * The top-level block an unterminated comment cut short (its `}` is inside
   * the comment), or null. Checking it would report only consequences.
   */
  readonly unfinished: A.Block | null;
}

/** At most this many syntax diagnostics are reported per file (SBX1009 counts the rest). */
export const MAX_SYNTAX_DIAGNOSTICS = 50;

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: PlacedDiagnostic[];
}

export function lex(text: string, fileName: string): LexResult {
  const result = T.SbxLexer.tokenize(text);
  const diagnostics: PlacedDiagnostic[] = [];
  for (const error of result.errors) {
    const raw = text.slice(error.offset, error.offset + Math.max(1, error.length));
    // Control characters (binary input) are shown escaped, never sent to the terminal as they are.
    const char = (raw.length > 12 ? `${raw.slice(0, 12)}…` : raw).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
    diagnostics.push(diagnostic("SBX1003", { char }, fileName, { start: error.offset, end: error.offset + Math.max(1, error.length) }));
  }
  for (const comment of result.groups["comments"] ?? []) {
    if (comment.tokenType === T.UnterminatedComment) diagnostics.push(diagnostic("SBX1010", {}, fileName, { start: comment.startOffset, end: comment.startOffset + 2 }));
  }
  for (const token of result.tokens) {
    if (token.tokenType === T.UnterminatedString) {
      diagnostics.push(diagnostic("SBX1002", {}, fileName, spanOf(token)));
      // Parse on as if the string were closed, so one missing quote costs one diagnostic.
      token.tokenType = T.StringLiteral;
      token.tokenTypeIdx = T.StringLiteral.tokenTypeIdx!;
    }
  }
  return { tokens: result.tokens, comments: result.groups["comments"] ?? [], diagnostics };
}

export function parse(text: string, fileName: string): ParseResult {
  const lexed = lex(text, fileName);
  if (lexed.diagnostics.length > MAX_SYNTAX_DIAGNOSTICS) {
    // Not .sbx text (binary input, another language): the tree would be dropped below anyway, and
    // Chevrotain's recovery scans ahead for a resync token at every error, quadratic on such input
    // (57 s for 3 MB of random bytes).
    const comments = lexed.comments.map((c) => ({ text: c.image, block: c.tokenType !== T.LineComment, span: spanOf(c) }));
    const file: A.SourceFile = { kind: "File", items: [], comments, span: { start: 0, end: text.length } };
    return { file, tokens: lexed.tokens, diagnostics: capped(lexed.diagnostics, fileName, true), unfinished: null };
  }
  // A file without errors takes the direct path (well-formed.ts); anything else Chevrotain's parser, with its recovery.
  const direct = lexed.diagnostics.length === 0 ? parseWellFormed(lexed.tokens, fileName, text) : null;
  const parsed = direct ? { items: direct, errors: [], diagnostics: [] } : sbxParser().parseFile(lexed.tokens, fileName, text);
  const items = parsed.items;
  // The direct path closed every brace it opened.
  const unclosed = direct ? [] : unclosedBlocks(lexed.tokens, text);
  // An unterminated comment runs to the end of the file: the braces it swallowed are its consequence, not more errors.
  const cut = lexed.comments.length > 0 && lexed.comments[lexed.comments.length - 1]!.tokenType === T.UnterminatedComment;
  const parseErrors = parsed.errors.filter((e) => !((unclosed.length || cut) && isEof(e.token)));
  const diagnostics = [
    ...lexed.diagnostics,
    ...parseErrors.map((e) => syntaxDiagnostic(e, fileName, text.length)),
    ...(cut ? [] : unclosed.map((u) => diagnostic("SBX1004", { block: u.name }, fileName, u.span))),
    ...parsed.diagnostics,
  ];
  const comments = lexed.comments.map((c) => ({ text: c.image, block: c.tokenType !== T.LineComment, span: spanOf(c) }));
  const span = { start: 0, end: text.length };
  if (diagnostics.length > MAX_SYNTAX_DIAGNOSTICS) {
    // Hundreds of syntax errors mean the text is not .sbx (binary input, another language): whatever tree was recovered is noise.
    return { file: { kind: "File", items: [], comments, span }, tokens: lexed.tokens, diagnostics: capped(diagnostics, fileName, false), unfinished: null };
  }
  const outermost = unclosed[0]?.brace;
  const unfinished = cut && outermost !== undefined ? (items.find((i): i is A.Block => i.kind === "Block" && i.body?.start === outermost) ?? null) : null;
  return { file: { kind: "File", items, comments, span }, tokens: lexed.tokens, diagnostics, unfinished };
}

/** The first MAX_SYNTAX_DIAGNOSTICS in source order, then one that counts the rest (lexing's alone when the file was not parsed). */
function capped(diagnostics: PlacedDiagnostic[], fileName: string, unparsed: boolean): PlacedDiagnostic[] {
  const sorted = [...diagnostics].sort((a, b) => a.span.start - b.span.start);
  const shown = sorted.slice(0, MAX_SYNTAX_DIAGNOSTICS);
  const rest = sorted.length - MAX_SYNTAX_DIAGNOSTICS;
  shown.push(diagnostic("SBX1009", { count: rest, limit: MAX_SYNTAX_DIAGNOSTICS, unparsed }, fileName, sorted[MAX_SYNTAX_DIAGNOSTICS]!.span));
  return shown;
}

// ---- spans ------------------------------------------------------------------

function cover(first: A.Span, last: A.Span): A.Span {
  return { start: lesser(first.start, last.start), end: greater(first.end, last.end) };
}

// ---- syntax errors -------------------------------------------------------------

function isEof(token: IToken): boolean {
  return token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
}

/** Braces left open at the end of the file, reported at the block they open (innermost last). */
function unclosedBlocks(toks: readonly IToken[], text: string): { name: string; span: A.Span; brace: number }[] {
  const open: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!.tokenType;
    if (t === T.LCurly) open.push(i);
    else if (t === T.RCurly) open.pop();
  }
  return open.map((i) => {
    // The block header is the run of names before the brace: `kind name? (extends ref)?`.
    let j = i - 1;
    const stops = new Set<TokenType>([T.LCurly, T.RCurly, T.Equals, T.Semicolon]);
    const brace = toks[i]!.startOffset;
    const lineStart = Math.max(text.lastIndexOf("\n", brace - 1), text.lastIndexOf("\r", brace - 1)) + 1;
    while (j > 0 && toks[j - 1]!.startOffset >= lineStart && !stops.has(toks[j - 1]!.tokenType)) j--;
    const head = toks[Math.max(0, j)]!;
    const name = head.tokenType === T.LCurly ? "{" : head.image;
    return { name, span: cover(spanOf(head), spanOf(toks[i]!)), brace };
  });
}

const TOKEN_WORDS: Record<string, string> = {
  LCurly: "'{'", RCurly: "'}'", LParen: "'('", RParen: "')'", LBracket: "'['", RBracket: "']'",
  Equals: "'='", Comma: "','", Colon: "':'", Dot: "'.'", DotDot: "'..'", Semicolon: "';'",
  Identifier: "a name", AnyName: "a name", StringLiteral: "a string", TripleString: "a string", NumberLiteral: "a number",
  In: "'in'", Extends: "'extends'", Of: "'of'", Import: "'import'",
};

function describeToken(token: IToken): string {
  if (token.tokenType.name === "EOF") return "end of file";
  const image = token.image.length > 24 ? `${token.image.slice(0, 24)}…` : token.image;
  return `'${image}'`;
}

function syntaxDiagnostic(error: IRecognitionException, fileName: string, textLength: number): PlacedDiagnostic {
  const token = error.token;
  const atEof = token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
  const span = atEof ? { start: Math.max(0, textLength - 1), end: textLength } : spanOf(token);
  const ruleStack = error.context?.ruleStack ?? [];
  const expected = expectedFrom(error.message);
  if (atEof && expected.includes("'}'")) {
    return diagnostic("SBX1004", { block: innermostBlockName(ruleStack) }, fileName, span);
  }
  if (expected === "an expression" || /expression|primary|value/.test(ruleStack.at(-1) ?? "")) {
    const what = ruleStack.includes("attribute") ? "a value after '='" : "an expression";
    if (!atEof) return diagnostic("SBX1001", { found: describeToken(token), expected: what }, fileName, span);
    return diagnostic("SBX1005", { what }, fileName, span);
  }
  return diagnostic("SBX1001", { found: describeToken(token), expected: expected || "a declaration" }, fileName, span);
}

function innermostBlockName(ruleStack: readonly string[]): string {
  return ruleStack.includes("block") ? "block" : "file";
}

/** Turns Chevrotain's "Expecting token of type --> X <--" messages into plain words. */
function expectedFrom(message: string): string {
  const single = /Expecting token of type --> (\w+) <--/.exec(message);
  if (single) return TOKEN_WORDS[single[1]!] ?? single[1]!;
  if (/Expecting: one of these possible Token sequences/.test(message) || /Expecting at least one iteration/.test(message)) {
    const names = [...message.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!.split(",")[0]!.trim());
    const words = [...new Set(names.map((n) => TOKEN_WORDS[n] ?? (n === "True" || n === "False" ? "a value" : n === "Minus" || n === "Not" ? "" : "")).filter(Boolean))];
    if (names.some((n) => n === "NumberLiteral" || n === "Minus")) return "an expression";
    return words.length ? words.slice(0, 4).join(" or ") : "an expression";
  }
  if (/Redundant input, expecting EOF/.test(message)) return "a declaration (scenario, persona, policy, sweep, …) or an import";
  return "";
}

/** Parse `path = value` on its own, as written after `--set` or in a sweep arm. */
export function parseAttribute(text: string, fileName: string): { attribute: A.Attribute | null; diagnostics: PlacedDiagnostic[] } {
  const lexed = lex(text, fileName);
  const parsed = sbxParser().parseAttribute(lexed.tokens, fileName, text);
  const diagnostics: PlacedDiagnostic[] = [...lexed.diagnostics, ...parsed.errors.map((e) => syntaxDiagnostic(e, fileName, text.length)), ...parsed.diagnostics];
  return { attribute: parsed.attribute, diagnostics };
}
