/** `sbx compile` end to end: exit codes, human and JSON output, --out. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Plan } from "../../src/plan/schema.ts";
import { sbx } from "../support/cli.ts";

const scratch = () => mkdtempSync(join(tmpdir(), "sbx-cli-"));

describe("sbx compile", () => {
  it("exits 0 on a clean scenario and writes a plan that validates", () => {
    const dir = scratch();
    const out = join(dir, "plan.json");
    const r = sbx(["compile", "scenarios/status_game.sbx", "--out", out]);
    expect(r.code).toBe(0);
    expect(Plan.safeParse(JSON.parse(readFileSync(out, "utf8"))).success).toBe(true);
  });

  it("reports every error in one pass as file:line:col: error[SBX…] with did-you-mean, and exits 1", () => {
    const dir = scratch();
    const file = join(dir, "bad.sbx");
    writeFileSync(file, "scenario s {\n  population { honest = 2 }\n  governance { transaction_tax { rat = 5% } }\n  expect { mean(toxicty) < 0.3 }\n}\n");
    const r = sbx(["compile", "bad.sbx"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.sbx:3:34: error[SBX2002]: unknown attribute 'rat' in 'transaction_tax' (did you mean 'rate'?)");
    expect(r.stderr).toContain("bad.sbx:4:17: error[SBX2004]: unknown metric 'toxicty' (did you mean 'toxicity'?)");
    expect(r.stderr).not.toMatch(/at .*\.(ts|mjs):\d+/);
  });

  it("prints one versioned JSON document with --json", () => {
    const r = sbx(["compile", "--json", "scenarios/baseline.sbx"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: "sbx-compile", version: 1, ok: true });
    expect(doc.scenarios[0].name).toBe("baseline");
    expect(doc.scenarios[0].planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("exits 2 on a missing file or bad usage", () => {
    expect(sbx(["compile", "does/not/exist.sbx"]).code).toBe(2);
    expect(sbx(["compile"]).code).toBe(2);
    expect(sbx(["frobnicate"]).code).toBe(2);
    expect(sbx(["compile", "scenarios/baseline.sbx", "--set", "novalue"]).code).toBe(2);
  });

  it("type-checks --set overrides like source", () => {
    const bad = sbx(["compile", "scenarios/baseline.sbx", "--set", "governance.audit.probabilty=20%"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error[SBX2002]: unknown attribute 'probabilty' in 'audit' (did you mean 'probability'?)");
    const good = sbx(["compile", "--json", "scenarios/baseline.sbx", "--set", "governance.audit.probability=20%", "--set", "epochs=3"]);
    expect(good.code).toBe(0);
    const plan = JSON.parse(good.stdout).scenarios[0].plan;
    expect(plan.governance.audit).toMatchObject({ enabled: true, probability: 0.2 });
    expect(plan.simulation.epochs).toBe(3);
  });
});
