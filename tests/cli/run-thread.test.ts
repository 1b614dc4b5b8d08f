/**
 * `sbx run --out` through the run's thread (src/cli/run-thread.ts): events
 * larger than a slot of the ring go through it in pieces, and the file is
 * byte for byte the log a run on this thread makes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileForRun } from "../../src/cli/run-command.ts";
import { runOnThread, startThread, type ThreadHandlers } from "../../src/cli/run-thread.ts";
import { InvalidPlanError, runWithEvents } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { sbx } from "../support/cli.ts";

const work = mkdtempSync(join(tmpdir(), "sbx-thread-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("sbx run --out on the run's thread", () => {
  it("writes events larger than a slot (a plan of thousands of agents, text beyond ASCII) exactly as a run here logs them", () => {
    const dir = join(work, "large-header");
    mkdirSync(dir, { recursive: true });
    // The header event carries the plan: 8,000 agents and the description make it more than two slots (4 MiB each) long.
    const description = `crowd ${"😀é".repeat(1_500_000)} end`;
    writeFileSync(
      join(dir, "crowd.sbx"),
      `scenario crowd {
  description = "${description}"
  seed = 3
  epochs = 2
  steps = 1
  max_actions_per_step = 8000
  population { honest = 4000  opportunistic = 2000  deceptive = 1500  adversarial = 500 }
}
`,
    );
    const r = sbx(["run", "crowd.sbx", "--out", "out", "--quiet"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const compiled = compileForRun(join(dir, "crowd.sbx"), {});
    if ("exit" in compiled) throw new Error("crowd does not compile");
    const { events, result } = runWithEvents(compiled.plan);
    const log = readFileSync(join(dir, "out/events.jsonl"), "utf8");
    expect(Buffer.byteLength(JSON.stringify(events[0]))).toBeGreaterThan(8 << 20);
    expect(log).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    expect(readFileSync(join(dir, "out/agents.csv"), "utf8").trim().split("\n")).toHaveLength(result.agents.length + 1);
  }, 120_000);
});

/** Handlers that keep the log's text and count the epochs. */
function collecting(): { handlers: ThreadHandlers; text: () => string; epochs: () => number } {
  const chunks: string[] = [];
  let epochs = 0;
  const decoder = new TextDecoder();
  return {
    handlers: {
      events: (e) => chunks.push(typeof e === "string" ? e : decoder.decode(e, { stream: true })),
      epoch: () => epochs++,
      end: () => {},
    },
    text: () => chunks.join(""),
    epochs: () => epochs,
  };
}

describe("the run's thread, started before the plan's hash is known", () => {
  const compiled = compileForRun(join(import.meta.dirname, "../../scenarios/status_game.sbx"), { epochs: "3" });
  if ("exit" in compiled) throw new Error("status_game does not compile");

  it("sets the run up, then runs it with the hash given late: the log is the one a run here writes, its header naming that hash", async () => {
    const pending = startThread(compiled.plan);
    // The thread waits for the hash before the run's first event.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const c = collecting();
    const result = await pending.run(compiled.planHash, c.handlers).result;
    const { events } = runWithEvents(compiled.plan, { planHash: compiled.planHash });
    expect(c.text()).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    expect(JSON.parse(c.text().slice(0, c.text().indexOf("\n"))).planHash).toBe(compiled.planHash);
    expect(c.epochs()).toBe(3);
    expect(result.epochs.length).toBe(3);
  }, 60_000);

  it("fails a plan the engine cannot run with its problems, as the thread did, and runs none of it", async () => {
    const agents = compiled.plan.agents.map((a, i) => (i === 1 ? { ...a, id: compiled.plan.agents[0]!.id } : a));
    const plan = { ...compiled.plan, agents } as Plan;
    const c = collecting();
    const failure = await runOnThread(plan, compiled.planHash, c.handlers).result.then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(InvalidPlanError);
    expect((failure as Error).message).toBe(`agent ${compiled.plan.agents[0]!.id} already registered`);
    expect(c.text()).toBe("");
    expect(c.epochs()).toBe(0);
  }, 60_000);

  it("stops when the run is abandoned before it starts", async () => {
    const pending = startThread(compiled.plan);
    pending.abandon();
    // Given afterwards, nothing runs: the thread is gone.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const c = collecting();
    const outcome = await Promise.race([
      pending.run(compiled.planHash, c.handlers).result.then(
        () => "finished",
        () => "failed",
      ),
      new Promise((resolve) => setTimeout(() => resolve("waiting"), 10_000)),
    ]);
    expect(outcome).toBe("failed");
    expect(c.text()).toBe("");
  }, 60_000);
});
