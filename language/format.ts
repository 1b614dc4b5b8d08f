/**
 * The canonical layout of .sbx source, shared by `sbx fmt` and the language
 * server. The rules are listed in language/REFERENCE.md ("Formatting").
 *
 * The formatter prints the syntax tree, not the tokens, so spacing is always
 * canonical; comments are not in the tree and are put back by position: a
 * comment between two members stays between them, one at the end of a line
 * stays at the end of that line, and one inside an expression is emitted just
 * before the token that followed it. Every result is re-parsed and compared
 * with the input's tree (spans aside) and comments, so a formatting bug can
 * never change what a file means: the input is then returned as it was.
 */
import { diagnostic, type Diagnostic } from "../src/diagnostics/diagnostic.ts";
import { hasLineBreak } from "../src/text/line-index.ts";
import type * as A from "./ast.ts";
import { parse } from "./syntax.ts";

export type FormatResult = { readonly text: string } | { readonly error: readonly Diagnostic[] };

/** Indentation per nesting level. */
export const INDENT = "  ";
/** Longest line a block may be kept on one line with. */
export const ONE_LINE_WIDTH = 120;
/** Between the attributes of a block kept on one line. */
const ONE_LINE_GAP = "   ";

/** Format `text`; files with syntax errors are refused with their diagnostics. */
export function format(text: string, file: string): FormatResult {
  // Keep only the tree: the tokens can go before the output is parsed again.
  const { file: tree, diagnostics } = parse(text, file);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length) return { error: errors };
  for (const conservative of [false, true]) {
    let out: string;
    try {
      out = new Printer(text, tree, conservative).file();
    } catch (e) {
      if (e instanceof MissingExpression) return { error: [diagnostic("SBX1005", { what: "an expression" }, file, e.span)] };
      throw e;
    }
    // The same text has the same tree: a file already in canonical layout needs no second parse.
    if (out === text) return { text: out };
    const again = parse(out, file);
    if (!again.diagnostics.some((d) => d.severity === "error") && sameMeaning(tree, again.file)) return { text: out };
  }
  // Unreachable unless the printer has a bug: never risk the file's meaning.
  return { text };
}

/** Print one expression canonically on one line (comments dropped), e.g. for a criterion's label. */
export function printExpression(expr: A.Expr, text: string): string {
  // Without comments a printer keeps no state between expressions: the criteria of one file (lowering prints each) share one.
  if (expressionPrinter?.text !== text) {
    const file: A.SourceFile = { kind: "File", items: [], comments: [], span: { start: 0, end: text.length } };
    expressionPrinter = { text, printer: new Printer(text, file, false) };
  }
  return expressionPrinter.printer.expression(expr, "");
}

let expressionPrinter: { readonly text: string; readonly printer: Printer } | undefined;

/** What formatting must preserve: the trees without positions, and the comments' texts. */
function sameMeaning(a: A.SourceFile, b: A.SourceFile): boolean {
  if (a.comments.length !== b.comments.length) return false;
  for (let i = 0; i < a.comments.length; i++) if (a.comments[i]!.text.replace(/\r\n?/g, "\n") !== b.comments[i]!.text.replace(/\r\n?/g, "\n")) return false;
  return sameTree(a.items, b.items);
}

/** Positions (and nothing else) may differ. */
const POSITIONS: ReadonlySet<string> = new Set(["span", "opSpan", "body"]);

/** Deep equality of two syntax trees, positions aside (their depth is bounded by the parser's limits). */
function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameTree(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const key in x) {
    if (POSITIONS.has(key)) continue;
    keys++;
    if (!(key in y) || !sameTree(x[key], y[key])) return false;
  }
  for (const key in y) if (!POSITIONS.has(key)) keys--;
  return keys === 0;
}

class MissingExpression extends Error {
  constructor(readonly span: A.Span) {
    super("missing expression");
  }
}

type Element = { readonly kind: "node"; readonly node: A.Item | A.Member } | { readonly kind: "comment"; readonly comment: A.Comment };

interface Align {
  /** `attr` aligns `=`, `label` aligns criteria after their labels, `block` aligns the `{` of one-line blocks. */
  readonly kind: "attr" | "label" | "block";
  readonly key: string;
  readonly rest: string;
}

/** One member (or comment) as printed, before alignment and trailing comments are applied. */
interface Entry {
  lines: string[];
  readonly align: Align | null;
  readonly trailing: string[];
  readonly blankBefore: boolean;
  semicolon: boolean;
  readonly isComment: boolean;
}

const span = (e: Element): A.Span => (e.kind === "node" ? e.node.span : e.comment.span);

class Printer {
  /** Sorted by position; comments never overlap, so their ends are sorted too. */
  private readonly comments: readonly A.Comment[];
  private readonly emitted = new Set<A.Comment>();
  /** Every comment before this index is emitted: flushing starts here, which keeps printing linear. */
  private pending = 0;

  constructor(
    private readonly text: string,
    private readonly tree: A.SourceFile,
    /** Keep every `;` of the input and never join a block onto one line (the fallback layout). */
    private readonly conservative: boolean,
  ) {
    this.comments = [...tree.comments].sort((a, b) => a.span.start - b.span.start);
  }

  file(): string {
    const top = this.tree.items.map((node): Element => ({ kind: "node", node }));
    const { lines } = this.sequence(this.withComments(top, 0, this.text.length), "", null, true);
    return lines.length ? `${lines.join("\n")}\n` : "";
  }

  // ---- sequences of members and comments -------------------------------------------

  /** Members plus the comments between them (comments inside a member belong to it). */
  private withComments(nodes: readonly Element[], from: number, to: number): Element[] {
    const free: Element[] = [];
    // Members are in source order and disjoint: walk them alongside the comments in range.
    let n = 0;
    for (let i = this.firstAtOrAfter(from); i < this.comments.length; i++) {
      const c = this.comments[i]!;
      if (c.span.end > to) break;
      if (this.emitted.has(c)) continue;
      while (n < nodes.length && span(nodes[n]!).end <= c.span.start) n++;
      const inside = n < nodes.length && c.span.start >= span(nodes[n]!).start && c.span.start < span(nodes[n]!).end;
      if (!inside) free.push({ kind: "comment", comment: c });
    }
    if (!free.length) return [...nodes];
    return [...nodes, ...free].sort((a, b) => span(a).start - span(b).start);
  }

  /** The index of the first comment starting at or after `offset`. */
  private firstAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.comments[mid]!.span.start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Lay out members one per line at `indent`. `openEnd` is the offset after the
   * block's `{` (null at top level): a comment on that line stays on it.
   */
  private sequence(elements: readonly Element[], indent: string, openEnd: number | null, topLevel: boolean): { lines: string[]; headerTrailing: string[] } {
    const entries: Entry[] = [];
    const headerTrailing: string[] = [];
    let prevEnd = openEnd;
    let prev: Element | null = null;
    // The member after each element (for `;`), found in one pass from the end.
    const nextNode: (Element | undefined)[] = new Array(elements.length);
    for (let i = elements.length - 1, next: Element | undefined; i >= 0; i--) {
      nextNode[i] = next;
      if (elements[i]!.kind === "node") next = elements[i];
    }
    for (const [i, el] of elements.entries()) {
      const start = span(el).start;
      if (el.kind === "comment") {
        this.emitted.add(el.comment);
        if (prevEnd !== null && !hasLineBreak(this.text, prevEnd, start)) {
          const target = entries.at(-1)?.trailing ?? headerTrailing;
          target.push(el.comment.text.replace(/\r\n?/g, "\n"));
          prevEnd = el.comment.span.end;
          continue;
        }
      }
      const blank =
        entries.length > 0 &&
        prevEnd !== null &&
        (this.blankBetween(prevEnd, start) || (topLevel && prev?.kind === "node" && !(prev.node.kind === "Import" && el.kind === "node" && el.node.kind === "Import")));
      if (el.kind === "comment") {
        entries.push({ lines: this.ownLineComment(el.comment, indent), align: null, trailing: [], blankBefore: blank, semicolon: false, isComment: true });
      } else {
        const printed = this.member(el.node, indent);
        entries.push({ lines: printed.lines, align: printed.align, trailing: [], blankBefore: blank, semicolon: this.needsSemicolon(el.node, nextNode[i]), isComment: false });
      }
      prevEnd = span(el).end;
      prev = el;
    }
    return { lines: render(entries, indent), headerTrailing };
  }

  /**
   * `;` is dropped, except before a member starting with `-`, which would
   * otherwise continue the previous expression on the next line.
   */
  private needsSemicolon(node: A.Item | A.Member, next: Element | undefined): boolean {
    if (!next || next.kind !== "node") return false;
    const between = this.text.slice(node.span.end, next.node.span.start);
    if (!this.hasSemicolon(between)) return false;
    if (this.conservative) return true;
    const start = next.node.span.start;
    return this.text.startsWith("-", start) || (this.text.startsWith("by", start) && !/[A-Za-z0-9_]/.test(this.text.charAt(start + 2)));
  }

  private hasSemicolon(between: string): boolean {
    // Comments between the members may contain `;`; remove them first.
    return between.replace(/\/\/[^\n\r]*|\/\*[\s\S]*?\*\//g, "").includes(";");
  }

  private ownLineComment(c: A.Comment, indent: string): string[] {
    return [indent + c.text.replace(/\r\n?/g, "\n")];
  }

  /** Two line breaks (`\n`, `\r\n` or `\r`) between the offsets. */
  private blankBetween(a: number, b: number): boolean {
    let breaks = 0;
    for (let i = a; i < b; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 13 && this.text.charCodeAt(i + 1) === 10 && i + 1 < b) i++;
      if ((c === 10 || c === 13) && ++breaks === 2) return true;
    }
    return false;
  }

  // ---- members ---------------------------------------------------------------------

  private member(node: A.Item | A.Member, indent: string): Pick<Entry, "lines" | "align"> {
    switch (node.kind) {
      case "Import":
        return { lines: [indent + this.importDecl(node, indent)], align: null };
      case "Block":
        return this.block(node, indent);
      case "Attribute": {
        const key = this.path(node.path, indent);
        const value = this.valueAfter(node, indent);
        const single = !value.includes("\n") && !this.hasCommentsIn(node.span);
        return { lines: linesOf((indent + key + " = " + value)), align: single ? { kind: "attr", key, rest: ` = ${value}` } : null };
      }
      case "Vary": {
        const path = this.path(node.path, indent);
        const values = this.flushBefore(node.values.span.start, indent) + this.expression(node.values, indent);
        return { lines: linesOf(`${indent}vary ${path} in ${values}${this.flushBefore(node.span.end, indent).trimEnd()}`), align: null };
      }
      case "Statement": {
        const expr = this.flushBefore(node.expr.span.start, indent) + this.expression(node.expr, indent) + this.flushRest(node.span.end, indent);
        if (!node.label) return { lines: linesOf((indent + expr)), align: null };
        const key = `${node.label.text}:`;
        const single = !expr.includes("\n") && !this.hasCommentsIn(node.span);
        return { lines: linesOf(`${indent}${key} ${expr}`), align: single ? { kind: "label", key, rest: ` ${expr}` } : null };
      }
    }
  }

  /** An operand after the first token of its expression: the comments before it come first. */
  private operand(x: A.Expr, indent: string): string {
    return this.flushBefore(x.span.start, indent) + this.expression(x, indent);
  }

  private importDecl(node: A.Import, indent: string): string {
    let out = "import";
    if (node.path) out += ` ${this.flushBefore(node.path.span.start, indent)}${this.raw(node.path.span)}`;
    if (node.names) {
      const names = node.names.map((n) => this.flushBefore(n.span.start, indent) + n.text);
      out += names.length ? ` { ${names.join(", ")}${this.flushBefore(node.span.end, indent, true)} }` : ` {${this.flushBefore(node.span.end, indent, true)}}`;
    }
    return out + this.flushBefore(node.span.end, indent).trimEnd();
  }

  /** The value of an attribute, with comments before its `=` kept before it. */
  private valueAfter(node: A.Attribute, indent: string): string {
    return this.flushBefore(node.value.span.start, indent) + this.expression(node.value, indent) + this.flushRest(node.span.end, indent);
  }

  private path(parts: readonly A.Name[], indent: string): string {
    return parts.map((p) => this.flushBefore(p.span.start, indent) + p.text).join(".");
  }

  private block(node: A.Block, indent: string): Pick<Entry, "lines" | "align"> {
    let header = node.type.text;
    if (node.name) header += ` ${this.flushBefore(node.name.span.start, indent)}${this.text[node.name.span.start] === '"' ? this.raw(node.name.span) : node.name.text}`;
    if (node.extends) header += ` extends ${this.ref(node.extends, indent)}`;
    if (node.of) header += ` of ${this.ref(node.of, indent)}`;
    const body = node.body!;
    const headerComments = this.flushBefore(body.start, indent);
    header = headerComments.includes("\n") ? header + headerComments : (header + headerComments).trimEnd();
    const open = body.start + 1;
    const close = body.end - 1;
    const members = node.members.map((m): Element => ({ kind: "node", node: m }));
    const firstInside = this.comments[this.firstAtOrAfter(open)];
    const hasInnerComments = firstInside !== undefined && firstInside.span.end <= close;
    const alignable = !header.includes("\n");
    if (!members.length && !hasInnerComments) return { lines: linesOf(`${indent}${header} {}`), align: alignable ? { kind: "block", key: header, rest: " {}" } : null };
    const oneLine = this.oneLine(node, header, indent, hasInnerComments);
    if (oneLine !== null) return { lines: linesOf((indent + header + oneLine)), align: alignable ? { kind: "block", key: header, rest: oneLine } : null };
    const { lines: inner, headerTrailing: trailing } = this.sequence(this.withComments(members, open, close), indent + INDENT, open, false);
    const first = `${indent}${header} {${trailing.length ? ` ${trailing.join(" ")}` : ""}`;
    return { lines: [...first.split("\n"), ...inner, `${indent}}`], align: null };
  }

  /**
   * ` { a = 1   b = 2 }` when the block holds only single-line attributes, no
   * comments, was written with its first member on the `{` line, and fits.
   */
  private oneLine(node: A.Block, header: string, indent: string, hasInnerComments: boolean): string | null {
    if (this.conservative || hasInnerComments || !node.members.every((m) => m.kind === "Attribute")) return null;
    if (hasLineBreak(this.text, node.body!.start + 1, node.members[0]!.span.start)) return null;
    const parts: string[] = [];
    for (const m of node.members as readonly A.Attribute[]) {
      const value = this.expression(m.value, indent);
      if (value.includes("\n")) return null;
      parts.push(`${m.path.map((p) => p.text).join(".")} = ${value}`);
    }
    const rest = ` { ${parts.join(ONE_LINE_GAP)} }`;
    return indent.length + header.length + rest.length <= ONE_LINE_WIDTH ? rest : null;
  }

  private ref(ref: A.Ref, indent: string): string {
    return this.path(ref.parts, indent);
  }

  // ---- comments inside members -----------------------------------------------------------

  private hasCommentsIn(s: A.Span): boolean {
    const first = this.comments[this.firstAtOrAfter(s.start)];
    return first !== undefined && first.span.start < s.end;
  }

  /**
   * Comments not yet printed that start before `offset`: block comments inline,
   * line comments followed by a line break at the continuation indent.
   */
  private flushBefore(offset: number, indent: string, spaceBefore = false): string {
    let out = "";
    this.skipEmitted();
    for (let i = this.pending; i < this.comments.length; i++) {
      const c = this.comments[i]!;
      if (c.span.start >= offset) break;
      if (this.emitted.has(c)) continue;
      this.emitted.add(c);
      const text = c.text.replace(/\r\n?/g, "\n");
      out += c.block ? `${spaceBefore ? " " : ""}${text}${spaceBefore ? "" : " "}` : `${spaceBefore ? " " : ""}${text}\n${indent}${INDENT}`;
    }
    return out;
  }

  private skipEmitted(): void {
    while (this.pending < this.comments.length && this.emitted.has(this.comments[this.pending]!)) this.pending++;
  }

  /** Comments left inside a member after its last token: appended to its last line. */
  private flushRest(end: number, indent: string): string {
    const rest = this.flushBefore(end, indent, true);
    return rest.replace(/\n[ \t]*$/, "");
  }

  // ---- expressions -------------------------------------------------------------------------

  expression(e: A.Expr, indent: string): string {
    switch (e.kind) {
      case "Number":
        // A comment between a number and its unit or `%` moves before the number.
        return this.flushBefore(e.span.end, indent) + e.raw + (e.percent ? "%" : "") + (e.unit ? ` ${e.unit.text}` : "");
      case "String":
        return e.triple ? this.tripleString(e, indent) : this.raw(e.span);
      case "Bool":
        return e.value ? "true" : "false";
      case "Ident":
        return e.name;
      case "List":
        return this.list(e, indent);
      case "Range":
        return `${this.expression(e.from, indent)}..${this.operand(e.to, indent)}${e.step ? ` by ${this.operand(e.step, indent)}` : ""}`;
      case "Binary":
        return `${this.expression(e.left, indent)} ${this.flushBefore(e.opSpan.start, indent)}${e.op} ${this.operand(e.right, indent)}`;
      case "Unary":
        return e.op === "not" ? `not ${this.operand(e.arg, indent)}` : `-${this.operand(e.arg, indent)}`;
      case "Call":
        return `${this.expression(e.callee, indent)}(${this.args(e.args, indent)}${this.flushBefore(e.span.end, indent, true)})`;
      case "Index":
        return `${this.expression(e.target, indent)}[${this.args(e.args, indent)}${this.flushBefore(e.span.end, indent, true)}]`;
      case "Member":
        return `${this.expression(e.object, indent)}.${this.flushBefore(e.property.span.start, indent)}${e.property.text}`;
      case "Paren":
        return `(${this.operand(e.expr, indent)}${this.flushBefore(e.span.end, indent, true)})`;
      case "Missing":
        throw new MissingExpression(e.span);
    }
  }

  private args(args: readonly A.Arg[], indent: string): string {
    return args
      .map((a) => {
        const name = a.name ? `${this.flushBefore(a.name.span.start, indent)}${a.name.text} = ` : "";
        return name + this.flushBefore(a.value.span.start, indent) + this.expression(a.value, indent);
      })
      .join(", ");
  }

  /** One line, or one item per line when `[` is followed by a line break in the source or a line comment sits inside. */
  private list(e: A.ListLit, indent: string): string {
    const broken = hasLineBreak(this.text, e.span.start + 1, e.items[0]?.span.start ?? e.span.end - 1) || this.lineCommentInside(e.span);
    if (!broken || !e.items.length) {
      const items = e.items.map((x) => this.flushBefore(x.span.start, indent) + this.expression(x, indent));
      return `[${items.join(", ")}${this.flushBefore(e.span.end, indent, true)}]`;
    }
    const inner = indent + INDENT;
    const lines: string[] = ["["];
    let prevEnd = e.span.start + 1;
    const takeComments = (before: number) => {
      this.skipEmitted();
      for (let i = this.pending; i < this.comments.length; i++) {
        const c = this.comments[i]!;
        if (c.span.start >= before) break;
        if (this.emitted.has(c) || c.span.start < prevEnd) continue;
        this.emitted.add(c);
        const text = c.text.replace(/\r\n?/g, "\n");
        if (lines.length > 1 && !hasLineBreak(this.text, prevEnd, c.span.start)) lines[lines.length - 1] += ` ${text}`;
        else lines.push(inner + text);
        prevEnd = c.span.end;
      }
    };
    for (const item of e.items) {
      takeComments(item.span.start);
      lines.push(`${inner}${this.expression(item, inner)},`);
      prevEnd = item.span.end;
      // A comment after the item's comma on its line stays there.
      const comma = this.commaBefore(item.span.end, e.span.end);
      if (comma >= 0 && !/\S/.test(this.text.slice(item.span.end, comma).replace(/\/\*[\s\S]*?\*\//g, ""))) prevEnd = comma + 1;
    }
    takeComments(e.span.end);
    lines.push(`${indent}]`);
    return lines.join(`\n`);
  }

  /** A line comment not yet printed strictly inside `s`. */
  private lineCommentInside(s: A.Span): boolean {
    for (let i = this.firstAtOrAfter(s.start + 1); i < this.comments.length; i++) {
      const c = this.comments[i]!;
      if (c.span.end >= s.end) return false;
      if (!c.block && !this.emitted.has(c)) return true;
    }
    return false;
  }

  /** The offset of the first `,` in [from, to), or -1 (never searching past the list). */
  private commaBefore(from: number, to: number): number {
    for (let i = from; i < to; i++) if (this.text.charCodeAt(i) === 44) return i;
    return -1;
  }

  /**
   * Triple-quoted text is re-indented under its line (two spaces deeper), which
   * keeps its value: the common indentation is removed when it is read.
   */
  private tripleString(e: A.StringLit, indent: string): string {
    const raw = this.raw(e.span).replace(/\r\n/g, "\n");
    const body = raw.slice(3, -3);
    if (!body.startsWith("\n")) return raw;
    const lines = body.slice(1).split("\n");
    const last = lines[lines.length - 1]!;
    const closingOnOwnLine = /^[ \t]*$/.test(last);
    const content = closingOnOwnLine ? lines.slice(0, -1) : lines;
    if (!content.length) return raw;
    let cut = Infinity;
    for (const l of content) if (l.trim().length > 0) cut = Math.min(cut, /^[ \t]*/.exec(l)![0].length);
    if (cut === Infinity) cut = 0;
    const inner = indent + INDENT;
    const out = content.map((l) => {
      const rest = l.slice(cut);
      return l.trim().length > 0 || rest.length > 0 ? inner + rest : "";
    });
    if (closingOnOwnLine) out.push(inner);
    return `"""\n${out.join("\n")}"""`;
  }

  private raw(s: A.Span): string {
    return this.text.slice(s.start, s.end);
  }
}

function linesOf(text: string): string[] {
  return text.includes("\n") ? text.split("\n") : [text];
}

/** Apply alignment within runs, then semicolons, trailing comments and blank lines. */
function render(entries: readonly Entry[], indent: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < entries.length) {
    const align = entries[i]!.align;
    let j = i + 1;
    if (align) {
      while (j < entries.length && entries[j]!.align?.kind === align.kind && !entries[j]!.blankBefore) j++;
      let width = 0;
      for (let k = i; k < j; k++) width = Math.max(width, entries[k]!.align!.key.length);
      if (j - i > 1) for (let k = i; k < j; k++) entries[k]!.lines = [indent + entries[k]!.align!.key.padEnd(width) + entries[k]!.align!.rest];
    }
    for (let k = i; k < j; k++) {
      const e = entries[k]!;
      if (e.blankBefore) out.push("");
      const lines = e.lines;
      for (let m = 0; m < lines.length - 1; m++) out.push(lines[m]!);
      let last = lines[lines.length - 1]!;
      if (e.semicolon) last += ";";
      if (e.trailing.length) last += ` ${e.trailing.join(" ")}`;
      out.push(last);
    }
    i = j;
  }
  return out;
}
