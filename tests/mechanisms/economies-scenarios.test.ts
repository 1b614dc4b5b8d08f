/**
 * The whitepaper economies' scenarios (scenarios/whitepaper/auction.sbx,
 * missions.sbx, negotiation.sbx) compile without a diagnostic to plans that
 * validate, are formatted, and ask their question with criteria over seeds.
 * Their answers are `sbx check`'s (docs/mechanisms.md); running them is a
 * study, not a unit test.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { format } from "../../language/format.ts";
import { compile } from "../../src/compiler/index.ts";
import { Plan } from "../../src/plan/schema.ts";
import { diskHost } from "../support/compiler.ts";
import { ROOT } from "../support/golden.ts";

const FILES = { "auction.sbx": "auction", "missions.sbx": "missions", "negotiation.sbx": "negotiation" } as const;

describe("the whitepaper economies' scenarios", () => {
  for (const [file, slice] of Object.entries(FILES)) {
    it(`${file} compiles clean to valid plans holding the ${slice} slice, judged over seeds 101..112`, () => {
      const path = join(ROOT, "scenarios/whitepaper", file);
      const result = compile(diskHost(), [path]);
      expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(result.scenarios.length).toBeGreaterThan(0);
      for (const s of result.scenarios) {
        expect(Plan.safeParse(s.plan).success).toBe(true);
        expect((s.plan as Record<string, unknown>)[slice]).toBeDefined();
        expect(s.plan!.criteria.seeds).toEqual(Array.from({ length: 12 }, (_, i) => 101 + i));
        expect(s.plan!.criteria.items.every((c) => c.overSeeds)).toBe(true);
      }
      const text = readFileSync(path, "utf8");
      expect(format(text, path)).toEqual({ text });
    });
  }
});
