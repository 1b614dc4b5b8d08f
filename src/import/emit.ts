/**
 * Formatting an imported scenario as .sbx source, in the house style of the
 * hand-written scenarios: short blocks on one line, aligned names, comments
 * above what they describe. While writing, it records which YAML range each
 * piece of output came from, so diagnostics about the output can be reported
 * against the YAML file.
 */
import type { Span } from "../text/span.ts";

/** One `name = value` of the output. */
export interface Setting {
  readonly name: string;
  /** The value as .sbx source. */
  readonly text: string;
  /** The YAML `key: value` it came from. */
  readonly from: Span | null;
  /** A comment line written above it. */
  readonly note?: string;
  /** In a multi-line block, keep it on a line of its own (a group's `count`). */
  readonly alone?: boolean;
  /** Offsets of the YAML comments its note carries (the importer's bookkeeping: placed once written). */
  readonly comments?: readonly number[];
}

export interface OutBlock {
  /** `transaction_tax`, `llm open`, `dynamic`. */
  readonly head: string;
  readonly settings: readonly Setting[];
  readonly blocks: readonly OutBlock[];
  /** Comment lines written above the block. */
  readonly comments: readonly string[];
  /** Comment lines from inside the YAML section: at the end of a multi-line block, above a one-line one. */
  readonly trailing?: readonly string[];
  readonly from: Span | null;
  /** `aligned`: one setting per line, `=` aligned; `packed`: several per line. */
  readonly layout?: "aligned" | "packed";
  /** A population group written as `kind = count` rather than as a block. */
  readonly shorthand?: Setting;
}

export interface Criterion {
  readonly label: string;
  readonly expr: string;
  readonly from: Span | null;
}

export interface OutScenario {
  /** Comment lines at the top of the file. */
  readonly header: readonly string[];
  /** The name as .sbx source: a plain name or a quoted string. */
  readonly name: string;
  readonly nameFrom: Span | null;
  readonly intro: readonly string[];
  /** description, motif, profile: one per line. */
  readonly meta: readonly Setting[];
  readonly simulationComments: readonly string[];
  /** seed, epochs, steps: on one line. */
  readonly simulation: readonly Setting[];
  readonly blocks: readonly OutBlock[];
  readonly expectComments: readonly string[];
  readonly criteria: readonly Criterion[];
  readonly expectFrom: Span | null;
}

/** Output range → the YAML range it came from. */
export interface SourceMapEntry {
  readonly out: Span;
  readonly yaml: Span;
}

/** Comment lines standing where a block would be (for a section that produced none). */
export function commentOnly(lines: readonly string[]): OutBlock {
  return { head: "", settings: [], blocks: [], comments: lines, from: null };
}

const INDENT = "  ";
const SEP = "   ";
/** Widest line a block is kept on before it is broken up (the hand-written payoff lines are ~115). */
const MAX_LINE = 120;
const PACKED_WIDTH = 96;

class Writer {
  text = "";
  readonly map: SourceMapEntry[] = [];

  write(s: string): void {
    this.text += s;
  }

  line(indent: number, s = ""): void {
    this.text += s ? `${INDENT.repeat(indent)}${s}\n` : "\n";
  }

  /** Write `s`, recording that it came from `from`. */
  mapped(s: string, from: Span | null): void {
    const start = this.text.length;
    this.text += s;
    if (from) this.map.push({ out: { start, end: this.text.length }, yaml: from });
  }

  comment(indent: number, text: string): void {
    for (const line of text.split("\n")) this.line(indent, `// ${line}`.trimEnd());
  }
}

const settingText = (s: Setting, pad = 0): string => `${s.name.padEnd(pad)} = ${s.text}`;

function inlineWidth(b: OutBlock): number {
  return b.head.length + 4 + b.settings.reduce((n, s) => n + settingText(s).length, 0) + SEP.length * Math.max(0, b.settings.length - 1);
}

/** A block fits on one line when it has only a few settings (their notes then go above the line). */
function inlineable(b: OutBlock, indent: number): boolean {
  return b.blocks.length === 0 && b.layout !== "aligned" && INDENT.length * indent + inlineWidth(b) <= MAX_LINE;
}

function writeSettingsInline(w: Writer, settings: readonly Setting[]): void {
  settings.forEach((s, i) => {
    if (i) w.write(SEP);
    w.mapped(settingText(s), s.from);
  });
}

function writeBlock(w: Writer, b: OutBlock, indent: number, headPad = 0): void {
  for (const c of b.comments) w.comment(indent, c);
  if (!b.head) return;
  if (b.shorthand) {
    if (b.shorthand.note) w.comment(indent, b.shorthand.note);
    w.write(INDENT.repeat(indent));
    w.mapped(settingText(b.shorthand), b.shorthand.from);
    w.write("\n");
    return;
  }
  // A population of `kind = count` groups only is written like settings: `population { honest = 3   deceptive = 1 }`.
  if (b.blocks.length && b.blocks.every((c) => c.shorthand && !c.comments.length)) {
    writeBlock(w, { ...b, comments: [], settings: [...b.settings, ...b.blocks.map((c) => c.shorthand!)], blocks: [] }, indent, headPad);
    return;
  }
  if (inlineable(b, indent)) {
    for (const c of [...(b.trailing ?? []), ...b.settings.flatMap((s) => (s.note ? [s.note] : []))]) w.comment(indent, c);
    w.write(INDENT.repeat(indent));
    w.mapped(b.head, b.from);
    w.write(`${" ".repeat(Math.max(0, headPad - b.head.length))} {`);
    if (b.settings.length) {
      w.write(" ");
      writeSettingsInline(w, b.settings);
      w.write(" }\n");
    } else w.write("}\n");
    return;
  }
  w.write(INDENT.repeat(indent));
  w.mapped(b.head, b.from);
  w.write(" {\n");
  writeSettings(w, b.settings, indent + 1, b.layout ?? "packed");
  writeChildren(w, b.blocks, indent + 1);
  for (const c of b.trailing ?? []) w.comment(indent + 1, c);
  w.line(indent, "}");
}

function writeSettings(w: Writer, settings: readonly Setting[], indent: number, layout: "aligned" | "packed"): void {
  if (layout === "aligned") {
    const pad = Math.max(0, ...settings.map((s) => s.name.length));
    for (const s of settings) {
      if (s.note) w.comment(indent, s.note);
      w.write(INDENT.repeat(indent));
      w.mapped(settingText(s, pad), s.from);
      w.write("\n");
    }
    return;
  }
  // Packed: as many settings per line as fit; a setting with a note starts a new line under its comment.
  let row: Setting[] = [];
  const flush = () => {
    if (!row.length) return;
    w.write(INDENT.repeat(indent));
    writeSettingsInline(w, row);
    w.write("\n");
    row = [];
  };
  for (const s of settings) {
    const width = row.reduce((n, r) => n + settingText(r).length + SEP.length, 0) + settingText(s).length;
    if (s.note || s.alone || (row.length && width > PACKED_WIDTH)) flush();
    if (s.note) w.comment(indent, s.note);
    row.push(s);
    if (s.alone) flush();
  }
  flush();
}

/** Child blocks; consecutive one-line siblings get their braces aligned. */
function writeChildren(w: Writer, blocks: readonly OutBlock[], indent: number): void {
  const pad = Math.max(0, ...blocks.filter((b) => !b.shorthand && inlineable(b, indent)).map((b) => b.head.length + 1));
  for (const b of blocks) writeBlock(w, b, indent, pad - 1);
}

export function emitScenario(s: OutScenario): { text: string; map: SourceMapEntry[] } {
  const w = new Writer();
  for (const c of s.header) w.comment(0, c);
  if (s.header.length) w.line(0);
  w.write("scenario ");
  w.mapped(s.name, s.nameFrom);
  w.write(" {\n");
  for (const c of s.intro) w.comment(1, c);
  writeSettings(w, s.meta, 1, "aligned");
  for (const c of s.simulationComments) w.comment(1, c);
  if (s.simulation.length) {
    w.write(INDENT);
    writeSettingsInline(w, s.simulation);
    w.write("\n");
  }
  for (const b of s.blocks) {
    w.line(0);
    writeBlock(w, b, 1);
  }
  if (s.criteria.length || s.expectComments.length) {
    w.line(0);
    for (const c of s.expectComments) w.comment(1, c);
    if (s.criteria.length) {
      w.write(INDENT);
      w.mapped("expect", s.expectFrom);
      w.write(" {\n");
      const pad = Math.max(...s.criteria.map((c) => c.label.length)) + 2;
      for (const c of s.criteria) {
        w.write(INDENT.repeat(2));
        w.mapped(`${`${c.label}:`.padEnd(pad)}${c.expr}`, c.from);
        w.write("\n");
      }
      w.line(1, "}");
    }
  }
  w.line(0, "}");
  return { text: w.text, map: w.map };
}
