/** The run pool: the same outcomes on threads and in-process; engine failures are outcomes, not crashes. */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { jobsFor, openPool, parseJobs, THREADS_PAY_OFF_AT_AGENT_STEPS } from "../../src/cli/pool.ts";
import { executeRun, withSeed } from "../../src/cli/run-outcome.ts";
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
});
