/**
 * Invariants of the front end, over arbitrary text and random mutations of
 * the shipped scenarios: it never throws, every diagnostic lies inside its
 * file, and lowering is deterministic.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../language/syntax.ts";
import type { Compilation } from "../../src/compiler/index.ts";
import { compileText } from "../support/compiler.ts";
import { ROOT } from "../support/golden.ts";

const SCENARIOS = readdirSync(join(ROOT, "scenarios"))
  .filter((f) => f.endsWith(".sbx") && !f.includes("sweep"))
  .map((f) => readFileSync(join(ROOT, "scenarios", f), "utf8"));

const FRAGMENTS = ["{", "}", "=", "[", "]", "(", ")", ",", ".", "..", "%", '"', '"""', "//", "/*", "*/", "\n", " ", "scenario", "population", "honest", "governance", "audit", "expect", "mean(", "toxicity", "<=", "0.3", "5%", "2 epochs", "extends", "import", "seeds", "vary", "-", "not", "and", "[adversarial]", "llm", "persona", "@", "\\"];

function spansInside(result: Compilation, overrideText: string): void {
  for (const d of result.diagnostics) {
    const text = result.program.modules.get(d.file)?.text ?? overrideText;
    expect(d.span.start, `${d.code} ${d.message}`).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
  }
}

/** Insert, delete or replace a slice of the text at arbitrary places. */
const mutation = fc.record({
  scenario: fc.nat({ max: SCENARIOS.length - 1 }),
  edits: fc.array(
    fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.nat({ max: 12 }), insert: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })) }),
    { minLength: 1, maxLength: 6 },
  ),
});

function applyEdits(text: string, edits: readonly { at: number; remove: number; insert: string }[]): string {
  let out = text;
  for (const e of edits) {
    const at = Math.floor(e.at * out.length);
    out = out.slice(0, at) + e.insert + out.slice(at + e.remove);
  }
  return out;
}

describe("front-end invariants", () => {
  it("parsing and compiling arbitrary text never throws, and spans stay inside the file", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((xs) => xs.join(" "))), (text) => {
        parse(text, "/virtual/input.sbx");
        spansInside(compileText(text), text);
      }),
      { numRuns: 300 },
    );
  });

  it("random mutations of the shipped scenarios never throw, and spans stay inside the file", () => {
    fc.assert(
      fc.property(mutation, ({ scenario, edits }) => {
        const text = applyEdits(SCENARIOS[scenario]!, edits);
        spansInside(compileText(text), text);
      }),
      { numRuns: 300 },
    );
  });

  it("lowering is deterministic: the same source gives the same plan and hash", () => {
    fc.assert(
      fc.property(mutation, ({ scenario, edits }) => {
        const text = applyEdits(SCENARIOS[scenario]!, edits.slice(0, 1));
        const a = compileText(text);
        const b = compileText(text);
        expect(a.scenarios.map((s) => s.planHash)).toEqual(b.scenarios.map((s) => s.planHash));
        expect(JSON.stringify(a.scenarios.map((s) => s.plan))).toBe(JSON.stringify(b.scenarios.map((s) => s.plan)));
        expect(a.diagnostics).toEqual(b.diagnostics);
      }),
      { numRuns: 60 },
    );
  });
});
