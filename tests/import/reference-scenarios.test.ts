/**
 * The five reference scenarios, reconstructed as YAML from docs/sandbox.md §10.2,
 * import to .sbx that compiles to the same plan as the hand-written ports in
 * scenarios/; the collusion scenario of §13 imports to the anti_collusion preset.
 */
import { describe, expect, it } from "vitest";
import { body, compileFile, compileText, importFixture, SCENARIOS } from "./helpers.ts";

const PORTS = ["baseline", "status_game", "strict_governance", "network_effects", "llm_agents"] as const;

describe("reference scenarios", () => {
  for (const name of PORTS) {
    it(`${name}.yaml imports to the plan of scenarios/${name}.sbx`, () => {
      const imported = importFixture(name);
      expect(imported.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(imported.sbx).not.toBeNull();
      const port = compileFile(`${SCENARIOS}/${name}.sbx`);
      expect(port.errors).toEqual([]);
      expect(body(imported.plan)).toEqual(body(port.plan));
    });
  }

  it("collusion_detection.yaml (§13) imports to the anti_collusion preset's levers", () => {
    const imported = importFixture("collusion_detection");
    expect(imported.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const preset = compileText(`
      import "std/governance" { anti_collusion }
      scenario collusion_detection {
        population { honest = 3 }
        governance extends anti_collusion {}
      }`);
    expect(preset.errors).toEqual([]);
    expect(imported.plan?.governance).toEqual(preset.plan?.governance);
    expect(imported.plan?.network).toMatchObject({ topology: "small_world", kNeighbors: 4, rewireProbability: 0.2, dynamic: true, decayRate: 0.03, minEdgeWeight: 0.1 });
    expect(imported.plan?.rateLimits).toMatchObject({ postsPerEpoch: 10, interactionsPerStep: 8, votesPerEpoch: 50, tasksPerEpoch: 3 });
    expect(imported.plan?.criteria.items.map((c) => c.id)).toEqual(["min_flagged_pairs", "max_ecosystem_collusion_risk", "min_penalty_total"]);
  });
});
