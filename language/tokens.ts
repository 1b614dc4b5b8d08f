/**
 * The .sbx lexer. Block kinds and attribute names are plain identifiers: their
 * meaning lives in the schema registry, so adding a lever never touches this file.
 */
import { createToken, type IToken, Lexer, type TokenType } from "chevrotain";
import { hasLineBreak } from "../src/text/line-index.ts";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\uFEFF]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[^*]*\*+(?:[^/*][^*]*\*+)*\//, group: "comments", line_breaks: true });
/** A `/*` with no closing `*\/`: the rest of the file is the comment. Reported as SBX1010 by the lexer pass. */
export const UnterminatedComment = createToken({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/, group: "comments", line_breaks: true });

const keyword = (name: string, word: string): TokenType =>
  createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [AnyName] });

/** Every keyword is also a name where a name is expected (e.g. `import` cannot be a key, but `in` after a dot can). */
export const AnyName = createToken({ name: "AnyName", pattern: Lexer.NA });
export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [AnyName] });

export const Import = keyword("Import", "import");
export const Extends = keyword("Extends", "extends");
export const Of = keyword("Of", "of");
export const In = keyword("In", "in");
export const True = keyword("True", "true");
export const False = keyword("False", "false");
export const And = keyword("And", "and");
export const Or = keyword("Or", "or");
export const Not = keyword("Not", "not");

export const TripleString = createToken({ name: "TripleString", pattern: /"""[\s\S]*?"""/, line_breaks: true });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n\r]|\\.)*"/ });
/** An opening quote with no closing quote on its line: reported as SBX1002 by the lexer pass. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\.)*/ });
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });

export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LessEq = createToken({ name: "LessEq", pattern: /<=/ });
export const GreaterEq = createToken({ name: "GreaterEq", pattern: /\u003e=/ });
export const Less = createToken({ name: "Less", pattern: /</ });
export const Greater = createToken({ name: "Greater", pattern: /\u003e/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Percent = createToken({ name: "Percent", pattern: /%/ });
export const LCurly = createToken({ name: "LCurly", pattern: /\{/ });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /]/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/ });

export const KEYWORDS = [Import, Extends, Of, In, True, False, And, Or, Not];

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  TripleString,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  ...KEYWORDS,
  Identifier,
  AnyName,
  DotDot,
  Dot,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
];

export const LEXER_CONFIG = {
  ensureOptimizations: true,
  positionTracking: "onlyOffset",
  recoveryEnabled: true,
} as const;

/**
 * Chevrotain's checks of the token definitions took most of the lexer's
 * construction, at every start of sbx; tests/compiler/lexer.test.ts runs them
 * instead, on the same tokens and configuration.
 */
export const SbxLexer = new Lexer(allTokens, { ...LEXER_CONFIG, skipValidations: true });

/**
 * A token of its own class, with Chevrotain's fields but no lines or columns: nothing reads them
 * (the parsers ask `onSameLine`, diagnostics place themselves by offset), so the lexer does not
 * count lines (`positionTracking: "onlyOffset"`) and a token is five fields, not nine. Chevrotain's
 * own tokens (inserted while recovering, end of file) are object literals whose positions are NaN:
 * a class of our own keeps lexed tokens' positions small integers, never boxed doubles.
 */
class LexedToken implements IToken {
  declare image: string;
  declare startOffset: number;
  declare endOffset: number;
  declare tokenTypeIdx: number;
  declare tokenType: TokenType;
  constructor(image: string, startOffset: number, tokenTypeIdx: number, tokenType: TokenType) {
    this.image = image;
    this.startOffset = startOffset;
    this.endOffset = startOffset + image.length - 1;
    this.tokenTypeIdx = tokenTypeIdx;
    this.tokenType = tokenType;
  }
}

// Chevrotain's offset-only token factory (Lexer#createOffsetOnlyToken, which leaves out the end offset), replaced by the class above.
(SbxLexer as unknown as { createTokenInstance: (...args: ConstructorParameters<typeof LexedToken>) => IToken }).createTokenInstance = (image, startOffset, tokenTypeIdx, tokenType) =>
  new LexedToken(image, startOffset, tokenTypeIdx, tokenType);

/** A lexed token `delta` characters further on (a copy: the old parse keeps its tokens). */
export function movedToken(t: IToken, delta: number): IToken {
  return new LexedToken(t.image, t.startOffset + delta, t.tokenTypeIdx, t.tokenType);
}

/**
 * Whether `next` starts on the line where `prev` ends. Never for a token Chevrotain's recovery
 * inserted (NaN offsets) or a missing one.
 */
export function onSameLine(text: string, prev: IToken | undefined, next: IToken | undefined): boolean {
  if (prev === undefined || next === undefined) return false;
  const from = prev.endOffset! + 1;
  return from <= next.startOffset && !hasLineBreak(text, from, next.startOffset);
}

/** The keyword spellings, for the TextMate grammar test and completion. */
export const KEYWORD_WORDS: readonly string[] = KEYWORDS.map((t) => String((t.PATTERN as RegExp).source));
