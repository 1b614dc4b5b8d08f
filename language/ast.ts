/**
 * The .sbx syntax tree: plain, immutable values. Every node carries a
 * half-open span of UTF-16 offsets into its file; nothing semantic is ever
 * attached to a node (binder and checker results live in side tables).
 */

import type { Span } from "../src/text/span.ts";

export type { Span };

export interface Name {
  readonly text: string;
  readonly span: Span;
}

export interface SourceFile {
  readonly kind: "File";
  readonly items: readonly Item[];
  readonly comments: readonly Comment[];
  readonly span: Span;
}

export interface Comment {
  readonly text: string;
  readonly block: boolean;
  readonly span: Span;
}

export type Item = Import | Block;

export interface Import {
  readonly kind: "Import";
  /** The module path as written, e.g. `std/governance` or `./common.sbx`. */
  readonly path: StringLit | null;
  /** The names listed in braces; null imports every declaration of the module. */
  readonly names: readonly Name[] | null;
  readonly span: Span;
}

/**
 * A block, at top level (a declaration) or nested:
 * `kind name? (extends ref)? (of ref)? { members }`.
 */
export interface Block {
  readonly kind: "Block";
  readonly type: Name;
  readonly name: Name | null;
  readonly extends: Ref | null;
  readonly of: Ref | null;
  readonly members: readonly Member[];
  /** Span of the `{ … }` body, for folding; null when the brace is missing. */
  readonly body: Span | null;
  readonly span: Span;
}

export type Member = Attribute | Block | Vary | Statement;

/** `path = value`; a dotted path sets an attribute of a nested block (`--set`-style overrides in sweeps). */
export interface Attribute {
  readonly kind: "Attribute";
  readonly path: readonly Name[];
  readonly value: Expr;
  readonly span: Span;
}

/** `vary path in values`, inside a sweep. */
export interface Vary {
  readonly kind: "Vary";
  readonly path: readonly Name[];
  readonly values: Expr;
  readonly span: Span;
}

/** An expression on its own line, optionally labelled: a success criterion inside `expect`. */
export interface Statement {
  readonly kind: "Statement";
  readonly label: Name | null;
  readonly expr: Expr;
  readonly span: Span;
}

export interface Ref {
  readonly parts: readonly Name[];
  readonly span: Span;
}

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | Ident
  | ListLit
  | RangeExpr
  | BinaryExpr
  | UnaryExpr
  | CallExpr
  | IndexExpr
  | MemberExpr
  | ParenExpr
  | MissingExpr;

export interface NumberLit {
  readonly kind: "Number";
  /** The numeric value as written; a percentage keeps 5 for `5%` (the checker scales it). */
  readonly value: number;
  readonly raw: string;
  readonly percent: boolean;
  readonly unit: Name | null;
  readonly span: Span;
}

export interface StringLit {
  readonly kind: "String";
  readonly value: string;
  readonly triple: boolean;
  readonly span: Span;
}

export interface BoolLit {
  readonly kind: "Bool";
  readonly value: boolean;
  readonly span: Span;
}

export interface Ident {
  readonly kind: "Ident";
  readonly name: string;
  readonly span: Span;
}

export interface ListLit {
  readonly kind: "List";
  readonly items: readonly Expr[];
  readonly span: Span;
}

export interface RangeExpr {
  readonly kind: "Range";
  readonly from: Expr;
  readonly to: Expr;
  readonly step: Expr | null;
  readonly span: Span;
}

export type BinaryOp = "or" | "and" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "+" | "-" | "*" | "/";

export interface BinaryExpr {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly opSpan: Span;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

export interface UnaryExpr {
  readonly kind: "Unary";
  readonly op: "-" | "not";
  readonly arg: Expr;
  readonly span: Span;
}

export interface Arg {
  readonly name: Name | null;
  readonly value: Expr;
  readonly span: Span;
}

export interface CallExpr {
  readonly kind: "Call";
  readonly callee: Expr;
  readonly args: readonly Arg[];
  readonly span: Span;
}

/** `metric[selector]`: a selection of agents or interactions. */
export interface IndexExpr {
  readonly kind: "Index";
  readonly target: Expr;
  readonly args: readonly Arg[];
  readonly span: Span;
}

export interface MemberExpr {
  readonly kind: "Member";
  readonly object: Expr;
  readonly property: Name;
  readonly span: Span;
}

export interface ParenExpr {
  readonly kind: "Paren";
  readonly expr: Expr;
  readonly span: Span;
}

/** Stands where the parser recovered from a missing expression. */
export interface MissingExpr {
  readonly kind: "Missing";
  readonly span: Span;
}

/** A dotted name written as `a.b.c`, if the expression is one. */
export function dottedName(expr: Expr): string | null {
  if (expr.kind === "Ident") return expr.name;
  if (expr.kind === "Member") {
    const head = dottedName(expr.object);
    return head === null ? null : `${head}.${expr.property.text}`;
  }
  return null;
}
