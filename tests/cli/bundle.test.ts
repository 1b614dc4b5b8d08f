/**
 * The built `sbx` (src/build.mjs): the launcher answers --version and help on
 * its own, without the compiler; the core runs from its V8 code cache, and
 * without it (another Node, other V8 flags) compiles from source and gives
 * the same answers.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SBX_VERSION } from "../../src/version.ts";
import { SBX_BIN, sbx } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const alone = mkdtempSync(join(tmpdir(), "sbx-launcher-"));
afterAll(() => rmSync(alone, { recursive: true, force: true }));

const run = (bin: string, args: readonly string[], nodeFlags: readonly string[] = []) =>
  spawnSync(process.execPath, [...nodeFlags, bin, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("the built sbx", () => {
  it("answers --version and help from the launcher alone, without the core", () => {
    // The launcher copied where no core exists: what it answers, it answers without loading one.
    const launcher = join(alone, "sbx.mjs");
    copyFileSync(SBX_BIN, launcher);
    expect(existsSync(join(alone, "sbx-core.cjs"))).toBe(false);
    const version = run(launcher, ["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${SBX_VERSION}\n`);
    const help = run(launcher, ["help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: sbx [options] [command]");
    // Any command needs the core, which is missing here.
    const compile = run(launcher, ["compile", "scenarios/status_game.sbx"]);
    expect(compile.status).toBe(2);
    expect(compile.stderr).toContain("sbx-core.cjs");
  });

  it("ships the core's code cache, and runs the same without it", () => {
    expect(existsSync(join(ROOT, "dist/sbx-core.cjs.cache"))).toBe(true);
    const cached = sbx(["run", "scenarios/status_game.sbx", "--json", "--no-outputs"]);
    expect(cached.code).toBe(0);
    // V8 rejects a cache made under other flags and compiles the core from source.
    const uncached = run(SBX_BIN, ["run", "scenarios/status_game.sbx", "--json", "--no-outputs"], ["--max-semi-space-size=8"]);
    expect(uncached.status).toBe(0);
    expect(uncached.stdout).toBe(cached.stdout);
  });

  it("loads child_process and worker_threads only for the commands that use them", () => {
    // A preload that reports, at exit, which of Node's built-ins the process loaded.
    const probe = join(alone, "probe.cjs");
    writeFileSync(probe, 'process.on("exit", () => process.stderr.write(`\\nBUILTINS ${process.moduleLoadList.join(" ")}\\n`));\n');
    const builtins = (args: readonly string[]): string => {
      const child = run(SBX_BIN, args, ["--require", probe]);
      expect(child.status).toBe(0);
      return /BUILTINS (.*)/.exec(child.stderr)![1]!;
    };
    const version = builtins(["--version"]);
    expect(version).toContain("NativeModule vm");
    expect(version).not.toContain("NativeModule child_process");
    const ran = builtins(["run", "scenarios/status_game.sbx", "--no-outputs"]);
    expect(ran).not.toContain("NativeModule worker_threads");
    const out = join(alone, "out");
    expect(builtins(["run", "scenarios/status_game.sbx", "--no-outputs", "--out", out])).toContain("NativeModule worker_threads");
  });

  it("writes the core in ASCII, which the launcher reads as Latin-1", () => {
    const core = readFileSync(join(ROOT, "dist/sbx-core.cjs"));
    const notAscii = core.findIndex((byte) => byte > 0x7f);
    expect(notAscii === -1 ? null : core.subarray(Math.max(0, notAscii - 60), notAscii + 20).toString("utf8")).toBeNull();
  });

  it("keeps the code a run needs in the core and Vega, the LLM SDKs, the language server and YAML out of it", () => {
    const core = readFileSync(join(ROOT, "dist/sbx-core.cjs"), "utf8");
    for (const bundle of ["sbx-report", "sbx-lsp", "sbx-import", "sbx-llm-anthropic", "sbx-llm-openai", "sbx-llm-ollama"]) {
      expect(core).toContain(`require("./${bundle}.cjs")`);
      expect(existsSync(join(ROOT, "dist", `${bundle}.cjs`))).toBe(true);
    }
    expect(core).not.toMatch(/^\/\/ node_modules\/(vega|vega-lite|openai|@anthropic-ai|vscode-languageserver|yaml)\//m);
  });
});
