/**
 * Invariants of the front end, over arbitrary Unicode text and large random
 * mutations of every .sbx the project ships (scenarios, sweeps, the standard
 * library, documentation examples, golden inputs): parsing, checking,
 * lowering and checking every sweep's cells never throw, every diagnostic has
 * a catalogued code and a span inside its file, and lowering is
 * deterministic. `npm run fuzz` runs the same front end on 100,000 inputs.
 */
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { describe, expect, it } from "vitest";
import { arbitraryText, frontEnd, mutated, mutation, SEEDS } from "../support/mutations.ts";
import { compileText } from "../support/compiler.ts";

describe("front-end invariants", () => {
  it("mutates every kind of source, sweeps included", () => {
    expect(SEEDS.some((s) => /sweep/.test(s.text) && s.name.startsWith("scenarios/"))).toBe(true);
    expect(SEEDS.some((s) => s.name.startsWith("stdlib/"))).toBe(true);
    expect(SEEDS.length).toBeGreaterThan(50);
  });

  it("parsing and compiling arbitrary Unicode text never throws, and spans stay inside the file", () => {
    fc.assert(
      fc.property(arbitraryText, (text) => {
        expect(frontEnd(text).problems).toEqual([]);
      }),
      { numRuns: runs(1000) },
    );
  });

  it("large random mutations of every shipped source never throw, and spans stay inside the file", () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const input = mutated(m);
        expect(frontEnd(input.text, input.siblings).problems, input.from).toEqual([]);
      }),
      { numRuns: runs(1000) },
    );
  });

  it("lowering is deterministic: the same source gives the same plan and hash", () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const { text, siblings } = mutated({ ...m, edits: m.edits.slice(0, 2) });
        const a = compileText(text, siblings);
        const b = compileText(text, siblings);
        expect(a.scenarios.map((s) => s.planHash)).toEqual(b.scenarios.map((s) => s.planHash));
        expect(JSON.stringify(a.scenarios.map((s) => s.plan))).toBe(JSON.stringify(b.scenarios.map((s) => s.plan)));
        expect(a.diagnostics).toEqual(b.diagnostics);
      }),
      { numRuns: runs(60) },
    );
  });
});
