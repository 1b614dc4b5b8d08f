/**
 * `npm run bench:sweep`: the tax sweep over the status game (4 tax rates ×
 * breaker on/off × 12 seeds = 96 runs) through `sbx sweep`, first serially
 * (`--jobs 1`, in-process) and then on the worker pool (`--jobs 2`), and
 * the two wall times and the speed-up as JSON. The goal is ≥ 1.8× on two
 * cores. Each timing covers the whole command — compile, pool start-up,
 * runs, the files — but not Node's own start-up. The two sweeps' files
 * must be byte-identical, and the benchmark fails if they are not.
 *
 * It does the same for the sweep with 20× longer runs (`--set epochs=400`),
 * where the pool's start-up (each thread loads sbx and warms up V8's
 * compiler on its own) is amortised.
 *
 * Options: --repeat N (default 2; the best time of each is reported, since
 * other processes on the machine only ever add time), --jobs N (default 2),
 * --long-epochs N (default 400).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createColors } from "picocolors";
import { PACKAGE_ROOT } from "../src/platform/node-host.ts";
import { sweepCommand } from "../src/cli/sweep-command.ts";
import type { Terminal } from "../src/cli/terminal.ts";

const SCENARIO = join(PACKAGE_ROOT, "scenarios/tax_sweep.sbx");
const FILES = ["runs.csv", "cells.csv", "summary.json", "sweep.json"];

const silent: Terminal = { out: () => undefined, err: () => undefined, isTTY: false, color: createColors(false), columns: 100 };

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * One sweep's wall time, and the CPU time (user + system) of this process — its worker
 * threads and V8's helper threads included — with the one-minute load average when it
 * started: on a shared machine, CPU time tells real overhead from waiting for a core.
 */
async function timedSweep(jobs: number, extra: readonly string[] = []): Promise<{ seconds: number; cpu: number; load: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `sbx-bench-sweep-${jobs}-`));
  const load = loadavg()[0]!;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const code = await sweepCommand(SCENARIO, { out: dir, jobs: String(jobs), set: [...extra] }, silent);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpuStart);
  if (code !== 0) throw new Error(`sbx sweep --jobs ${jobs} exited ${code}`);
  return { seconds, cpu: (used.user + used.system) / 1e6, load, dir };
}

const repeat = option("repeat", 2);
const jobs = option("jobs", 2);
const longEpochs = option("long-epochs", 400);

/** Serial, then pooled, `repeat` times; the best of each (other processes on the machine only ever add time). */
async function compare(extra: readonly string[]) {
  const serial: number[] = [];
  const pooled: number[] = [];
  const serialCpu: number[] = [];
  const pooledCpu: number[] = [];
  const loads: number[] = [];
  for (let i = 0; i < repeat; i++) {
    // Alternate which goes first, so neither always runs on a machine the other just warmed (or loaded).
    const first = await timedSweep(i % 2 ? jobs : 1, extra);
    const second = await timedSweep(i % 2 ? 1 : jobs, extra);
    const [a, b] = i % 2 ? [second, first] : [first, second];
    for (const f of FILES) {
      if (readFileSync(join(a.dir, f), "utf8") !== readFileSync(join(b.dir, f), "utf8")) throw new Error(`${f} differs between --jobs 1 and --jobs ${jobs}`);
    }
    const runs = readFileSync(join(a.dir, "runs.csv"), "utf8").trimEnd().split("\n").length - 1;
    if (runs !== 96) throw new Error(`expected 96 runs, found ${runs}`);
    serial.push(a.seconds);
    pooled.push(b.seconds);
    serialCpu.push(a.cpu);
    pooledCpu.push(b.cpu);
    loads.push(round(a.load, 2), round(b.load, 2));
    for (const d of [a.dir, b.dir]) rmSync(d, { recursive: true, force: true });
  }
  const best = (xs: readonly number[]) => Math.min(...xs);
  return {
    set: extra,
    serial: { jobs: 1, seconds: round(best(serial)), all: serial.map((x) => round(x)), cpuSeconds: serialCpu.map((x) => round(x)) },
    pool: { jobs, seconds: round(best(pooled)), all: pooled.map((x) => round(x)), cpuSeconds: pooledCpu.map((x) => round(x)) },
    speedup: round(best(serial) / best(pooled), 2),
    /** The one-minute load average as each sweep started (serial and pool, in the order run). */
    loadAverages: loads,
  };
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

// Warm the compiler in this process so neither measurement pays for it alone.
rmSync((await timedSweep(1, ["epochs=1"])).dir, { recursive: true, force: true });

const asWritten = await compare([]);
// The same sweep with runs 20× longer: how the pool does once its start-up is amortised.
const longRuns = await compare([`epochs=${longEpochs}`]);

console.log(
  JSON.stringify(
    {
      benchmark: "sbx sweep scenarios/tax_sweep.sbx (4 × 2 grid × 12 seeds of status_game = 96 runs)",
      node: process.version,
      cores: availableParallelism(),
      loadAverage: loadavg().map((x) => round(x, 2)),
      repeat,
      goal: 1.8,
      speedup: asWritten.speedup,
      asWritten,
      longRuns,
      identicalOutputs: true,
    },
    null,
    2,
  ),
);
