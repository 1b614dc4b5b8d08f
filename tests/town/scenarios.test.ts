/**
 * The town's scenarios compile cleanly, and the directional checks hold
 * over their seeds, as `sbx check` judges them: by construction of the
 * temperament, agreeable residents cooperate more than disagreeable ones and
 * extraverts meet more than introverts.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { evaluateCriteria } from "../../src/criteria/evaluate.ts";
import { runPlan } from "../../src/engine/index.ts";
import { withSeed } from "../../src/cli/run-outcome.ts";
import { Plan } from "../../src/plan/schema.ts";
import { diskHost } from "../support/compiler.ts";
import { ROOT } from "../support/golden.ts";

const dir = join(ROOT, "scenarios/town");
const files = readdirSync(dir).filter((f) => f.endsWith(".sbx")).sort();

describe("the town's scenarios", () => {
  it("are small.sbx, study.sbx and governed.sbx, and compile without errors or warnings", () => {
    expect(files).toEqual(["governed.sbx", "small.sbx", "study.sbx"]);
    for (const f of files) {
      const result = compile(diskHost(), [join(dir, f)]);
      expect(result.diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.message}`), f).toEqual([]);
      for (const s of result.scenarios) expect(Plan.safeParse(s.plan).success, s.name).toBe(true);
    }
  });

  it("small.sbx is the persona town's smoke test: 32 residents, 200 ticks", () => {
    const plan = compile(diskHost(), [join(dir, "small.sbx")]).scenarios[0]!.plan!;
    expect(plan.agents).toHaveLength(32);
    expect(plan.simulation.epochs * plan.simulation.stepsPerEpoch).toBe(200);
    expect(plan.town?.rooms.map((r) => r.name)).toEqual(["town_square", "community_center", "library"]);
  });

  it("study.sbx is the matrix: 30 residents, 100 ticks, seeds 101…505, six arms", async () => {
    const result = compile(diskHost(), [join(dir, "study.sbx")]);
    const study = result.scenarios.find((s) => s.name === "town_study")!.plan!;
    expect(study.agents).toHaveLength(30);
    expect(study.simulation.epochs * study.simulation.stepsPerEpoch).toBe(100);
    expect(study.criteria.seeds).toEqual([101, 202, 303, 404, 505]);
    const { compileSweep } = await import("../../src/compiler/sweep.ts");
    const sweep = compileSweep(diskHost(), join(dir, "study.sbx"));
    expect(sweep.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(sweep.sweep!.cells.map((c) => c.arm)).toEqual(["neutral", "high_extraversion", "high_agreeableness", "high_conscientiousness", "high_eac", "placebo"]);
    expect(sweep.sweep!.seeds).toEqual([101, 202, 303, 404, 505]);
    const placebo = sweep.sweep!.cells.find((c) => c.arm === "placebo")!.plan;
    expect(placebo.personas?.placebo).toBe(true);
    expect((placebo.agents[0]!.params as { persona: { name: string } }).persona.name).toBe("pillar");
  });

  it("the directional checks pass over the study's seeds: agreeable residents cooperate more, extraverts meet more", () => {
    const result = compile(diskHost(), [join(dir, "study.sbx")]);
    const plan = result.scenarios.find((s) => s.name === "trait_contrasts")!.plan!;
    const runs = plan.criteria.seeds.map((seed) => runPlan(withSeed(plan, seed)));
    const verdicts = evaluateCriteria(plan, runs);
    const status = Object.fromEntries(verdicts.map((v) => [v.id, v.status]));
    expect(status).toEqual({ agreeable_cooperate_more: "pass", extraverts_meet_more: "pass", adherence: "pass" });
  });
});
