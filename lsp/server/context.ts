/**
 * Where is the cursor? Read off the parser's recovered syntax tree: the tree
 * says which declaration, block and member the cursor is in (the grammar's
 * own boundaries, so a finished member is never taken for an open one), and
 * the tokens just before the cursor say where inside that member it stands
 * (after a `.`, an operator, an opening bracket, a number).
 *
 * Completion and hover both ask it "what may stand here" (the slot) and
 * "which word is under the cursor"; everything editor-specific lives elsewhere.
 */
import { tokenMatcher, type IToken, type TokenType } from "chevrotain";
import type * as A from "../../language/ast.ts";
import { UNIT_WORDS } from "../../language/parser.ts";
import * as T from "../../language/tokens.ts";
import { AGENT_KINDS, ARM, DECLARATIONS, POLICY_GROUP, POPULATION } from "../../src/registry/blocks.ts";
import type { BlockSpec } from "../../src/registry/types.ts";
import { hasLineBreak } from "../../src/text/line-index.ts";

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
  /** After `extends` or `of`; `self` is the name of the declaration being written (it cannot extend itself). */
  | { readonly kind: "ref"; readonly block: string; readonly which: "extends" | "of"; readonly qualifier: readonly string[]; readonly parent: Frame | null; readonly self: string | null }
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

/** Tokens with the comments the lexer set apart. */
export interface Lexed {
  readonly tokens: readonly IToken[];
  readonly comments: readonly IToken[];
}

/** A parsed text: its tokens and recovered syntax tree (with its comments). */
export interface Parsed {
  readonly tokens: readonly IToken[];
  readonly file: A.SourceFile;
}

const end = (t: IToken): number => (t.endOffset ?? t.startOffset) + 1;
const is = (t: IToken | undefined, type: TokenType): boolean => t !== undefined && tokenMatcher(t, type);
const isName = (t: IToken | undefined): boolean => is(t, T.AnyName);
const isString = (t: IToken | undefined): boolean => is(t, T.StringLiteral) || is(t, T.UnterminatedString) || is(t, T.TripleString);

/** Whether a string token has its closing quote (the lexer pass retypes unterminated strings as StringLiteral). */
export function stringClosed(t: IToken): boolean {
  if (is(t, T.TripleString)) return true;
  return /^"(?:[^"\\\n\r]|\\.)*"$/.test(t.image);
}

/** The first token index whose start is at or after `offset`. */
export function firstAtOrAfter(tokens: readonly IToken[], offset: number): number {
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

/** The top-level declaration a frame belongs to. */
export function declarationOf(frame: Frame | null): Frame | null {
  let f = frame;
  while (f?.parent) f = f.parent;
  return f;
}

/** Arms set scenario paths (`governance.audit.probability = 20%`). */
export function isArm(frame: Frame): boolean {
  return frame.spec === ARM;
}

/** Settings blocks (a parameter shock) set scenario paths with their dotted attributes, beside attributes of their own. */
export function isSettings(frame: Frame): boolean {
  return frame.spec?.settings !== undefined;
}

/**
 * The context at `offset`. For completion the word is the name that ends at
 * the cursor; for hover it is the token under it.
 */
export function contextAt(parsed: Parsed, text: string, offset: number, purpose: "complete" | "hover"): CursorContext {
  const { tokens } = parsed;
  const comment = commentAt(parsed.file.comments, offset);
  if ((comment && offset < comment.span.end) || (purpose === "complete" && comment && lineCommentBefore(comment, text, offset))) {
    return { slot: { kind: "none" }, word: null, string: null, token: null };
  }
  const token = purpose === "complete" ? touching(tokens, offset) : (within(tokens, offset, false) ?? within(tokens, offset, true));
  const stringToken = token !== null && isString(token);
  const inString = stringToken && offset > token.startOffset && (offset < end(token) || !stringClosed(token));
  const word: Word | null = token && isName(token) ? { text: purpose === "complete" ? token.image.slice(0, offset - token.startOffset) : token.image, start: token.startOffset, end: end(token) } : null;
  // For completion right after `.`, `(` or `=`, the token touching the cursor is punctuation: what stands after it counts.
  const at = word ? word.start : stringToken && (inString || purpose === "hover") ? token.startOffset : purpose === "hover" && token ? token.startOffset : offset;
  const slot = new Locator(parsed, text).slotAt(at);
  return { slot, word, string: inString || (purpose === "hover" && stringToken) ? token : null, token };
}

/** The comment that starts before `offset` and reaches it. */
function commentAt(comments: readonly A.Comment[], offset: number): A.Comment | null {
  const c = lastBefore(comments, offset + 1);
  return c && c.span.start <= offset && offset <= c.span.end ? c : null;
}

/** A `//` comment running to the cursor's line end. */
function lineCommentBefore(c: A.Comment, text: string, offset: number): boolean {
  return !c.block && !hasLineBreak(text, c.span.start, offset);
}

const OPERATORS: readonly TokenType[] = [T.Or, T.And, T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater, T.DotDot, T.Plus, T.Minus, T.Star, T.Slash];

/** Where in the tree a position falls. Positions are token starts or gaps between tokens. */
class Locator {
  private readonly tokens: readonly IToken[];
  /** `{` offset → matching `}` offset (absent when the brace is never closed). */
  private closes: Map<number, number> | null = null;

  constructor(
    private readonly parsed: Parsed,
    private readonly text: string,
  ) {
    this.tokens = parsed.tokens;
  }

  slotAt(pos: number): Slot {
    const item = lastBefore(this.parsed.file.items, pos);
    if (!item) return { kind: "top" };
    if (item.kind === "Import") return this.importSlot(item, pos);
    return this.blockSlot(item, null, pos) ?? { kind: "top" };
  }

  /** The token that ends at or before `pos`. */
  private prevIndex(pos: number): number {
    return firstAtOrAfter(this.tokens, pos) - 1;
  }

  private closeOf(open: number): number | null {
    if (!this.closes) {
      this.closes = new Map();
      const stack: number[] = [];
      for (const t of this.tokens) {
        if (is(t, T.LCurly)) stack.push(t.startOffset);
        else if (is(t, T.RCurly) && stack.length) this.closes.set(stack.pop()!, t.startOffset);
      }
    }
    return this.closes.get(open) ?? null;
  }

  private importSlot(node: A.Import, pos: number): Slot {
    const i = firstAtOrAfter(this.tokens, node.span.start);
    const path = this.tokens[i + 1];
    const hasPath = isString(path);
    if (!hasPath || pos <= path!.startOffset) return { kind: "import-path" };
    const open = this.tokens[i + 2];
    if (!is(open, T.LCurly) || pos <= open!.startOffset) return { kind: "top" };
    let j = i + 3;
    const written: string[] = [];
    while (j < this.tokens.length && (isName(this.tokens[j]) || is(this.tokens[j], T.Comma))) {
      const t = this.tokens[j]!;
      // Unclosed braces: what follows on later lines is the next declaration, not a name written here.
      if (t.startOffset > pos && hasLineBreak(this.text, pos, t.startOffset)) return { kind: "import-names", module: node.path?.value ?? null, written };
      if (isName(t) && t.startOffset !== pos) written.push(t.image);
      j++;
    }
    const close = this.tokens[j];
    if (is(close, T.RCurly) && pos > close!.startOffset) return { kind: "top" };
    return { kind: "import-names", module: node.path?.value ?? null, written };
  }

  /**
   * The slot of `pos` in block `b` (a member of `parent`), or null when `pos`
   * is after the block (a new member of the parent may start there).
   */
  private blockSlot(b: A.Block, parent: Frame | null, pos: number): Slot | null {
    const open = b.body?.start ?? null;
    if (open === null || pos <= open) return this.headerSlot(b, parent, pos);
    const close = this.closeOf(open);
    if (close !== null && pos > close) return null;
    const frame = makeFrame(b, parent);
    const fresh: Slot = { kind: "member", frame, qualifier: [], owner: null };
    // A member the parser saw start here (`seed = 1   epochs = 2`: not a unit) — unless it is a lone word being typed.
    const starting = b.members.find((m) => m.span.start === pos);
    if (starting && !(starting.kind === "Statement" && !starting.label && starting.expr.kind === "Ident")) return fresh;
    const member = lastBefore(b.members, pos);
    return (member && this.memberSlot(member, frame, pos)) ?? fresh;
  }

  private headerSlot(b: A.Block, parent: Frame | null, pos: number): Slot | null {
    const p = this.prevIndex(pos);
    const prev = this.tokens[p];
    if (!prev || prev.startOffset < b.span.start) return null;
    if (prev.startOffset === b.type.span.start) return { kind: "header", block: b.type.text, named: false, parent };
    if (b.name && prev.startOffset === b.name.span.start) return { kind: "header", block: b.type.text, named: true, parent };
    const self = parent === null ? (b.name?.text ?? null) : null;
    if (is(prev, T.Extends) || is(prev, T.Of)) return { kind: "ref", block: b.type.text, which: is(prev, T.Extends) ? "extends" : "of", qualifier: [], parent, self };
    if (is(prev, T.Dot)) {
      const qualifier: string[] = [];
      let j = p - 1;
      while (isName(this.tokens[j]) && !is(this.tokens[j], T.Extends) && !is(this.tokens[j], T.Of)) {
        qualifier.unshift(this.tokens[j]!.image);
        if (!is(this.tokens[j - 1], T.Dot)) break;
        j -= 2;
      }
      const keyword = this.tokens[j - 1];
      if (qualifier.length && (is(keyword, T.Extends) || is(keyword, T.Of)) && keyword!.startOffset > b.span.start) {
        return { kind: "ref", block: b.type.text, which: is(keyword, T.Extends) ? "extends" : "of", qualifier, parent, self };
      }
    }
    return { kind: "none" };
  }

  /** The slot of `pos` in member `m` (which starts before it), or null when a new member starts at `pos`. */
  private memberSlot(m: A.Member, frame: Frame, pos: number): Slot | null {
    switch (m.kind) {
      case "Block":
        return this.blockSlot(m, frame, pos);
      case "Attribute":
      case "Vary": {
        const path = m.path;
        const last = path[path.length - 1];
        const afterPath = last ? firstAtOrAfter(this.tokens, last.span.end) : -1;
        const separator = this.tokens[afterPath];
        const hasSeparator = m.kind === "Attribute" ? is(separator, T.Equals) : is(separator, T.In);
        const owner = m.kind === "Attribute" ? "attribute" : "vary";
        if (!hasSeparator || pos <= separator!.startOffset) {
          // In the path: after `a.b.` the names before the cursor qualify it.
          const prev = this.tokens[this.prevIndex(pos)];
          if (m.kind === "Vary" && prev && prev.startOffset === m.span.start) return { kind: "member", frame, qualifier: [], owner: "vary" };
          if (!is(prev, T.Dot)) return pos <= (last?.span.end ?? m.span.start) ? { kind: "none" } : null;
          const qualifier = path.filter((n) => n.span.end <= prev!.startOffset).map((n) => n.text);
          return { kind: "member", frame, qualifier, owner };
        }
        const names = path.map((n) => n.text);
        const value = m.kind === "Attribute" ? m.value : m.values;
        // `seed =` and a new line: the value is missing and a new member starts.
        if (m.kind === "Attribute" && value.kind === "Missing" && hasLineBreak(this.text, end(separator!), pos)) return null;
        return this.exprSlot(afterPath + 1, { kind: owner, path: names }, frame, pos, value.kind === "Missing" ? end(separator!) : value.span.end);
      }
      case "Statement": {
        const prev = this.tokens[this.prevIndex(pos)];
        if (m.label && pos <= m.label.span.end) return { kind: "none" };
        // `vary ` with the path still to write (the parser sees a statement).
        if (frame.spec?.kind === "sweep" && prev && prev.startOffset === m.span.start && prev.image === "vary" && m.expr.kind === "Ident") {
          return { kind: "member", frame, qualifier: [], owner: "vary" };
        }
        const start = m.label ? firstAtOrAfter(this.tokens, m.label.span.end) + 1 : firstAtOrAfter(this.tokens, m.span.start);
        if (!m.label && frame.spec?.kind !== "expect" && dottedName(m.expr) !== null && is(prev, T.Dot) && pos <= m.expr.span.end + 1) {
          // Outside `expect`, a dotted name on its own is a setting path being typed (`governance.au`).
          const qualifier = dottedParts(m.expr).filter((n) => n.span.end <= prev!.startOffset).map((n) => n.text);
          return { kind: "member", frame, qualifier, owner: null };
        }
        return this.exprSlot(start, { kind: "statement" }, frame, pos, m.expr.kind === "Missing" ? m.span.end : m.expr.span.end);
      }
    }
  }

  /**
   * The expression slot at `pos` for a value whose tokens start at index
   * `from`, or null when the value is complete before `pos` (a new member
   * starts). Brackets, operators and dots are read from the tokens between.
   */
  private exprSlot(from: number, owner: Owner, frame: Frame, pos: number, valueEnd: number): Slot | null {
    const to = this.prevIndex(pos);
    const state = scanExpression(this.text, this.tokens, from, to);
    const prev = this.tokens[to];
    const sameLine = prev !== undefined && !hasLineBreak(this.text, end(prev), pos);
    const open = state.expectOperand || state.afterDot || state.brackets.length > 0;
    const unitNext = state.afterNumber && sameLine && owner.kind !== "statement";
    if (!open && !unitNext && pos > valueEnd) return null;
    const last = state.brackets.at(-1);
    const bracket = last ? { ...last } : null;
    if (state.afterDot) return { kind: "expr", frame, owner, expectOperand: true, qualifier: [...(state.dotted ?? [])], bracket, afterNumber: false };
    return { kind: "expr", frame, owner, expectOperand: state.expectOperand, qualifier: null, bracket, afterNumber: state.afterNumber && sameLine };
  }
}

interface ExprState {
  expectOperand: boolean;
  dotted: string[] | null;
  afterDot: boolean;
  brackets: Bracket[];
  afterNumber: boolean;
}

/** Operand/operator alternation and open brackets over tokens [from, to] of one value. */
function scanExpression(text: string, tokens: readonly IToken[], from: number, to: number): ExprState {
  const s: ExprState = { expectOperand: true, dotted: null, afterDot: false, brackets: [], afterNumber: false };
  for (let i = from; i <= to; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    const bracket = s.brackets.at(-1);
    if (s.afterDot) {
      s.afterDot = false;
      if (isName(t)) {
        s.dotted = [...(s.dotted ?? []), t.image];
        continue;
      }
    }
    if (s.expectOperand) {
      if (is(t, T.Identifier) || is(t, T.True) || is(t, T.False) || isString(t) || is(t, T.NumberLiteral)) {
        s.expectOperand = false;
        s.dotted = is(t, T.Identifier) ? [t.image] : null;
        s.afterNumber = is(t, T.NumberLiteral);
        continue;
      }
      if (is(t, T.LParen) || is(t, T.LBracket)) {
        s.brackets.push({ kind: is(t, T.LParen) ? "paren" : "list", callee: null, named: null });
        continue;
      }
      if (is(t, T.Minus) || is(t, T.Not)) continue;
      if ((is(t, T.RParen) || is(t, T.RBracket)) && bracket) {
        s.brackets.pop();
        s.expectOperand = false;
        s.dotted = null;
        continue;
      }
      continue;
    }
    // An operator is expected.
    if (is(t, T.Dot) && s.dotted) {
      s.afterDot = true;
      continue;
    }
    if (s.afterNumber && (is(t, T.Percent) || (is(t, T.Identifier) && UNIT_WORDS.has(t.image)))) {
      s.afterNumber = false;
      continue;
    }
    s.afterNumber = false;
    if (is(t, T.Identifier) && t.image === "by") {
      s.expectOperand = true;
      continue;
    }
    if (OPERATORS.some((b) => is(t, b))) {
      s.expectOperand = true;
      s.dotted = null;
      continue;
    }
    if ((is(t, T.LParen) || is(t, T.LBracket)) && (T.onSameLine(text, prev, t) || s.brackets.length > 0)) {
      s.brackets.push({ kind: is(t, T.LParen) ? "call" : "index", callee: s.dotted?.join(".") ?? null, named: null });
      s.expectOperand = true;
      s.dotted = null;
      continue;
    }
    if (bracket && is(t, T.Comma)) {
      bracket.named = null;
      s.expectOperand = true;
      continue;
    }
    if (bracket && is(t, T.Equals) && (bracket.kind === "call" || bracket.kind === "index")) {
      bracket.named = s.dotted?.[0] ?? null;
      s.expectOperand = true;
      s.dotted = null;
      continue;
    }
    if (bracket && (is(t, T.RParen) || is(t, T.RBracket))) {
      s.brackets.pop();
      s.dotted = null;
      continue;
    }
    if (s.brackets.length) {
      // A list may omit commas: another operand.
      s.expectOperand = true;
      i--;
    }
  }
  return s;
}

/** The last node that starts strictly before `pos` (nodes are in source order). */
export function lastBefore<N extends { readonly span: A.Span }>(nodes: readonly N[], pos: number): N | undefined {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.span.start < pos) lo = mid + 1;
    else hi = mid;
  }
  return nodes[lo - 1];
}

function dottedName(e: A.Expr): string | null {
  if (e.kind === "Ident") return e.name;
  if (e.kind === "Member") {
    const head = dottedName(e.object);
    return head === null ? null : `${head}.${e.property.text}`;
  }
  return null;
}

function dottedParts(e: A.Expr): A.Name[] {
  if (e.kind === "Ident") return [{ text: e.name, span: e.span }];
  if (e.kind === "Member") return [...dottedParts(e.object), e.property];
  return [];
}

function makeFrame(b: A.Block, parent: Frame | null): Frame {
  const frame: Frame = { kind: b.type.text, name: b.name?.text ?? null, spec: childSpec(parent, b.type.text), parent, set: new Map(), blocks: new Map(), groups: new Map() };
  for (const m of b.members) {
    if (m.kind === "Attribute" && m.path.length) frame.set.set(m.path[0]!.text, m.span.start);
    if (m.kind === "Block") frame.blocks.set(m.type.text, m.span.start);
  }
  if (parent === null) {
    for (const m of b.members) {
      if (m.kind !== "Block" || m.type.text !== "population") continue;
      for (const g of m.members) {
        if (g.kind === "Attribute" && g.path.length === 1) frame.groups.set(g.path[0]!.text, g.path[0]!.text);
        if (g.kind === "Block") frame.groups.set(g.name?.text ?? g.type.text, g.type.text);
      }
    }
  }
  return frame;
}
