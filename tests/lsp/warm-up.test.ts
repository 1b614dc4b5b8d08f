/**
 * The editor thread's warm-up (warm-up.ts) runs completion and hover over the
 * declarations of a document, one per step, within its budget, and never
 * throws on the shipped scenarios or on broken text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { topLevelStarts } from "../../lsp/server/cursor-index.ts";
import { warmUp } from "../../lsp/server/warm-up.ts";
import { ROOT } from "../support/golden.ts";

const SCENARIOS = readdirSync(join(ROOT, "scenarios")).filter((f) => f.endsWith(".sbx")).map((f) => readFileSync(join(ROOT, "scenarios", f), "utf8"));

it("takes one step per declaration, up to its budget", () => {
  for (const text of SCENARIOS) {
    const declarations = topLevelStarts(text).length;
    expect(declarations).toBeGreaterThan(0);
    expect([...warmUp(text, 1_000)].length).toBe(declarations);
    expect([...warmUp(text, 2)].length).toBe(Math.min(2, declarations));
  }
});

it("goes through broken text", () => {
  const text = SCENARIOS[0]!;
  for (const cut of [0.2, 0.5, 0.9]) {
    const broken = `${text.slice(0, Math.floor(text.length * cut))}\nscenario x { governance { audit { probability = ( } }\npersona "`;
    expect([...warmUp(broken, 1_000)].length).toBe(topLevelStarts(broken).length);
  }
});
