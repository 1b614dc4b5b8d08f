/** The generated reference pages are current: regenerate with `npm run docs`. */
import { readdirSync, readFileSync, statSync } from "node:fs";
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

describe("golden coverage of the catalogue", () => {
  it("every diagnostic code has at least one golden case", () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.startsWith("expected")) files.push(path);
      }
    };
    walk(join(ROOT, "tests"));
    const seen = new Set(files.flatMap((f) => readFileSync(f, "utf8").match(/SBX\d{4}/g) ?? []));
    expect(Object.keys(CATALOGUE).filter((code) => !seen.has(code))).toEqual([]);
  });
});
