/** The generated reference pages are current: regenerate with `npm run docs`. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../../src/diagnostics/catalogue.ts";
import { generatedDocs } from "../../src/docs/write.ts";
import { ROOT } from "../support/golden.ts";

describe("generated documentation", () => {
  for (const [file, text] of Object.entries(generatedDocs(ROOT))) {
    it(`${file} matches the registries (run \`npm run docs\`)`, () => {
      expect(readFileSync(join(ROOT, file), "utf8")).toBe(text);
    });
  }

  it("documents every diagnostic code", () => {
    const text = readFileSync(join(ROOT, "docs/diagnostics.md"), "utf8");
    for (const code of Object.keys(CATALOGUE)) expect(text).toContain(`## ${code}`);
  });
});
