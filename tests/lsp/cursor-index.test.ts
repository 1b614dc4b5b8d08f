/** Where parsing may start afresh (cursor-index.ts): found by a character scan that agrees with the lexer, and carried across edits. */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tokenMatcher } from "chevrotain";
import { expect, it } from "vitest";
import { lex } from "../../language/syntax.ts";
import * as T from "../../language/tokens.ts";
import { CursorIndex, topLevelStarts } from "../../lsp/server/cursor-index.ts";
import { ROOT } from "../support/golden.ts";

const CORPUS = ["scenarios", "stdlib"].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith(".sbx")).map((f) => readFileSync(join(ROOT, d, f), "utf8")));

/** The oracle: names and `import` at a line start, outside braces, by the lexer's tokens. */
function byTokens(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  for (const t of lex(text, "").tokens) {
    if (tokenMatcher(t, T.LCurly)) depth++;
    else if (tokenMatcher(t, T.RCurly)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && tokenMatcher(t, T.AnyName) && (t.startOffset === 0 || text[t.startOffset - 1] === "\n")) out.push(t.startOffset);
  }
  return out;
}

const mutated = fc.tuple(fc.nat(CORPUS.length - 1), fc.array(fc.tuple(fc.nat(), fc.constantFrom("{", "}", '"', '"""', "//", "/*", "*/", "\n", "x", "\\", "\r\n", "scenario t {\n")), { maxLength: 6 })).map(([i, edits]) => {
  let text = CORPUS[i]!;
  for (const [at, insert] of edits) {
    const p = at % (text.length + 1);
    text = text.slice(0, p) + insert + text.slice(p);
  }
  return text;
});

it("finds the same top-level starts as the lexer", () => {
  for (const text of CORPUS) expect(topLevelStarts(text)).toEqual(byTokens(text));
  fc.assert(
    fc.property(mutated, (text) => {
      expect(topLevelStarts(text)).toEqual(byTokens(text));
    }),
    { numRuns: 500 },
  );
});

it("after edits, windows start only where a fresh scan finds a start, and hold the cursor", () => {
  fc.assert(
    fc.property(mutated, fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom("a", "1", " ", "{", "}", "\n", '"', "/*")), { maxLength: 8 }), fc.nat(), (start, edits, probe) => {
      const carried = new CursorIndex();
      let text = start;
      carried.window(text, 0);
      for (const [at, del, insert] of edits) {
        const p = at % (text.length + 1);
        const q = Math.min(text.length, p + del);
        const next = text.slice(0, p) + insert + text.slice(q);
        carried.edited(text, p, q, insert.length, next);
        text = next;
      }
      const offset = probe % (text.length + 1);
      const w = carried.window(text, offset);
      // A carried index may know fewer starts (it forgets rather than guesses), never wrong ones.
      expect(w.base).toBeLessThanOrEqual(offset);
      expect(w.base + w.text.length).toBeGreaterThanOrEqual(offset);
      expect(text.slice(w.base, w.base + w.text.length)).toBe(w.text);
      if (w.base > 0) expect(byTokens(text)).toContain(w.base);
      const end = w.base + w.text.length;
      if (end < text.length) expect(byTokens(text)).toContain(end);
    }),
    { numRuns: 300 },
  );
});
