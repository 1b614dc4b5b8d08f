/**
 * Offsets ↔ positions, in one place. The compiler works in UTF-16 offsets;
 * the CLI prints 1-based lines and columns, the language server speaks
 * 0-based lines and UTF-16 characters.
 */

export interface Position {
  /** 0-based line. */
  readonly line: number;
  /** 0-based UTF-16 column. */
  readonly character: number;
}

export class LineIndex {
  /** Line starts, before `shift` (never changed: indexes of successive versions share them). */
  private readonly starts: number[];
  /**
   * Whether the text may hold a \r. Without one, every line but the last ends
   * with a lone \n, and neither positions nor one-line edits read the text: the
   * language server's text after a keystroke is a concatenation that V8 copies
   * whole the first time its characters are read.
   */
  private readonly cr: boolean;

  constructor(
    readonly text: string,
    /** Line starts already known (see `edited`); computed from the text when absent. */
    starts?: number[],
    /** Lines from this one on start `shift` characters after what `starts` says (edits within one line, see `edited`). */
    private readonly shiftFrom = Infinity,
    private readonly shift = 0,
    cr?: boolean,
  ) {
    this.starts = starts ?? lineStarts(text, 0, text.length, [0]);
    this.cr = cr ?? text.includes("\r");
  }

  private start(line: number): number {
    return line >= this.shiftFrom ? this.starts[line]! + this.shift : this.starts[line]!;
  }

  /**
   * The index of `text`, which is this index's text with [start, end) replaced
   * by `insert`: only the lines around the edit are scanned again, the others
   * shift (the language server updates it on every keystroke). Keystrokes
   * within one line (no line break written or removed) shift the lines after
   * it without touching them: typing on a line of a long file costs no more
   * than on a short one.
   */
  edited(start: number, end: number, insert: string, text: string): LineIndex {
    const delta = insert.length - (end - start);
    const cr = this.cr || insert.includes("\r");
    const line = this.position(start).line;
    // Without a \r, a line break among the replaced characters is a line start after the first of them.
    const replacesBreak = this.cr ? hasLineBreak(this.text, start, end) || (this.text.charCodeAt(start - 1) === 13 && this.text.charCodeAt(end) === 10) : this.position(end).line !== line;
    if (!hasLineBreak(insert, 0, insert.length) && !replacesBreak) {
      if (delta === 0) return new LineIndex(text, this.starts, this.shiftFrom, this.shift, cr);
      if (this.shift === 0) return new LineIndex(text, this.starts, line + 1, delta, cr);
      if (this.shiftFrom === line + 1) return new LineIndex(text, this.starts, line + 1, this.shift + delta, cr);
    }
    // Rescan from the line before the edit to two characters past it, so a split or joined \r\n is seen.
    const from = this.position(Math.max(0, start - 1)).line;
    const head: number[] = [];
    for (let i = 0; i <= from; i++) head.push(this.start(i));
    const scanEnd = Math.min(text.length, start + insert.length + 2);
    const starts = lineStarts(text, head[head.length - 1]!, scanEnd, head);
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.start(i);
      if (s > end + 2 && s + delta > starts[starts.length - 1]!) starts.push(s + delta);
    }
    return new LineIndex(text, starts, Infinity, 0, cr);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.start(mid) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.start(lo) };
  }

  /**
   * The offset of a position. A character past the line's end stands for the
   * line's end, before its line break (the LSP's rule), so an edit there never
   * lands on the next line nor between the \r and \n of a CRLF.
   */
  offset(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.start(position.line);
    let end = position.line + 1 < this.starts.length ? this.start(position.line + 1) : this.text.length;
    if (position.line + 1 < this.starts.length) {
      if (!this.cr) end--;
      else {
        if (this.text.charCodeAt(end - 1) === 10) end--;
        if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
      }
    }
    return Math.min(start + Math.max(0, position.character), end);
  }

  /** 1-based line and column, as the CLI prints them. */
  lineColumn(offset: number): { line: number; column: number } {
    const p = this.position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  }

  lineText(line: number): string {
    const start = line >= 0 && line < this.starts.length ? this.start(line) : this.text.length;
    const end = line + 1 < this.starts.length ? this.start(line + 1) : this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, "");
  }
}

/** Whether [from, to) of `text` holds a line break character (`\n` or `\r`, the lexer's line terminators). */
export function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

/** Append to `out` the line starts after offsets in [from, to) of `text` (a start follows \n, or \r not followed by \n). */
function lineStarts(text: string, from: number, to: number, out: number[]): number[] {
  // Most texts have no \r: then String#indexOf finds each \n far faster than a loop over every character
  // (a compile indexes each whole file with criteria in it).
  if (text.indexOf("\r", from) === -1 || text.lastIndexOf("\r", to) < from) {
    for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) out.push(i + 1);
    return out;
  }
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) out.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= to) break;
        i++;
      }
      out.push(i + 1);
    }
  }
  return out;
}
