/**
 * A document's text as a base and one edited stretch (lsp/server/edited-text.ts):
 * after any chain of edits, its text and every slice of it are those of the
 * edited string, whether an edit extends the stretch or starts a new base.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { EditedText } from "../../lsp/server/edited-text.ts";
import { runs } from "../support/property-runs.ts";

it("reads as the edited string after any chain of edits, near each other or far apart", () => {
  const edit = fc.record({ at: fc.nat(), remove: fc.nat(6), insert: fc.string({ maxLength: 5 }), far: fc.nat(9), jump: fc.nat(20_000) });
  // Texts of a few to ten thousand characters: a jump may lie beyond the stretch's limit (4096).
  const document = fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.nat(10_000)).map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));
  fc.assert(
    fc.property(document, fc.array(edit, { minLength: 1, maxLength: 30 }), (start, edits) => {
      let expected = start;
      let pieces = EditedText.of(start);
      let last = 0;
      for (const e of edits) {
        // Mostly typing where the last edit was (the stretch grows); sometimes a jump far enough to start a new base.
        const at = e.far === 0 ? e.jump % (expected.length + 1) : Math.min(expected.length, last + (e.at % 3));
        const end = Math.min(expected.length, at + e.remove);
        expected = expected.slice(0, at) + e.insert + expected.slice(end);
        pieces = pieces.edited(at, end, e.insert);
        last = at + e.insert.length;
        expect(pieces.text).toBe(expected);
        expect(pieces.length).toBe(expected.length);
        for (const [a, b] of [[0, expected.length], [Math.max(0, at - 3), Math.min(expected.length, last + 3)], [at, last], [0, at], [last, expected.length]] as const) {
          expect(pieces.slice(a, b)).toBe(expected.slice(a, b));
        }
      }
    }),
    { numRuns: runs(300) },
  );
});

it("reads every slice of a small text as the string's own", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 4 }), (start, edits) => {
      let expected = start;
      let pieces = EditedText.of(start);
      for (const [a, remove, insert] of edits) {
        const at = a % (expected.length + 1);
        const end = Math.min(expected.length, at + remove);
        expected = expected.slice(0, at) + insert + expected.slice(end);
        pieces = pieces.edited(at, end, insert);
      }
      for (let a = 0; a <= expected.length; a++) for (let b = a; b <= expected.length; b++) expect(pieces.slice(a, b)).toBe(expected.slice(a, b));
    }),
    { numRuns: runs(500) },
  );
});
