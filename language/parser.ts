/**
 * The .sbx grammar, as a Chevrotain CST parser with error recovery on, so a
 * broken file still yields a partial tree for the checker and the editor.
 *
 * The grammar is small and regular: imports, blocks, attributes, `vary`
 * statements and expression statements. Members are told apart by scanning
 * ahead (an attribute is a dotted path followed by `=`), which keeps the
 * grammar free of keywords for block kinds.
 */
import { CstParser, type IOrAlt, type IToken, type TokenType, tokenMatcher } from "chevrotain";
import * as T from "./tokens.ts";

/** Units a number may carry: `2 epochs`, `30 seconds`. */
export const UNIT_WORDS: ReadonlySet<string> = new Set(["epoch", "epochs", "step", "steps", "seconds", "ms", "tokens", "usd"]);

const MEMBER_END_TOKENS: readonly TokenType[] = [T.Equals, T.Dot, T.LCurly, T.Colon];

class SbxParser extends CstParser {
  // OR alternatives are built once and reused: allocating them on every call dominated parsing (Chevrotain's own advice).
  private alts1?: IOrAlt<unknown>[];
  private alts2?: IOrAlt<unknown>[];
  private alts3?: IOrAlt<unknown>[];
  private alts4?: IOrAlt<unknown>[];
  private alts5?: IOrAlt<unknown>[];
  private alts6?: IOrAlt<unknown>[];
  private altsUnit?: IOrAlt<unknown>[];
  private memberAlts?: { IGNORE_AMBIGUITIES: boolean; DEF: IOrAlt<unknown>[] };

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "onlyOffset" });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR(this.alts1 ??= [
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.block) },
      ]);
    });
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral, { LABEL: "path" });
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.AnyName, { LABEL: "names" }) });
      this.CONSUME(T.RCurly);
    });
  });

  block = this.RULE("block", () => {
    this.CONSUME(T.Identifier, { LABEL: "type" });
    this.OPTION(() => {
      this.OR(this.alts2 ??= [
        { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: "stringName" }) },
      ]);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Extends);
      this.SUBRULE(this.ref, { LABEL: "extendsRef" });
    });
    this.OPTION3(() => {
      this.CONSUME(T.Of);
      this.SUBRULE2(this.ref, { LABEL: "ofRef" });
    });
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.member));
    this.CONSUME(T.RCurly);
  });

  ref = this.RULE("ref", () => {
    this.CONSUME(T.Identifier, { LABEL: "parts" });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.AnyName, { LABEL: "parts" });
    });
  });

  member = this.RULE("member", () => {
    this.OR((this.memberAlts ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.atAttribute(), ALT: () => this.SUBRULE(this.attribute) },
        { GATE: () => this.atVary(), ALT: () => this.SUBRULE(this.vary) },
        { GATE: () => this.atBlock(), ALT: () => this.SUBRULE(this.block) },
        { ALT: () => this.SUBRULE(this.statement) },
      ],
    }));
    this.OPTION(() => this.CONSUME(T.Semicolon));
  });

  attribute = this.RULE("attribute", () => {
    this.SUBRULE(this.path);
    this.CONSUME(T.Equals);
    // A value starts on the line of its `=`, so `seed =` followed by a new member is a missing value, not `seed = member`.
    this.OPTION({ GATE: () => this.sameLineAsPrevious(), DEF: () => this.SUBRULE(this.expression, { LABEL: "value" }) });
  });

  vary = this.RULE("vary", () => {
    this.CONSUME(T.Identifier, { LABEL: "keyword" });
    this.SUBRULE(this.path);
    this.CONSUME(T.In);
    this.SUBRULE(this.expression, { LABEL: "values" });
  });

  statement = this.RULE("statement", () => {
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), T.Identifier) && tokenMatcher(this.LA(2), T.Colon),
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: "label" });
        this.CONSUME(T.Colon);
      },
    });
    this.SUBRULE(this.expression);
  });

  path = this.RULE("path", () => {
    this.CONSUME(T.Identifier, { LABEL: "parts" });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.AnyName, { LABEL: "parts" });
    });
  });

  /**
   * An expression is a flat run of operands and binary operators; precedence
   * is applied when the syntax tree is built (syntax.ts), which keeps the
   * parse shallow and fast.
   */
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.prefixed, { LABEL: "operands" });
    this.MANY({
      // An identifier after an operand continues the expression only as `by` (a range step).
      GATE: () => !tokenMatcher(this.LA(1), T.Identifier) || this.LA(1).image === "by",
      DEF: () => {
      this.OR(this.alts3 ??= [
        { ALT: () => this.CONSUME(T.Or, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.And, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.EqEq, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.NotEq, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.LessEq, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.Less, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.Greater, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.DotDot, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.Star, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: "operators" }) },
        { ALT: () => this.CONSUME(T.Identifier, { LABEL: "operators" }) },
      ]);
      this.SUBRULE2(this.prefixed, { LABEL: "operands" });
      },
    });
  });

  /** Prefix operators, then an operand with its calls, selections and members. */
  prefixed = this.RULE("prefixed", () => {
    this.MANY(() => {
      this.OR(this.alts4 ??= [
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "prefixes" }) },
        { ALT: () => this.CONSUME(T.Not, { LABEL: "prefixes" }) },
      ]);
    });
    this.SUBRULE(this.postfix);
  });

  /** Calls and selections must start on the callee's line, so a new member in parentheses is not a call. */
  postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY({
      GATE: () => tokenMatcher(this.LA(1), T.Dot) || this.sameLineAsPrevious(),
      DEF: () => {
        this.OR(this.alts5 ??= [
          { ALT: () => this.SUBRULE(this.callSuffix, { LABEL: "suffixes" }) },
          { ALT: () => this.SUBRULE(this.indexSuffix, { LABEL: "suffixes" }) },
          { ALT: () => this.SUBRULE(this.memberSuffix, { LABEL: "suffixes" }) },
        ]);
      },
    });
  });

  callSuffix = this.RULE("callSuffix", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument, { LABEL: "args" }) });
    this.CONSUME(T.RParen);
  });

  indexSuffix = this.RULE("indexSuffix", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument, { LABEL: "args" }) });
    this.CONSUME(T.RBracket);
  });

  memberSuffix = this.RULE("memberSuffix", () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.AnyName, { LABEL: "property" });
  });

  argument = this.RULE("argument", () => {
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), T.AnyName) && tokenMatcher(this.LA(2), T.Equals),
      DEF: () => {
        this.CONSUME(T.AnyName, { LABEL: "name" });
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  primary = this.RULE("primary", () => {
    this.OR(this.alts6 ??= [
      {
        ALT: () => {
          this.CONSUME(T.NumberLiteral);
          this.OPTION({
            GATE: () => tokenMatcher(this.LA(1), T.Percent) || this.atUnit(),
            DEF: () => {
              this.OR2((this.altsUnit ??= [
                { ALT: () => this.CONSUME(T.Percent) },
                { ALT: () => this.CONSUME2(T.Identifier, { LABEL: "unit" }) },
              ]));
            },
          });
        },
      },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.TripleString) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.SUBRULE(this.listLiteral) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression, { LABEL: "inner" });
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  listLiteral = this.RULE("listLiteral", () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.SUBRULE(this.expression, { LABEL: "items" });
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  // ---- lookahead helpers -------------------------------------------------

  /** `a.b.c =` (but not `==`). */
  private atAttribute(): boolean {
    let i = 1;
    if (!tokenMatcher(this.LA(i), T.Identifier)) return false;
    i++;
    while (tokenMatcher(this.LA(i), T.Dot) && tokenMatcher(this.LA(i + 1), T.AnyName)) i += 2;
    return tokenMatcher(this.LA(i), T.Equals);
  }

  private atVary(): boolean {
    const first = this.LA(1);
    return tokenMatcher(first, T.Identifier) && first.image === "vary" && tokenMatcher(this.LA(2), T.AnyName) && !tokenMatcher(this.LA(2), T.In);
  }

  /** `kind {`, `kind name {`, `kind "name" {`, or a header with `extends`/`of`. */
  private atBlock(): boolean {
    if (!tokenMatcher(this.LA(1), T.Identifier)) return false;
    const opensHeaderTail = (t: IToken) => tokenMatcher(t, T.LCurly) || tokenMatcher(t, T.Extends) || tokenMatcher(t, T.Of);
    if (opensHeaderTail(this.LA(2))) return true;
    const second = this.LA(2);
    return (tokenMatcher(second, T.Identifier) || tokenMatcher(second, T.StringLiteral)) && opensHeaderTail(this.LA(3));
  }

  /** `2 epochs` — but not `seed = 123 epochs = 20`, where `epochs` starts the next attribute. */
  private atUnit(): boolean {
    const unit = this.LA(1);
    if (!tokenMatcher(unit, T.Identifier) || !UNIT_WORDS.has(unit.image)) return false;
    if (unit.startLine !== this.LA(0).endLine) return false;
    const after = this.LA(2);
    return !MEMBER_END_TOKENS.some((t) => tokenMatcher(after, t));
  }

  private sameLineAsPrevious(): boolean {
    const prev = this.LA(0);
    return prev.endLine === undefined || this.LA(1).startLine === prev.endLine;
  }
}

/** One parser instance, reset per input (Chevrotain's recommended use). */
export const sbxParser = new SbxParser();

export type SbxParserRules = keyof SbxParser;
