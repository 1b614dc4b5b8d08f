/** `sbx fmt`, through the real binary: exit codes, --check, writing in place. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sbx } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const dir = mkdtempSync(join(tmpdir(), "sbx-fmt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UGLY = "scenario s{\nseed=1\n    epochs   =2}\n";
const PRETTY = "scenario s {\n  seed   = 1\n  epochs = 2\n}\n";

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("sbx fmt", () => {
  it("--check exits 0 on formatted files and writes nothing", () => {
    const path = file("pretty.sbx", PRETTY);
    const r = sbx(["fmt", "--check", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(path, "utf8")).toBe(PRETTY);
  });

  it("--check exits 1 and lists the files that would change, without writing", () => {
    const ugly = file("ugly.sbx", UGLY);
    const pretty = file("pretty2.sbx", PRETTY);
    const r = sbx(["fmt", "--check", ugly, pretty]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split("\n")).toEqual([expect.stringContaining("ugly.sbx")]);
    expect(r.stderr).toContain("not formatted");
    expect(readFileSync(ugly, "utf8")).toBe(UGLY);
  });

  it("rewrites files in place and exits 0", () => {
    const path = file("rewrite.sbx", UGLY);
    const r = sbx(["fmt", path]);
    expect(r.code).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(PRETTY);
    expect(sbx(["fmt", "--check", path]).code).toBe(0);
  });

  it("reports syntax errors as diagnostics, leaves the file alone and exits 1", () => {
    const path = file("broken.sbx", "scenario s {\n  seed = \n}\n");
    const r = sbx(["fmt", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.sbx:2:\d+: error\[SBX1005\]/);
    expect(readFileSync(path, "utf8")).toBe("scenario s {\n  seed = \n}\n");
  });

  it("exits 2 on a missing file and formats nothing", () => {
    const path = file("untouched.sbx", UGLY);
    const r = sbx(["fmt", path, join(dir, "missing.sbx")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SBX5001");
    expect(readFileSync(path, "utf8")).toBe(UGLY);
  });

  it("the shipped scenarios and standard library are formatted", () => {
    const shipped = ["scenarios", "stdlib"].flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith(".sbx")).map((f) => `${d}/${f}`));
    const r = sbx(["fmt", "--check", ...shipped]);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(0);
  });
});

