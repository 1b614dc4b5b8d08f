/** `sbx sweep` end to end: the files, determinism across --jobs, resuming, refusing to mix plans, exit codes. */
import { spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { deriveSeed } from "../../src/plan/seeds.ts";
import { sbx, SBX_BIN, type CliResult } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const FILES = ["runs.csv", "cells.csv", "summary.json", "sweep.json"] as const;
const scratch = () => mkdtempSync(join(tmpdir(), "sbx-sweep-"));
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const csv = (text: string) => text.trimEnd().split("\n").map((l) => l.split(","));
/** Finished rows of a runs.csv: every line ended by a newline, less the header. */
const finishedRows = (path: string) => (readFileSync(path, "utf8").match(/\n/g) ?? []).length - 1;

/** A folder with the status game and a sweep of it (the sweep's own file imports it as `./status_game.sbx`). */
function sweepFolder(sweep: string, scenario = "status_game"): string {
  const dir = scratch();
  copyFileSync(join(ROOT, `scenarios/${scenario}.sbx`), join(dir, `${scenario}.sbx`));
  writeFileSync(join(dir, "study.sbx"), sweep);
  return dir;
}

function expectSameFiles(a: string, b: string): void {
  for (const f of FILES) expect(read(b, f), f).toBe(read(a, f));
}

/** Start a sweep, and once its ledger holds at least `rows` runs, send `signal`. */
function interrupted(args: readonly string[], cwd: string, runsCsv: string, rows: number, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SBX_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const poll = setInterval(() => {
      if (existsSync(runsCsv) && finishedRows(runsCsv) >= rows) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 5);
    child.on("error", reject);
    child.on("exit", (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stderr });
    });
  });
}

describe("sbx sweep on the tax sweep", () => {
  const args = ["sweep", "scenarios/tax_sweep.sbx", "--set", "epochs=3"];
  let serialDir: string;
  let poolDir: string;
  let serial: CliResult;
  let pool: CliResult;
  beforeAll(() => {
    serialDir = scratch();
    poolDir = scratch();
    serial = sbx([...args, "--out", serialDir, "--jobs", "1"]);
    pool = sbx([...args, "--out", poolDir, "--jobs", "2"]);
  });

  it("runs every cell × seed and writes the same files in-process and on the pool", () => {
    expect(serial.code, serial.stderr).toBe(0);
    expect(pool.code, pool.stderr).toBe(0);
    expect(pool.stderr).toContain("8 cells × 12 seeds = 96 runs, 2 at a time");
    expectSameFiles(serialDir, poolDir);
    // Piped: no progress bar.
    expect(pool.stderr).not.toMatch(/\d+\/96 runs|\x1b|\r/);
    expect(pool.stdout).toMatch(/^cell\s+arm\s+transaction_tax\.rate\s+circuit_breaker\.enabled\s+n\s+mean toxicity \(95% CI\)/);
  });

  it("writes one row per run: cell, arm, coordinates, the listed seed, the plan hash and the run's summaries", () => {
    const [header, ...rows] = csv(read(poolDir, "runs.csv"));
    expect(header!.slice(0, 9)).toEqual(["cell", "arm", "governance.transaction_tax.rate", "governance.circuit_breaker.enabled", "seed", "plan_hash", "epochs", "interactions", "accepted"]);
    for (const column of ["mean_toxicity", "mean_quality_gap", "total_welfare", "welfare_per_epoch", "frozen", "mean_payoff_honest", "mean_payoff_adversarial", "criterion.toxicity_threshold"]) expect(header).toContain(column);
    expect(rows).toHaveLength(96);
    const at = (name: string) => header!.indexOf(name);
    const seeds = Array.from({ length: 12 }, (_, i) => String(101 + i));
    for (let cell = 0; cell < 8; cell++) {
      const own = rows.filter((r) => r[0] === String(cell));
      // Listed seeds are used as given, in every cell: common random numbers.
      expect(own.map((r) => r[at("seed")])).toEqual(seeds);
      expect(new Set(own.map((r) => r[at("plan_hash")])).size).toBe(12);
    }
    expect(rows.every((r) => r[at("epochs")] === "3" && r[at("arm")] === "default_profile" && /^sha256:[0-9a-f]{64}$/.test(r[at("plan_hash")]!))).toBe(true);
    expect(rows.map((r) => `${r[at("governance.transaction_tax.rate")]}/${r[at("governance.circuit_breaker.enabled")]}`).filter((_, i) => i % 12 === 0)).toEqual([
      "0/false",
      "0/true",
      "0.05/false",
      "0.05/true",
      "0.1/false",
      "0.1/true",
      "0.15/false",
      "0.15/true",
    ]);
  });

  it("summarises each cell: n, mean, standard deviation and a 95% interval, consistent with runs.csv", () => {
    const summary = JSON.parse(read(poolDir, "summary.json"));
    expect(summary).toMatchObject({ format: "sbx-sweep-summary", version: 1, complete: true, runs: { planned: 96, done: 96 }, level: 0.95 });
    expect(summary.cells).toHaveLength(8);
    const [header, ...rows] = csv(read(poolDir, "runs.csv"));
    for (const cell of summary.cells) {
      expect(cell.n).toBe(12);
      const values = rows.filter((r) => r[0] === String(cell.index)).map((r) => Number(r[header!.indexOf("mean_toxicity")]));
      const tox = cell.metrics.mean_toxicity;
      expect(tox.n).toBe(12);
      expect(tox.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 12, 12);
      expect(tox.ci.lower).toBeLessThanOrEqual(tox.mean);
      expect(tox.ci.upper).toBeGreaterThanOrEqual(tox.mean);
      expect(cell.criteria.min_epochs).toEqual({ pass: 0, fail: 12, undefined: 0 });
    }
    const cells = csv(read(poolDir, "cells.csv"));
    expect(cells).toHaveLength(9);
    expect(cells[0]!.slice(0, 6)).toEqual(["cell", "arm", "governance.transaction_tax.rate", "governance.circuit_breaker.enabled", "cell_plan_hash", "n"]);
    expect(cells[0]).toContain("mean_toxicity.ci_low");
  });

  it("records the sweep: design, parameters, seeds, root seed, sbx version", () => {
    const sweep = JSON.parse(read(poolDir, "sweep.json"));
    expect(sweep).toMatchObject({
      format: "sbx-sweep",
      sweep: "tax_vs_breaker",
      scenario: "status_game",
      design: "grid",
      arms: ["default_profile"],
      seedSource: "listed",
      seeds: Array.from({ length: 12 }, (_, i) => 101 + i),
      rootSeed: 123,
      overrides: ["epochs=3"],
      runs: 96,
    });
    expect(sweep.parameters).toEqual([
      { path: "governance.transaction_tax.rate", values: [0, 0.05, 0.1, 0.15] },
      { path: "governance.circuit_breaker.enabled", values: [false, true] },
    ]);
    expect(sweep.sbxVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(sweep.cells).toHaveLength(8);
  });

  it("resumes: skips the runs already in runs.csv (a row cut short is done again) and ends with the same files", () => {
    const dir = scratch();
    const lines = read(poolDir, "runs.csv").split("\n");
    // Header, 10 finished rows, and half of the 11th, as a kill mid-write leaves it.
    writeFileSync(join(dir, "runs.csv"), `${lines.slice(0, 11).join("\n")}\n${lines[11]!.slice(0, 40)}`);
    const r = sbx([...args, "--out", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("skipped 10 of 96 runs");
    expectSameFiles(poolDir, dir);
    const again = sbx([...args, "--out", dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("skipped 96 of 96 runs");
    expectSameFiles(poolDir, dir);
  });

  it("refuses to mix results of changed plans unless --restart", () => {
    const dir = scratch();
    cpSync(serialDir, dir, { recursive: true });
    const before = read(dir, "runs.csv");
    const r = sbx(["sweep", "scenarios/tax_sweep.sbx", "--set", "epochs=2", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[SBX5002\]: .*runs\.csv holds results of a different sweep: the plan of cell 0 with seed 101 changed/);
    expect(r.stderr).toContain("--restart");
    expect(read(dir, "runs.csv")).toBe(before);
    const restarted = sbx(["sweep", "scenarios/tax_sweep.sbx", "--set", "epochs=2", "--out", dir, "--restart"]);
    expect(restarted.code).toBe(0);
    expect(restarted.stderr).not.toContain("skipped");
    const [header, ...rows] = csv(read(dir, "runs.csv"));
    expect(rows).toHaveLength(96);
    expect(rows.every((row) => row[header!.indexOf("epochs")] === "2")).toBe(true);
  });
});

describe("sbx sweep interrupted", () => {
  const study = 'import "./status_game.sbx" { status_game }\n\nsweep long of status_game {\n  vary governance.circuit_breaker.enabled in [false, true]\n  seeds = 1..40\n}\n';
  const args = ["sweep", "study.sbx", "--set", "epochs=10"];
  let reference: string;
  beforeAll(() => {
    const dir = sweepFolder(study);
    reference = join(dir, "complete");
    const r = sbx([...args, "--out", "complete", "--jobs", "2"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it("killed, keeps every finished run; the next invocation skips them and ends with the uninterrupted sweep's files", async () => {
    const dir = sweepFolder(study);
    const killed = await interrupted([...args, "--out", "out", "--jobs", "1"], dir, join(dir, "out/runs.csv"), 3, "SIGKILL");
    // The kill landed mid-sweep: the process died of it, with runs still to do (a sweep that had finished would fail here).
    expect(killed.signal).toBe("SIGKILL");
    const finished = finishedRows(join(dir, "out/runs.csv"));
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(finished).toBeLessThan(80);
    const resumed = sbx([...args, "--out", "out", "--jobs", "2"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`skipped ${finished} of 80 runs`);
    expectSameFiles(reference, join(dir, "out"));
  });

  it("on Ctrl-C, stops, writes the summaries of what finished, exits 130, and resumes", async () => {
    const dir = sweepFolder(study);
    const stopped = await interrupted([...args, "--out", "out", "--jobs", "2"], dir, join(dir, "out/runs.csv"), 3, "SIGINT");
    // The signal landed mid-sweep: the sweep says it was interrupted, with runs still to do (one that had finished would fail here).
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain("interrupted: run the same command again to resume");
    const summary = JSON.parse(read(join(dir, "out"), "summary.json"));
    expect(summary.complete).toBe(false);
    expect(summary.runs.done).toBeGreaterThanOrEqual(3);
    expect(summary.runs.done).toBeLessThan(80);
    const resumed = sbx([...args, "--out", "out"], { cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`skipped ${summary.runs.done} of 80 runs`);
    expectSameFiles(reference, join(dir, "out"));
  });
});

describe("sbx sweep seeds and exit codes", () => {
  it("derives each replicate's seed from the root seed and records it", () => {
    const dir = sweepFolder('import "./status_game.sbx" { status_game }\n\nsweep derived of status_game {\n  vary governance.circuit_breaker.enabled in [false, true]\n  replicates = 3\n  root_seed = 9\n}\n');
    const r = sbx(["sweep", "study.sbx", "--set", "epochs=2", "--out", "out"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const seeds = [0, 1, 2].map((i) => deriveSeed(9, "replicate", i));
    expect(JSON.parse(read(join(dir, "out"), "sweep.json"))).toMatchObject({ seedSource: "derived", rootSeed: 9, seeds });
    const [header, ...rows] = csv(read(join(dir, "out"), "runs.csv"));
    expect(rows.map((row) => Number(row[header!.indexOf("seed")]))).toEqual([...seeds, ...seeds]);
  });

  it("exits 2 when the engine cannot run the scenario's agents, and says why", () => {
    const dir = sweepFolder('import "./llm_agents.sbx" { llm_agents_v1 }\n\nsweep llm of llm_agents_v1 {\n  vary governance.audit.probability in [10%, 20%]\n  seeds = 1..2\n}\n', "llm_agents");
    const r = sbx(["sweep", "study.sbx", "--out", "out"], { cwd: dir, env: { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the sweep cannot run: .*LLM agent/);
  });

  it("exits 1 on compile errors and 2 on usage and I/O errors", () => {
    const out = scratch();
    const typo = sbx(["sweep", "scenarios/tax_sweep.sbx", "--set", "governance.audit.probabilty=20%", "--out", out]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("(did you mean 'probability'?)");
    expect(sbx(["sweep", "does/not/exist.sbx", "--out", out]).code).toBe(2);
    expect(sbx(["sweep", "scenarios/tax_sweep.sbx", "--sweep", "nope", "--out", out]).code).toBe(2);
    expect(sbx(["sweep", "scenarios/status_game.sbx", "--out", out]).code).toBe(2);
    expect(sbx(["sweep", "scenarios/tax_sweep.sbx", "--jobs", "many", "--out", out]).code).toBe(2);
    expect(existsSync(join(out, "runs.csv"))).toBe(false);
    rmSync(out, { recursive: true, force: true });
  });
});
