/**
 * The cursor context (context.ts) on arbitrary broken text: for every offset
 * of mutated scenarios, reading the context, completing and hovering never
 * throw, and completion's edits stay inside the text.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parse } from "../../language/syntax.ts";
import { complete } from "../../lsp/server/completion.ts";
import { LONE_DOCUMENT } from "../support/lsp-semantics.ts";
import { contextAt } from "../../lsp/server/context.ts";
import { hover } from "../../lsp/server/hover.ts";
import { LineIndex } from "../../src/text/line-index.ts";
import { ROOT } from "../support/golden.ts";

const CORPUS = ["scenarios", "stdlib"].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith(".sbx")).map((f) => readFileSync(join(ROOT, d, f), "utf8")));

const semantics = LONE_DOCUMENT;

it("reads a context, completes and hovers at every offset of broken text without throwing", () => {
  fc.assert(
    fc.property(
      fc.nat(CORPUS.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.nat(30), fc.string({ unit: fc.constantFrom("{", "}", '"', "=", ".", "[", "]", "(", ")", "\n", " ", "x", "1", "%", ":", ",", "/", "*", "..", "extends ", "import ") , maxLength: 4 })), { minLength: 1, maxLength: 5 }),
      fc.nat(),
      (which, edits, start) => {
        let text = CORPUS[which]!;
        for (const [at, del, insert] of edits) {
          const p = at % (text.length + 1);
          text = text.slice(0, p) + insert + text.slice(Math.min(text.length, p + del));
        }
        // A slice of at most 400 characters keeps every offset affordable.
        const from = start % (text.length + 1);
        const piece = text.slice(from, from + 400);
        const parsed = parse(piece, "/x.sbx");
        const lines = new LineIndex(piece);
        const toRange = (s: number, e: number) => ({ start: lines.position(s), end: lines.position(e) });
        for (let offset = 0; offset <= piece.length; offset++) {
          const c = contextAt(parsed, piece, offset, "complete");
          for (const item of complete(c, semantics, toRange)) {
            const edit = item.textEdit as { range: { start: { line: number } } } | undefined;
            if (edit) expect(edit.range.start.line).toBeLessThan(lines.lineCount);
          }
          hover(contextAt(parsed, piece, offset, "hover"), parsed, semantics, toRange);
        }
      },
    ),
    { numRuns: 150 },
  );
});
