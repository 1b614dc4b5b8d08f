/**
 * `sbx import` end to end. The contract (files written or not, streams, exit
 * codes) is checked on the real binary, built by the global test setup; the
 * other behaviours go through the same `main` in-process, which is faster.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createColors } from "picocolors";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { Terminal } from "../../src/cli/terminal.ts";
import { body, compileFile, FIXTURES, ROOT, SCENARIOS } from "./helpers.ts";

const work = mkdtempSync(join(tmpdir(), "sbx-import-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function binary(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`${ROOT}/dist/sbx.mjs`, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const term: Terminal = { out: (s) => (stdout += s), err: (s) => (stderr += s), isTTY: false, color: createColors(false), columns: 100 };
  const code = await main(args, term);
  return { code, stdout, stderr };
}

function yamlFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe("sbx import (the binary)", () => {
  it("writes a .sbx that compiles to the hand-written scenario's plan, warnings on stderr", () => {
    copyFileSync(`${FIXTURES}/status_game.yaml`, join(work, "status_game.yaml"));
    const r = binary(["import", "status_game.yaml", "--out", "out/status_game.sbx"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^status_game\.yaml:20:3: warning\[SBX5005\]: 'governance\.bandwidth_cap' was accepted but never applied by the sandbox; /),
      expect.stringMatching(/^status_game\.yaml:23:3: warning\[SBX5005\]: 'governance\.stake_slash_rate' /),
      expect.stringMatching(/^status_game\.yaml:60:3: warning\[SBX5005\]: 'outputs\.metrics_csv' /),
    ]);
    const written = compileFile(join(work, "out/status_game.sbx"));
    expect(written.errors).toEqual([]);
    expect(body(written.plan)).toEqual(body(compileFile(`${SCENARIOS}/status_game.sbx`).plan));
  });

  it("refuses unknown keys at every depth in one pass, exits 1 and writes nothing", () => {
    const path = yamlFile(
      "unknown.yaml",
      [
        "scenario_id: unknown",
        "agents:",
        "  - type: honest",
        "    count: 2",
        "    nickname: alice",
        "governance:",
        "  random_audit_rate: 0.2",
        "  audit_enabled: true",
        "network:",
        "  topology: ring",
        "  params:",
        "    k: 2",
        "    beta: 0.3",
        "simulaton:",
        "  seed: 1",
        "",
      ].join("\n"),
    );
    const before = readdirSync(work).sort();
    const r = binary(["import", path, "--out", "refused/unknown.sbx"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      "unknown.yaml:5:5: error[SBX5004]: 'agents[0].nickname' is not a key of the sandbox's scenario schema",
      "unknown.yaml:7:3: error[SBX5004]: 'governance.random_audit_rate' is not a key of the sandbox's scenario schema",
      "unknown.yaml:13:5: error[SBX5004]: 'network.params.beta' is not a key of the sandbox's scenario schema",
      "unknown.yaml:14:1: error[SBX5004]: 'simulaton' is not a key of the sandbox's scenario schema (did you mean 'simulation'?)",
    ]);
    expect(readdirSync(work).sort()).toEqual(before);
  });

  it("exits 2 for a file it cannot read", () => {
    expect(binary(["import", "missing.yaml"])).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining("error[SBX5001]: cannot read missing.yaml: no such file") });
  });
});

describe("sbx import (in-process)", () => {
  it("prints the .sbx on stdout without --out", async () => {
    const r = await inProcess(["import", `${FIXTURES}/baseline.yaml`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ Imported from baseline\.yaml/);
    expect(r.stdout).toContain('profile     = "swarm-0.1"');
    expect(r.stderr).toContain("warning[SBX5005]");
  });

  it("prints one JSON document with --json, in the profile asked for", async () => {
    const r = await inProcess(["import", `${FIXTURES}/network_effects.yaml`, "--json", "--profile", "sbx"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: "sbx-import", version: 1, ok: true, profile: "sbx", out: null, summary: { errors: 0, warnings: 4 } });
    expect(doc.sbx).toContain("scenario network_effects_v1 {");
    expect(doc.sbx).toContain('profile     = "sbx"');
    expect(doc.diagnostics[0]).toMatchObject({ code: "SBX5005", severity: "warning", range: { start: { line: 61, column: 3 } } });
  });

  it("refuses invalid YAML with exit 1 and writes nothing", async () => {
    const path = yamlFile("broken.yaml", "agents: [\n  - type: honest\n");
    const r = await inProcess(["import", path, "--out", join(work, "broken.sbx")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:\d+:\d+: error\[SBX5006\]: invalid YAML: /);
    expect(existsSync(join(work, "broken.sbx"))).toBe(false);
  });

  it("exits 2 for a profile it does not know, or an --out that would overwrite the YAML", async () => {
    expect(await inProcess(["import", `${FIXTURES}/baseline.yaml`, "--profile", "python"])).toMatchObject({ code: 2, stderr: expect.stringContaining("Allowed choices are swarm-0.1, sbx") });
    const path = yamlFile("self.yaml", "agents:\n  - type: honest\n");
    expect(await inProcess(["import", path, "--out", path])).toMatchObject({ code: 2, stderr: expect.stringContaining("error[SBX5002]") });
    expect(readFileSync(path, "utf8")).toBe("agents:\n  - type: honest\n");
  });
});
