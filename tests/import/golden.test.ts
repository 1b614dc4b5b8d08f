/**
 * Golden files: each folder of tests/import/golden/ holds an `input.yaml`
 * (or, for `reference-NAME`, takes tests/import/fixtures/NAME.yaml) and what
 * importing it gives: `expected.sbx` when it converts, and
 * `expected.diagnostics.txt` when there is anything to say. An optional
 * `options.json` passes import options (e.g. `{"profile": "sbx"}`).
 *
 * UPDATE_GOLDEN=1 rewrites the expected files from the current output.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { createColors } from "picocolors";
import { describe, expect, it } from "vitest";
import { renderDiagnostics } from "../../src/cli/render-diagnostics.ts";
import type { Terminal } from "../../src/cli/terminal.ts";
import { importAndVerify, type VerifyOptions } from "../../src/import/index.ts";
import { caseFolders, expectGolden, UPDATE } from "../support/golden.ts";
import { FIXTURES, host, ROOT } from "./helpers.ts";

const GOLDEN = `${ROOT}/tests/import/golden`;

const plain: Terminal = { out: () => {}, err: () => {}, isTTY: false, color: createColors(false), columns: 100 };

function inputOf(dir: string, name: string): string {
  const own = `${dir}/input.yaml`;
  if (existsSync(own)) return readFileSync(own, "utf8");
  if (name.startsWith("reference-")) return readFileSync(`${FIXTURES}/${name.slice("reference-".length)}.yaml`, "utf8");
  throw new Error(`${dir} has no input.yaml`);
}

/** Compare with (or, when updating, rewrite) an expected file; null means the file must not exist. */
function golden(path: string, actual: string | null): void {
  if (actual !== null) return expectGolden(path, actual);
  if (UPDATE) rmSync(path, { force: true });
  else expect(existsSync(path), `${path} should not exist (run with UPDATE_GOLDEN=1)`).toBe(false);
}

describe("golden imports", () => {
  const cases = caseFolders(GOLDEN).map((dir) => basename(dir));

  it("has cases", () => expect(cases.length).toBeGreaterThan(0));

  for (const name of cases) {
    it(name, () => {
      const dir = `${GOLDEN}/${name}`;
      const text = inputOf(dir, name);
      const options: VerifyOptions = existsSync(`${dir}/options.json`) ? JSON.parse(readFileSync(`${dir}/options.json`, "utf8")) : {};
      // A relative file name keeps the rendered diagnostics free of machine paths.
      const result = importAndVerify(text, "input.yaml", host, { ...options, outPath: `${dir}/output.sbx` });
      const rendered = renderDiagnostics(result.diagnostics, () => text, plain);
      golden(`${dir}/expected.sbx`, result.sbx);
      golden(`${dir}/expected.diagnostics.txt`, rendered || null);
    });
  }
});
