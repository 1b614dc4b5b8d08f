/** LineIndex.edited (the language server's per-keystroke re-indexing) agrees with indexing the edited text afresh. */
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { expect, it } from "vitest";
import { LineIndex } from "../../src/text/line-index.ts";

const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 40 }).map((xs) => xs.join(""));

it("re-indexes only around an edit, with the same result as a full index", () => {
  fc.assert(
    fc.property(text(["a", "\n", "\r", "b", "\r\n"]), fc.nat(), fc.nat(), text(["x", "\n", "\r"]), (before, a, b, insert) => {
      const start = a % (before.length + 1);
      const end = start + (b % (before.length - start + 1));
      const after = before.slice(0, start) + insert + before.slice(end);
      const incremental = new LineIndex(before).edited(start, end, insert, after);
      const fresh = new LineIndex(after);
      expect(incremental.lineCount).toBe(fresh.lineCount);
      for (let o = 0; o <= after.length; o++) expect(incremental.position(o)).toEqual(fresh.position(o));
    }),
    { numRuns: runs(3000) },
  );
});

it("clamps a character past a line's end to the end of that line, before its break (LSP), for \\n, \\r\\n and \\r", () => {
  fc.assert(
    fc.property(text(["a", "\n", "\r", "b", "\r\n"]), fc.nat(), fc.nat(60), (t, l, extra) => {
      const index = new LineIndex(t);
      const line = l % index.lineCount;
      const content = index.lineText(line);
      const lineStart = index.offset({ line, character: 0 });
      const offset = index.offset({ line, character: content.length + extra });
      expect(offset).toBe(lineStart + content.length);
      expect(index.position(offset)).toEqual({ line, character: content.length });
    }),
    { numRuns: 3000, seed: 7 },
  );
});

// Texts without a \r take another path (an index that reads no character of its text): both are checked.
it.each([
  { texts: ["a", "\n", "\r", "b", "\r\n", "cc"], inserts: ["x", "yz", "", "\n", "\r", "\r\n"] },
  { texts: ["a", "\n", "b", "cc"], inserts: ["x", "yz", "", "\n"] },
])("after a chain of edits (keystrokes on one line shift the lines after it lazily), answers as a fresh index: $texts", ({ texts, inserts }) => {
  const edit = fc.record({ at: fc.nat(), remove: fc.nat(3), insert: text(inserts), sameLine: fc.boolean() });
  fc.assert(
    fc.property(text(texts), fc.array(edit, { minLength: 1, maxLength: 12 }), (start, edits) => {
      let before = start;
      let index = new LineIndex(before);
      let last = 0;
      for (const e of edits) {
        // Typing goes on where it was, mostly: then the lines after it are shifted lazily, again and again.
        const at = e.sameLine ? Math.min(before.length, last) : e.at % (before.length + 1);
        const end = Math.min(before.length, at + e.remove);
        const after = before.slice(0, at) + e.insert + before.slice(end);
        index = index.edited(at, end, e.insert, after);
        before = after;
        last = at + e.insert.length;
        const fresh = new LineIndex(after);
        expect(index.lineCount).toBe(fresh.lineCount);
        for (let o = 0; o <= after.length; o++) expect(index.position(o)).toEqual(fresh.position(o));
        for (let line = -1; line <= fresh.lineCount; line++) {
          expect(index.lineText(line)).toBe(fresh.lineText(line));
          for (const character of [0, 1, 3, 100]) expect(index.offset({ line, character })).toBe(fresh.offset({ line, character }));
        }
      }
    }),
    { numRuns: runs(300) },
  );
});
