/**
 * What a new user hits in the first hour (issue #11), end to end through the
 * real binary: sweeps checked by compile and check, both sides of a failed
 * comparison and the failing seeds in every format, seed-level criteria under
 * `sbx run`, file-system errors, a pipe closed early, huge numbers, running a
 * compiled plan, notes once per file, `sbx explain` examples, Ctrl-C.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { internalDetail } from "../../src/cli/run-command.ts";
import { sbx as run, SBX_BIN, type CliResult } from "../support/cli.ts";
import { expectGolden, ROOT } from "../support/golden.ts";

const scratch = () => mkdtempSync(join(tmpdir(), "sbx-hardening-"));
const sbx = (args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult => run(args, { ...options, env: { CI: "", ...options.env } });

function write(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const BAD_SWEEP = `scenario base {
  seed = 1   epochs = 2   steps = 3
  population { honest = 2   adversarial = 1 }
}

sweep audits of base {
  vary governance.audit.probabilty in [10%, 20%]
  vary governance.audit.probability in [150%, -1]
  seeds = 1..2
}
`;

describe("sweeps are checked by compile and check (11)", () => {
  it("a misspelt vary path and values out of range fail sbx compile and sbx check with sbx sweep's diagnostics, exit 1", () => {
    const dir = scratch();
    write(dir, "sweep.sbx", BAD_SWEEP);
    const expected = [
      "sweep.sbx:7:25: error[SBX2002]: unknown attribute 'probabilty' in 'audit' (did you mean 'probability'?)",
      "sweep.sbx:8:41: error[SBX3001]: governance.audit.probability must be between 0 and 1, found 150%",
      "sweep.sbx:8:47: error[SBX3001]: governance.audit.probability must be between 0 and 1, found -1",
    ];
    const swept = sbx(["sweep", "sweep.sbx", "--out", join(dir, "out")], { cwd: dir });
    for (const command of [["compile", "sweep.sbx"], ["check", "sweep.sbx"]]) {
      const r = sbx(command, { cwd: dir });
      expect(r.code, command.join(" ")).toBe(1);
      for (const line of expected) {
        expect(r.stderr).toContain(line);
        expect(swept.stderr).toContain(line);
      }
    }
    const github = sbx(["check", "sweep.sbx", "--format", "github"], { cwd: dir });
    expect(github.stdout).toContain("::error file=sweep.sbx,line=7,col=25,endLine=7,endColumn=35,title=SBX2002::unknown attribute 'probabilty' in 'audit' (did you mean 'probability'?)");
  });

  it("leaves a valid sweep alone", () => {
    expect(sbx(["compile", "scenarios/tax_sweep.sbx"]).code).toBe(0);
    expect(sbx(["check", "scenarios/tax_sweep.sbx"]).code).toBe(0);
  });
});

/** A scenario whose honest payoff beats the adversarial one on some seeds and not others. */
const COMPARISON = `scenario rich {
  seed = 3   epochs = 3   steps = 2
  population { honest = 2   adversarial = 1 }
  expect {
    seeds = 1..3
    adv_richer: final(payoff[honest]) < final(payoff[adversarial])
    calm: max(toxicity) < 0.3
  }
}
`;

describe("a failed comparison shows both sides, and the failing seeds with their values (12, 13)", () => {
  it("in text, JSON, JUnit and GitHub annotations", () => {
    const dir = scratch();
    write(dir, "rich.sbx", COMPARISON);
    const json = JSON.parse(sbx(["check", "rich.sbx", "--format", "json"], { cwd: dir }).stdout);
    const criteria = json.files[0].scenarios[0].criteria as { id: string; status: string; left: number; right: number; seeds: { seed: number; status: string; left: number; right: number }[] }[];
    const adv = criteria.find((c) => c.id === "adv_richer")!;
    expect(adv.status).toBe("fail");
    const failing = adv.seeds.filter((s) => s.status === "fail");
    expect(failing.length).toBeGreaterThan(0);
    // Both sides are real values, and the failing seeds are those where honest ≥ adversarial.
    for (const s of adv.seeds) expect(s.status).toBe(s.left < s.right ? "pass" : "fail");
    const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString());
    const seedLine = (s: { seed: number; left: number; right: number }) => `seed ${s.seed}: ${fmt(s.left)} ≥ ${fmt(s.right)}`;

    const text = sbx(["check", "rich.sbx"], { cwd: dir });
    expect(text.code).toBe(3);
    for (const s of failing) expect(text.stdout).toContain(seedLine(s));
    const calm = criteria.find((c) => c.id === "calm")!;
    for (const s of calm.seeds.filter((x) => x.status === "fail")) expect(text.stdout).toContain(`seed ${s.seed}: ${fmt(s.left)} ≥ 0.3`);

    const junit = new XMLParser({ ignoreAttributes: false }).parse(sbx(["check", "rich.sbx", "--format", "junit"], { cwd: dir }).stdout);
    const cases = [junit.testsuites.testsuite.testcase].flat() as { "@_name": string; failure?: { "@_message": string; "#text": string } }[];
    const advCase = cases.find((c) => c["@_name"] === "adv_richer")!;
    for (const s of failing) {
      expect(advCase.failure!["@_message"]).toContain(seedLine(s));
      expect(advCase.failure!["#text"]).toContain(seedLine(s));
    }

    const github = sbx(["check", "rich.sbx", "--format", "github"], { cwd: dir }).stdout.split("\n");
    const annotation = github.find((l) => l.includes("title=SBX4001 rich%3A adv_richer failed"))!;
    for (const s of failing) expect(annotation).toContain(seedLine(s));
  });

  it("on one run, both values of a two-sided comparison, in the terminal and in report.html", () => {
    const dir = scratch();
    write(dir, "one.sbx", COMPARISON.replace("seeds = 1..3", ""));
    const r = sbx(["run", "one.sbx", "--json"], { cwd: dir });
    const doc = JSON.parse(r.stdout) as { agents: { type: string; payoff: number }[]; criteria: { id: string; left: number; right: number; status: string }[] };
    const adv = doc.criteria.find((c) => c.id === "adv_richer")!;
    const honest = doc.agents.filter((a) => a.type === "honest").reduce((s, a) => s + a.payoff, 0);
    const adversarial = doc.agents.filter((a) => a.type === "adversarial").reduce((s, a) => s + a.payoff, 0);
    // payoff[kind] is the kind's total at the end of the run.
    expect(adv.left).toBeCloseTo(honest, 9);
    expect(adv.right).toBeCloseTo(adversarial, 9);
    const human = sbx(["run", "one.sbx", "--out", join(dir, "out")], { cwd: dir });
    const fmt = (v: number) => Number(v.toPrecision(4)).toString();
    const shown = `${fmt(adv.left)} ${adv.status === "pass" ? "<" : "≥"} ${fmt(adv.right)}`;
    expect(human.stdout).toContain(`adv_richer  (${shown})`);
    const html = readFileSync(join(dir, "out", "report.html"), "utf8");
    expect(html).toContain(shown.replace("<", "&lt;"));
  });
});

describe("seed-level criteria under sbx run, and undefined values explained (14)", () => {
  const SEEDS = `scenario s {
  seed = 3   epochs = 3   steps = 4
  population { honest = 2   adversarial = 1 }
  expect {
    seeds = 1..4
    calm: mean(toxicity) < 0.9
    bounded: seeds.upper(mean(toxicity)) < 0.9
    usual: seeds.share(max(toxicity) < 0.99) >= 50%
  }
}
`;

  it("sbx run leaves criteria over seeds to sbx check: never UNDEF (exit 3), never a PASS over 0/0 seeds", () => {
    const dir = scratch();
    write(dir, "s.sbx", SEEDS);
    const r = sbx(["run", "s.sbx", "--out", join(dir, "out")], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/UNDEF|PASS {2}(bounded|usual)/);
    expect(r.stdout).toContain("-     bounded  (over seeds 1..4: judged by sbx check, not by one run)");
    expect(r.stderr).toContain("s.sbx:7:5: note[SBX4008]: criterion 'bounded' is judged over seeds (1..4)");
    const summary = JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8"));
    expect(summary.criteria.map((c: { id: string }) => c.id)).toEqual(["calm"]);
    const html = readFileSync(join(dir, "out", "report.html"), "utf8");
    expect(html).toMatch(/data-criterion="bounded" data-status="over-seeds"/);
    expect(html).not.toContain("0/0");
    // The same criteria judged over their seeds by sbx check.
    const check = sbx(["check", "s.sbx", "--format", "json"], { cwd: dir });
    const statuses = JSON.parse(check.stdout).files[0].scenarios[0].criteria.map((c: { status: string }) => c.status);
    expect(statuses).not.toContain("undefined");
  });

  it("an undefined value says what was undefined and why; a constant division by zero is a compile error", () => {
    const dir = scratch();
    write(dir, "div.sbx", `scenario d {\n  seed = 1   epochs = 2   steps = 1\n  population { honest = 1 }\n  expect {\n    ratio: mean(welfare) / min(interactions) < 1\n    late: at(toxicity, 9) < 1\n  }\n}\n`);
    const r = sbx(["run", "div.sbx"], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("UNDEF  ratio  (mean(welfare) / min(interactions) divides by zero: min(interactions) is 0)");
    expect(r.stdout).toContain("UNDEF  late  (at(toxicity, 9) asks for epoch 9, but the run has 2 epochs (0..1))");
    write(dir, "zero.sbx", `scenario z {\n  population { honest = 1 }\n  expect { ratio: mean(welfare) / 0 < 1 }\n}\n`);
    const z = sbx(["compile", "zero.sbx"], { cwd: dir });
    expect(z.code).toBe(1);
    expect(z.stderr).toContain("zero.sbx:3:19: error[SBX3019]: mean(welfare) / 0 divides by zero");
  });
});

describe("file-system errors name the path and the OS reason, exit 2 (16, 17)", () => {
  it("run --out naming a file, a path under a file, /dev/null; compile --out failing to write; a directory as the scenario", () => {
    const dir = scratch();
    write(dir, "s.sbx", "scenario s {\n  epochs = 1\n  population { honest = 2 }\n}\n");
    write(dir, "taken", "a file\n");
    const cases: [string[], string][] = [
      [["run", "s.sbx", "--out", "taken"], "error[SBX5009]: cannot write taken: it exists and is not a directory"],
      [["run", "s.sbx", "--out", "taken/run"], "error[SBX5009]: cannot write taken: it is not a directory"],
      [["run", "s.sbx", "--out", "/dev/null"], "error[SBX5009]: cannot write /dev/null: it exists and is not a directory"],
      [["compile", "s.sbx", "--out", "taken/plan.json"], "error[SBX5009]: cannot write taken: it exists and is not a directory"],
      [["sweep", join(ROOT, "scenarios/tax_sweep.sbx"), "--out", "taken"], "error[SBX5009]: cannot write taken: it exists and is not a directory"],
      [["schema", "--out", "taken/schema.json"], "error[SBX5009]: cannot write taken: it exists and is not a directory"],
    ];
    for (const [args, message] of cases) {
      const r = sbx(args, { cwd: dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(message);
      expect(r.stderr).not.toContain("SBX4003");
    }
    mkdirSync(join(dir, "folder"));
    for (const command of ["compile", "run"]) {
      const r = sbx([command, "folder"], { cwd: dir });
      expect(r.code, command).toBe(2);
      expect(r.stderr).toContain("error[SBX5001]: cannot read folder: it is a directory");
    }
  });

  it("--out /proc/x fails at once instead of looping (Node's recursive mkdir spins on it)", () => {
    const dir = scratch();
    write(dir, "s.sbx", "scenario s {\n  epochs = 1\n  population { honest = 2 }\n}\n");
    const r = spawnSync(process.execPath, [SBX_BIN, "run", "s.sbx", "--out", "/proc/sbx-no-such/run"], { cwd: dir, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error[SBX5009]: cannot write /proc/sbx-no-such: no such file or directory");
  });
});

describe("a reader that stops early (18)", () => {
  it("`sbx run … | head -1` and `sbx explain | head -1` exit quietly, with no EPIPE trace", () => {
    const dir = scratch();
    for (const args of [`run "${join(ROOT, "scenarios/status_game.sbx")}" --epochs 300 --quiet`, "explain"]) {
      const command = `"${process.execPath}" "${SBX_BIN}" ${args}`;
      const r = spawnSync("sh", ["-c", `${command} 2>err.txt | head -1; cat err.txt`], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      const [first, ...rest] = r.stdout.split("\n");
      expect(first).toMatch(args === "explain" ? /^SBX1001/ : /^status_game {2}seed/);
      expect(rest.join("\n")).not.toMatch(/EPIPE|Error|at .*\.mjs/);
    }
  });
});

describe("standard output on a full disk", () => {
  it("`sbx compile --json … > /dev/full` names standard output and the OS reason, exit 2, no trace", () => {
    const full = openSync("/dev/full", "w");
    try {
      for (const args of [["compile", "--json", join(ROOT, "scenarios/status_game.sbx")], ["--version"]]) {
        const r = spawnSync(process.execPath, [SBX_BIN, ...args], { stdio: ["ignore", full, "pipe"], encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
        expect(r.status).toBe(2);
        expect(r.stderr).toContain("sbx: error[SBX5009]: cannot write standard output: no space left on device");
        expect(r.stderr).not.toMatch(/ENOSPC|at .*\.m?[cj]s/);
      }
    } finally {
      closeSync(full);
    }
  });
});

describe("huge numbers and values written the shell's way (19, 24)", () => {
  it("refuses what the plan or the arithmetic cannot carry, where it is written, never as an internal error", () => {
    const dir = scratch();
    write(dir, "s.sbx", "scenario s {\n  population { honest = 2 }\n  rate_limits { posts_per_epoch = 9007199254740993 }\n  payoff { s_plus = 1e308   harm = 1e308 }\n}\n");
    const r = sbx(["compile", "s.sbx"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("s.sbx:3:35: error[SBX2108]: 9007199254740993 is too large for rate_limits.posts_per_epoch");
    expect(r.stderr).toContain("s.sbx:4:21: error[SBX2108]: 1e308 is too large for payoff.s_plus");
    expect(r.stderr).not.toContain("SBX4003");
    const seed = sbx(["run", "s.sbx", "--seed", "99999999999999999999"], { cwd: dir });
    expect(seed.stderr).toContain("<--seed>:1:1: error[SBX2108]: 99999999999999999999 is too large for seed");
    expect(seed.stderr).not.toContain("SBX4003");
  });

  it("says what to write instead of --seed 0x10 and an unquoted --set profile=swarm-0.1", () => {
    const r = sbx(["run", "scenarios/baseline.sbx", "--seed", "0x10", "--set", "profile=swarm-0.1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[SBX5010]: --seed 0x10: numbers are written in decimal in .sbx; write --seed 16");
    expect(r.stderr).toContain(`error[SBX5010]: --set profile=swarm-0.1: strings are quoted in .sbx; write --set 'profile="swarm-0.1"'`);
    const quoted = sbx(["run", "scenarios/baseline.sbx", "--set", 'profile="swarm-0.1"', "--epochs", "1"]);
    expect(quoted.stderr).not.toContain("error[");
    expect(quoted.stdout).toContain("profile swarm-0.1");
  });

  it("never doubles the internal error's prefix", () => {
    expect(internalDetail(new Error("internal error: the plan breaks its schema"))).toBe("the plan breaks its schema");
    expect(internalDetail(new Error("internal error while running: boom"))).toBe("boom");
  });
});

describe("running a compiled plan, and pointing YAML to sbx import (20)", () => {
  it("sbx run plan.json runs the plan as compiled, with the same table and verdicts as the scenario", () => {
    const dir = scratch();
    expect(sbx(["compile", "scenarios/strict_governance.sbx", "--set", "epochs=4", "--out", join(dir, "plan.json")]).code).toBe(0);
    const fromPlan = sbx(["run", join(dir, "plan.json")]);
    const fromSource = sbx(["run", "scenarios/strict_governance.sbx", "--epochs", "4"]);
    expect(fromPlan.code).toBe(fromSource.code);
    expect(fromPlan.stdout).toBe(fromSource.stdout);
    const reseeded = sbx(["run", join(dir, "plan.json"), "--seed", "7", "--epochs", "2", "--json"]);
    expect(JSON.parse(reseeded.stdout)).toMatchObject({ seed: 7 });
    expect(JSON.parse(reseeded.stdout).epochs).toHaveLength(2);
    expect(sbx(["run", join(dir, "plan.json"), "--set", "epochs=2"]).code).toBe(2);
  });

  it("reports a plan that breaks its schema at the value, with the schema's words", () => {
    const dir = scratch();
    sbx(["compile", "scenarios/baseline.sbx", "--out", join(dir, "plan.json")]);
    const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
    plan.payoff.theta = 3;
    writeFileSync(join(dir, "bad.json"), JSON.stringify(plan, null, 2));
    const r = sbx(["run", "bad.json"], { cwd: dir });
    expect(r.code).toBe(1);
    const line = readFileSync(join(dir, "bad.json"), "utf8").split("\n").findIndex((l) => l.includes('"theta"')) + 1;
    expect(r.stderr).toMatch(new RegExp(`^bad\\.json:${line}:\\d+: error\\[SBX5012\\]: invalid plan: payoff\\.theta: Too big`, "m"));
  });
});

describe("notes once per file, --quiet, explain's examples (20)", () => {
  it("prints one SBX3003 note per file naming the other inert settings, and none with --quiet", () => {
    const r = sbx(["run", "scenarios/baseline.sbx", "--epochs", "1"]);
    const notes = r.stderr.split("\n").filter((l) => l.includes("note[SBX3003]"));
    expect(notes).toHaveLength(1);
    expect(r.stderr).toMatch(/and governance\.bandwidth has no effect in profile swarm-0\.1 either/);
    expect(sbx(["compile", "scenarios/baseline.sbx"]).stderr.split("\n").filter((l) => l.includes("note[SBX3003]"))).toHaveLength(2);
    const quiet = sbx(["run", "scenarios/baseline.sbx", "--epochs", "1", "--quiet"]);
    expect(quiet.stderr).not.toContain("note[");
    // The shipped scenarios with inert settings (none of those in the subfolders has any): one note per file, none with --quiet.
    const inert = ["baseline", "llm_agents", "network_effects", "status_game", "strict_governance"].map((name) => `scenarios/${name}.sbx`);
    const perFile = sbx(["check", ...inert]).stderr.split("\n").filter((l) => l.includes("note[SBX3003]"));
    expect(perFile.map((l) => l.replace(/:.*/, ""))).toEqual(inert);
    const check = sbx(["check", ...inert, "--quiet"]);
    expect(check.stderr).not.toContain("note[");
  });

  it("sbx explain CODE prints the example docs/diagnostics.md has", () => {
    const r = sbx(["explain", "SBX2002"]);
    expect(r.stdout).toContain("Example");
    expect(r.stdout).toContain("    input.sbx:4:23: error[SBX2002]: unknown attribute 'rat' in 'transaction_tax' (did you mean 'rate'?)");
    expect(r.stdout).toContain("        transaction_tax { rat = 5% }");
  });
});

describe("Ctrl-C during sbx run --out (20)", () => {
  it("stops at an epoch boundary: summary.json says interrupted, with as many epochs as events.jsonl and metrics.csv", async () => {
    const dir = scratch();
    write(dir, "long.sbx", "scenario long {\n  seed = 1\n  epochs = 1000000\n  steps = 5\n  population { honest = 4   adversarial = 1 }\n}\n");
    const out = join(dir, "out");
    const child = spawn(process.execPath, [SBX_BIN, "run", "long.sbx", "--out", "out"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    // The signal provably arrives mid-run: once 20 epochs are on the terminal, with a million to go.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stdout.split("\n").filter((l) => /^\s+\d+\s/.test(l)).length >= 20) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const events = readFileSync(join(out, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string });
    const rows = readFileSync(join(out, "metrics.csv"), "utf8").trim().split("\n").length - 1;
    const finished = events.filter((e) => e.type === "epoch_completed").length;
    expect(summary.status).toBe("interrupted");
    expect(finished).toBeGreaterThanOrEqual(20);
    expect(finished).toBeLessThan(1_000_000);
    expect(summary.epochsCompleted).toBe(finished);
    expect(rows).toBe(finished);
    // Nothing of the unfinished epoch was written.
    expect(events.at(-1)!.type).toBe("epoch_completed");
    expect(existsSync(join(out, "report.html"))).toBe(false);
    expectGolden(join(ROOT, "tests/golden/signals/sbx4009-run-interrupted/expected.stderr"), stderr.replace(/after \d+ of/, "after N of"));
    // The cut log replays its finished epochs.
    const replay = sbx(["replay", join(out, "events.jsonl")]);
    expect(replay.stderr).toContain(`replaying the ${finished} finished epochs of 1000000`);
  });
});
