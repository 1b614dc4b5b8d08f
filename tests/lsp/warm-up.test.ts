/**
 * The editor thread's warm-up (warm-up.ts) runs completion and hover over the
 * declarations of a document in small steps (a declaration's parse, then one
 * cursor place per step), within its budget in declarations, and never throws
 * on the shipped scenarios or on broken text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { topLevelStarts } from "../../lsp/server/cursor-index.ts";
import { warmUp } from "../../lsp/server/warm-up.ts";
import { ROOT } from "../support/golden.ts";

const SCENARIOS = readdirSync(join(ROOT, "scenarios")).filter((f) => f.endsWith(".sbx")).map((f) => readFileSync(join(ROOT, "scenarios", f), "utf8"));

/** Declarations parsed (steps that yield 1) and cursor places read (steps that yield 0). */
const count = (steps: Iterable<number>) => {
  const all = [...steps];
  return { parsed: all.filter((s) => s === 1).length, places: all.filter((s) => s === 0).length };
};

it("parses each declaration up to its budget, then reads cursor places in it one per step", () => {
  for (const text of SCENARIOS) {
    const declarations = topLevelStarts(text).length;
    expect(declarations).toBeGreaterThan(0);
    const all = count(warmUp(text, 1_000));
    expect(all.parsed).toBe(declarations);
    expect(all.places).toBeGreaterThanOrEqual(declarations);
    const two = count(warmUp(text, 2));
    expect(two.parsed).toBe(Math.min(2, declarations));
    expect(two.places).toBeLessThan(all.places + (declarations <= 2 ? 1 : 0));
  }
});

it("goes through broken text", () => {
  const text = SCENARIOS[0]!;
  for (const cut of [0.2, 0.5, 0.9]) {
    const broken = `${text.slice(0, Math.floor(text.length * cut))}\nscenario x { governance { audit { probability = ( } }\npersona "`;
    expect(count(warmUp(broken, 1_000)).parsed).toBe(topLevelStarts(broken).length);
  }
});
