/**
 * The parser's direct path for files without a syntax error: the grammar of
 * parser.ts walked by hand over the token vector, building the same tree
 * (the same nodes, fields in the same order, the same spans). Chevrotain's
 * rules spent most of a parse on their own machinery (rule entry, lookahead
 * functions, repetitions' closures), which a file without errors never needs.
 *
 * At the first thing this path does not expect — a syntax error, a
 * diagnostic the tree builder would report (a bad escape, a value on the next
 * line, nesting past the limits), anything unusual — it gives up and the file
 * is parsed again by Chevrotain (`parse` in syntax.ts), whose recovery and
 * messages stay the only ones. So it may only accept what Chevrotain parses
 * without an error, into the same tree: tests/compiler/well-formed.test.ts
 * compares the two on every shipped file and on mutated ones.
 *
 * A change to the grammar in parser.ts changes this walk too: where unsure,
 * give up (`fail`), which costs only time.
 */
import type { IToken, TokenType } from "chevrotain";
import type { PlacedDiagnostic } from "../src/diagnostics/diagnostic.ts";
import type * as A from "./ast.ts";
import {
  climb,
  CONTINUES_ATOM,
  cover,
  dedent,
  deeperThan,
  type ExprItem,
  MAX_EXPRESSION_DEPTH,
  MAX_NESTING,
  MEMBER_END_TOKENS,
  numberNode,
  spanOf,
  STARTS_ATOM,
  STARTS_SUFFIX,
  STARTS_TAIL,
  toName,
  unescape,
  UNIT_WORDS,
} from "./parser.ts";
import * as T from "./tokens.ts";

/** Thrown to give up; caught only by `parseWellFormed`. */
const GIVE_UP = new Error("not a well-formed file");

function fail(): never {
  throw GIVE_UP;
}

/** The top-level items of a file without syntax errors, as Chevrotain's parser builds them; null if the file needs that parser. */
export function parseWellFormed(tokens: readonly IToken[], fileName: string, text: string): A.Item[] | null {
  const walk = new Walk(tokens, fileName, text);
  try {
    return walk.file();
  } catch (e) {
    if (e === GIVE_UP) return null;
    throw e;
  }
}

class Walk {
  /** The next token's index. */
  private at = 0;
  private nesting = 0;
  private readonly sink: PlacedDiagnostic[] = [];
  /**
   * The members, arguments and list items of every open block, call and list, innermost last: each list is cut off
   * the top at its end (`collected`), an array of its own length. Pushed onto arrays of their own, every block's
   * members left room for 16 more behind, garbage made while nearly all else the parse allocates survives it.
   */
  private readonly pending: unknown[] = [];

  constructor(
    private readonly tokens: readonly IToken[],
    private readonly fileName: string,
    /** The text the tokens were lexed from: tokens carry no lines. */
    private readonly text: string,
  ) {}

  /** The token `k` ahead (1 = the next), or undefined past the end. */
  private la(k: number): IToken | undefined {
    return this.tokens[this.at + k - 1];
  }

  private is(k: number, type: TokenType): boolean {
    const t = this.tokens[this.at + k - 1];
    return t !== undefined && t.tokenType === type;
  }

  private consume(type: TokenType): IToken {
    const t = this.tokens[this.at];
    if (t === undefined || t.tokenType !== type) fail();
    this.at++;
    return t;
  }

  /** A name where any name goes (an identifier or a keyword: Chevrotain's AnyName category). */
  private consumeAnyName(): IToken {
    const t = this.tokens[this.at];
    if (t === undefined || !isAnyName(t)) fail();
    this.at++;
    return t;
  }

  /** What was pushed onto `pending` since `mark`, taken off it. */
  private collected<T>(mark: number): T[] {
    return this.pending.splice(mark) as T[];
  }

  private enter(): void {
    if (this.nesting >= MAX_NESTING) fail();
    this.nesting++;
  }

  private leave(): void {
    this.nesting--;
  }

  private sameLineAsPrevious(): boolean {
    return T.onSameLine(this.text, this.tokens[this.at - 1], this.tokens[this.at]);
  }

  // ---- declarations ----------------------------------------------------------------

  file(): A.Item[] {
    const items: A.Item[] = [];
    while (this.at < this.tokens.length) {
      const next = this.tokens[this.at]!.tokenType;
      if (next === T.Import) items.push(this.importDecl());
      else if (next === T.Identifier) items.push(this.block());
      else fail();
    }
    return items;
  }

  private importDecl(): A.Import {
    const keyword = this.consume(T.Import);
    const pathToken = this.consume(T.StringLiteral);
    let names: A.Name[] | null = null;
    if (this.is(1, T.LCurly)) {
      this.at++;
      names = [];
      if (this.la(1) !== undefined && isAnyName(this.la(1)!)) {
        names.push(toName(this.consumeAnyName()));
        while (this.is(1, T.Comma)) {
          this.at++;
          names.push(toName(this.consumeAnyName()));
        }
      }
      this.consume(T.RCurly);
    }
    const path = this.stringLit(pathToken);
    const last = this.tokens[this.at - 1]!;
    return { kind: "Import", path, names, span: { start: keyword.startOffset, end: last.endOffset! + 1 } };
  }

  private block(): A.Block {
    const type = this.consume(T.Identifier);
    let name: A.Name | null = null;
    if (this.is(1, T.Identifier)) name = toName(this.consume(T.Identifier));
    else if (this.is(1, T.StringLiteral)) {
      const token = this.consume(T.StringLiteral);
      name = { text: this.stringLit(token).value, span: spanOf(token) };
    }
    let ext: A.Ref | null = null;
    let of: A.Ref | null = null;
    if (this.is(1, T.Extends)) {
      this.at++;
      ext = this.ref();
    }
    if (this.is(1, T.Of)) {
      this.at++;
      of = this.ref();
    }
    const open = this.consume(T.LCurly);
    this.enter();
    const mark = this.pending.length;
    while (this.startsMember()) {
      this.pending.push(this.member());
      if (this.is(1, T.Semicolon)) this.at++;
    }
    const members = this.collected<A.Member>(mark);
    this.leave();
    const end = this.consume(T.RCurly).endOffset! + 1;
    return { kind: "Block", type: toName(type), name, extends: ext, of, members, body: { start: open.startOffset, end }, span: { start: type.startOffset, end } };
  }

  private ref(): A.Ref {
    const parts = [toName(this.consume(T.Identifier))];
    while (this.is(1, T.Dot)) {
      this.at++;
      parts.push(toName(this.consumeAnyName()));
    }
    return { parts, span: cover(parts[0]!.span, parts[parts.length - 1]!.span) };
  }

  // ---- members ---------------------------------------------------------------------

  /** Whether a member can start here (the first tokens of an attribute, a block, `vary` or an expression). */
  private startsMember(): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && STARTS_MEMBER[t.tokenTypeIdx] === true;
  }

  /** The member alternatives in the order of their gates (parser.ts `memberAlts`). */
  private member(): A.Member {
    if (this.atAttribute()) return this.attribute();
    if (this.atVary()) return this.vary();
    if (this.atBlock()) return this.block();
    return this.statement();
  }

  private attribute(): A.Attribute {
    let path: A.Name[];
    if (this.is(2, T.Equals) && this.is(1, T.Identifier)) path = [toName(this.consume(T.Identifier))];
    else path = this.path();
    this.consume(T.Equals);
    // A value on the next line is a missing value, reported (SBX1005): Chevrotain's path does that.
    if (!this.sameLineAsPrevious()) fail();
    const value = this.limitedExpression();
    return { kind: "Attribute", path, value, span: cover(path[0]!.span, value.span) };
  }

  private vary(): A.Vary {
    const keyword = this.consume(T.Identifier);
    const path = this.path();
    this.consume(T.In);
    const values = this.limitedExpression();
    return { kind: "Vary", path, values, span: cover(spanOf(keyword), values.span) };
  }

  private statement(): A.Statement {
    let label: A.Name | null = null;
    if (this.is(1, T.Identifier) && this.is(2, T.Colon)) {
      label = toName(this.consume(T.Identifier));
      this.at++;
    }
    const expr = this.limitedExpression();
    return { kind: "Statement", label, expr, span: label ? cover(label.span, expr.span) : expr.span };
  }

  private path(): A.Name[] {
    const parts = [toName(this.consume(T.Identifier))];
    while (this.is(1, T.Dot)) {
      this.at++;
      parts.push(toName(this.consumeAnyName()));
    }
    return parts;
  }

  /** `a.b.c =` (but not `==`). */
  private atAttribute(): boolean {
    if (!this.is(1, T.Identifier)) return false;
    let i = 2;
    while (this.is(i, T.Dot) && this.la(i + 1) !== undefined && isAnyName(this.la(i + 1)!)) i += 2;
    return this.is(i, T.Equals);
  }

  private atVary(): boolean {
    const first = this.la(1);
    const second = this.la(2);
    return first !== undefined && first.tokenType === T.Identifier && first.image === "vary" && second !== undefined && isAnyName(second) && second.tokenType !== T.In;
  }

  private atBlock(): boolean {
    if (!this.is(1, T.Identifier)) return false;
    const second = this.la(2);
    if (second === undefined) return false;
    if (opensHeaderTail(second)) return true;
    const third = this.la(3);
    return (second.tokenType === T.Identifier || second.tokenType === T.StringLiteral) && third !== undefined && opensHeaderTail(third);
  }

  // ---- expressions -------------------------------------------------------------------

  /** A member's expression, refused past MAX_EXPRESSION_DEPTH (SBX1008 is Chevrotain's path's to report). */
  private limitedExpression(): A.Expr {
    const mark = this.at;
    const expr = this.expression();
    if (this.at - mark >= MAX_EXPRESSION_DEPTH && deeperThan(expr, MAX_EXPRESSION_DEPTH)) fail();
    return expr;
  }

  private expression(): A.Expr {
    const atom = this.loneAtom();
    if (atom !== undefined) return atom;
    // A flat run of operands and operators, its precedence applied by `climb` (parser.ts `expressionNode`).
    const items: ExprItem[] = [];
    this.prefixed(items);
    let operands = 1;
    for (;;) {
      const next = this.tokens[this.at];
      if (next === undefined || !STARTS_TAIL[next.tokenTypeIdx] || (next.tokenType === T.Identifier && next.image !== "by")) break;
      this.at++;
      items.push({ kind: "operator", token: next });
      this.prefixed(items);
      operands++;
    }
    if (operands === 1 && items.length === 1) return (items[0] as { readonly expr: A.Expr }).expr;
    return climb(items, { at: 0 }, 0);
  }

  /** A literal or name that nothing after it continues (parser.ts `loneAtom`). */
  private loneAtom(): A.Expr | undefined {
    const first = this.tokens[this.at];
    if (first === undefined) return undefined;
    const type = first.tokenType;
    if (!STARTS_ATOM[type.tokenTypeIdx!]) return undefined;
    const next = this.tokens[this.at + 1];
    if (next !== undefined) {
      if (CONTINUES_ATOM[next.tokenTypeIdx]) return undefined;
      if (next.tokenType === T.Identifier && (next.image === "by" || (type === T.NumberLiteral && UNIT_WORDS.has(next.image)))) return undefined;
    }
    this.at++;
    switch (type) {
      case T.NumberLiteral:
        return numberNode(first, undefined);
      case T.StringLiteral:
      case T.TripleString:
        return this.stringLit(first);
      case T.True:
        return { kind: "Bool", value: true, span: spanOf(first) };
      case T.False:
        return { kind: "Bool", value: false, span: spanOf(first) };
      default:
        return { kind: "Ident", name: first.image, span: spanOf(first) };
    }
  }

  /** Prefix operators, then an operand with its suffixes, onto the run. */
  private prefixed(items: ExprItem[]): void {
    let prefixes = 0;
    while (this.is(1, T.Minus) || this.is(1, T.Not)) {
      // Past the limit Chevrotain's path reports SBX1008.
      if (++prefixes > MAX_EXPRESSION_DEPTH) fail();
      items.push({ kind: "prefix", token: this.tokens[this.at++]! });
    }
    items.push({ kind: "atom", expr: this.postfix() });
  }

  private postfix(): A.Expr {
    let chain = this.primary();
    for (;;) {
      const next = this.tokens[this.at];
      if (next === undefined || !STARTS_SUFFIX[next.tokenTypeIdx] || !(next.tokenType === T.Dot || this.sameLineAsPrevious())) break;
      if (next.tokenType === T.LParen) {
        const args = this.args(T.LParen, T.RParen);
        chain = { kind: "Call", callee: chain, args: args.args, span: cover(chain.span, args.span) };
      } else if (next.tokenType === T.LBracket) {
        const args = this.args(T.LBracket, T.RBracket);
        chain = { kind: "Index", target: chain, args: args.args, span: cover(chain.span, args.span) };
      } else {
        this.at++;
        const property = this.consumeAnyName();
        chain = { kind: "Member", object: chain, property: toName(property), span: cover(chain.span, spanOf(property)) };
      }
    }
    return chain;
  }

  /** A call's or a selection's arguments, with the extent from the opening bracket to the closing one. */
  private args(open: TokenType, close: TokenType): { args: A.Arg[]; span: A.Span } {
    const first = this.consume(open);
    this.enter();
    const mark = this.pending.length;
    if (this.startsArgument()) {
      this.pending.push(this.argument());
      while (this.is(1, T.Comma)) {
        this.at++;
        this.pending.push(this.argument());
      }
    }
    const args = this.collected<A.Arg>(mark);
    this.leave();
    const last = this.consume(close);
    return { args, span: { start: first.startOffset, end: last.endOffset! + 1 } };
  }

  private startsArgument(): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && (STARTS_EXPRESSION[t.tokenTypeIdx] === true || isAnyName(t));
  }

  private argument(): A.Arg {
    let name: A.Name | null = null;
    const first = this.la(1);
    if (first !== undefined && isAnyName(first) && this.is(2, T.Equals)) {
      name = toName(first);
      this.at += 2;
    }
    const value = this.expression();
    return { name, value, span: name ? cover(name.span, value.span) : value.span };
  }

  private primary(): A.Expr {
    const t = this.tokens[this.at];
    if (t === undefined) fail();
    switch (t.tokenType) {
      case T.NumberLiteral: {
        this.at++;
        let suffix: IToken | undefined;
        if (this.is(1, T.Percent) || this.atUnit()) suffix = this.tokens[this.at++];
        return numberNode(t, suffix);
      }
      case T.StringLiteral:
      case T.TripleString:
        this.at++;
        return this.stringLit(t);
      case T.True:
        this.at++;
        return { kind: "Bool", value: true, span: spanOf(t) };
      case T.False:
        this.at++;
        return { kind: "Bool", value: false, span: spanOf(t) };
      case T.Identifier:
        this.at++;
        return { kind: "Ident", name: t.image, span: spanOf(t) };
      case T.LBracket:
        return this.list();
      case T.LParen: {
        this.at++;
        this.enter();
        const expr = this.expression();
        this.leave();
        const close = this.consume(T.RParen);
        return { kind: "Paren", expr, span: cover(spanOf(t), spanOf(close)) };
      }
      default:
        return fail();
    }
  }

  private list(): A.Expr {
    const open = this.consume(T.LBracket);
    this.enter();
    const mark = this.pending.length;
    while (this.startsExpression()) {
      this.pending.push(this.expression());
      if (this.is(1, T.Comma)) this.at++;
    }
    const items = this.collected<A.Expr>(mark);
    this.leave();
    const close = this.consume(T.RBracket);
    return { kind: "List", items, span: { start: open.startOffset, end: close.endOffset! + 1 } };
  }

  private startsExpression(): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && STARTS_EXPRESSION[t.tokenTypeIdx] === true;
  }

  /** `2 epochs` — but not `seed = 123 epochs = 20`, where `epochs` starts the next attribute. */
  private atUnit(): boolean {
    const unit = this.tokens[this.at];
    if (unit === undefined || unit.tokenType !== T.Identifier || !UNIT_WORDS.has(unit.image)) return false;
    if (!T.onSameLine(this.text, this.tokens[this.at - 1], unit)) return false;
    const after = this.tokens[this.at + 1];
    if (after === undefined) return true;
    for (const t of MEMBER_END_TOKENS) if (after.tokenType === t) return false;
    return true;
  }

  // ---- literals ----------------------------------------------------------------------

  private stringLit(tok: IToken): A.StringLit {
    const span = spanOf(tok);
    if (tok.tokenType === T.TripleString) return { kind: "String", value: dedent(tok.image.slice(3, -3)), triple: true, span };
    const body = tok.image.endsWith('"') && tok.image.length >= 2 ? tok.image.slice(1, -1) : tok.image.slice(1);
    const value = unescape(body, span.start + 1, this.sink, this.fileName);
    // A bad escape is reported (SBX1006): Chevrotain's path does that.
    if (this.sink.length) fail();
    return { kind: "String", value, triple: false, span };
  }
}

function isAnyName(t: IToken): boolean {
  return t.tokenType === T.Identifier || KEYWORD_TYPES.has(t.tokenType);
}

function opensHeaderTail(t: IToken): boolean {
  return t.tokenType === T.LCurly || t.tokenType === T.Extends || t.tokenType === T.Of;
}

const KEYWORD_TYPES: ReadonlySet<TokenType> = new Set(T.KEYWORDS);

function byTokenType(types: readonly TokenType[]): readonly boolean[] {
  const table: boolean[] = [];
  for (const t of T.allTokens) table[t.tokenTypeIdx!] = false;
  for (const t of types) table[t.tokenTypeIdx!] = true;
  return table;
}

/** By token type index: the tokens an expression starts with (a prefix operator or a primary). */
const STARTS_EXPRESSION = byTokenType([T.Minus, T.Not, T.NumberLiteral, T.StringLiteral, T.TripleString, T.True, T.False, T.Identifier, T.LBracket, T.LParen]);
/** By token type index: the tokens a member starts with (a name for an attribute, a block or `vary`, or an expression). */
const STARTS_MEMBER = STARTS_EXPRESSION;
