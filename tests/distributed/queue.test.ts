/**
 * Queued sweeps (docs/distributed.md) against a real redis-server on a free
 * 127.0.0.1 port, with two real `sbx worker` processes: the files are those
 * of a local sweep, byte for byte; a job is never run twice for being queued
 * twice; a deterministic failure is reported once; the LLM budget and the
 * providers' concurrency hold across workers; a worker killed mid-job and a
 * Redis crash mid-sweep lose nothing and duplicate nothing; the password
 * never shows. Skipped without redis-server, except under CI=true.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, type Job } from "bullmq";
import { Redis } from "ioredis";
import { createColors } from "picocolors";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queuedSweep } from "../../src/cli/queue-command.ts";
import { prepareSweep, type PreparedSweep } from "../../src/cli/sweep-command.ts";
import type { Terminal } from "../../src/cli/terminal.ts";
import { QueueClient } from "../../src/distributed/client.ts";
import { queueTarget } from "../../src/distributed/connection.ts";
import { startLocalRedis, type LocalRedis } from "../../src/distributed/redis-server.ts";
import { PREFIX, RUNS_QUEUE, sweepKeys } from "../../src/distributed/store.ts";
import { planHash } from "../../src/plan/hash.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { sbx } from "../support/cli.ts";
import { expectGolden, ROOT } from "../support/golden.ts";
import { startModelServer, type ModelServer } from "../llm/support/server.ts";
import { describeWithRedis, sbxAsync, start, startWorker, stopWorker, transcript, until, type WorkerProcess } from "./support.ts";

const FILES = ["runs.csv", "cells.csv", "summary.json", "sweep.json"] as const;
const TAX = ["sweep", "scenarios/tax_sweep.sbx", "--set", "epochs=3"];
const GOLDEN = join(ROOT, "tests/distributed/golden");
const read = (dir: string, file: string): string => readFileSync(join(dir, file), "utf8");
const silent: Terminal = { out: () => undefined, err: () => undefined, isTTY: false, color: createColors(false), columns: 100 };

function expectSameFiles(expected: string, actual: string): void {
  for (const f of FILES) expect(read(actual, f), f).toBe(read(expected, f));
}

/** The diagnostic lines of an output (progress and paths vary between runs), the port made stable, for a golden file. */
function diagnosticLines(text: string): string {
  const lines = text.split("\n").filter((l) => /^sbx: (error|warning)\[SBX\d{4}\]/.test(l));
  return lines.map((l) => `${l.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")}\n`).join("");
}

const jobsOf = async (queue: Queue, prefix: string, states: Parameters<Queue["getJobs"]>[0]): Promise<Job[]> =>
  (await queue.getJobs(states, 0, -1)).filter((j) => j.id?.startsWith(`${prefix}.`));

describeWithRedis("queued sweeps on two workers", () => {
  const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;
  const env = { SBX_REDIS_PASSWORD: PASSWORD };
  let server: LocalRedis;
  let url: string;
  let models: ModelServer;
  let workers: WorkerProcess[] = [];
  let dir: string;
  let redis: Redis;
  let runs: Queue;
  let local: string;
  let localStdout: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sbx-queue-"));
    [server, models] = await Promise.all([startLocalRedis({ password: PASSWORD }), startModelServer({ latencyMs: 60, worstCaseUsage: true })]);
    url = server.url;
    const passwordFile = join(dir, "redis-password");
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    // One worker reads the password from a file, the other from the environment.
    workers = await Promise.all([startWorker(url, { ...models.env(), SBX_REDIS_PASSWORD_FILE: passwordFile }), startWorker(url, { ...models.env(), SBX_REDIS_PASSWORD: PASSWORD })]);
    redis = new Redis({ port: server.port, host: "127.0.0.1", password: PASSWORD });
    runs = new Queue(RUNS_QUEUE, { connection: { port: server.port, host: "127.0.0.1", password: PASSWORD }, prefix: PREFIX });
    local = join(dir, "local");
    const r = sbx([...TAX, "--jobs", "1", "--out", local]);
    transcript.push(r.stdout, r.stderr);
    expect(r.code, r.stderr).toBe(0);
    localStdout = r.stdout;
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await runs?.close();
    redis?.disconnect();
    await models?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes the files of a local sweep, byte for byte, from the rows two workers wrote back", async () => {
    const out = join(dir, "queued");
    // The password in the URL this time.
    const q = await sbxAsync([...TAX, "--queue", `redis://:${PASSWORD}@127.0.0.1:${server.port}/0`, "--batch", "4", "--out", out]);
    expect(q.code, q.stderr).toBe(0);
    expectSameFiles(local, out);
    expect(q.stdout).toBe(localStdout);
    expect(q.stderr).toContain("8 cells × 12 seeds = 96 runs in 24 jobs of up to 4 runs, queued as 'tax_vs_breaker' on redis://***@127.0.0.1:");
    const done = await jobsOf(runs, "tax_vs_breaker", ["completed"]);
    expect(done).toHaveLength(24);
    // Both workers took part.
    expect(new Set(done.map((j) => j.processedBy))).toEqual(new Set(workers.map((w) => w.name)));
  });

  it("runs each job once when the same sweep is queued twice, at once and after it is done", async () => {
    const args = [...TAX, "--queue", url, "--name", "twice", "--batch", "4"];
    const [a, b] = await Promise.all([sbxAsync([...args, "--detach"], { env }), sbxAsync([...args, "--detach"], { env })]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(a.stderr + b.stderr).toContain("already queued");
    const out = join(dir, "twice");
    const c = await sbxAsync(["sweep", "--queue", url, "--collect", "twice", "--out", out], { env });
    expect(c.code, c.stderr).toBe(0);
    expectSameFiles(local, out);
    const started = await redis.hgetall(sweepKeys("twice").started);
    expect(Object.keys(started)).toHaveLength(96);
    expect(new Set(Object.values(started))).toEqual(new Set(["1"]));
    const ids = (await jobsOf(runs, "twice", ["completed", "failed", "active", "wait", "delayed"])).map((j) => j.id);
    expect(ids).toHaveLength(24);
    expect(new Set(ids).size).toBe(24);

    // Queued once more, done: nothing runs again, and the files are the same.
    const again = await sbxAsync([...args, "--out", out], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("already queued: 96 of 96 runs are done");
    expectSameFiles(local, out);
    expect(new Set(Object.values(await redis.hgetall(sweepKeys("twice").started)))).toEqual(new Set(["1"]));

    // The same name with other plans is refused.
    const other = await sbxAsync(["sweep", "scenarios/tax_sweep.sbx", "--set", "epochs=4", "--queue", url, "--name", "twice", "--batch", "4", "--detach"], { env });
    expect(other.code).toBe(2);
    expectGolden(join(GOLDEN, "sbx5052-name-taken/expected.stderr"), diagnosticLines(other.stderr));
  });

  it("reports a deterministic failure once, with its diagnostic, and does not retry it", async () => {
    const prepared = prepareSweep(join(ROOT, "scenarios/tax_sweep.sbx"), { set: ["epochs=3"] }, silent) as PreparedSweep;
    // A plan the compiler would never write: two agents share an id, and the engine refuses it every time.
    const brokenCell = prepared.sweep.cells[1]!;
    const agents = brokenCell.plan.agents.map((a, i) => (i === 1 ? { ...a, id: brokenCell.plan.agents[0]!.id } : a));
    const broken: Plan = { ...brokenCell.plan, agents };
    const cells = prepared.sweep.cells.slice(0, 3).map((c) => (c === brokenCell ? { ...c, plan: broken, planHash: planHash(broken) } : c));
    const submission = queuedSweep({ ...prepared, seeds: [101, 102], sweep: { ...prepared.sweep, cells } }, { set: ["epochs=3"] }, "failing", 1);
    const resolved = queueTarget(url, env);
    if (!("target" in resolved)) throw new Error(resolved.problem);
    const client = await QueueClient.connect(resolved.target);
    try {
      expect((await client.submit(submission.manifest, submission.plans)).status).toBe("queued");
    } finally {
      await client.close();
    }
    const c = await sbxAsync(["sweep", "--queue", url, "--collect", "failing", "--out", join(dir, "failing")], { env });
    expect(c.code).toBe(2);
    const who = agents[0]!.id;
    expect(c.stderr.split("\n").filter((l) => l.includes("already registered"))).toEqual([
      `sbx: error[SBX4003]: internal error while running cell 1 with seed 101: agent ${who} already registered`,
      `sbx: error[SBX4003]: internal error while running cell 1 with seed 102: agent ${who} already registered`,
    ]);
    expect(c.stderr).toContain("4 of 6 runs in");
    expect(c.stderr).toContain("2 runs failed; queue the sweep again");
    // Failed at the first attempt, though jobs are allowed three: each run was started once.
    const failed = await jobsOf(runs, "failing", ["failed"]);
    expect(failed.map((j) => [j.attemptsStarted, j.attemptsMade])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(await redis.hmget(sweepKeys("failing").started, "1:101", "1:102")).toEqual(["1", "1"]);
    const reported = workers.map((w) => w.stderr().split("\n").filter((l) => l.includes("already registered")).length);
    expect(reported.reduce((x, y) => x + y, 0)).toBe(2);
  });

  it("has workers refuse the jobs of another sbx release, saying why", async () => {
    const prepared = prepareSweep(join(ROOT, "scenarios/tax_sweep.sbx"), { set: ["epochs=3"] }, silent) as PreparedSweep;
    const submission = queuedSweep({ ...prepared, seeds: [101], sweep: { ...prepared.sweep, cells: prepared.sweep.cells.slice(0, 2) } }, { set: ["epochs=3"] }, "elsewhere", 1);
    const resolved = queueTarget(url, env);
    if (!("target" in resolved)) throw new Error(resolved.problem);
    const client = await QueueClient.connect(resolved.target);
    try {
      await client.submit({ ...submission.manifest, sbxVersion: "0.0.1-other" }, submission.plans);
    } finally {
      await client.close();
    }
    await until(async () => (await jobsOf(runs, "elsewhere", ["failed"])).length === 2);
    const refusals = workers.flatMap((w) => w.stderr().split("\n").filter((l) => l.includes("error[SBX5053]")));
    // Each of the two jobs is refused; under heavy load a job whose lock lapsed may be taken over and refused again.
    expect(new Set(refusals.map((l) => /\(job (\S+)\)$/.exec(l)?.[1])).size).toBe(2);
    expect(refusals.every((l) => /\(job elsewhere\.\d\.[0-9a-f]{16}\.101\)$/.test(l))).toBe(true);
    expect(refusals[0]).toMatch(/^sbx: error\[SBX5053\]: worker \S+\/\d+ refused: this worker runs sbx 0\.1\.0 but the sweep was queued by sbx 0\.0\.1-other, whose numbers may differ; .* \(job elsewhere\.\d\.[0-9a-f]{16}\.101\)$/);
    const failed = await jobsOf(runs, "elsewhere", ["failed"]);
    // Refused, not retried (a run job may be tried 3 times): one attempt, or two where a lapsed lock let another
    // worker take the job over (above).
    expect(failed.every((j) => j.attemptsStarted >= 1 && j.attemptsStarted <= 2 && /^worker \S+\/\d+ refused: this worker runs sbx/.test(j.failedReason))).toBe(true);
    // Nor does this sbx collect it.
    const c = await sbxAsync(["sweep", "--queue", url, "--collect", "elsewhere"], { env });
    expect(c.code).toBe(2);
    expectGolden(join(GOLDEN, "sbx5053-other-release/expected.stderr"), diagnosticLines(c.stderr));
    const missing = await sbxAsync(["sweep", "--queue", url, "--collect", "twcie"], { env });
    expect(missing.code).toBe(2);
    expectGolden(join(GOLDEN, "sbx5054-no-such-sweep/expected.stderr"), diagnosticLines(missing.stderr));
  });

  it("keeps an LLM sweep to its budget and its providers' concurrency across both workers", async () => {
    writeFileSync(
      join(dir, "llm.sbx"),
      `scenario llm_test {
  seed = 7   epochs = 2   steps = 2   profile = "sbx"
  population {
    llm thinkers { count = 3  provider = openai  model = "gpt-4o-mini" }
    honest = 2
  }
  llm { concurrency { openai = 1 } }
}
sweep calls of llm_test { seeds = 1..4 }
`,
    );
    // The plan allows one call in flight at a time: across workers, not per run.
    const free = await sbxAsync(["sweep", "llm.sbx", "--queue", url, "--name", "calls", "--out", join(dir, "calls"), "--quiet"], { cwd: dir, env });
    expect(free.code, free.stderr).toBe(0);
    const calls = await jobsOf(runs, "calls", ["completed"]);
    expect(new Set(calls.map((j) => j.processedBy)).size).toBe(2);
    const overlapping = calls.some((a) => calls.some((b) => a.processedBy !== b.processedBy && a.processedOn! < b.finishedOn! && b.processedOn! < a.finishedOn!));
    expect(overlapping).toBe(true);
    expect(models.maxInFlight).toBe(1);

    // Each answer costs its worst case (worstCaseUsage), priced as the plan prices gpt-4o-mini.
    const cost = (from: number): number =>
      models.requests.slice(from).filter((r) => r.status === 200).reduce((sum, r) => sum + ((Buffer.byteLength(r.ask.system) + Buffer.byteLength(r.ask.user) + 64) * 0.15 + r.ask.maxTokens * 0.6) / 1e6, 0);
    const unbounded = cost(0);
    const budget = Number((unbounded * 0.3).toFixed(6));
    const before = models.requests.length;
    const spend = await sbxAsync(["sweep", "llm.sbx", "--queue", url, "--name", "spend", "--budget", String(budget), "--out", join(dir, "spend"), "--quiet"], { cwd: dir, env });
    expect(spend.code, spend.stderr).toBe(0);
    const spent = cost(before);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(budget);
    expect(new Set((await jobsOf(runs, "spend", ["completed"])).map((j) => j.processedBy)).size).toBe(2);
    const state = await redis.hgetall(sweepKeys("spend").budget);
    expect(Number(state["refused"])).toBeGreaterThan(0);
    expect(Number(state["spent"]) / 1e9).toBeLessThanOrEqual(budget);
    expectGolden(join(GOLDEN, "sbx5055-budget-reached/expected.stderr"), diagnosticLines(spend.stderr).replace(/\$\d+\.\d+/g, "$<usd>").replace(/: \d+ calls? (was|were) not made/, ": <n> calls were not made"));
  });

  it("never shows the Redis password, nor keeps it or an API key in Redis", async () => {
    const wrong = await sbxAsync([...TAX, "--queue", `redis://:not-${PASSWORD}@127.0.0.1:${server.port}/0`, "--detach"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("error[SBX5051]: cannot reach the queue at redis://***@127.0.0.1:");
    expect(wrong.stderr).toContain("refused the credentials");
    const none = await sbxAsync(["worker", "--queue", `redis://127.0.0.1:${server.port}/0`]);
    expect(none.stderr).toContain("Redis asks for a password");

    await Promise.all(workers.map(stopWorker));
    const keys = Object.values(models.env()).filter((v) => v.startsWith("sk-"));
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name !== "redis-password") files.push(readFileSync(p, "utf8"));
      }
    };
    walk(dir);
    const everything = [...transcript, ...files].join("\n");
    expect(transcript.length).toBeGreaterThan(10);
    expect(everything.includes(PASSWORD)).toBe(false);
    for (const k of keys) expect(everything.includes(k)).toBe(false);

    // What the queue holds: jobs, plans, rows, LLM calls.
    const stored: string[] = [];
    for (const key of await redis.keys("*")) {
      const type = await redis.type(key);
      if (type === "string") stored.push((await redis.get(key)) ?? "");
      else if (type === "hash") stored.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === "list") stored.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === "set") stored.push(JSON.stringify(await redis.smembers(key)));
      else if (type === "zset") stored.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === "stream") stored.push(JSON.stringify(await redis.xrange(key, "-", "+")));
    }
    const inRedis = stored.join("\n");
    expect(inRedis).toContain("gpt-4o-mini");
    expect(inRedis.includes(PASSWORD)).toBe(false);
    for (const k of keys) expect(inRedis.includes(k)).toBe(false);
  });
});

describeWithRedis("queued sweeps when a worker or Redis dies", () => {
  let server: LocalRedis;
  let url: string;
  let dir: string;
  let redis: Redis;
  let runs: Queue;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sbx-queue-faults-"));
    server = await startLocalRedis();
    url = server.url;
    // A job without a sign of life for 3 s goes to the other worker.
    workers = await Promise.all([startWorker(url, {}, ["--stall-seconds", "3"]), startWorker(url, {}, ["--stall-seconds", "3"])]);
    redis = new Redis({ port: server.port, host: "127.0.0.1" });
    runs = new Queue(RUNS_QUEUE, { connection: { port: server.port, host: "127.0.0.1" }, prefix: PREFIX });
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await runs?.close();
    redis?.disconnect();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("completes a sweep whose worker is killed mid-job, with no row lost or doubled", async () => {
    copyFileSync(join(ROOT, "scenarios/status_game.sbx"), join(dir, "status_game.sbx"));
    // Two runs of a few seconds each: one per worker.
    writeFileSync(join(dir, "long.sbx"), `import "./status_game.sbx" { status_game }\nsweep long of status_game { seeds = 1..2 }\n`);
    const args = ["sweep", "long.sbx", "--set", "epochs=6000", "--quiet"];
    const collector = start([...args, "--queue", url, "--batch", "1", "--out", join(dir, "queued")], { cwd: dir });
    const [victim, survivor] = workers as [WorkerProcess, WorkerProcess];
    const keys = sweepKeys("long");
    // A job the victim has just begun: active, its run started once and without a row.
    let run = "";
    await until(async () => {
      for (const job of await runs.getActive()) {
        if (job.processedBy !== victim.name || Date.now() - (job.processedOn ?? 0) > 1000) continue;
        const key = `0:${(job.data as { seeds: number[] }).seeds[0]}`;
        if ((await redis.hget(keys.started, key)) === "1" && !(await redis.hexists(keys.rows, key))) {
          run = key;
          return true;
        }
      }
      return false;
    }, 120_000, 10);
    // Killed at once: a run of a few seconds can otherwise finish while the
    // next check starts a process, and the kill would no longer be mid-job.
    victim.child.kill("SIGKILL");
    await victim.done;
    expect(await redis.hexists(keys.rows, run)).toBe(0);
    // Replacing a sweep while its jobs run is refused: the killed job stays
    // active until its lock lapses, and the survivor's run is still going.
    const replace = await sbxAsync([...args, "--queue", url, "--batch", "1", "--restart", "--detach"], { cwd: dir });
    expect(replace.code, replace.stderr).toBe(2);
    expectGolden(join(GOLDEN, "sbx5056-sweep-busy/expected.stderr"), diagnosticLines(replace.stderr).replace(/\d+ of its jobs (is|are) being run; wait for (it|them), or stop the workers running (it|them)/, "<n> of its jobs are being run; wait for them, or stop the workers running them"));

    const done = await collector.done;
    expect(done.code, done.stderr).toBe(0);
    expect(await redis.hget(keys.started, run)).toBe("2");
    expect(done.stderr).toContain("note: 1 run was started more than once");
    const rows = read(join(dir, "queued"), "runs.csv").trimEnd().split("\n").slice(1);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.split(",").slice(0, 3).join(","))).size).toBe(2);
    const local = sbx([...args, "--jobs", "1", "--out", join(dir, "local")], { cwd: dir });
    expect(local.code, local.stderr).toBe(0);
    expectSameFiles(join(dir, "local"), join(dir, "queued"));
    expect(survivor.child.exitCode).toBeNull();
    workers = [survivor, await startWorker(url, {}, ["--stall-seconds", "3"])];
  });

  it("completes a sweep across a Redis crash and restart (append-only file)", async () => {
    const out = join(dir, "restart");
    const collector = start([...TAX.slice(0, 3), "epochs=20", "--queue", url, "--name", "restart", "--batch", "1", "--out", out]);
    const rowsKey = sweepKeys("restart").rows;
    await until(async () => (await redis.hlen(rowsKey).catch(() => 0)) >= 5, 120_000, 10);
    expect(await redis.hlen(rowsKey)).toBeLessThan(96);
    await server.restart({ crash: true });
    const done = await collector.done;
    expect(done.code, done.stderr).toBe(0);
    expect(workers.some((w) => w.stderr().includes("lost the connection"))).toBe(true);
    expect(workers.some((w) => w.stderr().includes("reconnected"))).toBe(true);
    const local = sbx([...TAX.slice(0, 3), "epochs=20", "--jobs", "1", "--out", join(dir, "restart-local")]);
    expect(local.code, local.stderr).toBe(0);
    expectSameFiles(join(dir, "restart-local"), out);
  });
});
