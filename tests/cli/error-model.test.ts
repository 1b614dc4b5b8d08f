/**
 * One error model (issue 10, item 6): a plan, an event log, a cassette or a
 * folder from outside sbx that the engine cannot use is reported as an
 * `error[SBXnnnn]` naming the file, with its exit code — never as an
 * internal error (SBX4003) or a stack trace. Each input here reached the user
 * as one before.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planHash } from "../../src/plan/hash.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { sbx, type CliResult } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const scratch = (): string => mkdtempSync(join(tmpdir(), "sbx-errors-"));

function compiledPlan(dir: string, scenario: string, extra: readonly string[] = []): Plan {
  const out = join(dir, "compiled.json");
  const r = sbx(["compile", join(ROOT, scenario), "--out", out, ...extra]);
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as Plan;
}

function expectNoCrash(r: CliResult): void {
  expect(r.stderr).not.toMatch(/SBX4003|internal error|\n\s+at /);
}

describe("sbx run plan.json: the engine's checks are diagnostics (SBX5070)", () => {
  it("refuses two agents with one id before anything runs, naming the plan file, exit 1", () => {
    const dir = scratch();
    const plan = compiledPlan(dir, "scenarios/baseline.sbx", ["--set", "epochs=2"]);
    const twin = { ...plan, agents: plan.agents.map((a, i) => (i === 1 ? { ...a, id: plan.agents[0]!.id } : a)) };
    writeFileSync(join(dir, "twin.json"), JSON.stringify(twin));
    const r = sbx(["run", "twin.json"], { cwd: dir });
    expectNoCrash(r);
    expect(r.stderr).toContain(`twin.json: error[SBX5070]: the plan cannot run: agent ${plan.agents[0]!.id} already registered`);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
  });

  it("refuses LLM agents outside async mode (the scheduler threw this as an internal error)", () => {
    const dir = scratch();
    const plan = compiledPlan(dir, "scenarios/llm_agents.sbx", ["--set", "epochs=1"]);
    expect(plan.simulation.mode).toBe("async");
    writeFileSync(join(dir, "sync.json"), JSON.stringify({ ...plan, simulation: { ...plan.simulation, mode: "sync" } }));
    const r = sbx(["run", "sync.json", "--dry-run"], { cwd: dir });
    expectNoCrash(r);
    expect(r.stderr).toContain('sync.json: error[SBX5070]: the plan cannot run: LLM agents decide asynchronously: they need simulation.mode "async"');
    expect(r.code).toBe(1);
  });
});

describe("sbx replay of a tampered log: SBX5007, exit 2", () => {
  function logOf(dir: string): string[] {
    const r = sbx(["run", join(ROOT, "scenarios/baseline.sbx"), "--epochs", "2", "--out", join(dir, "run"), "--no-outputs"]);
    expect(r.code, r.stderr).toBe(3); // two epochs are too few for its criteria; the log is whole
    return readFileSync(join(dir, "run/events.jsonl"), "utf8").trim().split("\n");
  }

  it("a header whose plan cannot run, even with a matching planHash", () => {
    const dir = scratch();
    const lines = logOf(dir);
    const header = JSON.parse(lines[0]!) as { plan: Plan; planHash: string };
    const plan = { ...header.plan, agents: header.plan.agents.map((a, i) => (i === 1 ? { ...a, id: header.plan.agents[0]!.id } : a)) };
    writeFileSync(join(dir, "twin.jsonl"), [JSON.stringify({ ...header, plan, planHash: planHash(plan) }), ...lines.slice(1)].join("\n") + "\n");
    const r = sbx(["replay", "twin.jsonl"], { cwd: dir });
    expectNoCrash(r);
    expect(r.stderr).toBe(`twin.jsonl: error[SBX5007]: invalid event log: it does not replay: the header's plan cannot run: agent ${plan.agents[0]!.id} already registered\n`);
    expect(r.code).toBe(2);
  });

  it("an interaction without its observables names the event", () => {
    const dir = scratch();
    const events = logOf(dir).map((l) => JSON.parse(l) as { type: string; interaction?: Record<string, unknown> });
    const at = events.findIndex((e) => e.type === "interaction_completed");
    expect(at).toBeGreaterThan(0);
    delete events[at]!.interaction!["observables"];
    writeFileSync(join(dir, "cut.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const r = sbx(["replay", "cut.jsonl"], { cwd: dir });
    expectNoCrash(r);
    expect(r.stderr).toMatch(new RegExp(`^cut\\.jsonl: error\\[SBX5007\\]: invalid event log: it does not replay: event ${at + 1} \\(interaction_completed\\) is malformed: `));
    expect(r.code).toBe(2);
  });
});

describe("file-system errors name the path and the OS's reason", () => {
  it("sbx check over a folder with a looping link names it and says why, not 'no such file'", () => {
    const dir = scratch();
    mkdirSync(join(dir, "suite"));
    writeFileSync(join(dir, "suite/ok.sbx"), readFileSync(join(ROOT, "scenarios/baseline.sbx"), "utf8"));
    symlinkSync("loop.sbx", join(dir, "suite/loop.sbx"));
    const r = sbx(["check", "suite"], { cwd: dir });
    expectNoCrash(r);
    expect(r.stderr).toContain("suite/loop.sbx: error[SBX5001]: cannot read suite/loop.sbx: too many symbolic links");
    expect(r.code).toBe(2);
  });

  it("a cassette that is a folder: the OS's reason in words, not its errno code", () => {
    const dir = scratch();
    mkdirSync(join(dir, "tape"));
    const r = sbx(["run", join(ROOT, "scenarios/llm_agents.sbx"), "--epochs", "1", "--replay", "tape", "--quiet"], { cwd: dir });
    expectNoCrash(r);
    expect(r.stderr).toContain("sbx: error[SBX5001]: cannot read tape: it is a directory");
    expect(r.code).toBe(2);
  });

  it("a missing file named on the command line prints the file with no line:col", () => {
    const r = sbx(["compile", "nowhere.sbx"], { cwd: scratch() });
    expect(r.stderr).toBe("nowhere.sbx: error[SBX5001]: cannot read nowhere.sbx: no such file\n");
    expect(r.code).toBe(2);
  });

  it("a bad --set is about no file: `sbx:`, and --json leaves out file and range", () => {
    const r = sbx(["compile", join(ROOT, "scenarios/baseline.sbx"), "--set", "nonsense", "--json"]);
    const doc = JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[] };
    expect(doc.diagnostics).toEqual([{ code: "SBX5003", severity: "error", message: "invalid override 'nonsense': expected path=value", related: [], fixes: [] }]);
    expect(r.code).toBe(2);
  });
});
