/** `sbx run --out`'s writer: events in bounded batches, large events in slices, files complete at each epoch. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileForRun } from "../../src/cli/run-command.ts";
import { agentsCsvPieces, csvLine, RunWriter } from "../../src/cli/run-writer.ts";
import type { AgentRecord } from "../../src/engine/index.ts";
import { evaluateCriteria } from "../../src/criteria/evaluate.ts";
import { fromJsonl, runPlan, type SimEvent } from "../../src/engine/index.ts";
import { ROOT } from "../support/golden.ts";

const work = mkdtempSync(join(tmpdir(), "sbx-writer-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function plan() {
  const compiled = compileForRun(join(ROOT, "scenarios/status_game.sbx"), { epochs: "2" });
  if ("exit" in compiled) throw new Error("status_game does not compile");
  return compiled;
}

describe("RunWriter", () => {
  it("writes events larger than a batch whole, even with a surrogate pair across a slice boundary", () => {
    const { plan: p, planHash } = plan();
    const dir = join(work, "large-event");
    const writer = new RunWriter(dir, p, planHash);
    const prefix = '{"type":"note","text":"';
    // Put a high surrogate at the last position of the first 1 MiB slice.
    const pad = (1 << 20) - 1 - prefix.length;
    const big = { type: "note", text: `${"a".repeat(pad)}${"😀".repeat(400_000)}é` } as unknown as SimEvent;
    expect(JSON.stringify(big).charCodeAt((1 << 20) - 1)).toBe("😀".charCodeAt(0));
    const small = { type: "epoch_started", epoch: 0, step: 0 } as SimEvent;
    writer.event(small);
    writer.event(big);
    writer.event(small);
    const result = runPlan(p);
    writer.finish(result, evaluateCriteria(p, [result]), { problem: "not drawn in this test" });
    const text = readFileSync(join(dir, "events.jsonl"), "utf8");
    expect(text).toBe(`${JSON.stringify(small)}\n${JSON.stringify(big)}\n${JSON.stringify(small)}\n`);
  });

  it("leaves a log of whole events, in order, however many batches it took", () => {
    const { plan: p, planHash } = plan();
    const dir = join(work, "run");
    const writer = new RunWriter(dir, p, planHash);
    const events: SimEvent[] = [];
    const result = runPlan(p, {
      events: (e) => {
        events.push(e);
        writer.event(e);
      },
      onEpoch: writer.epoch,
    });
    expect(writer.finish(result, evaluateCriteria(p, [result]), { problem: "not drawn in this test" })).toBe("not drawn in this test");
    expect(fromJsonl(readFileSync(join(dir, "events.jsonl"), "utf8"))).toEqual(JSON.parse(JSON.stringify(events)));
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { status: string; files: { report: string | null } };
    expect(summary).toMatchObject({ status: "complete", files: { report: null } });
    expect(readFileSync(join(dir, "agents.csv"), "utf8").trim().split("\n")).toHaveLength(p.agents.length + 1);
  });

  it("keeps only finished epochs when interrupted, though events of the next were already written", () => {
    const { plan: p, planHash } = plan();
    const dir = join(work, "interrupted");
    const writer = new RunWriter(dir, p, planHash);
    let first = "";
    let epochs = 0;
    runPlan(p, {
      events: (e) => {
        const line = `${JSON.stringify(e)}\n`;
        if (epochs === 0) first += line;
        // As the run's thread sends them: UTF-8 bytes.
        writer.eventsChunk(new TextEncoder().encode(line));
      },
      onEpoch: (record) => {
        epochs++;
        if (epochs === 1) {
          writer.epoch(record);
          // More than a batch of the next epoch's events reaches the file before the interruption.
          writer.eventsChunk(`${JSON.stringify({ type: "note", text: "x".repeat(1 << 21) })}\n`);
        }
      },
    });
    writer.interrupt();
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).toBe(first);
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { status: string; epochsCompleted: number };
    expect(summary).toMatchObject({ status: "interrupted", epochsCompleted: 1 });
  });

  it("writes agents.csv in pieces whose text is csvLine's, row by row", () => {
    const agents: AgentRecord[] = Array.from({ length: 30_000 }, (_, i) => ({
      id: i % 7 === 0 ? `agent "${i}", quoted` : `agent_${i}`,
      kind: i % 5 === 0 ? "line\nbreak" : "honest",
      group: "g",
      reputation: i / 3 - 1000,
      resources: -0,
      payoff: i % 11 === 0 ? Number.NaN : 1e21 * i,
      frozen: i % 2 === 0,
      interactionsInitiated: i,
      interactionsReceived: 2 ** 40 + i,
    }));
    const pieces = [...agentsCsvPieces(agents)];
    expect(pieces.length).toBeGreaterThan(1);
    const columns = ["id", "kind", "group", "reputation", "resources", "payoff", "frozen", "interactions_initiated", "interactions_received"];
    const rows = agents.map((a) => csvLine([a.id, a.kind, a.group, a.reputation, a.resources, a.payoff, a.frozen, a.interactionsInitiated, a.interactionsReceived]));
    expect(pieces.join("")).toBe(csvLine(columns) + rows.join(""));
  });
});
