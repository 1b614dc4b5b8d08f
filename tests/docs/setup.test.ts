/**
 * What the README promises about setting up: the committed lock file is the
 * one `npm install` writes (its root entry matches package.json, Node range
 * included), the browser test can be skipped, names are documented as ASCII,
 * and every limit of the compiler is documented with its value and code.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LIMITS, limitText } from "../../src/compiler/limits.ts";
import { ROOT } from "../support/golden.ts";

const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8"));

describe("setting up", () => {
  it("commits the lock file npm install writes: its root entry is package.json's", () => {
    const manifest = json("package.json");
    const root = json("package-lock.json").packages[""];
    expect(root.engines).toEqual(manifest.engines);
    expect(root.dependencies).toEqual(manifest.dependencies);
    expect(root.devDependencies).toEqual(manifest.devDependencies);
    expect(root.version).toBe(manifest.version);
  });

  it("says how to skip the browser test, and that names are ASCII", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain("SBX_SKIP_BROWSER=1 npm test");
    expect(readme).toMatch(/Names .* are ASCII/);
    expect(readFileSync(join(ROOT, "language/REFERENCE.md"), "utf8")).toMatch(/\| name \| .* \| ASCII only/);
  });

  it("documents every limit of the compiler with its value", () => {
    const reference = readFileSync(join(ROOT, "language/REFERENCE.md"), "utf8");
    const section = reference.slice(reference.indexOf("## 16. Limits"));
    for (const [name, value] of Object.entries(LIMITS)) expect(section, name).toContain(limitText(value));
    for (const code of ["SBX3016", "SBX3017", "SBX3018", "SBX2108"]) expect(section).toContain(code);
  });
});
