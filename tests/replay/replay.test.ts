/** `sbx replay` end to end: the same output as the run that wrote the log, cut logs, and what is not a log. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sbx } from "../support/cli.ts";

const scratch = () => mkdtempSync(join(tmpdir(), "sbx-replay-"));

/** `sbx run --out DIR --json` once: its document, exit code and log. */
function recorded(file: string, extra: readonly string[] = []) {
  const dir = scratch();
  const run = sbx(["run", file, "--out", dir, "--json", ...extra]);
  return { dir, run, doc: JSON.parse(run.stdout), events: join(dir, "events.jsonl") };
}

describe("sbx replay", () => {
  it.each([
    ["scenarios/strict_governance.sbx", []],
    ["scenarios/network_effects.sbx", ["--set", "epochs=4"]],
    ["scenarios/status_game.sbx", ["--profile", "sbx", "--seed", "7"]],
  ] as const)("recomputes %s %j exactly: the same --json document and exit code as the run", (file, extra) => {
    const { run, doc, events } = recorded(file, extra);
    const replayed = sbx(["replay", events, "--json"]);
    expect(replayed.code).toBe(run.code);
    expect(replayed.stderr).toBe("");
    expect(JSON.parse(replayed.stdout)).toEqual(doc);
    if (file.includes("strict_governance")) expect(replayed.code).toBe(3);
  });

  it("prints the run's table, summary and verdicts line for line", () => {
    const dir = scratch();
    const run = sbx(["run", "scenarios/strict_governance.sbx", "--out", dir]);
    const replayed = sbx(["replay", join(dir, "events.jsonl")]);
    expect(replayed.code).toBe(3);
    // `sbx run --out` adds lines naming the files it wrote; everything before it is the same.
    expect(run.stdout.replace(/(\nwrote [^\n]*)+\n$/, "")).toBe(replayed.stdout);
    expect(replayed.stdout).toContain("FAIL  toxicity_threshold  (0.3229 > 0.3)");
  });

  it("replays the finished epochs of a log cut mid-run, and says so", () => {
    const { doc, events } = recorded("scenarios/strict_governance.sbx");
    const lines = readFileSync(events, "utf8").split("\n");
    const third = lines.map((l) => l.includes('"type":"epoch_completed"')).reduce<number[]>((at, yes, i) => (yes ? [...at, i] : at), [])[2]!;
    const cut = join(scratch(), "cut.jsonl");
    // Three finished epochs, part of the fourth, and a line cut in the middle, as a crash leaves them.
    writeFileSync(cut, `${lines.slice(0, third + 6).join("\n")}\n${lines[third + 6]!.slice(0, 25)}`);
    const r = sbx(["replay", cut, "--json"]);
    expect(r.code).toBe(3); // min_epochs cannot pass on 3 epochs
    expect(r.stderr).toContain("the log was cut before the run completed: replaying the 3 finished epochs of 15");
    const replayed = JSON.parse(r.stdout);
    expect(replayed.epochs).toEqual(doc.epochs.slice(0, 3));
    expect(replayed.cut).toEqual({ epochsCompleted: 3, epochsPlanned: 15 });
    expect(replayed.criteria[0]).toMatchObject({ id: "min_epochs", status: "fail", observed: 3 });
    const text = sbx(["replay", cut]);
    expect(text.stdout).toContain("epochs 3 ");
    expect(text.stdout).toContain("FAIL  min_epochs  (3 < 15)");
  });

  it("rejects what is not an sbx event log with SBX5007 (exit 2), and a missing file with SBX5001", () => {
    const { events } = recorded("scenarios/baseline.sbx", ["--set", "epochs=2"]);
    const text = readFileSync(events, "utf8");
    const dir = scratch();
    const cases: Record<string, [string, string]> = {
      "header-cut.jsonl": [text.slice(0, 200), "the file ends before its header (run_started) is complete"],
      "metrics.csv": ["epoch,toxicity\n0,0.3\n", "line 1 is not JSON"],
      // A recorded metric that the recomputation contradicts: the log was edited or is corrupt.
      "tampered.jsonl": [
        text.replace(/("type":"epoch_completed","epoch":0,"metrics":\{[^}]*?"interactions":)(\d+)/, (_, head: string, n: string) => `${head}${Number(n) + 1}`),
        "it does not replay: epoch 0: metrics interactions replays as",
      ],
    };
    for (const [name, [content, why]] of Object.entries(cases)) {
      writeFileSync(join(dir, name), content);
      const r = sbx(["replay", name], { cwd: dir });
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain(`${name}: error[SBX5007]: invalid event log: ${why}`);
      expect(r.stdout, name).toBe("");
    }
    const missing = sbx(["replay", "nope.jsonl"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error[SBX5001]: cannot read nope.jsonl: no such file");
  });
});
