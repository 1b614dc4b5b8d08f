import { describe, expect, it } from "vitest";
import { METRICS, observedKey } from "../../src/metrics/registry.ts";
import { runPlan } from "../../src/engine/index.ts";
import { MECHANISMS } from "../../src/mechanisms/index.ts";
import { testPlan } from "../support/reference-plans.ts";

describe("metric registry ↔ engine", () => {
  it("every epoch records exactly the registry's series, in registry order, but those of mechanisms the run leaves out; the scalars are the run's", () => {
    // The reference's plan writes none of these blocks and has none of these agent kinds, so their metrics are not recorded at all.
    const absent = new Set(["economy", "transparency", "identity", "boundaries", "town", "learning-agents", "adaptive-agents", "perturbations", "auction", "missions", "negotiation", "incoherence"]);
    const leftOut = new Set(MECHANISMS.filter((d) => absent.has(d.name)).flatMap((d) => (d.metrics ?? []).map((m) => m.name)));
    expect(leftOut.size).toBeGreaterThan(80);
    // The contracts' metrics read the economy's state: without it they are undefined.
    for (const m of MECHANISMS.find((d) => d.name === "contracts")?.metrics ?? []) leftOut.add(m.name);
    const series = METRICS.filter((m) => m.shape === "series" && !leftOut.has(m.name)).map((m) => m.name);
    const run = runPlan(testPlan({ epochs: 1, steps: 2 }));
    expect(Object.keys(run.epochs[0].metrics)).toEqual(series);
    expect(METRICS.filter((m) => m.shape === "scalar").map((m) => m.name)).toEqual(["epochs_completed", "agents"]);
    expect(new Set(METRICS.map((m) => m.name)).size).toBe(METRICS.length);
  });

  it("is null exactly where the registry says a metric is optional and undefined", () => {
    const run = runPlan(testPlan({ epochs: 1, steps: 3 }));
    const m = run.epochs[0].metrics;
    for (const def of METRICS.filter((d) => d.shape === "series")) {
      if (m[def.name] === null) expect(def.optional, def.name).toBe(true);
    }
    expect(m["network.edges"]).toBeNull();
    expect(m.brier).toBeNull();
  });

  it("records observed selections under observedKey", () => {
    const plan = testPlan({
      epochs: 2,
      steps: 6,
      observe: [
        { metric: "payoff", select: { by: "kind", name: "honest" } },
        { metric: "toxicity", select: { by: "agent", name: "opportunistic_1" } },
        { metric: "interactions", select: { by: "group", name: "honest" } },
        { metric: "reputation", select: { by: "agent", name: "nobody" } },
      ],
    });
    const run = runPlan(plan);
    for (const e of run.epochs) {
      const honestPayoff = e.agents.filter((a) => a.kind === "honest").reduce((s, a) => s + a.payoff, 0);
      expect(e.observed[observedKey("payoff", { by: "kind", name: "honest" })]).toBe(honestPayoff);
      expect(Object.keys(e.observed).sort()).toEqual(
        ["interactions[group:honest]", "payoff[kind:honest]", "reputation[agent:nobody]", "toxicity[agent:opportunistic_1]"].sort(),
      );
      expect(e.observed["reputation[agent:nobody]"]).toBe(0);
    }
    expect(() => runPlan({ ...plan, observe: [{ metric: "network.edges", select: { by: "kind", name: "honest" } }] })).toThrow(/cannot be restricted/);
  });
});
