/**
 * `npm run bench:distributed`: queued sweeps (docs/distributed.md) against a
 * private redis-server, with real `sbx worker` processes, for runs of about
 * 3 ms and about 100 ms of the status game. One JSON line per measurement:
 *
 *  - `local`: the runs one after another in this process (the engine alone):
 *    the baseline.
 *  - `overhead`: the same runs through the queue on one worker, at a batch
 *    size (runs per job): the queue's cost per job (its wall time less the
 *    local time, over the jobs) and that cost as a share of a job's work.
 *    For the short runs the batch doubles until the share is under 10%.
 *  - `throughput`: runs per second on one worker and on two (one job at a
 *    time each, 16 jobs of the batch size found above), and the speed-up.
 *
 * The times are wall times on a machine others may be using: each is the
 * best of --repeat tries (default 2), since other load only ever adds time.
 * Options: --repeat N, --short-runs N (default 300), --long-runs N (default 24).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createColors } from "picocolors";
import { queuedSweep } from "../src/cli/queue-command.ts";
import { executeRun, withSeed } from "../src/cli/run-outcome.ts";
import { prepareSweep, type PreparedSweep } from "../src/cli/sweep-command.ts";
import type { Terminal } from "../src/cli/terminal.ts";
import { QueueClient } from "../src/distributed/client.ts";
import { queueTarget } from "../src/distributed/connection.ts";
import { startLocalRedis } from "../src/distributed/redis-server.ts";
import { sweepKeys } from "../src/distributed/store.ts";
import { PACKAGE_ROOT } from "../src/platform/node-host.ts";

const silent: Terminal = { out: () => undefined, err: () => undefined, isTTY: false, color: createColors(false), columns: 100 };
const SBX = join(PACKAGE_ROOT, "dist/sbx.mjs");

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
const repeat = option("repeat", 2);
const shortRuns = option("short-runs", 300);
const longRuns = option("long-runs", 24);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const line = (value: Record<string, unknown>): void => console.log(JSON.stringify(value));

const dir = mkdtempSync(join(tmpdir(), "sbx-bench-queue-"));
copyFileSync(join(PACKAGE_ROOT, "scenarios/status_game.sbx"), join(dir, "status_game.sbx"));

/** The status game swept over `runs` seeds with `epochs` epochs: compiled as `sbx sweep` would. */
function sweepOf(runs: number, epochs: number): PreparedSweep {
  const file = join(dir, `bench-${runs}.sbx`);
  writeFileSync(file, `import "./status_game.sbx" { status_game }\nsweep bench of status_game { seeds = 1..${runs} }\n`);
  const prepared = prepareSweep(file, { set: [`epochs=${epochs}`], quiet: true }, silent);
  if ("exit" in prepared) throw new Error(`the benchmark's sweep does not compile (exit ${prepared.exit})`);
  return prepared;
}

/** Seconds for every run of the sweep, one after another in this process. */
function localSeconds(prepared: PreparedSweep): number {
  const plans = prepared.runs.map((r) => withSeed(r.plan, r.seed));
  const start = performance.now();
  for (const plan of plans) if (!executeRun(plan).ok) throw new Error("a run failed");
  return (performance.now() - start) / 1000;
}

/** Milliseconds per run with `epochs` epochs, in this process (warm). */
function msPerRun(epochs: number): number {
  const probe = sweepOf(10, epochs);
  localSeconds(probe);
  return Math.min(localSeconds(probe), localSeconds(probe)) * 100;
}

/** Epochs for runs of about `ms` milliseconds in this process: doubling, then interpolating. */
function epochsFor(ms: number): number {
  let low = { epochs: 1, ms: msPerRun(1) };
  if (low.ms >= ms) return 1;
  for (;;) {
    const high = { epochs: low.epochs * 2, ms: msPerRun(low.epochs * 2) };
    if (high.ms >= ms) return Math.max(1, Math.round(low.epochs + ((ms - low.ms) / Math.max(1e-9, high.ms - low.ms)) * (high.epochs - low.epochs)));
    low = high;
  }
}

const server = await startLocalRedis();
const resolved = queueTarget(server.url, {});
if ("problem" in resolved) throw new Error(resolved.problem);
const client = await QueueClient.connect(resolved.target);
const redis = new Redis({ host: "127.0.0.1", port: server.port });
const workers: ChildProcess[] = [];

async function startWorkers(n: number): Promise<void> {
  while (workers.length < n) {
    const child = spawn(process.execPath, [SBX, "worker", "--queue", server.url, "--concurrency", "1"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        if (err.includes("sbx worker ")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`sbx worker exited (${code}): ${err}`)));
    });
    workers.push(child);
  }
}

async function stopWorkers(n: number): Promise<void> {
  while (workers.length > n) {
    const child = workers.pop()!;
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

let serial = 0;
/** Seconds from queuing the sweep to its last row, with `batch` runs per job. */
async function queuedSeconds(prepared: PreparedSweep, batch: number): Promise<number> {
  const { manifest, plans } = queuedSweep(prepared, { set: [] }, `bench${serial++}`, batch);
  const rows = sweepKeys(manifest.name).rows;
  const start = performance.now();
  const result = await client.submit(manifest, plans);
  if (result.status !== "queued") throw new Error(`could not queue the benchmark's sweep: ${result.status}`);
  while ((await redis.hlen(rows)) < manifest.runs) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - start) / 1000;
  await client.forget(manifest);
  return seconds;
}

const best = async (f: () => Promise<number> | number): Promise<number> => {
  let b = Infinity;
  for (let i = 0; i < repeat; i++) b = Math.min(b, await f());
  return b;
};

try {
  line({ benchmark: "queued sweeps of the status game on a private redis-server", node: process.version, cores: availableParallelism(), loadAverage: loadavg().map((x) => round(x, 2)), repeat });
  await startWorkers(2);
  // Warm both workers' threads (their JIT) before anything is timed.
  await queuedSeconds(sweepOf(40, 5), 1);

  const summary: Record<string, unknown> = {};
  for (const [label, targetMs, runs] of [["3ms", 3, shortRuns], ["100ms", 100, longRuns]] as const) {
    const epochs = epochsFor(targetMs);
    const prepared = sweepOf(runs, epochs);
    const local = await best(() => localSeconds(prepared));
    const perRunMs = (local * 1000) / runs;
    line({ measure: "local", runs: label, epochs, count: runs, seconds: round(local), msPerRun: round(perRunMs, 2) });

    await stopWorkers(1);
    let chosen = 1;
    for (let batch = 1; batch <= runs; batch *= 2) {
      const queued = await best(() => queuedSeconds(prepared, batch));
      const jobs = Math.ceil(runs / batch);
      const overheadMs = Math.max(0, ((queued - local) * 1000) / jobs);
      const share = overheadMs / (batch * perRunMs);
      line({ measure: "overhead", runs: label, batch, jobs, seconds: round(queued), overheadMsPerJob: round(overheadMs, 2), overheadShare: round(share, 3) });
      chosen = batch;
      if (share < 0.1) break;
    }

    // Enough jobs that two workers can share them evenly.
    const many = sweepOf(chosen * 16, epochs);
    const one = await best(() => queuedSeconds(many, chosen));
    await startWorkers(2);
    const two = await best(() => queuedSeconds(many, chosen));
    await stopWorkers(1);
    const count = many.runs.length;
    line({ measure: "throughput", runs: label, batch: chosen, count, oneWorkerRunsPerSecond: round(count / one, 1), twoWorkersRunsPerSecond: round(count / two, 1), speedup: round(one / two, 2) });
    summary[label] = { epochs, msPerRun: round(perRunMs, 2), batchUnderTenPercent: chosen, twoWorkersSpeedup: round(one / two, 2) };
  }
  line({ summary });
} finally {
  await stopWorkers(0);
  await client.close();
  redis.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
