/**
 * `sbx run --out` through the run's thread (src/cli/run-thread.ts): events
 * larger than a slot of the ring go through it in pieces, and the file is
 * byte for byte the log a run on this thread makes.
 */
import fc from "fast-check";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileForRun } from "../../src/cli/run-command.ts";
import { linePieces } from "../../src/cli/run-thread.ts";
import { runWithEvents } from "../../src/engine/index.ts";
import { sbx } from "../support/cli.ts";

const work = mkdtempSync(join(tmpdir(), "sbx-thread-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("linePieces", () => {
  it("cuts a line into pieces that join back into it, never splitting a surrogate pair", () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom("a", "é", "😀", "\ud800", "\udc00"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })), maxLength: 200 });
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 9 }), (line, size) => {
        const pieces = [...linePieces(line, size)];
        expect(pieces.join("")).toBe(line);
        for (const [i, piece] of pieces.entries()) {
          expect(piece.length).toBeGreaterThan(0);
          expect(piece.length).toBeLessThanOrEqual(size);
          const last = piece.charCodeAt(piece.length - 1);
          const next = pieces[i + 1]?.charCodeAt(0) ?? 0;
          expect(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("sbx run --out on the run's thread", () => {
  it("writes events larger than a slot (a plan of thousands of agents, text beyond ASCII) exactly as a run here logs them", () => {
    const dir = join(work, "large-header");
    mkdirSync(dir, { recursive: true });
    // The header event carries the plan: 8,000 agents and the description make it more than two slots (1 MiB each) long.
    const description = `crowd ${"😀é".repeat(200_000)} end`;
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
    expect(JSON.stringify(events[0]).length).toBeGreaterThan(2 << 20);
    expect(log).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    expect(readFileSync(join(dir, "out/agents.csv"), "utf8").trim().split("\n")).toHaveLength(result.agents.length + 1);
  }, 120_000);
});
