/** The run pool: the same outcomes on threads and in-process; engine failures are outcomes, not crashes. */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { Worker } from "node:worker_threads";
import { jobsFor, openPool, parseJobs, RUNNER_RESOURCE_LIMITS, THREADS_PAY_OFF_AT_AGENT_STEPS } from "../../src/cli/pool.ts";
import { executeRun, withSeed } from "../../src/cli/run-outcome.ts";
import { sweepLayout } from "../../src/cli/sweep-files.ts";
import { runRows } from "../../src/cli/sweep-rows.ts";
import { rowBatches, runsHereToo } from "../../src/cli/sweep-command.ts";
import { compileSweep } from "../../src/compiler/sweep.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { diskHost } from "../support/compiler.ts";
import { ROOT } from "../support/golden.ts";

function planOf(file: string, overrides: { path: string; value: string }[] = []): Plan {
  const result = compile(diskHost(), [join(ROOT, file)], { overrides });
  return result.scenarios[0]!.plan!;
}

describe("the run pool", () => {
  const status = planOf("scenarios/status_game.sbx", [{ path: "epochs", value: "3" }]);
  // A plan the compiler never produces (two agents share an id): the engine refuses it.
  const broken: Plan = { ...status, agents: status.agents.map((a, i) => (i === 1 ? { ...a, id: status.agents[0]!.id } : a)) };
  const llm = planOf("scenarios/llm_agents.sbx");
  const sweep = compileSweep(diskHost(), join(ROOT, "scenarios/tax_sweep.sbx"), undefined, { overrides: [{ path: "epochs", value: "3" }] }).sweep!;

  // Without a provider key the LLM scenario cannot run live; with one, this test would call the provider.
  const keyless = !process.env["ANTHROPIC_API_KEY"]?.trim();

  it.runIf(keyless)("gives the same outcomes on worker threads as in-process, and classifies failures", async () => {
    const plans = [withSeed(status, 1), broken, withSeed(status, 2), llm, withSeed(status, 3)];
    const pool = openPool(2, plans.length);
    expect(pool.jobs).toBe(2);
    const replies = await Promise.all(plans.map((p) => pool.run(p)));
    await pool.close();
    const local = plans.map(executeRun);
    expect(replies.map((r) => (r.ok ? "ok" : r.failure.kind))).toEqual(["ok", "internal", "ok", "unsupported", "ok"]);
    expect(replies.filter((r) => r.ok)).toEqual(local.filter((r) => r.ok));
    expect(replies[1]).toMatchObject({ ok: false, failure: { message: expect.stringMatching(/already registered/) } });
    expect(replies[3]).toMatchObject({ ok: false, failure: { message: expect.stringMatching(/LLM agent/) } });
  });

  it.runIf(keyless)("shares the runs between this thread and worker threads, with the same outcomes", async () => {
    const plans = [withSeed(status, 1), broken, withSeed(status, 2), llm, withSeed(status, 3), withSeed(status, 4)];
    const pool = openPool(2, plans.length, { mainThread: true });
    expect(pool.jobs).toBe(2);
    const replies = await Promise.all(plans.map((p) => pool.run(p)));
    await pool.close();
    expect(replies.map((r) => (r.ok ? "ok" : r.failure.kind))).toEqual(["ok", "internal", "ok", "unsupported", "ok", "ok"]);
    expect(replies.filter((r) => r.ok)).toEqual(plans.map(executeRun).filter((r) => r.ok));
  });

  it("gives a sweep cell's rows, the same from both runners, and cancels the queued ones when closed", async () => {
    const layout = sweepLayout(sweep);
    const cell = sweep.cells[0]!;
    const task = (seeds: number[]) => ({ layout, cell: { index: cell.index, arm: cell.arm, coords: cell.coords, planHash: cell.planHash }, plan: cell.plan, seeds });
    const expected = runRows(task([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(expected.every((r) => r.ok)).toBe(true);
    const pool = openPool(2, 4, { mainThread: true });
    const batches = [[1, 2], [3, 4], [5, 6], [7, 8]].map((seeds) => pool.rows(task(seeds)));
    expect((await Promise.all(batches)).flat()).toEqual(expected);
    // Closed as soon as one batch is back: the batches still queued are cancelled, never run.
    const more = [[1], [2], [3], [4], [5], [6], [7], [8]].map((seeds) => pool.rows(task(seeds)));
    await Promise.race(more);
    await pool.close();
    const settled = (await Promise.all(more)).flat();
    expect(settled.filter((r) => r.ok)).toEqual(expected.filter((r) => settled.some((s) => s.ok && s.seed === r.seed)));
    expect(settled.filter((r) => !r.ok).map((r) => !r.ok && r.failure.kind)).toContain("cancelled");
    expect(await pool.rows(task([1]))).toMatchObject([{ seed: 1, ok: false, failure: { kind: "cancelled" } }]);
  });

  it("batches a sweep's runs by cell, the cells taking turns, every run once", () => {
    const runsOf = (epochs: number) => {
      const s = compileSweep(diskHost(), join(ROOT, "scenarios/tax_sweep.sbx"), undefined, { overrides: [{ path: "epochs", value: String(epochs) }] }).sweep!;
      return s.cells.flatMap((cell) => s.seeds.map((seed, order) => ({ cell, order, seed, plan: withSeed(cell.plan, seed) })));
    };
    for (const epochs of [3, 20, 400]) {
      const runs = runsOf(epochs);
      const batches = rowBatches(runs);
      expect(batches.flat().sort((a, b) => runs.indexOf(a) - runs.indexOf(b))).toEqual(runs);
      for (const b of batches) expect(new Set(b.map((r) => r.cell)).size).toBe(1);
      // The first batches are one of each cell, in the cells' order.
      expect(batches.slice(0, sweep.cells.length).map((b) => b[0]!.cell.index)).toEqual(sweep.cells.map((c) => c.index));
    }
    // Short runs go several to a batch, long ones one at a time.
    expect(rowBatches(runsOf(3)).length).toBeLessThan(runsOf(3).length);
    // This thread runs batches too only while every run is short (5 agents × 15 steps per epoch):
    // a long run here would hold back a Ctrl-C and the threads' finished rows until it ended.
    expect(runsHereToo(runsOf(400))).toBe(true);
    expect(runsHereToo(runsOf(6666))).toBe(true);
    expect(runsHereToo(runsOf(6667))).toBe(false);
    expect(runsHereToo([...runsOf(3), ...runsOf(7000).slice(0, 1)])).toBe(false);
    expect(rowBatches(runsOf(400)).length).toBe(runsOf(400).length);
  });

  it("runs in-process for one job, in order, and cancels what is left when closed", async () => {
    const pool = openPool(1);
    const first = pool.run(withSeed(status, 1));
    const second = pool.run(withSeed(status, 2));
    expect((await first).ok).toBe(true);
    await pool.close();
    expect(await second).toMatchObject({ ok: false, failure: { kind: "cancelled" } });
  });

  it("reads --jobs, and when it is absent uses threads only for work that repays them", () => {
    expect(parseJobs("3")).toEqual({ jobs: 3 });
    expect(parseJobs(undefined)).toEqual({ jobs: null });
    for (const bad of ["0", "-1", "1.5", "two", ""]) expect(parseJobs(bad)).toHaveProperty("problem");
    const steps = status.simulation.epochs * status.simulation.stepsPerEpoch * status.agents.length;
    expect(jobsFor(null, [status, status])).toBe(1);
    expect(jobsFor(null, Array.from({ length: Math.ceil(THREADS_PAY_OFF_AT_AGENT_STEPS / steps) }, () => status))).toBe(availableParallelism());
    expect(jobsFor(4, [status])).toBe(4);
  });

  it("gives its threads a larger young generation than V8's default, and the default old generation", async () => {
    // What a thread reports as its heap's limits, started as given.
    const limitsOf = (options: { resourceLimits?: typeof RUNNER_RESOURCE_LIMITS }) =>
      new Promise<Record<string, number>>((resolve, reject) => {
        const w = new Worker(`require("node:worker_threads").parentPort.postMessage(require("node:worker_threads").resourceLimits)`, { eval: true, ...options });
        w.once("message", (m: Record<string, number>) => void w.terminate().then(() => resolve(m)));
        w.once("error", reject);
      });
    const [byDefault, runner] = await Promise.all([limitsOf({}), limitsOf({ resourceLimits: RUNNER_RESOURCE_LIMITS })]);
    // Fewer scavenges for an engine that allocates fast (src/cli/pool.ts), and no lower a ceiling for a large run's heap.
    expect(runner["maxYoungGenerationSizeMb"]).toBe(RUNNER_RESOURCE_LIMITS.maxYoungGenerationSizeMb);
    expect(runner["maxYoungGenerationSizeMb"]).toBeGreaterThanOrEqual(2 * byDefault["maxYoungGenerationSizeMb"]!);
    expect(runner["maxOldGenerationSizeMb"]).toBe(byDefault["maxOldGenerationSizeMb"]);
  });
});
