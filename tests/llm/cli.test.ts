/**
 * `sbx run` and `sbx check` with LLM agents, spawning the real binary
 * (dist/sbx.mjs): the offline dry run out of the box, the key check before
 * the run, a scenario that really calls a local OpenAI-compatible server,
 * record then replay with the server stopped, and no key in any output.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratchDir } from "./support/scratch.ts";
import { SBX_BIN } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";
import { startModelServer, type Ask, type Reply } from "./support/server.ts";

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawned asynchronously: the model server runs in this process and must keep answering. */
function sbx(args: readonly string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<Ran> {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  // CI=true would make `sbx check` require every scenario to run; the cases that want it set it.
  for (const v of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OLLAMA_HOST", "CI"]) delete base[v];
  const child = spawn(process.execPath, [SBX_BIN, ...args], { cwd, env: { ...base, ...env } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

const scratch = (): string => scratchDir("cli");

/** The exit the printed verdicts call for: 3 when one did not pass, else 0. */
const exitForVerdicts = (stdout: string): number => (/^(FAIL|UNDEF)\b/m.test(stdout) ? 3 : 0);

describe("sbx run with LLM agents", () => {
  it("runs scenarios/llm_agents.sbx offline with --dry-run, and writes sane outputs", async () => {
    const out = join(scratch(), "run");
    const r = await sbx(["run", "scenarios/llm_agents.sbx", "--dry-run", "--out", out]);
    expect(r.stderr).not.toMatch(/error/);
    expect(/^(PASS|FAIL|UNDEF)\b/m.test(r.stdout)).toBe(true);
    expect(r.code).toBe(exitForVerdicts(r.stdout));
    expect(r.stdout).toMatch(/^LLM\s+calls \d+/m);

    const events = readFileSync(join(out, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events[0].type).toBe("run_started");
    expect(events.at(-1).type).toBe("run_completed");
    const calls = events.filter((e) => e.type === "llm_call");
    expect(calls.length).toBeGreaterThan(50);
    expect(calls.every((c) => c.ok && c.tokensIn > 0 && c.costUsd > 0)).toBe(true);
    const [head, ...rows] = readFileSync(join(out, "metrics.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    const col = (name: string) => head!.indexOf(name);
    expect(rows).toHaveLength(10);
    expect(rows.every((row) => Number(row[col("llm.requests")]) > 0 && Number(row[col("llm.cost_usd")]) > 0)).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.status).toBe("complete");
    expect(summary.epochsCompleted).toBe(10);
    expect(existsSync(join(out, "report.html"))).toBe(true);

    // The same dry run again: the same bytes.
    const again = join(scratch(), "again");
    await sbx(["run", "scenarios/llm_agents.sbx", "--dry-run", "--out", again]);
    expect(readFileSync(join(again, "events.jsonl"), "utf8")).toBe(readFileSync(join(out, "events.jsonl"), "utf8"));
  });

  it("warns when the budget stops the calls (SBX4005), and falls back for the rest of the run", async () => {
    const r = await sbx(["run", "scenarios/llm_agents.sbx", "--dry-run", "--set", "llm.budget=0.05", "--json"]);
    expect(r.code).toBe(JSON.parse(r.stdout).criteria.every((c: { status: string }) => c.status === "pass") ? 0 : 3);
    expect(r.stderr).toMatch(/warning\[SBX4005\]: LLM budget of \$0\.0500 reached \(spent \$0\.\d{4}\); remaining decisions used the fallback/);
    const doc = JSON.parse(r.stdout);
    expect(doc.llm.exhausted.budgetUsd).toBe(0.05);
    expect(doc.llm.totals.costUsd).toBeLessThanOrEqual(0.05);
    expect(doc.llm.totals.fallbacks).toBeGreaterThan(0);
    // The usage report is the same rebuilt from the log.
    const out = join(scratch(), "run");
    await sbx(["run", "scenarios/llm_agents.sbx", "--dry-run", "--set", "llm.budget=0.05", "--out", out]);
    const replayed = await sbx(["replay", join(out, "events.jsonl"), "--json"]);
    expect(JSON.parse(replayed.stdout).llm).toEqual(doc.llm);
    expect(replayed.stderr).toMatch(/warning\[SBX4005\]/);
  });

  it("stops before the run when a provider's key is missing (SBX4004, exit 2)", async () => {
    const out = join(scratch(), "run");
    const r = await sbx(["run", "scenarios/llm_agents.sbx", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[SBX4004\]: provider anthropic needs the environment variable ANTHROPIC_API_KEY/);
    expect(existsSync(out)).toBe(false);
    expect(r.stdout).toBe("");
  });

  it("calls an OpenAI-compatible server, records, replays with the server stopped, and never writes the key", async () => {
    const key = "sk-fake-4242-SECRET-never-print-me";
    // Faults that need no long wait; the server echoes the credential into answers and errors.
    const script = (ask: Ask): Reply | null => {
      if (ask.isAccept) return null;
      if (ask.decision.endsWith("/0/1/act") && ask.seen === 1) return { kind: "status", status: 429, headers: { "retry-after": "0.05" }, message: "slow down" };
      if (ask.decision.endsWith("/1/0/act") && ask.seen === 1) return { kind: "answer", text: "Sure! I think I'll post something." };
      return null;
    };
    const server = await startModelServer({ script, echoCredential: true });
    const dir = scratch();
    const file = join(dir, "openai.sbx");
    writeFileSync(
      file,
      `scenario openai_llm {
  seed = 9   epochs = 3   steps = 3
  population {
    llm talkers { count = 3  provider = openai  model = "gpt-4o-mini"  persona = strategic }
    honest = 2
  }
  llm { budget = 2.0 }
  expect { sum(llm.requests) > 0 }
}
`,
    );
    const env = { ...server.env(key), SBX_DEBUG: "" };
    const cassette = join(dir, "calls.jsonl");
    const live = await sbx(["run", file, "--out", join(dir, "live"), "--record", cassette], env);
    // No error; the faults the server injected are summarised as a warning (SBX4006), with the key redacted.
    expect(live.stderr).not.toMatch(/error\[|Error:/);
    expect(live.stderr).toContain("warning[SBX4006]");
    expect(live.code).toBe(0);
    expect(server.requests.length).toBeGreaterThan(10);
    expect(server.requests.every((r) => r.protocol === "openai" && r.ask.credential === key)).toBe(true);
    const served = server.requests.length;
    await server.close();

    const replay = await sbx(["run", file, "--out", join(dir, "replay"), "--replay", cassette], env);
    expect(replay.code).toBe(0);
    expect(readFileSync(join(dir, "replay", "events.jsonl"), "utf8")).toBe(readFileSync(join(dir, "live", "events.jsonl"), "utf8"));
    expect(readFileSync(cassette, "utf8").trim().split("\n")).toHaveLength(served + 1);
    const json = await sbx(["run", file, "--json", "--replay", cassette], env);
    const doc = JSON.parse(json.stdout);
    expect(doc.llm.totals.requests).toBe(served);
    // `sbx replay` of the event log reports the same, LLM usage included.
    const fromLog = await sbx(["replay", join(dir, "live", "events.jsonl"), "--json"], env);
    expect(JSON.parse(fromLog.stdout)).toEqual(doc);

    // The key reached the server (and came back in its answers), but no output holds it.
    const outputs = [cassette, ...["live", "replay"].flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)))];
    expect(outputs.map((f) => f.split("/").at(-1))).toEqual(expect.arrayContaining(["events.jsonl", "summary.json", "metrics.csv", "agents.csv", "report.html", "calls.jsonl"]));
    for (const f of outputs) expect(readFileSync(f, "utf8").includes(key), f).toBe(false);
    for (const r of [live, replay, json, fromLog]) expect(`${r.stdout}${r.stderr}`.includes(key)).toBe(false);
    expect(readFileSync(join(dir, "live", "events.jsonl"), "utf8")).toContain("[redacted]");
  });
});

describe("sbx check with LLM agents", () => {
  it("reports a scenario as not run when its key is missing, and runs it offline with --dry-run", async () => {
    const missing = await sbx(["check", "scenarios/llm_agents.sbx", "--jobs", "1"]);
    expect(missing.code).toBe(0);
    expect(missing.stdout).toMatch(/NOT RUN.*provider anthropic needs the environment variable ANTHROPIC_API_KEY/);
    const dry = await sbx(["check", "scenarios/llm_agents.sbx", "--dry-run", "--jobs", "1"]);
    expect(dry.stdout).not.toMatch(/NOT RUN/);
    expect(dry.code).toBe(exitForVerdicts(dry.stdout.replace(/^\s+/gm, "")));
  });
});

describe("LLM faults are visible", () => {
  const scenario = (maxRetries: number) => `scenario failing_model {
  seed = 5   epochs = 2   steps = 2
  population {
    llm { count = 2   provider = openai   model = "gpt-4o-mini"   max_retries = ${maxRetries}   fallback = honest }
    honest = 2
  }
  expect { calm: mean(toxicity) <= 1 }
}
`;

  it("sbx run prints a fault summary: counts by kind, the first error's message, the share of decisions that fell back", async () => {
    // Every call of llm_1 fails with a 500; llm_2's calls are answered.
    const server = await startModelServer({ script: (ask: Ask): Reply | null => (ask.decision.startsWith("llm_1/") ? { kind: "status", status: 500, message: "the model is on fire" } : null) });
    try {
      const dir = scratch();
      writeFileSync(join(dir, "failing.sbx"), scenario(1));
      const r = await sbx(["run", "failing.sbx"], server.env(), dir);
      expect(r.code).toBe(0);
      const failed = server.requests.filter((q) => q.status === 500).length;
      const answered = server.requests.filter((q) => q.status === 200 && !q.ask.isAccept).length + server.requests.filter((q) => q.status === 200 && q.ask.isAccept).length;
      expect(failed).toBeGreaterThan(0);
      const warning = r.stderr.split("\n").find((l) => l.includes("warning[SBX4006]"));
      expect(warning, r.stderr).toBeDefined();
      // Two attempts per decision of llm_1 (max_retries = 1), each a server error; all of llm_1's decisions fell back.
      expect(warning).toContain(`${failed} LLM calls failed (server_error ×${failed})`);
      expect(warning).toMatch(/first error: llm_1: server_error: .*the model is on fire/);
      const decisions = failed / 2 + answered;
      expect(warning).toContain(`${failed / 2} of ${decisions} decisions (${Math.round((failed / 2 / decisions) * 100)}%) took the fallback`);
    } finally {
      await server.close();
    }
  });

  it("sbx run says nothing about faults when every call is answered", async () => {
    const server = await startModelServer();
    try {
      const dir = scratch();
      writeFileSync(join(dir, "fine.sbx"), scenario(1));
      const r = await sbx(["run", "fine.sbx"], server.env(), dir);
      expect(r.stderr).not.toContain("SBX4006");
    } finally {
      await server.close();
    }
  });

  it("sbx check counts a scenario's faults; with --require-llm or CI=true a scenario that cannot run fails the check", async () => {
    const server = await startModelServer({ script: () => ({ kind: "status", status: 503, message: "overloaded" }) });
    try {
      const dir = scratch();
      writeFileSync(join(dir, "failing.sbx"), scenario(0));
      const faulty = await sbx(["check", "failing.sbx", "--jobs", "1"], server.env(), dir);
      expect(faulty.stdout).toMatch(/LLM: \d+ calls failed; \d+ decisions took the fallback/);
      const json = JSON.parse((await sbx(["check", "failing.sbx", "--jobs", "1", "--format", "json"], server.env(), dir)).stdout);
      expect(json.files[0].scenarios[0].llm.failures).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
    const plain = await sbx(["check", "scenarios/llm_agents.sbx", "--jobs", "1"]);
    expect(plain.code).toBe(0);
    const required = await sbx(["check", "scenarios/llm_agents.sbx", "--jobs", "1", "--require-llm"]);
    expect(required.code).toBe(3);
    expect(required.stderr).toContain("error[SBX4007]");
    const ci = await sbx(["check", "scenarios/llm_agents.sbx", "--jobs", "1", "--format", "github"], { CI: "true" });
    expect(ci.code).toBe(3);
    expect(ci.stdout).toMatch(/^::error file=scenarios\/llm_agents\.sbx,.*title=SBX4007::1 scenario not run \(llm_agents_v1\)/m);
    const optedOut = await sbx(["check", "scenarios/llm_agents.sbx", "--jobs", "1", "--no-require-llm"], { CI: "true" });
    expect(optedOut.code).toBe(0);
    const junit = await sbx(["check", "scenarios/llm_agents.sbx", "--jobs", "1", "--format", "junit", "--require-llm"]);
    expect(junit.stdout).toContain('<failure type="not-run"');
  });
});
