/** The shipped scenarios and stdlib compile cleanly, to plans that validate, and their plans are golden. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { canonicalJson, planHash } from "../../src/plan/hash.ts";
import { Plan } from "../../src/plan/schema.ts";
import { diskHost } from "../support/compiler.ts";
import { expectGolden, ROOT } from "../support/golden.ts";

const files = readdirSync(join(ROOT, "scenarios")).filter((f) => f.endsWith(".sbx")).sort();

describe("shipped scenarios", () => {
  for (const file of files) {
    it(`${file} compiles without errors or warnings`, () => {
      const result = compile(diskHost(), [join(ROOT, "scenarios", file)]);
      expect(result.diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.message}`)).toEqual([]);
      for (const s of result.scenarios) {
        expect(s.plan, s.name).not.toBeNull();
        expect(Plan.safeParse(s.plan).success).toBe(true);
        expect(s.planHash).toBe(planHash(s.plan!));
        expectGolden(join(ROOT, "tests/golden/plans", `${s.name}.plan.json`), `${JSON.stringify(JSON.parse(canonicalJson({ ...s.plan!, provenance: undefined })), null, 2)}\n`);
      }
    });
  }

  it("the five reference scenarios are all here, four of them in the compatibility profile", () => {
    const plans = files.flatMap((f) => compile(diskHost(), [join(ROOT, "scenarios", f)]).scenarios.map((s) => s.plan!));
    const byName = new Map(plans.map((p) => [p.scenario.name, p]));
    for (const name of ["baseline", "status_game", "strict_governance", "network_effects_v1"]) expect(byName.get(name)?.profile, name).toBe("swarm-0.1");
    expect(byName.get("llm_agents_v1")?.agents.map((a) => a.id)).toEqual(["llm_1", "llm_2", "llm_3", "honest_1", "honest_2", "opportunistic_1"]);
  });

  it("like agents share one params object; a Sybil entity's identities each own theirs (they differ in the member number)", () => {
    const plan = compile(diskHost(), [join(ROOT, "scenarios/whitepaper/sybil.sbx")]).scenarios.find((s) => s.name === "sybil_undetected")!.plan!;
    const honest = plan.agents.filter((a) => a.group === "honest");
    expect(honest.length).toBeGreaterThan(1);
    expect(new Set(honest.map((a) => a.params)).size).toBe(1);
    const sybils = plan.agents.filter((a) => a.group === "sybil");
    expect(new Set(sybils.map((a) => a.params)).size).toBe(sybils.length);
  });

  it("every stdlib module compiles without errors", () => {
    for (const f of readdirSync(join(ROOT, "stdlib")).filter((x) => x.endsWith(".sbx"))) {
      const result = compile(diskHost(), [join(ROOT, "stdlib", f)]);
      expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), f).toEqual([]);
    }
  });
});
