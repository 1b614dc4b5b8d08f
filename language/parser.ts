/**
 * The .sbx grammar, as a Chevrotain parser with embedded actions: each rule
 * builds its piece of the syntax tree (ast.ts) directly, with no concrete
 * syntax tree in between (Chevrotain's fast path, `outputCst: false`). Error
 * recovery is on, so a broken file still yields a partial tree for the
 * checker and the editor.
 *
 * The grammar is small and regular: imports, blocks, attributes, `vary`
 * statements and expression statements. Members are told apart by scanning
 * ahead (an attribute is a dotted path followed by `=`), which keeps the
 * grammar free of keywords for block kinds.
 *
 * Recovery: when a rule is cut short by a syntax error, its `catch` builds
 * what it had so far (the node as far as it got, with the partial child that
 * failed) and hangs it on the exception; Chevrotain hands it back through
 * `recoveryValueFunc` where it re-synchronises, or the parent rule adds it to
 * its own partial node. Tokens Chevrotain inserts while recovering have no
 * position and count as absent.
 *
 * Files without syntax errors are parsed first by the direct path
 * (well-formed.ts), which walks this grammar by hand and builds the same
 * tree: a change to the grammar here goes there too.
 */
import {
  type ConsumeMethodOpts,
  EmbeddedActionsParser,
  EOF,
  getLookaheadPaths,
  type IOrAlt,
  type IRecognitionException,
  type IToken,
  LLkLookaheadStrategy,
  type Rule,
  type TokenType,
  tokenMatcher,
} from "chevrotain";
import { diagnostic, type PlacedDiagnostic } from "../src/diagnostics/diagnostic.ts";
import type * as A from "./ast.ts";
import * as T from "./tokens.ts";

/** Units a number may carry: `2 epochs`, `30 seconds`. */
export const UNIT_WORDS: ReadonlySet<string> = new Set(["epoch", "epochs", "step", "steps", "seconds", "ms", "tokens", "usd"]);

export const MEMBER_END_TOKENS: readonly TokenType[] = [T.Equals, T.Dot, T.LCurly, T.Colon];

/**
 * How deep blocks, parentheses, lists and argument lists may nest (SBX1007).
 * The parser, the checker and the formatter recurse on nesting, and a deeper
 * file would exhaust the call stack; real files nest fewer than ten levels.
 */
export const MAX_NESTING = 64;
/**
 * How deep an expression's tree may be (SBX1008): long chains of operators,
 * signs or member accesses nest without brackets, and every phase after
 * parsing walks expressions recursively.
 */
export const MAX_EXPRESSION_DEPTH = 256;

const OPENERS: readonly TokenType[] = [T.LCurly, T.LParen, T.LBracket];
const CLOSERS: readonly TokenType[] = [T.RCurly, T.RParen, T.RBracket];

/** The result of parsing a token vector. Syntax errors are Chevrotain's; the other diagnostics come from building the tree. */
export interface ParsedFile {
  readonly items: A.Item[];
  readonly errors: IRecognitionException[];
  /** Diagnostics found while building the tree (bad escapes, a missing value), imports' first. */
  readonly diagnostics: PlacedDiagnostic[];
}

/** An exception carrying the partial result of the rule it passed through. */
interface CutShort {
  partial?: unknown;
}

/** An operand with prefix operators (`-x`, `not x`); exists only until the expression around it is built. */
class PrefixedOperand {
  constructor(
    readonly prefixes: readonly IToken[],
    readonly expr: A.Expr,
  ) {}
}

type Operand = A.Expr | PrefixedOperand;

export type ExprItem = { readonly kind: "atom"; readonly expr: A.Expr } | { readonly kind: "prefix" | "operator"; readonly token: IToken };

/** Binding powers: `or` < `and` < `not` < comparisons < ranges < `+ -` < `* /` < unary minus. */
const BINARY: Readonly<Record<string, number>> = {
  or: 1, and: 2,
  "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
  "..": 5, by: 5,
  "+": 6, "-": 6,
  "*": 7, "/": 7,
};
/** The binary operators' tokens (`by`, an identifier, aside). */
const OPERATOR_TOKENS: readonly TokenType[] = [T.Or, T.And, T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater, T.DotDot, T.Plus, T.Minus, T.Star, T.Slash];
const PREFIX_NOT = 3;
const PREFIX_MINUS = 8;

const NO_SPAN: A.Span = { start: 0, end: 0 };

/** The parser's record of consumed tokens starts this long, and is let go of after a file that grew it past CONSUMED_KEPT. */
const CONSUMED_INITIAL = 4096;
const CONSUMED_KEPT = 1 << 16;

/** A token Chevrotain inserted while recovering: it has no real position (Chevrotain marks it `isInsertedInRecovery` too). */
export function isVirtual(token: IToken): boolean {
  return token.startOffset !== token.startOffset;
}

/**
 * V8 gives every object literal `{ start, end }` one hidden class. A span once
 * built from a token of Chevrotain's own (its recording token, its end of file,
 * a token it inserted while recovering), whose positions are stored as
 * doubles, would make every span in the process hold its offsets as boxed
 * doubles: two more objects per span. One span holding a non-number makes the
 * fields tagged instead, where small integers are stored as they are.
 */
const taggedSpan: Record<keyof A.Span, unknown> = { start: 0, end: 0 };
taggedSpan.start = null;
taggedSpan.end = null;

export function spanOf(token: IToken): A.Span {
  return { start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1 };
}

export function cover(first: A.Span, last: A.Span): A.Span {
  return { start: lesser(first.start, last.start), end: greater(first.end, last.end) };
}

/**
 * Math.min and Math.max of two offsets (NaN wins, as there), returning one of
 * the two numbers as it is: Math's versions compute in doubles, which optimised
 * code stored in spans as boxed numbers, and readers of spans then met a mix.
 */
export function lesser(a: number, b: number): number {
  return a < b || a !== a ? a : b;
}

export function greater(a: number, b: number): number {
  return a > b || a !== a ? a : b;
}

export function toName(tok: IToken): A.Name {
  return { text: tok.image, span: spanOf(tok) };
}

function missing(after: A.Span): A.MissingExpr {
  return { kind: "Missing", span: { start: after.end, end: after.end } };
}

function real(tok: IToken): IToken | undefined {
  return isVirtual(tok) ? undefined : tok;
}

/** The partial result a child rule hung on the exception, taken off it (undefined when the error is the rule's own). */
function taken(e: unknown): unknown {
  if (e === null || typeof e !== "object") return undefined;
  const cut = e as CutShort;
  const partial = cut.partial;
  cut.partial = undefined;
  return partial;
}

/**
 * Chevrotain's LL(k) lookahead, except for alternatives with gates: its
 * version collects the gates into a new array on every call (lodash `map`),
 * which cost more than the rest of choosing a member. Same decision, same order.
 */
class GatedAlternativesLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: { prodOccurrence: number; rule: Rule; maxLookahead: number; hasPredicates: boolean; dynamicTokensEnabled: boolean }): (orAlts?: IOrAlt<unknown>[]) => number | undefined {
    if (!options.hasPredicates) return super.buildLookaheadForAlternation(options);
    const paths = getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: "Alternation", maxLookahead: options.maxLookahead });
    return function (this: SbxParser, orAlts?: IOrAlt<unknown>[]): number | undefined {
      for (let t = 0; t < paths.length; t++) {
        const gate = orAlts?.[t]?.GATE;
        if (gate !== undefined && gate.call(this) === false) continue;
        nextPath: for (const path of paths[t]!) {
          for (let i = 0; i < path.length; i++) if (!tokenMatcher(this.LA(i + 1), path[i]!)) continue nextPath;
          return t;
        }
      }
      return undefined;
    };
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };

class SbxParser extends EmbeddedActionsParser {
  private fileName = "";
  /** The text the tokens were lexed from: whether two tokens are on one line is read from it (tokens carry no lines). */
  private text = "";
  /**
   * Where each real token consumed so far starts, in order, and where the last
   * one ends: a node's extent is the run it consumed (recovery skips tokens).
   * Offsets rather than the tokens: one number per token, nothing for the
   * garbage collector to trace or to track as an old array pointing at new tokens.
   */
  private consumedStarts = new Int32Array(CONSUMED_INITIAL);
  private consumedCount = 0;
  private lastConsumedEnd = 0;
  private importDiagnostics: PlacedDiagnostic[] = [];
  private otherDiagnostics: PlacedDiagnostic[] = [];
  /** Accumulators of the innermost running rule of each kind (these rules save and restore them around nested rules). */
  private pathParts: IToken[] = [];
  private prefixTokens: IToken[] | null = null;
  private operands: Operand[] = [];
  private operators: IToken[] = [];
  /** The expression a call, selection or member suffix applies to. */
  private chain: A.Expr = missing(NO_SPAN);
  /** Open blocks, parentheses, lists and argument lists around the parser's position. */
  private nesting = 0;

  /**
   * `validate`: run Chevrotain's grammar validations (ambiguities, left recursion, ...). The shared
   * instance skips them, as the lexer does (a start-up cost of every command); tests/compiler/parser-definition.test.ts
   * runs them on the same grammar.
   */
  constructor(validate = false) {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, lookaheadStrategy: new GatedAlternativesLookahead({ maxLookahead: 3 }), skipValidations: !validate });
    this.performSelfAnalysis();
  }

  /** Parse a whole file's tokens. */
  parseFile(tokens: IToken[], fileName: string, text: string): ParsedFile {
    this.begin(tokens, fileName, text);
    const items = this.file();
    const errors = this.errors;
    this.end();
    return { items, errors, diagnostics: [...this.importDiagnostics, ...this.otherDiagnostics] };
  }

  /** Parse `path = value` on its own, as written after `--set` or in a sweep arm. */
  parseAttribute(tokens: IToken[], fileName: string, text: string): { attribute: A.Attribute | null; errors: IRecognitionException[]; diagnostics: PlacedDiagnostic[] } {
    this.begin(tokens, fileName, text);
    const attribute = this.attribute() ?? null;
    const errors = this.errors;
    this.end();
    return { attribute, errors, diagnostics: this.otherDiagnostics };
  }

  private begin(tokens: IToken[], fileName: string, text: string): void {
    this.fileName = fileName;
    this.text = text;
    this.nesting = 0;
    this.consumedCount = 0;
    this.importDiagnostics = [];
    this.otherDiagnostics = [];
    this.input = tokens;
  }

  /** Let go of the tokens: the parser is a long-lived singleton, the file it read need not be. */
  private end(): void {
    if (this.consumedStarts.length > CONSUMED_KEPT) this.consumedStarts = new Int32Array(CONSUMED_INITIAL);
    this.input = [];
    this.text = "";
  }

  override CONSUME(tokType: TokenType, options?: ConsumeMethodOpts): IToken {
    const tok = super.CONSUME(tokType, options);
    if (!isVirtual(tok)) this.noteConsumed(tok);
    return tok;
  }

  override CONSUME2(tokType: TokenType, options?: ConsumeMethodOpts): IToken {
    const tok = super.CONSUME2(tokType, options);
    if (!isVirtual(tok)) this.noteConsumed(tok);
    return tok;
  }

  private noteConsumed(tok: IToken): void {
    if (this.consumedCount === this.consumedStarts.length) {
      const grown = new Int32Array(this.consumedCount * 2);
      grown.set(this.consumedStarts);
      this.consumedStarts = grown;
    }
    this.consumedStarts[this.consumedCount++] = tok.startOffset;
    this.lastConsumedEnd = tok.endOffset! + 1;
  }

  /** The extent of what was consumed since `mark` (a `consumedCount`), or null when nothing was. */
  private extentSince(mark: number): A.Span | null {
    if (this.consumedCount <= mark) return null;
    return { start: this.consumedStarts[mark]!, end: this.lastConsumedEnd };
  }

  /** A node that could not be built takes the diagnostics found inside it along. */
  private discard(noted: number): null {
    if (!this.RECORDING_PHASE) this.otherDiagnostics.length = noted;
    return null;
  }

  /**
   * Enter a bracket just consumed. Past MAX_NESTING its contents are
   * reported and skipped up to the matching closer (false: parse nothing inside).
   */
  private enter(open: IToken): boolean {
    if (this.RECORDING_PHASE) return true;
    if (this.nesting < MAX_NESTING) {
      this.nesting++;
      return true;
    }
    if (!isVirtual(open)) this.otherDiagnostics.push(diagnostic("SBX1007", { limit: MAX_NESTING }, this.fileName, spanOf(open)));
    let depth = 0;
    for (;;) {
      const next = this.LA(1);
      if (tokenMatcher(next, EOF)) return false;
      if (OPENERS.includes(next.tokenType)) depth++;
      else if (CLOSERS.includes(next.tokenType) && depth-- === 0) return false;
      this.SKIP_TOKEN();
    }
  }

  /** Leave a bracket that `enter` let in. */
  private leave(entered: boolean): void {
    if (entered && !this.RECORDING_PHASE) this.nesting--;
  }

  /**
   * An expression whose tree is deeper than MAX_EXPRESSION_DEPTH is reported
   * and replaced by a missing one. Its depth is at most the number of tokens it
   * spans plus one, so short expressions (all real ones) are not walked.
   */
  private limitDepth(expr: A.Expr, tokens: number): A.Expr {
    if (tokens < MAX_EXPRESSION_DEPTH || this.RECORDING_PHASE) return expr;
    const deep = deeperThan(expr, MAX_EXPRESSION_DEPTH);
    if (!deep) return expr;
    // At the deepest operand: the start of a long chain, the heart of a deep nest.
    this.otherDiagnostics.push(diagnostic("SBX1008", { limit: MAX_EXPRESSION_DEPTH }, this.fileName, deep.span));
    return { kind: "Missing", span: { start: expr.span.start, end: expr.span.start } };
  }

  /** Hang this rule's partial result on the exception and let it go on. */
  private cut(e: unknown, partial: unknown): never {
    if (e !== null && typeof e === "object") (e as CutShort).partial = partial;
    throw e;
  }

  private readonly recovered = { recoveryValueFunc: (e: IRecognitionException) => taken(e) as never };

  // ---- declarations ----------------------------------------------------------------

  private readonly fileAlts: IOrAlt<A.Item | null>[] = [
    { ALT: () => this.SUBRULE(this.importDecl) },
    { ALT: () => this.SUBRULE(this.block) },
  ];

  file = this.RULE(
    "file",
    (): A.Item[] => {
      const items: A.Item[] = [];
      try {
        this.MANY(() => {
          const item = this.OR(this.fileAlts);
          if (item && !this.RECORDING_PHASE) items.push(item);
        });
      } catch (e) {
        const partial = taken(e) as A.Item | null | undefined;
        if (partial) items.push(partial);
        this.cut(e, sortItems(items));
      }
      return sortItems(items);
    },
    this.recovered,
  );

  importDecl = this.RULE(
    "importDecl",
    (): A.Import | null => {
      const mark = this.consumedCount;
      let keyword: IToken | undefined;
      let path: IToken | undefined;
      let braces = false;
      const names: IToken[] = [];
      try {
        keyword = real(this.CONSUME(T.Import));
        path = real(this.CONSUME(T.StringLiteral));
        this.OPTION(() => {
          braces = !isVirtual(this.CONSUME(T.LCurly));
          this.MANY_SEP({
            SEP: T.Comma,
            DEF: () => {
              const name = this.CONSUME2(T.AnyName);
              if (!isVirtual(name)) names.push(name);
            },
          });
          this.CONSUME(T.RCurly);
        });
      } catch (e) {
        this.cut(e, this.importNode(mark, keyword, path, braces, names));
      }
      return this.importNode(mark, keyword, path, braces, names);
    },
    this.recovered,
  );

  private importNode(mark: number, keyword: IToken | undefined, path: IToken | undefined, braces: boolean, names: IToken[]): A.Import | null {
    if (!keyword || this.RECORDING_PHASE) return null;
    return {
      kind: "Import",
      path: path ? this.stringLit(path, this.importDiagnostics) : null,
      names: braces ? names.map(toName) : null,
      span: this.extentSince(mark) ?? spanOf(keyword),
    };
  }

  private readonly blockNameAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME2(T.Identifier) }, { ALT: () => this.CONSUME(T.StringLiteral) }];
  private readonly blockName = (): IToken => this.OR(this.blockNameAlts);
  private readonly extendsClause = (): A.Ref => {
    this.CONSUME(T.Extends);
    return this.SUBRULE(this.ref);
  };
  private readonly ofClause = (): A.Ref => {
    this.CONSUME(T.Of);
    return this.SUBRULE2(this.ref);
  };

  block = this.RULE(
    "block",
    (): A.Block | null => {
      const noted = this.otherDiagnostics.length;
      let type: IToken | undefined;
      let name: A.Name | null = null;
      let ext: A.Ref | undefined;
      let of: A.Ref | undefined;
      let open: IToken | undefined;
      let close: IToken | undefined;
      const members: A.Member[] = [];
      /** What was being parsed: 1 the `extends` ref, 2 the `of` ref, 3 the members. */
      let stage = 0;
      try {
        type = real(this.CONSUME(T.Identifier));
        const nameToken = this.OPTION(this.blockName);
        if (nameToken && !isVirtual(nameToken) && !this.RECORDING_PHASE) {
          name = nameToken.tokenType === T.StringLiteral ? { text: this.stringLit(nameToken, this.otherDiagnostics).value, span: spanOf(nameToken) } : toName(nameToken);
        }
        stage = 1;
        ext = this.OPTION2(this.extendsClause);
        stage = 2;
        of = this.OPTION3(this.ofClause);
        stage = 0;
        const brace = this.CONSUME(T.LCurly);
        open = real(brace);
        stage = 3;
        const entered = this.enter(brace);
        try {
          if (entered) {
            this.MANY(() => {
              const member = this.SUBRULE(this.member);
              if (member) members.push(member);
            });
          }
        } finally {
          this.leave(entered);
        }
        stage = 0;
        close = real(this.CONSUME(T.RCurly));
      } catch (e) {
        const partial = taken(e);
        if (stage === 1) ext = partial as A.Ref;
        else if (stage === 2) of = partial as A.Ref;
        else if (stage === 3 && partial) members.push(partial as A.Member);
        this.cut(e, this.blockNode(noted, type, name, ext, of, open, close, members));
      }
      return this.blockNode(noted, type, name, ext, of, open, close, members);
    },
    this.recovered,
  );

  private blockNode(noted: number, type: IToken | undefined, name: A.Name | null, ext: A.Ref | undefined, of: A.Ref | undefined, open: IToken | undefined, close: IToken | undefined, members: A.Member[]): A.Block | null {
    if (!type || this.RECORDING_PHASE) return this.discard(noted);
    const start = spanOf(type);
    const endSpan = close ? spanOf(close) : members.length ? members[members.length - 1]!.span : open ? spanOf(open) : start;
    return {
      kind: "Block",
      type: toName(type),
      name,
      extends: ext ?? null,
      of: of ?? null,
      members,
      body: open ? cover(spanOf(open), endSpan) : null,
      span: cover(start, endSpan),
    };
  }

  private readonly refTail = (): void => {
    this.CONSUME(T.Dot);
    const part = this.CONSUME2(T.AnyName);
    if (!isVirtual(part)) this.pathParts.push(part);
  };

  ref = this.RULE(
    "ref",
    (): A.Ref => {
      const mark = this.consumedCount;
      const parts: IToken[] = (this.pathParts = []);
      try {
        const head = this.CONSUME(T.Identifier);
        if (!isVirtual(head)) parts.push(head);
        // Chevrotain's between-iterations recovery does nothing for a repetition that ends its rule, so skipping one that cannot start changes nothing.
        if (this.RECORDING_PHASE || this.LA(1).tokenType === T.Dot) this.MANY(this.refTail);
      } catch (e) {
        this.cut(e, this.refNode(mark, parts));
      }
      return this.refNode(mark, parts);
    },
    this.recovered,
  );

  private refNode(mark: number, tokens: IToken[]): A.Ref {
    if (this.RECORDING_PHASE) return { parts: [], span: NO_SPAN };
    const parts = tokens.map(toName);
    const span = parts.length ? cover(parts[0]!.span, parts[parts.length - 1]!.span) : (this.extentSince(mark) ?? NO_SPAN);
    return { parts, span };
  }

  // ---- members ---------------------------------------------------------------------

  private readonly memberAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { GATE: () => this.atAttribute(), ALT: () => this.SUBRULE(this.attribute) },
      { GATE: () => this.atVary(), ALT: () => this.SUBRULE(this.vary) },
      { GATE: () => this.atBlock(), ALT: () => this.SUBRULE(this.block) },
      { ALT: () => this.SUBRULE(this.statement) },
    ] as IOrAlt<A.Member | null>[],
  };
  private readonly semicolon = (): void => {
    this.CONSUME(T.Semicolon);
  };

  member = this.RULE(
    "member",
    (): A.Member | null => {
      let member: A.Member | null = null;
      try {
        member = this.OR(this.memberAlts);
        // The option's lookahead is this one token: asked directly, the usual member without a `;` costs nothing more.
        if (this.RECORDING_PHASE || this.LA(1).tokenType === T.Semicolon) this.OPTION(this.semicolon);
      } catch (e) {
        this.cut(e, member ?? ((taken(e) as A.Member | null | undefined) ?? null));
      }
      return member;
    },
    this.recovered,
  );

  private readonly attributeValue = (): A.Expr => this.SUBRULE(this.expression);

  attribute = this.RULE(
    "attribute",
    (): A.Attribute | null => {
      const noted = this.otherDiagnostics.length;
      let path: IToken[] | IToken | undefined;
      let eq: IToken | undefined;
      let value: A.Expr | undefined;
      let valueMark = 0;
      let stage = 0;
      try {
        // `name =` (most attributes): its path is that one name, read without entering the rule for dotted paths.
        path = !this.RECORDING_PHASE && this.LA(2).tokenType === T.Equals && this.LA(1).tokenType === T.Identifier ? this.CONSUME(T.Identifier) : this.SUBRULE(this.path);
        stage = 1;
        eq = real(this.CONSUME(T.Equals));
        stage = 2;
        valueMark = this.consumedCount;
        // A value starts on the line of its `=`, so `seed =` followed by a new member is a missing value, not `seed = member`.
        if (this.RECORDING_PHASE || this.sameLineAsPrevious()) value = this.OPTION(this.attributeValue);
      } catch (e) {
        const partial = taken(e);
        if (stage === 0) path = partial as IToken[];
        else if (stage === 2) value = partial as A.Expr;
        this.cut(e, this.attributeNode(noted, path, eq, value && this.limitDepth(value, this.consumedCount - valueMark)));
      }
      return this.attributeNode(noted, path, eq, value && this.limitDepth(value, this.consumedCount - valueMark));
    },
    this.recovered,
  );

  /** `pathTokens`: the path's real tokens, or its one token when it is a single name. */
  private attributeNode(noted: number, pathTokens: IToken[] | IToken | undefined, eq: IToken | undefined, valueExpr: A.Expr | undefined): A.Attribute | null {
    if (!pathTokens || this.RECORDING_PHASE) return this.discard(noted);
    let path: A.Name[];
    if (!Array.isArray(pathTokens)) path = [toName(pathTokens)];
    else if (pathTokens.length) path = pathTokens.map(toName);
    else return this.discard(noted);
    const value = valueExpr ?? missing(eq ? spanOf(eq) : path[path.length - 1]!.span);
    if (!valueExpr && eq) {
      const what = `a value for '${path.map((p) => p.text).join(".")}' on the line of its '='`;
      this.otherDiagnostics.push(diagnostic("SBX1005", { what }, this.fileName, spanOf(eq)));
    }
    return { kind: "Attribute", path, value, span: cover(path[0]!.span, value.kind === "Missing" ? (eq ? spanOf(eq) : path[0]!.span) : value.span) };
  }

  vary = this.RULE(
    "vary",
    (): A.Vary | null => {
      const noted = this.otherDiagnostics.length;
      let keyword: IToken | undefined;
      let path: IToken[] | undefined;
      let values: A.Expr | undefined;
      let valuesMark = 0;
      let stage = 0;
      try {
        keyword = real(this.CONSUME(T.Identifier));
        stage = 1;
        path = this.SUBRULE(this.path);
        stage = 0;
        this.CONSUME(T.In);
        stage = 2;
        valuesMark = this.consumedCount;
        values = this.SUBRULE(this.expression);
      } catch (e) {
        const partial = taken(e);
        if (stage === 1) path = partial as IToken[];
        else if (stage === 2) values = partial as A.Expr;
        this.cut(e, this.varyNode(noted, keyword, path, values && this.limitDepth(values, this.consumedCount - valuesMark)));
      }
      return this.varyNode(noted, keyword, path, values && this.limitDepth(values, this.consumedCount - valuesMark));
    },
    this.recovered,
  );

  private varyNode(noted: number, keyword: IToken | undefined, pathTokens: IToken[] | undefined, valuesExpr: A.Expr | undefined): A.Vary | null {
    if (!keyword || !pathTokens || this.RECORDING_PHASE) return this.discard(noted);
    const path = pathTokens.map(toName);
    const values = valuesExpr ?? missing(path.length ? path[path.length - 1]!.span : spanOf(keyword));
    return { kind: "Vary", path, values, span: cover(spanOf(keyword), values.span) };
  }

  private readonly statementLabel = (): IToken => {
    const label = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    return label;
  };

  statement = this.RULE(
    "statement",
    (): A.Statement | null => {
      let label: IToken | undefined;
      let expr: A.Expr | undefined;
      let exprMark = 0;
      let stage = 0;
      try {
        if (this.RECORDING_PHASE || (this.LA(1).tokenType === T.Identifier && this.LA(2).tokenType === T.Colon)) {
          const labelToken = this.OPTION(this.statementLabel);
          label = labelToken && real(labelToken);
        }
        stage = 1;
        exprMark = this.consumedCount;
        expr = this.SUBRULE(this.expression);
      } catch (e) {
        const partial = taken(e);
        if (stage === 1) expr = partial as A.Expr;
        this.cut(e, this.statementNode(label, expr && this.limitDepth(expr, this.consumedCount - exprMark)));
      }
      return this.statementNode(label, expr && this.limitDepth(expr, this.consumedCount - exprMark));
    },
    this.recovered,
  );

  private statementNode(labelToken: IToken | undefined, exprNode: A.Expr | undefined): A.Statement | null {
    if ((!exprNode && !labelToken) || this.RECORDING_PHASE) return null;
    const expr = exprNode ?? missing(spanOf(labelToken!));
    const label = labelToken ? toName(labelToken) : null;
    return { kind: "Statement", label, expr, span: label ? cover(label.span, expr.span) : expr.span };
  }

  private readonly pathTail = (): void => {
    this.CONSUME(T.Dot);
    const part = this.CONSUME2(T.AnyName);
    if (!isVirtual(part)) this.pathParts.push(part);
  };

  /** The real tokens of a dotted path. */
  path = this.RULE(
    "path",
    (): IToken[] => {
      const parts: IToken[] = (this.pathParts = []);
      try {
        const head = this.CONSUME(T.Identifier);
        if (!isVirtual(head)) parts.push(head);
        if (this.RECORDING_PHASE || this.LA(1).tokenType === T.Dot) this.MANY(this.pathTail);
      } catch (e) {
        this.cut(e, parts);
      }
      return parts;
    },
    this.recovered,
  );

  // ---- expressions -------------------------------------------------------------------

  private readonly operatorAlts: IOrAlt<IToken>[] = [...OPERATOR_TOKENS, T.Identifier].map(
    (type): IOrAlt<IToken> => ({ ALT: () => this.CONSUME(type) }),
  );
  private readonly expressionTail = {
    // An identifier after an operand continues the expression only as `by` (a range step).
    GATE: () => this.LA(1).tokenType !== T.Identifier || this.LA(1).image === "by",
    DEF: () => {
      const operator = this.OR(this.operatorAlts);
      if (!isVirtual(operator)) this.operators.push(operator);
      const operand = this.SUBRULE2(this.prefixed);
      this.operands.push(operand);
    },
  };

  /**
   * An expression is a flat run of operands and binary operators; precedence
   * is applied when the run is complete (`climb`), which keeps the parse
   * shallow and fast. The runs of nested expressions share two stacks.
   */
  expression = this.RULE(
    "expression",
    (): A.Expr => {
      if (!this.RECORDING_PHASE) {
        const atom = this.loneAtom();
        if (atom !== undefined) return atom;
      }
      const mark = this.consumedCount;
      const operandBase = this.operands.length;
      const operatorBase = this.operators.length;
      try {
        const first = this.SUBRULE(this.prefixed);
        this.operands.push(first);
        // Its repetition can only start with an operator (or `by`) and ends the rule, where Chevrotain attempts no recovery: asked here, the usual
        // operand with no operator after it skips the repetition's setup (an array and a closure per call) that would find nothing to do.
        if (this.RECORDING_PHASE || (STARTS_TAIL[this.LA(1).tokenTypeIdx] && this.expressionTail.GATE())) this.MANY(this.expressionTail);
      } catch (e) {
        const partial = taken(e) as Operand | undefined;
        if (partial !== undefined) this.operands.push(partial);
        this.cut(e, this.expressionNode(mark, operandBase, operatorBase));
      }
      return this.expressionNode(mark, operandBase, operatorBase);
    },
    this.recovered,
  );

  /** Builds the expression from its run on the stacks, and pops the run. */
  private expressionNode(mark: number, operandBase: number, operatorBase: number): A.Expr {
    const operands = this.operands;
    const operators = this.operators;
    const count = operands.length - operandBase;
    if (this.RECORDING_PHASE) {
      operands.length = operandBase;
      operators.length = operatorBase;
      return missing(NO_SPAN);
    }
    if (count === 1 && operators.length === operatorBase && !(operands[operandBase] instanceof PrefixedOperand)) return operands.pop() as A.Expr;
    const items: ExprItem[] = [];
    for (let i = 0; i < count; i++) {
      const operand = operands[operandBase + i]!;
      if (operand instanceof PrefixedOperand) {
        for (const prefix of operand.prefixes) items.push({ kind: "prefix", token: prefix });
        items.push({ kind: "atom", expr: operand.expr });
      } else {
        items.push({ kind: "atom", expr: operand });
      }
      const op = operatorBase + i < operators.length ? operators[operatorBase + i] : undefined;
      if (op && i + 1 < count) items.push({ kind: "operator", token: op });
    }
    operands.length = operandBase;
    operators.length = operatorBase;
    if (!items.length) return missing(this.extentSince(mark) ?? NO_SPAN);
    return climb(items, { at: 0 }, 0);
  }

  /**
   * Most values are one literal or name that nothing after it continues
   * (`= 0.5`, `= round_robin`, `"text"` before the next attribute). Such an
   * atom is built here, without entering the rules for prefixes, suffixes and
   * operators, which would find nothing to do (an error cannot happen in
   * them, and their repetitions end their rules, where Chevrotain attempts no
   * recovery): the same tree, at a fraction of the cost. Anything else takes
   * the full rules. Undefined when the next tokens are not such an atom.
   */
  private loneAtom(): A.Expr | undefined {
    const first = this.LA(1);
    const type = first.tokenType;
    if (!STARTS_ATOM[type.tokenTypeIdx!]) return undefined;
    const next = this.LA(2);
    if (CONTINUES_ATOM[next.tokenTypeIdx]) return undefined;
    if (next.tokenType === T.Identifier && (next.image === "by" || (type === T.NumberLiteral && UNIT_WORDS.has(next.image)))) return undefined;
    const tok = this.CONSUME(type);
    switch (type) {
      case T.NumberLiteral:
        return numberNode(tok, undefined);
      case T.StringLiteral:
      case T.TripleString:
        return this.stringLit(tok, this.otherDiagnostics);
      case T.True:
        return { kind: "Bool", value: true, span: spanOf(tok) };
      case T.False:
        return { kind: "Bool", value: false, span: spanOf(tok) };
      default:
        return { kind: "Ident", name: tok.image, span: spanOf(tok) };
    }
  }

  private readonly prefixAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Not) }];
  private readonly prefixOperator = (): void => {
    const prefix = this.OR(this.prefixAlts);
    if (!isVirtual(prefix)) (this.prefixTokens ??= []).push(prefix);
  };

  /** Prefix operators, then an operand with its calls, selections and members. */
  prefixed = this.RULE(
    "prefixed",
    (): Operand => {
      this.prefixTokens = null;
      let prefixes: IToken[] | null = null;
      let expr: A.Expr | undefined;
      try {
        // The repetition is followed by a rule, so Chevrotain's between-iterations recovery does nothing for it either.
        if (this.RECORDING_PHASE || this.LA(1).tokenType === T.Minus || this.LA(1).tokenType === T.Not) this.MANY(this.prefixOperator);
        prefixes = this.prefixTokens;
        expr = this.SUBRULE(this.postfix);
      } catch (e) {
        expr = taken(e) as A.Expr | undefined;
        this.cut(e, this.prefixedNode(prefixes, expr));
      }
      return this.prefixedNode(prefixes, expr);
    },
    this.recovered,
  );

  private prefixedNode(prefixes: IToken[] | null, expr: A.Expr | undefined): Operand {
    const operand = expr ?? missing(NO_SPAN);
    if (!prefixes?.length) return operand;
    if (prefixes.length > MAX_EXPRESSION_DEPTH && !this.RECORDING_PHASE) {
      // Each sign nests one level, and building them recurses: stop here.
      this.otherDiagnostics.push(diagnostic("SBX1008", { limit: MAX_EXPRESSION_DEPTH }, this.fileName, spanOf(prefixes[MAX_EXPRESSION_DEPTH]!)));
      const start = prefixes[0]!.startOffset;
      return { kind: "Missing", span: { start, end: start } };
    }
    return new PrefixedOperand(prefixes, operand);
  }

  private readonly suffixAlts: IOrAlt<A.Expr>[] = [
    { ALT: () => this.SUBRULE(this.callSuffix) },
    { ALT: () => this.SUBRULE(this.indexSuffix) },
    { ALT: () => this.SUBRULE(this.memberSuffix) },
  ];
  /** Calls and selections must start on the callee's line, so a new member in parentheses is not a call. */
  private readonly suffixes = {
    GATE: () => this.LA(1).tokenType === T.Dot || this.sameLineAsPrevious(),
    DEF: () => {
      const next = this.OR(this.suffixAlts);
      if (!this.RECORDING_PHASE) this.chain = next;
    },
  };

  postfix = this.RULE(
    "postfix",
    (): A.Expr => {
      const outer = this.chain;
      try {
        const head = this.SUBRULE(this.primary);
        if (!this.RECORDING_PHASE) this.chain = head;
        // Likewise: a suffix starts with `(`, `[` or `.`, and the repetition ends the rule.
        if (this.RECORDING_PHASE || (STARTS_SUFFIX[this.LA(1).tokenTypeIdx] && this.suffixes.GATE())) this.MANY(this.suffixes);
        return this.chain;
      } catch (e) {
        this.cut(e, (taken(e) as A.Expr | undefined) ?? missing(NO_SPAN));
      } finally {
        this.chain = outer;
      }
    },
    this.recovered,
  );

  callSuffix = this.RULE(
    "callSuffix",
    (): A.Expr => {
      const callee = this.chain;
      const mark = this.consumedCount;
      const args: A.Arg[] = [];
      let entered = true;
      try {
        entered = this.enter(this.CONSUME(T.LParen));
        try {
          if (entered) this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.argument)) });
        } finally {
          this.leave(entered);
        }
        this.CONSUME(T.RParen);
        // A call whose arguments were skipped is no call: its arity would be a second, false error.
        if (!entered) return missing({ start: callee.span.start, end: callee.span.start });
      } catch (e) {
        const partial = taken(e) as A.Arg | undefined;
        if (partial !== undefined) args.push(partial);
        this.cut(e, { kind: "Call", callee, args, span: cover(callee.span, this.extentSince(mark) ?? callee.span) });
      }
      return { kind: "Call", callee, args, span: cover(callee.span, this.extentSince(mark) ?? callee.span) };
    },
    this.recovered,
  );

  indexSuffix = this.RULE(
    "indexSuffix",
    (): A.Expr => {
      const target = this.chain;
      const mark = this.consumedCount;
      const args: A.Arg[] = [];
      let entered = true;
      try {
        entered = this.enter(this.CONSUME(T.LBracket));
        try {
          if (entered) this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.argument)) });
        } finally {
          this.leave(entered);
        }
        this.CONSUME(T.RBracket);
        if (!entered) return missing({ start: target.span.start, end: target.span.start });
      } catch (e) {
        const partial = taken(e) as A.Arg | undefined;
        if (partial !== undefined) args.push(partial);
        this.cut(e, { kind: "Index", target, args, span: cover(target.span, this.extentSince(mark) ?? target.span) });
      }
      return { kind: "Index", target, args, span: cover(target.span, this.extentSince(mark) ?? target.span) };
    },
    this.recovered,
  );

  memberSuffix = this.RULE(
    "memberSuffix",
    (): A.Expr => {
      const object = this.chain;
      let property: IToken | undefined;
      try {
        this.CONSUME(T.Dot);
        property = real(this.CONSUME(T.AnyName));
      } catch (e) {
        this.cut(e, object);
      }
      return property && !this.RECORDING_PHASE ? { kind: "Member", object, property: toName(property), span: cover(object.span, spanOf(property)) } : object;
    },
    this.recovered,
  );

  private readonly argumentName = (): IToken => {
    const name = this.CONSUME(T.AnyName);
    this.CONSUME(T.Equals);
    return name;
  };

  argument = this.RULE(
    "argument",
    (): A.Arg => {
      const mark = this.consumedCount;
      let name: IToken | undefined;
      let value: A.Expr | undefined;
      let stage = 0;
      try {
        if (this.RECORDING_PHASE || (tokenMatcher(this.LA(1), T.AnyName) && this.LA(2).tokenType === T.Equals)) {
          const nameToken = this.OPTION(this.argumentName);
          name = nameToken && real(nameToken);
        }
        stage = 1;
        value = this.SUBRULE(this.expression);
      } catch (e) {
        const partial = taken(e);
        if (stage === 1) value = partial as A.Expr;
        this.cut(e, this.argumentNode(mark, name, value));
      }
      return this.argumentNode(mark, name, value);
    },
    this.recovered,
  );

  private argumentNode(mark: number, nameToken: IToken | undefined, valueExpr: A.Expr | undefined): A.Arg {
    if (this.RECORDING_PHASE) return { name: null, value: missing(NO_SPAN), span: NO_SPAN };
    const value = valueExpr ?? missing(nameToken ? spanOf(nameToken) : (this.extentSince(mark) ?? NO_SPAN));
    const name = nameToken ? toName(nameToken) : null;
    return { name, value, span: name ? cover(name.span, value.span) : value.span };
  }

  private readonly unitAlts: IOrAlt<IToken>[] = [{ ALT: () => this.CONSUME(T.Percent) }, { ALT: () => this.CONSUME2(T.Identifier) }];
  private readonly unit = (): IToken => this.OR2(this.unitAlts);

  private readonly primaryAlts: IOrAlt<A.Expr>[] = [
    {
      ALT: () => {
        const n = this.CONSUME(T.NumberLiteral);
        const suffix = this.RECORDING_PHASE || this.LA(1).tokenType === T.Percent || this.atUnit() ? this.OPTION(this.unit) : undefined;
        if (this.RECORDING_PHASE) return missing(NO_SPAN);
        return numberNode(n, suffix && !isVirtual(suffix) ? suffix : undefined);
      },
    },
    { ALT: () => this.stringLit(this.CONSUME(T.StringLiteral), this.otherDiagnostics) },
    { ALT: () => this.stringLit(this.CONSUME(T.TripleString), this.otherDiagnostics) },
    { ALT: () => ({ kind: "Bool", value: true, span: spanOf(this.CONSUME(T.True)) }) },
    { ALT: () => ({ kind: "Bool", value: false, span: spanOf(this.CONSUME(T.False)) }) },
    {
      ALT: () => {
        const id = this.CONSUME(T.Identifier);
        return { kind: "Ident", name: id.image, span: spanOf(id) };
      },
    },
    { ALT: () => this.SUBRULE(this.listLiteral) },
    {
      ALT: () => {
        const open = this.CONSUME(T.LParen);
        let inner: A.Expr | undefined;
        try {
          const entered = this.enter(open);
          try {
            if (entered) inner = this.SUBRULE(this.expression);
          } finally {
            this.leave(entered);
          }
          const close = real(this.CONSUME(T.RParen));
          return this.parenNode(open, inner, close);
        } catch (e) {
          inner ??= taken(e) as A.Expr | undefined;
          this.cut(e, this.parenNode(open, inner, undefined));
        }
      },
    },
  ];

  primary = this.RULE(
    "primary",
    (): A.Expr => {
      const mark = this.consumedCount;
      try {
        return this.OR(this.primaryAlts);
      } catch (e) {
        this.cut(e, (taken(e) as A.Expr | undefined) ?? missing(this.extentSince(mark) ?? NO_SPAN));
      }
    },
    this.recovered,
  );

  private parenNode(open: IToken, inner: A.Expr | undefined, close: IToken | undefined): A.Expr {
    if (this.RECORDING_PHASE) return missing(NO_SPAN);
    const expr = inner ?? missing(spanOf(open));
    return { kind: "Paren", expr, span: cover(spanOf(open), close ? spanOf(close) : expr.span) };
  }

  private readonly listComma = (): void => {
    this.CONSUME(T.Comma);
  };

  listLiteral = this.RULE(
    "listLiteral",
    (): A.Expr => {
      const mark = this.consumedCount;
      const items: A.Expr[] = [];
      try {
        const entered = this.enter(this.CONSUME(T.LBracket));
        try {
          if (entered) {
            this.MANY(() => {
              items.push(this.SUBRULE(this.expression));
              this.OPTION(this.listComma);
            });
          }
        } finally {
          this.leave(entered);
        }
        this.CONSUME(T.RBracket);
      } catch (e) {
        const partial = taken(e) as A.Expr | undefined;
        if (partial !== undefined) items.push(partial);
        this.cut(e, { kind: "List", items, span: this.extentSince(mark) ?? NO_SPAN });
      }
      return { kind: "List", items, span: this.extentSince(mark) ?? NO_SPAN };
    },
    this.recovered,
  );

  // ---- literals ----------------------------------------------------------------------

  stringLit(tok: IToken, sink: PlacedDiagnostic[]): A.StringLit {
    const triple = tok.tokenType === T.TripleString;
    const span = spanOf(tok);
    if (triple) return { kind: "String", value: dedent(tok.image.slice(3, -3)), triple: true, span };
    const body = tok.image.endsWith('"') && tok.image.length >= 2 ? tok.image.slice(1, -1) : tok.image.slice(1);
    return { kind: "String", value: unescape(body, span.start + 1, sink, this.fileName), triple: false, span };
  }

  // ---- lookahead helpers -------------------------------------------------

  /** `a.b.c =` (but not `==`). */
  private atAttribute(): boolean {
    let i = 1;
    if (this.LA(i).tokenType !== T.Identifier) return false;
    i++;
    while (this.LA(i).tokenType === T.Dot && tokenMatcher(this.LA(i + 1), T.AnyName)) i += 2;
    return this.LA(i).tokenType === T.Equals;
  }

  private atVary(): boolean {
    const first = this.LA(1);
    return first.tokenType === T.Identifier && first.image === "vary" && tokenMatcher(this.LA(2), T.AnyName) && !tokenMatcher(this.LA(2), T.In);
  }

  /** `kind {`, `kind name {`, `kind "name" {`, or a header with `extends`/`of`. */
  private atBlock(): boolean {
    if (this.LA(1).tokenType !== T.Identifier) return false;
    const second = this.LA(2);
    if (opensHeaderTail(second)) return true;
    return (second.tokenType === T.Identifier || second.tokenType === T.StringLiteral) && opensHeaderTail(this.LA(3));
  }

  /** `2 epochs` — but not `seed = 123 epochs = 20`, where `epochs` starts the next attribute. */
  private atUnit(): boolean {
    const unit = this.LA(1);
    if (unit.tokenType !== T.Identifier || !UNIT_WORDS.has(unit.image)) return false;
    if (!T.onSameLine(this.text, this.LA(0), unit)) return false;
    const after = this.LA(2);
    for (const t of MEMBER_END_TOKENS) if (after.tokenType === t) return false;
    return true;
  }

  private sameLineAsPrevious(): boolean {
    return T.onSameLine(this.text, this.LA(0), this.LA(1));
  }
}

/** A number literal with its unit or `%` (`after`), if any. */
export function numberNode(n: IToken, after: IToken | undefined): A.NumberLit {
  const percent = after !== undefined && after.tokenType === T.Percent;
  const unit = after !== undefined && !percent ? toName(after) : null;
  return { kind: "Number", value: numberValue(n.image), raw: n.image, percent, unit, span: { start: n.startOffset, end: greater(n.endOffset!, after?.endOffset ?? -1) + 1 } };
}

/** A string literal's body with its escapes replaced; a bad escape is reported to `sink` (SBX1006). */
export function unescape(body: string, offset: number, sink: PlacedDiagnostic[], fileName: string): string {
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = body[i + 1] ?? "";
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i++;
    } else if (next === "u" && body[i + 2] === "{") {
      const close = body.indexOf("}", i + 3);
      const hex = close > 0 ? body.slice(i + 3, close) : "";
      const code = /^[0-9a-fA-F]{1,6}$/.test(hex) ? parseInt(hex, 16) : NaN;
      if (Number.isNaN(code) || code > 0x10ffff) {
        sink.push(diagnostic("SBX1006", { escape: body.slice(i, close > 0 ? close + 1 : i + 2) }, fileName, { start: offset + i, end: offset + (close > 0 ? close + 1 : i + 2) }));
        i++;
      } else {
        out += String.fromCodePoint(code);
        i = close;
      }
    } else {
      sink.push(diagnostic("SBX1006", { escape: `\\${next}` }, fileName, { start: offset + i, end: offset + i + 2 }));
      out += next;
      i++;
    }
  }
  return out;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `Number(image)` for a number literal, computed directly for the usual short
 * ones (`3`, `0.25`): at most 15 digits with at most 22 after the point. Their
 * digits form an integer below 2^53 and 10^k is exact, so one division gives
 * the correctly rounded value, which is what `Number` returns. Others (an
 * exponent, more digits) go to `Number`.
 */
function numberValue(image: string): number {
  const length = image.length;
  if (length > 16) return Number(image);
  let digits = 0;
  let mantissa = 0;
  let point = -1;
  for (let i = 0; i < length; i++) {
    const c = image.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point < 0) point = i;
    else return Number(image);
  }
  if (digits > 15) return Number(image);
  return point < 0 ? mantissa : mantissa / POWERS_OF_TEN[length - point - 1]!;
}

/** By token type index: the tokens a lone atom is (SbxParser.loneAtom). */
export const STARTS_ATOM = byTokenType([T.NumberLiteral, T.StringLiteral, T.TripleString, T.True, T.False, T.Identifier]);
/**
 * By token type index: tokens that, right after an atom, may continue its
 * expression — an operator, `%`, a call, a selection, a member. (An
 * identifier continues it only as `by` or a unit, checked separately.)
 */
export const CONTINUES_ATOM = byTokenType([T.Dot, T.LParen, T.LBracket, T.Percent, ...OPERATOR_TOKENS]);
/** By token type index: the first tokens of an expression's tail (an operator, or `by`, an identifier) and of a suffix. */
export const STARTS_TAIL = byTokenType([...OPERATOR_TOKENS, T.Identifier]);
export const STARTS_SUFFIX = byTokenType([T.LParen, T.LBracket, T.Dot]);

function byTokenType(types: readonly TokenType[]): readonly boolean[] {
  const table: boolean[] = [];
  for (const t of T.allTokens) table[t.tokenTypeIdx!] = false;
  for (const t of types) table[t.tokenTypeIdx!] = true;
  return table;
}

function opensHeaderTail(t: IToken): boolean {
  return t.tokenType === T.LCurly || t.tokenType === T.Extends || t.tokenType === T.Of;
}

/** Imports and blocks in source order. */
function sortItems(items: A.Item[]): A.Item[] {
  return items.sort((a, b) => a.span.start - b.span.start);
}

/** Pratt parsing over the flat run: binding powers from BINARY and PREFIX. */
export function climb(items: readonly ExprItem[], cursor: { at: number }, minPower: number): A.Expr {
  let left = prefixOperand(items, cursor);
  while (cursor.at < items.length) {
    const item = items[cursor.at]!;
    if (item.kind !== "operator") break;
    const word = item.token.image;
    const power = BINARY[word];
    if (power === undefined || power < minPower) break;
    cursor.at++;
    if (word === "by") {
      // `a..b by c`: the step of the range just built.
      const step = climb(items, cursor, BINARY[".."]! + 1);
      left = left.kind === "Range" && left.step === null ? { ...left, step, span: cover(left.span, step.span) } : left;
      continue;
    }
    const right = climb(items, cursor, power + 1);
    if (word === "..") {
      left = { kind: "Range", from: left, to: right, step: null, span: cover(left.span, right.span) };
    } else {
      left = { kind: "Binary", op: word as A.BinaryOp, opSpan: spanOf(item.token), left, right, span: cover(left.span, right.span) };
    }
  }
  return left;
}

function prefixOperand(items: readonly ExprItem[], cursor: { at: number }): A.Expr {
  const item = items[cursor.at];
  if (!item) return missing(items.length ? spanOfItem(items[items.length - 1]!) : NO_SPAN);
  cursor.at++;
  if (item.kind === "atom") return item.expr;
  if (item.kind === "prefix") {
    const op = item.token.image === "not" ? "not" : "-";
    const arg = climb(items, cursor, op === "not" ? PREFIX_NOT : PREFIX_MINUS);
    return { kind: "Unary", op, arg, span: cover(spanOf(item.token), arg.span) };
  }
  return missing(spanOf(item.token));
}

/** The deepest node of the expression's tree when it is deeper than `limit`, else null; found without recursion. */
export function deeperThan(root: A.Expr, limit: number): A.Expr | null {
  const nodes: A.Expr[] = [root];
  const depths: number[] = [1];
  let deepest: A.Expr | null = null;
  let max = limit;
  while (nodes.length) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    // Children are visited right to left, so the last of the deepest is the leftmost: where a chain starts.
    if (depth > limit && depth >= max) {
      max = depth;
      deepest = node;
    }
    const push = (child: A.Expr): void => {
      nodes.push(child);
      depths.push(depth + 1);
    };
    switch (node.kind) {
      case "List":
        node.items.forEach(push);
        break;
      case "Range":
        push(node.from);
        push(node.to);
        if (node.step) push(node.step);
        break;
      case "Binary":
        push(node.left);
        push(node.right);
        break;
      case "Unary":
        push(node.arg);
        break;
      case "Call":
        push(node.callee);
        for (const a of node.args) push(a.value);
        break;
      case "Index":
        push(node.target);
        for (const a of node.args) push(a.value);
        break;
      case "Member":
        push(node.object);
        break;
      case "Paren":
        push(node.expr);
        break;
      default:
        break;
    }
  }
  return deepest;
}

function spanOfItem(item: ExprItem): A.Span {
  return item.kind === "atom" ? item.expr.span : spanOf(item.token);
}

/** Triple-quoted text: drop the first newline and the common indentation, so prompts can be indented with the code. */
export function dedent(raw: string): string {
  const lines = raw.replace(/^\r?\n/, "").replace(/\r\n/g, "\n").split("\n");
  let cut = Infinity;
  for (const l of lines) if (l.trim().length > 0) cut = Math.min(cut, /^[ \t]*/.exec(l)![0].length);
  if (cut === Infinity) cut = 0;
  return lines
    .map((l) => l.slice(cut))
    .join("\n")
    .replace(/\n[ \t]*$/, "");
}

let shared: SbxParser | undefined;

/**
 * One parser instance, reset per input (Chevrotain's recommended use). Built
 * when first needed (its self-analysis takes milliseconds): files without
 * syntax errors take the direct path (well-formed.ts) and never need it.
 */
export function sbxParser(): SbxParser {
  return (shared ??= new SbxParser());
}

/** A parser built with Chevrotain's grammar validations, for the test that runs them. */
export const validatedParser = (): SbxParser => new SbxParser(true);

export type SbxParserRules = keyof SbxParser;
