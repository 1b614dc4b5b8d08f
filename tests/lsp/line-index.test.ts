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
