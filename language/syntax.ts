/**
 * Text → syntax tree. Parsing never fails: it returns the best tree it can
 * build and every syntax diagnostic, so the checker and the editor can keep
 * working on broken files.
 */
import type { CstNode, IRecognitionException, IToken, TokenType } from "chevrotain";
import { diagnostic, type Diagnostic } from "../src/diagnostics/diagnostic.ts";
import type * as A from "./ast.ts";
import { sbxParser } from "./parser.ts";
import * as T from "./tokens.ts";

export interface ParseResult {
  readonly file: A.SourceFile;
  readonly tokens: readonly IToken[];
  readonly diagnostics: readonly Diagnostic[];
}

type Children = Record<string, (CstNode | IToken)[] | undefined>;

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

export function lex(text: string, fileName: string): LexResult {
  const result = T.SbxLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const error of result.errors) {
    const char = text.slice(error.offset, error.offset + Math.max(1, error.length));
    diagnostics.push(diagnostic("SBX1003", { char: char.length > 12 ? `${char.slice(0, 12)}…` : char }, fileName, { start: error.offset, end: error.offset + Math.max(1, error.length) }));
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
  sbxParser.input = lexed.tokens;
  const cst = sbxParser.file();
  const unclosed = unclosedBlocks(lexed.tokens);
  const parseErrors = sbxParser.errors.filter((e) => !(unclosed.length && isEof(e.token)));
  const diagnostics = [
    ...lexed.diagnostics,
    ...parseErrors.map((e) => syntaxDiagnostic(e, fileName, text.length)),
    ...unclosed.map((u) => diagnostic("SBX1004", { block: u.name }, fileName, u.span)),
  ];
  const builder = new AstBuilder(fileName, text, diagnostics);
  const items = builder.items(cst);
  const comments = lexed.comments.map((c) => ({ text: c.image, block: c.tokenType === T.BlockComment, span: spanOf(c) }));
  return { file: { kind: "File", items, comments, span: { start: 0, end: text.length } }, tokens: lexed.tokens, diagnostics };
}

// ---- spans ------------------------------------------------------------------

export function spanOf(token: IToken): A.Span {
  return { start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1 };
}

function cover(first: A.Span, last: A.Span): A.Span {
  return { start: Math.min(first.start, last.start), end: Math.max(first.end, last.end) };
}

function isToken(x: CstNode | IToken): x is IToken {
  return (x as IToken).image !== undefined;
}

/** A recovered token Chevrotain inserted: it has no real position. */
function isVirtual(token: IToken): boolean {
  return Number.isNaN(token.startOffset) || token.isInsertedInRecovery === true;
}

function nodeSpan(node: CstNode): A.Span | null {
  const loc = node.location;
  if (!loc || Number.isNaN(loc.startOffset)) return null;
  return { start: loc.startOffset, end: (Number.isNaN(loc.endOffset ?? NaN) ? loc.startOffset : loc.endOffset!) + 1 };
}

// ---- syntax errors -------------------------------------------------------------

function isEof(token: IToken): boolean {
  return token.tokenType.name === "EOF" || Number.isNaN(token.startOffset);
}

/** Braces left open at the end of the file, reported at the block they open (innermost last). */
function unclosedBlocks(toks: readonly IToken[]): { name: string; span: A.Span }[] {
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
    while (j > 0 && toks[j - 1]!.startLine === toks[i]!.startLine && !stops.has(toks[j - 1]!.tokenType)) j--;
    const head = toks[Math.max(0, j)]!;
    const name = head.tokenType === T.LCurly ? "{" : head.image;
    return { name, span: cover(spanOf(head), spanOf(toks[i]!)) };
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

function syntaxDiagnostic(error: IRecognitionException, fileName: string, textLength: number): Diagnostic {
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

// ---- CST → AST -------------------------------------------------------------------

type ExprItem = { readonly kind: "atom"; readonly expr: A.Expr } | { readonly kind: "prefix" | "operator"; readonly token: IToken };

function spanOfItem(item: ExprItem): A.Span {
  return item.kind === "atom" ? item.expr.span : spanOf(item.token);
}

/** Binding powers: `or` < `and` < `not` < comparisons < ranges < `+ -` < `* /` < unary minus. */
const BINARY: Readonly<Record<string, number>> = {
  or: 1, and: 2,
  "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
  "..": 5, by: 5,
  "+": 6, "-": 6,
  "*": 7, "/": 7,
};
const PREFIX_NOT = 3;
const PREFIX_MINUS = 8;

class AstBuilder {
  constructor(
    private readonly fileName: string,
    private readonly text: string,
    private readonly diagnostics: Diagnostic[],
  ) {}

  items(file: CstNode): A.Item[] {
    const out: { offset: number; item: A.Item }[] = [];
    for (const n of nodes(file.children, "importDecl")) {
      const item = this.importDecl(n);
      if (item) out.push({ offset: item.span.start, item });
    }
    for (const n of nodes(file.children, "block")) {
      const item = this.block(n);
      if (item) out.push({ offset: item.span.start, item });
    }
    return out.sort((a, b) => a.offset - b.offset).map((x) => x.item);
  }

  private importDecl(node: CstNode): A.Import | null {
    const c = node.children as Children;
    const keyword = token(c, "Import");
    if (!keyword) return null;
    const pathToken = token(c, "path");
    const path = pathToken ? this.stringLit(pathToken) : null;
    const hasBraces = !!token(c, "LCurly");
    const names = hasBraces ? tokens(c, "names").map(toName) : null;
    return { kind: "Import", path, names, span: nodeSpan(node) ?? spanOf(keyword) };
  }

  block(node: CstNode): A.Block | null {
    const c = node.children as Children;
    const typeToken = token(c, "type");
    if (!typeToken) return null;
    const nameToken = token(c, "name");
    const stringName = token(c, "stringName");
    const name = nameToken ? toName(nameToken) : stringName ? { text: this.stringLit(stringName).value, span: spanOf(stringName) } : null;
    const ext = first(c, "extendsRef");
    const of = first(c, "ofRef");
    const open = token(c, "LCurly");
    const close = token(c, "RCurly");
    const members = nodes(c, "member").flatMap((m) => this.member(m) ?? []);
    const start = spanOf(typeToken);
    const endSpan = close ? spanOf(close) : members.length ? members[members.length - 1]!.span : open ? spanOf(open) : start;
    return {
      kind: "Block",
      type: toName(typeToken),
      name,
      extends: ext ? this.ref(ext) : null,
      of: of ? this.ref(of) : null,
      members,
      body: open ? cover(spanOf(open), endSpan) : null,
      span: cover(start, endSpan),
    };
  }

  private ref(node: CstNode): A.Ref {
    const parts = tokens(node.children as Children, "parts").map(toName);
    const span = parts.length ? cover(parts[0]!.span, parts[parts.length - 1]!.span) : (nodeSpan(node) ?? { start: 0, end: 0 });
    return { parts, span };
  }

  private member(node: CstNode): A.Member | null {
    const c = node.children as Children;
    const attribute = first(c, "attribute");
    if (attribute) return this.attribute(attribute);
    const vary = first(c, "vary");
    if (vary) return this.vary(vary);
    const block = first(c, "block");
    if (block) return this.block(block);
    const statement = first(c, "statement");
    if (statement) return this.statement(statement);
    return null;
  }

  attributeOf(node: CstNode): A.Attribute | null {
    return this.attribute(node);
  }

  private attribute(node: CstNode): A.Attribute | null {
    const c = node.children as Children;
    const pathNode = first(c, "path");
    const path = pathNode ? tokens(pathNode.children as Children, "parts").map(toName) : [];
    if (!path.length) return null;
    const eq = token(c, "Equals");
    const valueNode = first(c, "value");
    const value = valueNode ? this.expression(valueNode) : this.missing(eq ? spanOf(eq) : path[path.length - 1]!.span);
    if (!valueNode && eq) this.diagnostics.push(diagnostic("SBX1005", { what: `a value for '${path.map((p) => p.text).join(".")}' on the line of its '='` }, this.fileName, spanOf(eq)));
    return { kind: "Attribute", path, value, span: cover(path[0]!.span, value.kind === "Missing" ? (eq ? spanOf(eq) : path[0]!.span) : value.span) };
  }

  private vary(node: CstNode): A.Vary | null {
    const c = node.children as Children;
    const keyword = token(c, "keyword");
    const pathNode = first(c, "path");
    if (!keyword || !pathNode) return null;
    const path = tokens(pathNode.children as Children, "parts").map(toName);
    const valuesNode = first(c, "values");
    const values = valuesNode ? this.expression(valuesNode) : this.missing(path.length ? path[path.length - 1]!.span : spanOf(keyword));
    return { kind: "Vary", path, values, span: cover(spanOf(keyword), values.span) };
  }

  private statement(node: CstNode): A.Statement | null {
    const c = node.children as Children;
    const labelToken = token(c, "label");
    const exprNode = first(c, "expression");
    if (!exprNode && !labelToken) return null;
    const expr = exprNode ? this.expression(exprNode) : this.missing(spanOf(labelToken!));
    const label = labelToken ? toName(labelToken) : null;
    return { kind: "Statement", label, expr, span: label ? cover(label.span, expr.span) : expr.span };
  }

  // ---- expressions ----

  private missing(after: A.Span): A.MissingExpr {
    return { kind: "Missing", span: { start: after.end, end: after.end } };
  }

  /** Operands and operators come flat from the parser; precedence climbing builds the tree here. */
  expression(node: CstNode): A.Expr {
    const c = node.children as Children;
    const items: ExprItem[] = [];
    const operands = nodes(c, "operands");
    const operators = tokens(c, "operators");
    operands.forEach((operand, i) => {
      const oc = operand.children as Children;
      for (const prefix of tokens(oc, "prefixes")) items.push({ kind: "prefix", token: prefix });
      const postfix = first(oc, "postfix");
      items.push({ kind: "atom", expr: postfix ? this.postfix(postfix) : this.missing(nodeSpan(operand) ?? nodeSpan(node) ?? { start: 0, end: 0 }) });
      const op = operators[i];
      if (op && i + 1 < operands.length) items.push({ kind: "operator", token: op });
    });
    if (!items.length) return this.missing(nodeSpan(node) ?? { start: 0, end: 0 });
    const cursor = { at: 0 };
    const expr = this.climb(items, cursor, 0);
    return expr;
  }

  /** Pratt parsing over the flat run: binding powers from BINARY and PREFIX below. */
  private climb(items: readonly ExprItem[], cursor: { at: number }, minPower: number): A.Expr {
    let left = this.prefixOperand(items, cursor);
    while (cursor.at < items.length) {
      const item = items[cursor.at]!;
      if (item.kind !== "operator") break;
      const word = item.token.image;
      const power = BINARY[word];
      if (power === undefined || power < minPower) break;
      cursor.at++;
      if (word === "by") {
        // `a..b by c`: the step of the range just built.
        const step = this.climb(items, cursor, BINARY[".."]! + 1);
        left = left.kind === "Range" && left.step === null ? { ...left, step, span: cover(left.span, step.span) } : left;
        continue;
      }
      const right = this.climb(items, cursor, power + 1);
      if (word === "..") {
        left = { kind: "Range", from: left, to: right, step: null, span: cover(left.span, right.span) };
      } else {
        left = { kind: "Binary", op: word as A.BinaryOp, opSpan: spanOf(item.token), left, right, span: cover(left.span, right.span) };
      }
    }
    return left;
  }

  private prefixOperand(items: readonly ExprItem[], cursor: { at: number }): A.Expr {
    const item = items[cursor.at];
    if (!item) return this.missing(items.length ? spanOfItem(items[items.length - 1]!) : { start: 0, end: 0 });
    cursor.at++;
    if (item.kind === "atom") return item.expr;
    if (item.kind === "prefix") {
      const op = item.token.image === "not" ? "not" : "-";
      const arg = this.climb(items, cursor, op === "not" ? PREFIX_NOT : PREFIX_MINUS);
      return { kind: "Unary", op, arg, span: cover(spanOf(item.token), arg.span) };
    }
    return this.missing(spanOf(item.token));
  }

  private postfix(node: CstNode): A.Expr {
    const c = node.children as Children;
    const primary = first(c, "primary");
    let expr = primary ? this.primary(primary) : this.missing(nodeSpan(node) ?? { start: 0, end: 0 });
    for (const suffix of nodes(c, "suffixes")) {
      const sc = suffix.children as Children;
      const end = nodeSpan(suffix) ?? expr.span;
      if (suffix.name === "callSuffix") {
        expr = { kind: "Call", callee: expr, args: nodes(sc, "args").map((a) => this.argument(a)), span: cover(expr.span, end) };
      } else if (suffix.name === "indexSuffix") {
        expr = { kind: "Index", target: expr, args: nodes(sc, "args").map((a) => this.argument(a)), span: cover(expr.span, end) };
      } else {
        const property = token(sc, "property");
        if (property) expr = { kind: "Member", object: expr, property: toName(property), span: cover(expr.span, spanOf(property)) };
      }
    }
    return expr;
  }

  private argument(node: CstNode): A.Arg {
    const c = node.children as Children;
    const nameToken = token(c, "name");
    const valueNode = first(c, "value");
    const value = valueNode ? this.expression(valueNode) : this.missing(nameToken ? spanOf(nameToken) : (nodeSpan(node) ?? { start: 0, end: 0 }));
    const name = nameToken ? toName(nameToken) : null;
    return { name, value, span: name ? cover(name.span, value.span) : value.span };
  }

  private primary(node: CstNode): A.Expr {
    const c = node.children as Children;
    if (token(c, "NumberLiteral")) return this.number(node);
    const str = token(c, "StringLiteral") ?? token(c, "TripleString");
    if (str) return this.stringLit(str);
    const t = token(c, "True") ?? token(c, "False");
    if (t) return { kind: "Bool", value: t.image === "true", span: spanOf(t) };
    const id = token(c, "Identifier");
    if (id) return { kind: "Ident", name: id.image, span: spanOf(id) };
    const list = first(c, "listLiteral");
    if (list) {
      const lc = list.children as Children;
      const items = nodes(lc, "items").map((i) => this.expression(i));
      return { kind: "List", items, span: nodeSpan(list) ?? { start: 0, end: 0 } };
    }
    const inner = first(c, "inner");
    const open = token(c, "LParen");
    if (open) {
      const expr = inner ? this.expression(inner) : this.missing(spanOf(open));
      const close = token(c, "RParen");
      return { kind: "Paren", expr, span: cover(spanOf(open), close ? spanOf(close) : expr.span) };
    }
    return this.missing(nodeSpan(node) ?? { start: 0, end: 0 });
  }

  private number(node: CstNode): A.NumberLit {
    const c = node.children as Children;
    const n = token(c, "NumberLiteral")!;
    const percent = token(c, "Percent");
    const unit = token(c, "unit");
    const end = percent ? spanOf(percent) : unit ? spanOf(unit) : spanOf(n);
    return { kind: "Number", value: Number(n.image), raw: n.image, percent: !!percent, unit: unit ? toName(unit) : null, span: cover(spanOf(n), end) };
  }

  stringLit(tok: IToken): A.StringLit {
    const triple = tok.tokenType === T.TripleString;
    const span = spanOf(tok);
    if (triple) return { kind: "String", value: dedent(tok.image.slice(3, -3)), triple: true, span };
    const body = tok.image.endsWith('"') && tok.image.length >= 2 ? tok.image.slice(1, -1) : tok.image.slice(1);
    return { kind: "String", value: this.unescape(body, span.start + 1), triple: false, span };
  }

  private unescape(body: string, offset: number): string {
    if (!body.includes("\\")) return body;
    let out = "";
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const next = body[i + 1] ?? "";
      const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };
      if (next in simple) {
        out += simple[next];
        i++;
      } else if (next === "u" && body[i + 2] === "{") {
        const close = body.indexOf("}", i + 3);
        const hex = close > 0 ? body.slice(i + 3, close) : "";
        const code = /^[0-9a-fA-F]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
        if (Number.isNaN(code) || code > 0x10ffff) {
          this.diagnostics.push(diagnostic("SBX1006", { escape: body.slice(i, close > 0 ? close + 1 : i + 2) }, this.fileName, { start: offset + i, end: offset + (close > 0 ? close + 1 : i + 2) }));
          i++;
        } else {
          out += String.fromCodePoint(code);
          i = close;
        }
      } else {
        this.diagnostics.push(diagnostic("SBX1006", { escape: `\\${next}` }, this.fileName, { start: offset + i, end: offset + i + 2 }));
        out += next;
        i++;
      }
    }
    return out;
  }
}

/** Triple-quoted text: drop the first newline and the common indentation, so prompts can be indented with the code. */
export function dedent(raw: string): string {
  const lines = raw.replace(/^\r?\n/, "").replace(/\r\n/g, "\n").split("\n");
  const indents = lines.filter((l) => l.trim().length > 0).map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines
    .map((l) => l.slice(cut))
    .join("\n")
    .replace(/\n[ \t]*$/, "");
}

function toName(tok: IToken): A.Name {
  return { text: tok.image, span: spanOf(tok) };
}

const EMPTY: never[] = [];

/** Each label holds only nodes or only tokens in this grammar, so no filtering is needed for nodes. */
function nodes(c: Children, key: string): CstNode[] {
  return (c[key] as CstNode[] | undefined) ?? EMPTY;
}

function tokens(c: Children, key: string): IToken[] {
  const list = c[key] as IToken[] | undefined;
  if (!list) return EMPTY;
  for (const t of list) if (isVirtual(t)) return list.filter((x) => !isVirtual(x));
  return list;
}

function token(c: Children, key: string): IToken | undefined {
  const list = c[key] as IToken[] | undefined;
  if (!list) return undefined;
  for (const t of list) if (!isVirtual(t)) return t;
  return undefined;
}

function first(c: Children, key: string): CstNode | undefined {
  return (c[key] as CstNode[] | undefined)?.[0];
}

export type { TokenType };

/** Parse `path = value` on its own, as written after `--set` or in a sweep arm. */
export function parseAttribute(text: string, fileName: string): { attribute: A.Attribute | null; diagnostics: Diagnostic[] } {
  const lexed = lex(text, fileName);
  sbxParser.input = lexed.tokens;
  const cst = sbxParser.attribute();
  const diagnostics: Diagnostic[] = [...lexed.diagnostics, ...sbxParser.errors.map((e) => syntaxDiagnostic(e, fileName, text.length))];
  const builder = new AstBuilder(fileName, text, diagnostics);
  const attribute = builder.attributeOf(cst);
  return { attribute, diagnostics };
}
