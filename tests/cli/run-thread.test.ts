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
import { runWithEvents } from "../../src/engine/index.ts";
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
