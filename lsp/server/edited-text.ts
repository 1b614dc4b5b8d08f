/**
 * An open document's text after keystrokes, without copying the document on
 * each one. A string made by concatenation (`before + typed + after`) costs
 * nothing until its characters are read; then V8 copies all of it into one
 * flat string (on a 60 KB file, that copy was most of a keystroke's cost, and
 * it filled the young generation every few keystrokes). So the text is kept as
 * a flat base with one edited stretch, whose characters live in a small string
 * of their own: a keystroke next to the stretch remakes only the stretch, and
 * reads around the cursor (cursor-index.ts) take slices of the pieces. The
 * whole text (`text`) is still a string, made from the pieces at no cost; what
 * reads all of it (a compile, a full parse) pays for the copy, once per version.
 */

/** The most characters the edited stretch may hold: past it, the pieces are joined into a new base. */
const STRETCH = 4096;

/** Read access to a text by slices: a string, or an `EditedText`. */
export interface Slices {
  readonly length: number;
  slice(start: number, end: number): string;
}

export class EditedText implements Slices {
  /** The text: `base` before `from`, then `stretch`, then `base` from `to` on. */
  readonly text: string;

  private constructor(
    private readonly base: string,
    private readonly from: number,
    private readonly to: number,
    private readonly stretch: string,
  ) {
    this.text = from === to && stretch === "" ? base : base.slice(0, from) + stretch + base.slice(to);
  }

  static of(text: string): EditedText {
    return new EditedText(text, 0, 0, "");
  }

  get length(): number {
    return this.text.length;
  }

  /** The text's characters [start, end), for 0 ≤ start ≤ end ≤ length, read from the pieces. */
  slice(start: number, end: number): string {
    const { base, from, to, stretch } = this;
    const stretchEnd = from + stretch.length;
    if (end <= from) return base.slice(start, end);
    if (start >= stretchEnd) return base.slice(start - stretchEnd + to, end - stretchEnd + to);
    // Across the stretch's edges: copied into one flat string (a concatenation would be copied when first read).
    const head = start < from ? base.slice(start, from) : "";
    const tail = end > stretchEnd ? base.slice(to, end - stretchEnd + to) : "";
    return [head, stretch.slice(Math.max(0, start - from), Math.min(stretch.length, end - from)), tail].join("");
  }

  /** The text with [start, end) replaced by `insert`. */
  edited(start: number, end: number, insert: string): EditedText {
    const { base, from, to, stretch } = this;
    if (from === to && stretch === "") return new EditedText(base, start, end, insert);
    // The new stretch covers the old one and the edit, and what lies between them.
    const stretchEnd = from + stretch.length;
    const lo = Math.min(start, from);
    const hi = Math.max(end, stretchEnd);
    if (start - lo + insert.length + (hi - end) > STRETCH) return new EditedText([base.slice(0, from), stretch, base.slice(to)].join(""), start, end, insert);
    return new EditedText(base, lo, hi - stretchEnd + to, this.slice(lo, start) + insert + this.slice(end, hi));
  }
}
