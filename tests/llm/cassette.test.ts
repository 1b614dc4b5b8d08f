/**
 * Record and replay: a run recorded against the local server (faults
 * included) replays from its cassette, with the server stopped, to a
 * byte-identical event log.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratchDir } from "./support/scratch.ts";
import { toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { createLlmHost, LlmSetupError, runWithLlm } from "../../src/platform/llm/host.ts";
import { faultScript, FAULT_PLAN_SPEC } from "./support/faults.ts";
import { llmPlan } from "./support/plans.ts";
import { startModelServer } from "./support/server.ts";

const scratch = (): string => scratchDir("cassette");

describe("cassettes", () => {
  it("replay a recorded run to a byte-identical log with the server stopped", async () => {
    const dir = scratch();
    const cassette = join(dir, "calls.jsonl");
    const plan = llmPlan(FAULT_PLAN_SPEC, { timeoutSeconds: 0.5 });
    const server = await startModelServer({ script: faultScript, latencyMs: 3 });
    const env = server.env();
    const recorded: SimEvent[] = [];
    const recording = createLlmHost(plan, { mode: "live", env, record: cassette, runtime: { retryBaseSeconds: 0.01 } });
    await runWithLlm(plan, recording, { events: (e) => recorded.push(e) });
    const served = server.requests.length;
    await server.close();

    const lines = readFileSync(cassette, "utf8").trim().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: "sbx-cassette", version: 1, scenario: "llm_test" });
    // Every request and its outcome, faults included.
    expect(lines.length - 1).toBe(served);
    const outcomes = lines.slice(1).map((l) => JSON.parse(l).outcome);
    expect(outcomes.some((o) => o.kind === "fault" && o.fault === "timeout")).toBe(true);
    expect(outcomes.some((o) => o.kind === "fault" && o.fault === "rate_limited" && o.retryAfterSeconds === 0.05)).toBe(true);

    const replayed: SimEvent[] = [];
    // The same environment: a call that reached for the network would fail against the stopped server.
    const replaying = createLlmHost(plan, { mode: "replay", replay: cassette, env });
    await runWithLlm(plan, replaying, { events: (e) => replayed.push(e) });
    expect(toJsonl(replayed)).toBe(toJsonl(recorded));
    expect(replaying.cassetteMisses).toEqual([]);
    expect(replaying.report().totals).toEqual(recording.report().totals);
  });

  it("refuses a cassette from another plan, and reports calls it cannot answer", async () => {
    const dir = scratch();
    const cassette = join(dir, "calls.jsonl");
    const plan = llmPlan({ seed: 5, epochs: 1, steps: 2, groups: [{ name: "m", provider: "openai", count: 2 }] });
    await runWithLlm(plan, createLlmHost(plan, { mode: "dry-run", record: cassette }));
    const other = { ...plan, simulation: { ...plan.simulation, seed: 6 } };
    expect(() => createLlmHost(other, { mode: "replay", replay: cassette })).toThrow(LlmSetupError);
    expect(() => createLlmHost(other, { mode: "replay", replay: cassette })).toThrow(/another plan/);

    // Drop the first answer: that decision falls back, the run diverges from the recording, and the misses are reported.
    const lines = readFileSync(cassette, "utf8").trim().split("\n");
    writeFileSync(cassette, `${[lines[0], ...lines.slice(2)].join("\n")}\n`);
    const host = createLlmHost(plan, { mode: "replay", replay: cassette });
    const events: SimEvent[] = [];
    await runWithLlm(plan, host, { events: (e) => events.push(e) });
    const dropped = JSON.parse(lines[1]!).call as string;
    expect(host.cassetteMisses[0]).toMatch(new RegExp(`^${dropped.replace(/[/#]/g, "\\$&")}: `));
    expect(events.some((e) => e.type === "llm_fault" && e.fault === "cassette_miss")).toBe(true);
    expect(events.some((e) => e.type === "llm_fallback")).toBe(true);
  });
});
