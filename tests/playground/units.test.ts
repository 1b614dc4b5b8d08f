/** The playground's parts that need no browser: share links, the virtual file system. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { hasErrors } from "../../src/diagnostics/diagnostic.ts";
import { MISSING } from "../../lsp/server/files.ts";
import { scenarioPath, STDLIB_DIR, VirtualFiles } from "../../playground/src/files.ts";
import { decodeShare, encodeShare } from "../../playground/src/share.ts";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { nodeHost } from "../../src/platform/node-host.ts";
import { ROOT } from "../support/golden.ts";

describe("share links", () => {
  it("carry any text, file name and seed there and back", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 400 }), fc.option(fc.integer({ min: 0, max: 2 ** 31 }), { nil: null }), async (text, seed) => {
        const hash = await encodeShare({ text, fileName: "status_game.sbx", seed });
        expect(hash).toMatch(/^#v=1&f=status_game\.sbx(&seed=\d+)?&s=[A-Za-z0-9_-]*$/);
        expect(await decodeShare(hash)).toEqual({ text, fileName: "status_game.sbx", seed });
      }),
      { numRuns: 60 },
    );
  });

  it("are compressed: a shipped scenario fits in a link", async () => {
    const text = readFileSync(join(ROOT, "scenarios/status_game.sbx"), "utf8");
    const hash = await encodeShare({ text, fileName: "status_game.sbx", seed: null });
    expect(hash.length).toBeLessThan(text.length * 0.75);
  });

  it("say what is wrong with a damaged or foreign link, and share nothing without a scenario", async () => {
    const good = await encodeShare({ text: "scenario s { seed = 1 }", fileName: "a.sbx", seed: 3 });
    expect(await decodeShare("")).toBeNull();
    expect(await decodeShare("#section-2")).toBeNull();
    await expect(decodeShare(good.replace(/s=[^&]+$/, "s=AAAA"))).rejects.toThrow(/damaged/);
    await expect(decodeShare(good.slice(0, -6))).rejects.toThrow(/damaged/);
    await expect(decodeShare(good.replace("v=1", "v=9"))).rejects.toThrow(/another version of the playground \(format 9; this one reads 1\)/);
    await expect(decodeShare(good.replace("seed=3", "seed=-2"))).rejects.toThrow(/seed '-2' is not a whole number/);
    // A file name is only ever a plain .sbx name.
    expect((await decodeShare(good.replace("f=a.sbx", "f=..%2F..%2Fetc%2Fpasswd")))?.fileName).toBe("scenario.sbx");
  });
});

describe("the virtual file system", () => {
  const files = new VirtualFiles({ "/sbx/stdlib/governance.sbx": "a", "/sbx/scenarios/x.sbx": "b", "/sbx/scenarios/sub/y.sbx": "c" });

  it("reads, lists and stamps files; a rewrite changes the stamp, an equal one does not", () => {
    expect(files.read("/sbx/scenarios/x.sbx")).toBe("b");
    expect(files.read("/sbx/scenarios/../scenarios/x.sbx")).toBe("b");
    expect(files.read("/sbx/scenarios/none.sbx")).toBeUndefined();
    expect(files.stamp("/sbx/scenarios/none.sbx")).toBe(MISSING);
    expect(files.list("/sbx/scenarios")).toEqual([
      { name: "x.sbx", folder: false },
      { name: "sub", folder: true },
    ]);
    expect(files.list("/nowhere")).toEqual([]);
    const before = files.stamp("/sbx/scenarios/x.sbx");
    files.write("/sbx/scenarios/x.sbx", "b");
    expect(files.stamp("/sbx/scenarios/x.sbx")).toBe(before);
    files.write("/sbx/scenarios/x.sbx", "b2");
    expect(files.stamp("/sbx/scenarios/x.sbx")).not.toBe(before);
  });

  it("puts a scenario beside the shipped ones, whatever its name claims", () => {
    expect(scenarioPath("status_game.sbx")).toBe("/sbx/scenarios/status_game.sbx");
    expect(scenarioPath("../../etc/passwd")).toBe("/sbx/scenarios/passwd");
  });

  it("compiles every shipped scenario as the disk does, the standard library included", () => {
    const bundle: Record<string, string> = {};
    for (const dir of ["stdlib", "scenarios"]) for (const f of readdirSync(join(ROOT, dir))) if (f.endsWith(".sbx")) bundle[`/sbx/${dir}/${f}`] = readFileSync(join(ROOT, dir, f), "utf8");
    const vfs = new VirtualFiles(bundle);
    expect(vfs.host().stdlibDir).toBe(STDLIB_DIR);
    for (const name of ["status_game.sbx", "strict_governance.sbx", "network_effects.sbx"]) {
      const result = compile(vfs.host(), [scenarioPath(name)]);
      expect(hasErrors(result.diagnostics), name).toBe(false);
      const disk = compile(nodeHost(), [join(ROOT, "scenarios", name)]);
      expect(result.scenarios[0]?.planHash, name).toBe(disk.scenarios[0]?.planHash);
      expect(result.diagnostics.map((d) => [d.code, d.message]), name).toEqual(disk.diagnostics.map((d) => [d.code, d.message]));
    }
  });
});
