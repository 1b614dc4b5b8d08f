/**
 * Parse-only editing aids: the outline (declarations and their blocks) and
 * folding ranges (block bodies, multi-line comments and triple-quoted text).
 * They never wait for the checker.
 */
import { tokenMatcher } from "chevrotain";
import { FoldingRangeKind, SymbolKind, type DocumentSymbol, type FoldingRange, type Range } from "vscode-languageserver";
import type * as A from "../../language/ast.ts";
import type { ParseResult } from "../../language/syntax.ts";
import * as T from "../../language/tokens.ts";
import type { LineIndex } from "../../src/text/line-index.ts";
import type { Lexed } from "./context.ts";

const DECLARATION_SYMBOLS: Record<string, SymbolKind> = {
  scenario: SymbolKind.Class,
  sweep: SymbolKind.Event,
  persona: SymbolKind.Object,
  policy: SymbolKind.Interface,
};

export function documentSymbols(parsed: ParseResult, toRange: (start: number, end: number) => Range): DocumentSymbol[] {
  const block = (b: A.Block, top: boolean): DocumentSymbol => {
    const name = top ? (b.name?.text ?? b.type.text) : b.name ? `${b.type.text} ${b.name.text}` : b.type.text;
    const children = b.members.filter((m): m is A.Block => m.kind === "Block").map((m) => block(m, false));
    const selection = b.name && top ? b.name.span : b.type.span;
    return {
      name,
      detail: top ? b.type.text : (b.extends ? `extends ${b.extends.parts.map((p) => p.text).join(".")}` : ""),
      kind: top ? (DECLARATION_SYMBOLS[b.type.text] ?? SymbolKind.Constant) : SymbolKind.Struct,
      range: toRange(b.span.start, b.span.end),
      selectionRange: toRange(selection.start, selection.end),
      ...(children.length ? { children } : {}),
    };
  };
  const out: DocumentSymbol[] = [];
  for (const item of parsed.file.items) {
    if (item.kind === "Block") out.push(block(item, true));
    else if (item.path) out.push({ name: `import ${item.path.value}`, kind: SymbolKind.Module, range: toRange(item.span.start, item.span.end), selectionRange: toRange(item.path.span.start, item.path.span.end) });
  }
  return out;
}

export function foldingRanges(parsed: ParseResult, lexed: Lexed, lines: LineIndex): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (start: number, end: number, kind?: FoldingRangeKind) => {
    const a = lines.position(start).line;
    // A block folds up to the line before its `}`, so the brace stays visible.
    const b = lines.position(end).line;
    if (b > a) out.push({ startLine: a, endLine: b, ...(kind ? { kind } : {}) });
  };
  const visit = (b: A.Block) => {
    if (b.body) {
      const closeLine = lines.position(b.body.end - 1).line;
      const openLine = lines.position(b.body.start).line;
      if (closeLine > openLine) out.push({ startLine: openLine, endLine: Math.max(openLine, closeLine - 1) });
    }
    for (const m of b.members) if (m.kind === "Block") visit(m);
  };
  for (const item of parsed.file.items) if (item.kind === "Block") visit(item);
  // Consecutive line comments fold together, like a block comment.
  let run: { start: number; end: number; line: number } | null = null;
  const flush = () => {
    if (run) add(run.start, run.end - 1, FoldingRangeKind.Comment);
    run = null;
  };
  for (const c of lexed.comments) {
    const start = c.startOffset;
    const end = (c.endOffset ?? start) + 1;
    if (tokenMatcher(c, T.BlockComment)) {
      flush();
      add(start, end - 1, FoldingRangeKind.Comment);
      continue;
    }
    const line = lines.position(start).line;
    const current = run as { start: number; end: number; line: number } | null;
    if (current && current.line + 1 === line) run = { start: current.start, end, line };
    else {
      flush();
      run = { start, end, line };
    }
  }
  flush();
  for (const t of lexed.tokens) if (tokenMatcher(t, T.TripleString)) add(t.startOffset, t.endOffset ?? t.startOffset, FoldingRangeKind.Region);
  return out.sort((x, y) => x.startLine - y.startLine || x.endLine - y.endLine);
}
