/** `sbx run` writes the files a scenario's `outputs` block names, unless told not to. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sbx } from "../support/cli.ts";

const SCENARIO = `scenario with_outputs {
  seed   = 5
  epochs = 3
  steps  = 4

  population { honest = 3   adversarial = 1 }

  outputs {
    event_log   = "logs/events.jsonl"
    metrics_csv = "results/metrics.csv"
  }
}
`;

describe("sbx run and the scenario's outputs", () => {
  it("writes the declared event log and metrics CSV, and the log replays to the same run", () => {
    const dir = mkdtempSync(join(tmpdir(), "sbx-run-"));
    writeFileSync(join(dir, "s.sbx"), SCENARIO);
    const run = sbx(["run", "s.sbx", "--json"], { cwd: dir });
    expect(run.code).toBe(0);
    const metrics = readFileSync(join(dir, "results/metrics.csv"), "utf8").trim().split("\n");
    expect(metrics).toHaveLength(1 + 3);
    expect(metrics[0]!.startsWith("epoch,interactions,accepted")).toBe(true);
    const replay = sbx(["replay", "logs/events.jsonl", "--json"], { cwd: dir });
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual(JSON.parse(run.stdout));
  });

  it("writes nothing with --no-outputs", () => {
    const dir = mkdtempSync(join(tmpdir(), "sbx-run-"));
    writeFileSync(join(dir, "s.sbx"), SCENARIO);
    expect(sbx(["run", "s.sbx", "--no-outputs"], { cwd: dir }).code).toBe(0);
    expect(existsSync(join(dir, "logs"))).toBe(false);
    expect(existsSync(join(dir, "results"))).toBe(false);
  });
});
