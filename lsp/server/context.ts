/**
 * Where is the cursor? A forward skim of the token stream that mirrors the
 * grammar at member level (imports, block headers, attribute paths, `vary`,
 * labels) and tracks expressions as operand/operator alternation with a
 * bracket stack. It needs only the lexer, so it is cheap on large files and
 * never fails on broken ones: unexpected tokens end the construct they break,
 * as the parser's recovery would.
 *
 * Completion and hover both ask it "what may stand here" (the slot) and
 * "which word is under the cursor"; everything editor-specific lives elsewhere.
 */
import { tokenMatcher, type IToken, type TokenType } from "chevrotain";
import { UNIT_WORDS } from "../../language/parser.ts";
import * as T from "../../language/tokens.ts";
import { AGENT_KINDS, ARM, DECLARATIONS, POLICY_GROUP, POPULATION } from "../../src/registry/blocks.ts";
import type { BlockSpec } from "../../src/registry/types.ts";

/** An open block at the cursor. */
export interface Frame {
  readonly kind: string;
  readonly name: string | null;
  /** Null when the kind is unknown here. */
  readonly spec: BlockSpec | null;
  readonly parent: Frame | null;
  /** Attribute names (first path segment) written in this block, with where. */
  readonly set: Map<string, number>;
  /** Child block kinds written in this block, with where. */
  readonly blocks: Map<string, number>;
  /** For top-level declarations: population groups written in them (name → kind). */
  readonly groups: Map<string, string>;
}

export type Owner = { readonly kind: "attribute"; readonly path: readonly string[] } | { readonly kind: "vary"; readonly path: readonly string[] } | { readonly kind: "statement" };

export interface Bracket {
  readonly kind: "call" | "index" | "list" | "paren";
  /** The dotted name before `(` or `[`. */
  readonly callee: string | null;
  /** The argument name when inside `name = …`. */
  named: string | null;
}

export type Slot =
  | { readonly kind: "top" }
  | { readonly kind: "import-path" }
  | { readonly kind: "import-names"; readonly module: string | null; readonly written: readonly string[] }
  /** After a block kind: a name, `extends`, `of` or `{` may follow. */
  | { readonly kind: "header"; readonly block: string; readonly named: boolean; readonly parent: Frame | null }
  | { readonly kind: "ref"; readonly block: string; readonly which: "extends" | "of"; readonly qualifier: readonly string[]; readonly parent: Frame | null }
  /** A member of `frame` may start here; `qualifier` is the dotted path typed so far (`audit.`). */
  | { readonly kind: "member"; readonly frame: Frame; readonly qualifier: readonly string[]; readonly owner: "attribute" | "vary" | null }
  | {
      readonly kind: "expr";
      readonly frame: Frame;
      readonly owner: Owner;
      readonly expectOperand: boolean;
      /** After `a.b.`: the names before the dot. */
      readonly qualifier: readonly string[] | null;
      readonly bracket: Bracket | null;
      /** Right after a number (a unit or `%` may follow). */
      readonly afterNumber: boolean;
    }
  | { readonly kind: "none" };

export interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface CursorContext {
  readonly slot: Slot;
  /** The name being typed (completion) or pointed at (hover). */
  readonly word: Word | null;
  /** The string literal the cursor is inside, if any. */
  readonly string: IToken | null;
  /** The token under the cursor (hover). */
  readonly token: IToken | null;
}

export interface Lexed {
  readonly tokens: readonly IToken[];
  readonly comments: readonly IToken[];
}

const end = (t: IToken): number => (t.endOffset ?? t.startOffset) + 1;
const is = (t: IToken | undefined, type: TokenType): boolean => t !== undefined && tokenMatcher(t, type);
const isName = (t: IToken | undefined): boolean => is(t, T.AnyName);

/** The first token index whose start is at or after `offset`. */
function firstAtOrAfter(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function within(tokens: readonly IToken[], offset: number, inclusiveEnd: boolean): IToken | null {
  const i = firstAtOrAfter(tokens, offset + 1) - 1;
  const t = tokens[i];
  if (!t) return null;
  return t.startOffset <= offset && (offset < end(t) || (inclusiveEnd && offset === end(t))) ? t : null;
}

/** For completion: the token that starts before the cursor and reaches it (`tox|`, `"std/|"`). */
function touching(tokens: readonly IToken[], offset: number): IToken | null {
  const t = tokens[firstAtOrAfter(tokens, offset) - 1];
  return t && offset <= end(t) ? t : null;
}

export function childSpec(parent: Frame | null, kind: string): BlockSpec | null {
  if (!parent) return DECLARATIONS.find((d) => d.kind === kind) ?? null;
  if (parent.spec === POPULATION) return AGENT_KINDS.find((a) => a.kind === kind) ?? POLICY_GROUP;
  return parent.spec?.blocks.find((b) => b.kind === kind) ?? null;
}

const newFrame = (kind: string, name: string | null, parent: Frame | null): Frame => ({
  kind,
  name,
  spec: childSpec(parent, kind),
  parent,
  set: new Map(),
  blocks: new Map(),
  groups: new Map(),
});

/** The top-level declaration a frame belongs to. */
export function declarationOf(frame: Frame | null): Frame | null {
  let f = frame;
  while (f?.parent) f = f.parent;
  return f;
}

type Mode =
  | { m: "member" }
  | { m: "import"; stage: "path" | "afterPath" | "names"; module: string | null; names: string[] }
  | { m: "header"; kind: string; name: string | null; named: boolean; tail: boolean }
  | { m: "ref"; header: Extract<Mode, { m: "header" }>; which: "extends" | "of"; parts: string[]; expectName: boolean }
  | { m: "path"; owner: "attribute" | "vary"; parts: string[]; expectName: boolean; start: number }
  | {
      m: "expr";
      owner: Owner;
      expectOperand: boolean;
      dotted: string[] | null;
      afterDot: boolean;
      brackets: Bracket[];
      afterNumber: boolean;
      /** The `=` of an attribute: its value must start on that line. */
      eqLine: number | null;
      /** Where the attribute's `=` ends. */
      eqEnd: number | null;
      seenOperand: boolean;
    };

class Skim {
  frame: Frame | null = null;
  mode: Mode = { m: "member" };

  constructor(private readonly tokens: readonly IToken[]) {}

  /** Consume token i; returns how many tokens were used (a label takes two). */
  step(i: number): number {
    const t = this.tokens[i]!;
    const mode = this.mode;
    switch (mode.m) {
      case "member":
        return this.memberStart(i);
      case "import":
        if (mode.stage === "path" && (is(t, T.StringLiteral) || is(t, T.UnterminatedString))) {
          mode.module = stringValue(t);
          mode.stage = "afterPath";
          return 1;
        }
        if (mode.stage === "afterPath" && is(t, T.LCurly)) {
          mode.stage = "names";
          return 1;
        }
        if (mode.stage === "names") {
          if (isName(t)) mode.names.push(t.image);
          if (isName(t) || is(t, T.Comma)) return 1;
          if (is(t, T.RCurly)) {
            this.mode = { m: "member" };
            return 1;
          }
        }
        this.mode = { m: "member" };
        return this.memberStart(i);
      case "header":
        if (!mode.named && !mode.tail && (is(t, T.Identifier) || is(t, T.StringLiteral))) {
          mode.name = is(t, T.StringLiteral) ? stringValue(t) : t.image;
          mode.named = true;
          return 1;
        }
        if (is(t, T.Extends) || is(t, T.Of)) {
          mode.tail = true;
          this.mode = { m: "ref", header: mode, which: is(t, T.Extends) ? "extends" : "of", parts: [], expectName: true };
          return 1;
        }
        if (is(t, T.LCurly)) {
          const frame = newFrame(mode.kind, mode.name, this.frame);
          this.frame?.blocks.set(mode.kind, t.startOffset);
          const declaration = declarationOf(this.frame);
          if (this.frame?.spec === POPULATION && declaration) declaration.groups.set(mode.name ?? mode.kind, mode.kind);
          this.frame = frame;
          this.mode = { m: "member" };
          return 1;
        }
        this.mode = { m: "member" };
        return this.memberStart(i);
      case "ref":
        if (mode.expectName && isName(t)) {
          mode.parts.push(t.image);
          mode.expectName = false;
          return 1;
        }
        if (!mode.expectName && is(t, T.Dot)) {
          mode.expectName = true;
          return 1;
        }
        this.mode = mode.header;
        return this.step(i);
      case "path":
        if (mode.expectName && isName(t)) {
          mode.parts.push(t.image);
          mode.expectName = false;
          return 1;
        }
        if (!mode.expectName && is(t, T.Dot)) {
          mode.expectName = true;
          return 1;
        }
        if (mode.owner === "attribute" && is(t, T.Equals)) {
          this.recordAttribute(mode.parts, mode.start);
          this.mode = exprMode({ kind: "attribute", path: mode.parts }, t.endLine ?? t.startLine ?? 0, end(t));
          return 1;
        }
        if (mode.owner === "vary" && is(t, T.In)) {
          this.mode = exprMode({ kind: "vary", path: mode.parts }, null);
          return 1;
        }
        this.mode = { m: "member" };
        return this.memberStart(i);
      case "expr":
        return this.expr(mode, i);
    }
  }

  private recordAttribute(parts: readonly string[], start: number): void {
    const frame = this.frame;
    if (!frame || !parts.length) return;
    frame.set.set(parts[0]!, start);
    const declaration = declarationOf(frame);
    if (frame.spec === POPULATION && declaration && parts.length === 1) declaration.groups.set(parts[0]!, parts[0]!);
  }

  private memberStart(i: number): number {
    const t = this.tokens[i]!;
    if (is(t, T.RCurly)) {
      if (this.frame) this.frame = this.frame.parent;
      return 1;
    }
    if (is(t, T.Semicolon)) return 1;
    if (!this.frame) {
      if (is(t, T.Import)) {
        this.mode = { m: "import", stage: "path", module: null, names: [] };
        return 1;
      }
      if (is(t, T.Identifier)) {
        this.mode = { m: "header", kind: t.image, name: null, named: false, tail: false };
        return 1;
      }
      return 1;
    }
    if (is(t, T.Identifier)) {
      if (this.atVary(i)) {
        this.mode = { m: "path", owner: "vary", parts: [], expectName: true, start: t.startOffset };
        return 1;
      }
      if (this.atAttribute(i)) {
        this.mode = { m: "path", owner: "attribute", parts: [t.image], expectName: false, start: t.startOffset };
        return 1;
      }
      if (this.atBlock(i)) {
        this.mode = { m: "header", kind: t.image, name: null, named: false, tail: false };
        return 1;
      }
      if (is(this.tokens[i + 1], T.Colon)) {
        this.mode = exprMode({ kind: "statement" }, null);
        return 2;
      }
    }
    if (startsExpression(t)) {
      const mode = exprMode({ kind: "statement" }, null);
      this.mode = mode;
      return this.expr(mode, i);
    }
    return 1;
  }

  private expr(mode: Extract<Mode, { m: "expr" }>, i: number): number {
    const t = this.tokens[i]!;
    const prev = this.tokens[i - 1];
    const bracket = mode.brackets.at(-1);
    const endHere = (): number => {
      this.mode = { m: "member" };
      return this.memberStart(i);
    };
    if (is(t, T.RCurly)) return endHere();
    if (mode.eqLine !== null && !mode.seenOperand && mode.brackets.length === 0 && t.startLine !== mode.eqLine) return endHere();
    if (mode.afterDot) {
      mode.afterDot = false;
      if (isName(t)) {
        mode.dotted = [...(mode.dotted ?? []), t.image];
        return 1;
      }
    }
    if (mode.expectOperand) {
      if (is(t, T.Identifier) || is(t, T.True) || is(t, T.False) || is(t, T.StringLiteral) || is(t, T.TripleString) || is(t, T.UnterminatedString) || is(t, T.NumberLiteral)) {
        mode.expectOperand = false;
        mode.seenOperand = true;
        mode.dotted = is(t, T.Identifier) ? [t.image] : null;
        mode.afterNumber = is(t, T.NumberLiteral);
        return 1;
      }
      if (is(t, T.LParen) || is(t, T.LBracket)) {
        mode.seenOperand = true;
        mode.brackets.push({ kind: is(t, T.LParen) ? "paren" : "list", callee: null, named: null });
        return 1;
      }
      if (is(t, T.Minus) || is(t, T.Not)) {
        mode.seenOperand = true;
        return 1;
      }
      if ((is(t, T.RParen) || is(t, T.RBracket)) && bracket) {
        mode.brackets.pop();
        mode.expectOperand = false;
        mode.dotted = null;
        return 1;
      }
      if (is(t, T.Comma) && bracket) return 1;
      return mode.brackets.length ? 1 : endHere();
    }
    // An operator is expected.
    if (is(t, T.Dot) && mode.dotted) {
      mode.afterDot = true;
      return 1;
    }
    if (mode.afterNumber && (is(t, T.Percent) || (is(t, T.Identifier) && UNIT_WORDS.has(t.image) && t.startLine === prev?.endLine && !isMemberEnd(this.tokens[i + 1])))) {
      mode.afterNumber = false;
      return 1;
    }
    mode.afterNumber = false;
    if (is(t, T.Identifier) && t.image === "by") {
      mode.expectOperand = true;
      return 1;
    }
    if (BINARY.some((b) => is(t, b))) {
      mode.expectOperand = true;
      mode.dotted = null;
      return 1;
    }
    if ((is(t, T.LParen) || is(t, T.LBracket)) && (t.startLine === prev?.endLine || mode.brackets.length > 0)) {
      mode.brackets.push({ kind: is(t, T.LParen) ? "call" : "index", callee: mode.dotted?.join(".") ?? null, named: null });
      mode.expectOperand = true;
      mode.dotted = null;
      return 1;
    }
    if (bracket && is(t, T.Comma)) {
      bracket.named = null;
      mode.expectOperand = true;
      return 1;
    }
    if (bracket && is(t, T.Equals) && (bracket.kind === "call" || bracket.kind === "index")) {
      bracket.named = mode.dotted?.[0] ?? null;
      mode.expectOperand = true;
      mode.dotted = null;
      return 1;
    }
    if (bracket && (is(t, T.RParen) || is(t, T.RBracket))) {
      mode.brackets.pop();
      mode.dotted = null;
      return 1;
    }
    if (mode.brackets.length) {
      // A list may omit commas: another operand.
      mode.expectOperand = true;
      return this.expr(mode, i);
    }
    return endHere();
  }

  private atAttribute(i: number): boolean {
    let j = i + 1;
    while (is(this.tokens[j], T.Dot) && isName(this.tokens[j + 1])) j += 2;
    // `a.b. = 1` while the last segment is being typed.
    if (is(this.tokens[j], T.Dot) && is(this.tokens[j + 1], T.Equals)) return true;
    return is(this.tokens[j], T.Equals);
  }

  private atVary(i: number): boolean {
    const t = this.tokens[i]!;
    const next = this.tokens[i + 1];
    return t.image === "vary" && isName(next) && !is(next, T.In);
  }

  private atBlock(i: number): boolean {
    const tail = (t: IToken | undefined) => is(t, T.LCurly) || is(t, T.Extends) || is(t, T.Of);
    if (tail(this.tokens[i + 1])) return true;
    const second = this.tokens[i + 1];
    return (is(second, T.Identifier) || is(second, T.StringLiteral)) && tail(this.tokens[i + 2]);
  }
}

const BINARY = [T.Or, T.And, T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater, T.DotDot, T.Plus, T.Minus, T.Star, T.Slash];

function isMemberEnd(t: IToken | undefined): boolean {
  return is(t, T.Equals) || is(t, T.Dot) || is(t, T.LCurly) || is(t, T.Colon);
}

function startsExpression(t: IToken): boolean {
  return [T.NumberLiteral, T.StringLiteral, T.TripleString, T.UnterminatedString, T.True, T.False, T.Identifier, T.LParen, T.LBracket, T.Minus, T.Not].some((x) => is(t, x));
}

function exprMode(owner: Owner, eqLine: number | null, eqEnd: number | null = null): Extract<Mode, { m: "expr" }> {
  return { m: "expr", owner, expectOperand: true, dotted: null, afterDot: false, brackets: [], afterNumber: false, eqLine, eqEnd, seenOperand: false };
}

function stringValue(t: IToken): string {
  const image = t.image;
  return image.endsWith('"') && image.length >= 2 ? image.slice(1, -1) : image.slice(1);
}

/** The slot the skim is in, as seen by the cursor at `offset` in `text`. */
function slotOf(skim: Skim, text: string, offset: number): Slot {
  const mode = skim.mode;
  const frame = skim.frame;
  switch (mode.m) {
    case "member":
      return frame ? { kind: "member", frame, qualifier: [], owner: null } : { kind: "top" };
    case "import":
      if (mode.stage === "names") return { kind: "import-names", module: mode.module, written: [...mode.names] };
      // After `import "path"` a new declaration may start as well as `{ names }`.
      return mode.stage === "path" ? { kind: "import-path" } : { kind: "top" };
    case "header":
      return { kind: "header", block: mode.kind, named: mode.named, parent: frame };
    case "ref":
      return mode.expectName ? { kind: "ref", block: mode.header.kind, which: mode.which, qualifier: [...mode.parts], parent: frame } : { kind: "none" };
    case "path":
      if (!frame) return { kind: "none" };
      return mode.expectName ? { kind: "member", frame, qualifier: [...mode.parts], owner: mode.owner } : { kind: "none" };
    case "expr": {
      if (!frame) return { kind: "none" };
      // `seed =` then a new line: the value is missing and a new member starts here.
      if (mode.eqEnd !== null && !mode.seenOperand && /[\n\r]/.test(text.slice(mode.eqEnd, offset))) {
        return { kind: "member", frame, qualifier: [], owner: null };
      }
      const last = mode.brackets.at(-1);
      const bracket = last ? { ...last } : null;
      if (mode.afterDot) return { kind: "expr", frame, owner: mode.owner, expectOperand: true, qualifier: [...(mode.dotted ?? [])], bracket, afterNumber: false };
      return { kind: "expr", frame, owner: mode.owner, expectOperand: mode.expectOperand, qualifier: null, bracket, afterNumber: mode.afterNumber };
    }
  }
}

/**
 * The context at `offset`. For completion the word is the name that ends at
 * the cursor; for hover it is the token under it.
 */
export function contextAt(lexed: Lexed, text: string, offset: number, purpose: "complete" | "hover"): CursorContext {
  const { tokens, comments } = lexed;
  if (within(comments as IToken[], offset, false) || (purpose === "complete" && lineCommentBefore(comments, text, offset))) {
    return { slot: { kind: "none" }, word: null, string: null, token: null };
  }
  const token = purpose === "complete" ? touching(tokens, offset) : (within(tokens, offset, false) ?? within(tokens, offset, true));
  const isString = token !== null && (is(token, T.StringLiteral) || is(token, T.UnterminatedString) || is(token, T.TripleString));
  const inString = isString && offset > token.startOffset && (offset < end(token) || is(token, T.UnterminatedString) || !token.image.endsWith('"'));
  const word: Word | null = token && isName(token) ? { text: purpose === "complete" ? token.image.slice(0, offset - token.startOffset) : token.image, start: token.startOffset, end: end(token) } : null;
  // For completion right after `.`, `(` or `=`, the token touching the cursor is punctuation: the state after it counts.
  const stop = word ? word.start : isString ? token.startOffset : purpose === "hover" && token ? token.startOffset : offset;
  const skim = new Skim(tokens);
  let i = 0;
  while (i < tokens.length && tokens[i]!.startOffset < stop) i += skim.step(i);
  const slot = slotOf(skim, text, stop);
  // Read on to the end of the block at the cursor, so attributes written after it count as set.
  const open = slot.kind === "member" || slot.kind === "expr" ? slot.frame : null;
  const stillOpen = () => {
    for (let f = skim.frame; f; f = f.parent) if (f === open) return true;
    return false;
  };
  while (open && i < tokens.length && stillOpen()) i += skim.step(i);
  return { slot, word, string: inString || (purpose === "hover" && isString) ? token : null, token };
}

/**
 * Offsets where a top-level declaration or import starts at the beginning of
 * a line: the skim can start afresh there (cursor-index.ts keeps them across edits).
 */
export function topLevelStarts(lexed: Lexed, text: string): number[] {
  const { tokens } = lexed;
  const skim = new Skim(tokens);
  const out: number[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (skim.frame === null && skim.mode.m === "member" && (is(t, T.Identifier) || is(t, T.Import)) && (t.startOffset === 0 || text[t.startOffset - 1] === "\n")) out.push(t.startOffset);
    i += skim.step(i);
  }
  return out;
}

/** A `//` comment running to the cursor's line end (the lexer may not have seen it as one if it is unfinished). */
function lineCommentBefore(comments: readonly IToken[], text: string, offset: number): boolean {
  const c = within(comments as IToken[], offset, true);
  return c !== null && c.image.startsWith("//") && !/[\n\r]/.test(text.slice(c.startOffset, offset));
}

/** Arms set scenario paths (`governance.audit.probability = 20%`). */
export function isArm(frame: Frame): boolean {
  return frame.spec === ARM;
}
