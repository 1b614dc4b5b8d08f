/** The whitepaper scenarios compile without a diagnostic, are in canonical layout, and judge their question over seeds. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { format } from "../../language/format.ts";
import { compile } from "../../src/compiler/index.ts";
import { Plan } from "../../src/plan/schema.ts";
import { diskHost } from "../support/compiler.ts";
import { ROOT } from "../support/golden.ts";

const DIR = join(ROOT, "scenarios/whitepaper");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".sbx"));

describe("scenarios/whitepaper", () => {
  it("holds the six mechanisms' scenarios", () => {
    expect(FILES.sort()).toEqual(["auction.sbx", "boundaries.sbx", "incoherence.sbx", "missions.sbx", "negotiation.sbx", "sybil.sbx"]);
  });

  for (const file of FILES) {
    it(`${file}: compiles clean, is canonical, and every scenario judges criteria over seeds 101..112`, () => {
      const path = join(DIR, file);
      const text = readFileSync(path, "utf8");
      const formatted = format(text, path);
      expect("text" in formatted && formatted.text).toBe(text);
      const result = compile(diskHost(), [path]);
      expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(result.scenarios.length).toBeGreaterThan(0);
      for (const s of result.scenarios) {
        expect(Plan.safeParse(s.plan).success).toBe(true);
        expect(s.plan!.criteria.seeds).toEqual(Array.from({ length: 12 }, (_, i) => 101 + i));
        expect(s.plan!.criteria.items.length).toBeGreaterThan(0);
        expect(s.plan!.criteria.items.every((c) => c.overSeeds)).toBe(true);
      }
    });
  }
});
