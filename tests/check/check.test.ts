/** `sbx check` end to end: verdicts, every exit code, and the json, junit and github formats. */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { sbx as run, type CliResult } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const scratch = () => mkdtempSync(join(tmpdir(), "sbx-check-"));

/** The binary, without LLM provider keys: the LLM scenario is then reported as not run rather than called live. */
const sbx = (args: readonly string[], options: { cwd?: string } = {}): CliResult => run(args, { ...options, env: { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" } });

/** 1-based line of the first line of a scenario file containing `text` (the files may be reformatted; the test follows them). */
function lineOf(file: string, text: string): number {
  const index = readFileSync(join(ROOT, file), "utf8").split("\n").findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} not in ${file}`);
  return index + 1;
}

/** A scenario whose runs take a moment, with criteria that pass, fail or cannot be evaluated as asked. */
function scenario(name: string, criteria: string, extra = ""): string {
  return `scenario ${name} {\n  seed = 7   epochs = 3   steps = 5\n  population { honest = 2   adversarial = 1 }\n  ${extra}\n  expect {\n    ${criteria}\n  }\n}\n`;
}

interface JsonCriterion {
  id: string;
  status: string;
  observed: number | null;
  bound: number | null;
  comparator: string | null;
  interval: { lower: number; upper: number } | null;
  passedSeeds: number | null;
  location: { file: string; line: number; column: number } | null;
}
interface JsonScenario {
  name: string;
  status: string;
  reason: string | null;
  seeds: number[];
  criteria: JsonCriterion[];
}
const scenarioIn = (doc: { files: { scenarios: JsonScenario[] }[] }, name: string): JsonScenario => {
  const found = doc.files.flatMap((f) => f.scenarios).find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

/**
 * A directory `scenarios/` holding the reference scenarios (the shipped
 * folder's top level) and the economy's (`scenarios/economy/`), but not the
 * whitepaper's studies (`scenarios/whitepaper/`, twelve seeds each), so the
 * verdicts below are theirs; paths in the output read as in the repository.
 */
function referenceScenarios(): string {
  const dir = scratch();
  for (const sub of ["scenarios", "scenarios/economy"]) {
    mkdirSync(join(dir, sub), { recursive: true });
    for (const f of readdirSync(join(ROOT, sub)).filter((f) => f.endsWith(".sbx"))) copyFileSync(join(ROOT, sub, f), join(dir, sub, f));
  }
  return dir;
}

describe("sbx check on the reference scenarios", () => {
  let text: CliResult;
  let json: CliResult;
  let cwd: string;
  const check = (args: readonly string[]) => sbx(["check", "scenarios/", ...args], { cwd });
  beforeAll(() => {
    cwd = referenceScenarios();
    text = check([]);
    json = check(["--format", "json", "--jobs", "2"]);
  });

  it("reports strict_governance's own toxicity criterion as failing and exits 3", () => {
    const r = sbx(["check", "scenarios/strict_governance.sbx"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("PASS  min_epochs  (15 >= 15)");
    expect(r.stdout).toContain("PASS  min_agents  (7 >= 7)");
    expect(r.stdout).toContain(`FAIL  toxicity_threshold  (0.3229 > 0.3)  scenarios/strict_governance.sbx:${lineOf("scenarios/strict_governance.sbx", "toxicity_threshold:")}:5`);
    expect(r.stdout).toContain("3 criteria in 1 scenario: 2 passed, 1 failed");
  });

  it("checks a directory: every verdict, the LLM scenario reported as not run, the sweep-only file skipped quietly; exit 3", () => {
    expect(text.code).toBe(3);
    for (const line of [
      "PASS  toxicity_threshold  (0.3003 <= 0.5)",
      "PASS  max_avg_path_length  (1.644 <= 4)",
      "FAIL  max_toxicity  (0.3645 > 0.35)",
      "PASS  toxicity_threshold  (0.3278 <= 0.4)",
      "FAIL  toxicity_threshold  (0.3229 > 0.3)",
    ]) {
      expect(text.stdout).toContain(line);
    }
    expect(text.stdout).toMatch(/llm_agents_v1 {2}NOT RUN {2}.*LLM agent/);
    expect(text.stdout).not.toContain("tax_sweep");
    // scenarios/economy/ adds 5 scenarios and 14 criteria, one of them failing (docs/economy.md: a finding sbx does not reproduce).
    expect(text.stdout).toContain("26 criteria in 9 scenarios: 23 passed, 3 failed; 1 scenario not run (llm_agents_v1)");
  });

  it("prints one versioned JSON document with every verdict, its observed value and bound", () => {
    expect(json.code).toBe(3);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ format: "sbx-check", version: 1, ok: false, exitCode: 3 });
    expect(doc.summary).toMatchObject({ scenarios: 10, notRun: 1, criteria: { total: 29, pass: 23, fail: 3, undefined: 0, notRun: 3 } });
    const strict = scenarioIn(doc, "strict_governance");
    expect(strict.status).toBe("fail");
    const tox = strict.criteria.find((c) => c.id === "toxicity_threshold")!;
    expect(tox).toMatchObject({ status: "fail", comparator: "<=", bound: 0.3, passedSeeds: 0 });
    expect(tox.observed).toBeCloseTo(0.3229, 4);
    expect(tox.location).toMatchObject({ file: "scenarios/strict_governance.sbx", line: lineOf("scenarios/strict_governance.sbx", "toxicity_threshold:"), column: 5 });
    expect(scenarioIn(doc, "baseline").criteria.map((c) => c.status)).toEqual(["pass", "pass", "pass"]);
    expect(scenarioIn(doc, "status_game").criteria.map((c) => c.status)).toEqual(["pass", "pass", "pass"]);
    expect(scenarioIn(doc, "network_effects_v1").criteria.map((c) => [c.id, c.status])).toEqual([
      ["min_connected_components", "pass"],
      ["max_avg_path_length", "pass"],
      ["max_toxicity", "fail"],
    ]);
    const llm = scenarioIn(doc, "llm_agents_v1");
    expect(llm.status).toBe("not-run");
    expect(llm.reason).toMatch(/LLM agent/);
    expect(llm.criteria.every((c) => c.status === "not-run")).toBe(true);
    expect(doc.files.find((f: { file: string }) => f.file === "scenarios/tax_sweep.sbx")).toMatchObject({ status: "skipped", scenarios: [] });
  });

  it("gives the same verdicts in-process (--jobs 1) and on the pool", () => {
    const serial = check(["--format", "json", "--jobs", "1"]);
    expect(serial.stdout).toBe(json.stdout);
  });

  it("writes JUnit XML that a parser accepts: a suite per scenario, a case per criterion, failures with messages", () => {
    const r = check(["--format", "junit"]);
    expect(r.code).toBe(3);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase"].includes(name) }).parse(r.stdout);
    const root = xml.testsuites;
    expect(root).toMatchObject({ tests: "29", failures: "3", errors: "0", skipped: "3" });
    const suites = root.testsuite as { name: string; tests: string; failures: string; testcase: { name: string; failure?: { message: string; type: string }; skipped?: unknown }[] }[];
    expect(suites.map((s) => s.name)).toEqual([
      "baseline",
      "economy_baseline",
      "economy_coordination_push",
      "economy_high_compute_cost",
      "compute_rationed_firms",
      "safety_in_economy",
      "llm_agents_v1",
      "network_effects_v1",
      "status_game",
      "strict_governance",
    ]);
    const strict = suites.find((s) => s.name === "strict_governance")!;
    expect(strict.testcase.map((c) => c.name)).toEqual(["min_epochs", "min_agents", "toxicity_threshold"]);
    expect(strict.testcase[2]!.failure).toMatchObject({ type: "fail", message: "criterion failed: toxicity_threshold (0.3229 > 0.3)" });
    expect(strict.testcase[0]!.failure).toBeUndefined();
    expect(suites.find((s) => s.name === "llm_agents_v1")!.testcase.every((c) => c.skipped !== undefined)).toBe(true);
  });

  it("annotates failures at the criterion's line as GitHub workflow commands", () => {
    const r = check(["--format", "github"]);
    expect(r.code).toBe(3);
    const line = lineOf("scenarios/strict_governance.sbx", "toxicity_threshold:");
    expect(r.stdout).toMatch(
      new RegExp(`^::error file=scenarios/strict_governance\\.sbx,line=${line},col=5,endLine=${line},endColumn=\\d+,title=SBX4001 strict_governance%3A toxicity_threshold failed::criterion failed: toxicity_threshold \\(0\\.3229 > 0\\.3\\)$`, "m"),
    );
    expect(r.stdout).toMatch(/^::error file=scenarios\/network_effects\.sbx,line=\d+,col=5,.*::criterion failed: max_toxicity \(0\.3645 > 0\.35\)$/m);
    expect(r.stdout).toMatch(/^::warning file=scenarios\/llm_agents\.sbx,line=\d+,col=\d+,title=llm_agents_v1%3A not run::scenario llm_agents_v1 was not run: .*LLM agent/m);
    expect(r.stdout).toContain("PASS strict_governance: min_epochs (15 >= 15)");
    // The third: the paper's settlement finding, which sbx does not reproduce (scenarios/economy/paper.sbx).
    expect(r.stdout).toMatch(/^::error file=scenarios\/economy\/paper\.sbx,line=\d+,col=5,.*settles_less failed/m);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("::error"))).toHaveLength(3);
  });
});

describe("sbx check exit codes", () => {
  it("exits 0 when every criterion passes", () => {
    const r = sbx(["check", "scenarios/baseline.sbx"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 criteria in 1 scenario: 3 passed");
  });

  it("exits 1 on compile errors, which win over failed criteria, and annotates them at their lines", () => {
    const dir = scratch();
    writeFileSync(join(dir, "bad.sbx"), "scenario broken {\n  population { honest = 2 }\n  governance { transaction_tax { rat = 5% } }\n}\n");
    writeFileSync(join(dir, "failing.sbx"), scenario("failing", "calm: mean(toxicity) <= 0.01"));
    const text = sbx(["check", "."], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("bad.sbx:3:34: error[SBX2002]: unknown attribute 'rat' in 'transaction_tax' (did you mean 'rate'?)");
    expect(text.stdout).toContain("FAIL  calm");
    expect(text.stdout).toContain("1 file with compile errors");
    const github = sbx(["check", ".", "--format", "github"], { cwd: dir });
    expect(github.code).toBe(1);
    expect(github.stdout).toContain("::error file=bad.sbx,line=3,col=34,endLine=3,endColumn=37,title=SBX2002::unknown attribute 'rat' in 'transaction_tax' (did you mean 'rate'?)");
    const junit = sbx(["check", ".", "--format", "junit"], { cwd: dir });
    expect(XMLValidator.validate(junit.stdout)).toBe(true);
    expect(junit.stdout).toContain('<error type="SBX2002"');
  });

  it("exits 3 when a criterion is undefined, and says why", () => {
    const dir = scratch();
    writeFileSync(join(dir, "no_network.sbx"), scenario("no_network", "short_paths: max(network.avg_path_length) <= 4.0\n    calm: mean(toxicity) <= 0.9"));
    const r = sbx(["check", "no_network.sbx", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(3);
    const s = scenarioIn(JSON.parse(r.stdout), "no_network");
    expect(s.criteria.map((c) => c.status)).toEqual(["undefined", "pass"]);
  });

  it("exits 2 on usage and I/O errors", () => {
    expect(sbx(["check"]).code).toBe(2);
    expect(sbx(["check", "does/not/exist.sbx"]).code).toBe(2);
    expect(sbx(["check", "scenarios/baseline.sbx", "--format", "xml"]).code).toBe(2);
    expect(sbx(["check", "scenarios/baseline.sbx", "--jobs", "0"]).code).toBe(2);
    expect(sbx(["check", "scenarios/baseline.sbx", "--set", "novalue"]).code).toBe(2);
    const empty = scratch();
    const r = sbx(["check", empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the directory holds no .sbx files");
  });

  it("does not count a scenario it cannot run as a failure, but never hides it", () => {
    const r = sbx(["check", "scenarios/llm_agents.sbx"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("NOT RUN");
    expect(r.stdout).toContain("1 scenario not run (llm_agents_v1)");
  });

  it("skips files that declare only sweeps", () => {
    const r = sbx(["check", "scenarios/tax_sweep.sbx"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("tax_sweep");
  });
});

describe("sbx check over seeds", () => {
  it("runs every seed the criteria name and reports the statistic, its interval and the seeds that passed", () => {
    const dir = scratch();
    writeFileSync(join(dir, "seeds.sbx"), scenario("over_seeds", "seeds = 1..4\n    calm: mean(toxicity) <= 0.9\n    mostly: seeds.share(mean(toxicity) < 0.5) >= 50%"));
    const text = sbx(["check", "seeds.sbx"], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("over_seeds  seeds 1..4");
    expect(text.stdout).toMatch(/PASS {2}calm {2}\(mean [\d.]+ <= 0\.9; 95% CI \[[\d.]+, [\d.]+\]; 4\/4 seeds passed\)/);
    const doc = JSON.parse(sbx(["check", "seeds.sbx", "--format", "json", "--set", "epochs=2"], { cwd: dir }).stdout);
    const s = scenarioIn(doc, "over_seeds");
    expect(s.seeds).toEqual([1, 2, 3, 4]);
    const calm = s.criteria.find((c) => c.id === "calm")!;
    expect(calm.passedSeeds).toBe(4);
    expect(calm.interval!.lower).toBeLessThanOrEqual(calm.observed!);
    expect(calm.interval!.upper).toBeGreaterThanOrEqual(calm.observed!);
  });
});
