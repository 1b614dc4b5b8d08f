/** Criteria verdicts over synthetic runs, through the real compiler for the expressions. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { confidenceInterval, evaluateCriteria, type RunOutcome } from "../../src/criteria/evaluate.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";

function planWith(criteria: string, seeds = ""): Plan {
  const result = compileText(`scenario s {\n  population { honest = 2  adversarial { count = 1 } }\n  expect {\n    ${seeds}\n    ${criteria}\n  }\n}\n`);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => d.message).join("\n"));
  return result.scenarios[0]!.plan!;
}

function run(seed: number, toxicity: (number | null)[], extra: Record<string, (number | null)[]> = {}): RunOutcome {
  return {
    seed,
    epochsCompleted: toxicity.length,
    epochs: toxicity.map((t, i) => ({
      epoch: i,
      metrics: { toxicity: t, welfare: 10 + i, ...Object.fromEntries(Object.entries(extra).filter(([k]) => !k.includes("[")).map(([k, v]) => [k, v[i] ?? null])) },
      observed: Object.fromEntries(Object.entries(extra).filter(([k]) => k.includes("[")).map(([k, v]) => [k, v[i] ?? null])),
    })),
    agents: [
      { id: "honest_1", kind: "honest", group: "honest" },
      { id: "honest_2", kind: "honest", group: "honest" },
      { id: "adversarial_1", kind: "adversarial", group: "adversarial" },
    ],
  };
}

describe("criteria evaluation", () => {
  it("aggregates series over epochs and compares them with their bound", () => {
    const plan = planWith("mean(toxicity) <= 0.29\nmax(toxicity) < 0.35\nfinal(welfare) == 12\nat(toxicity, 0) > 0.2\nsum(welfare) >= 33");
    const v = evaluateCriteria(plan, [run(1, [0.25, 0.3, 0.34])]);
    expect(v.map((x) => x.status)).toEqual(["fail", "pass", "pass", "pass", "pass"]);
    expect(v[0]!.observed).toBeCloseTo((0.25 + 0.3 + 0.34) / 3, 12);
    expect(v[0]).toMatchObject({ comparator: "<=", bound: 0.29 });
  });

  it("reads a negative bound as the bound, the other side as what was observed", () => {
    const plan = planWith("mean(toxicity) - 0.3 > -0.05", "seeds = 1..2");
    const [v] = evaluateCriteria(plan, [run(1, [0.28]), run(2, [0.3])]);
    expect(v).toMatchObject({ status: "pass", comparator: ">", bound: -0.05 });
    expect(v!.observed).toBeCloseTo(-0.01, 12);
  });

  it("judges temporal forms over their window", () => {
    const plan = planWith("always(toxicity < 0.5, from = 1)\neventually(toxicity > 0.6, by = 1)\neventually(toxicity > 0.6)");
    const v = evaluateCriteria(plan, [run(1, [0.9, 0.2, 0.4, 0.7])]);
    expect(v.map((x) => x.status)).toEqual(["fail", "pass", "pass"]);
  });

  it("reads selected metrics from the observed record", () => {
    const plan = planWith("final(payoff[adversarial]) < final(payoff[honest])\nagents[honest] == 2");
    const good = run(1, [0.2, 0.2], { "payoff[kind:adversarial]": [1, -2], "payoff[kind:honest]": [1, 3] });
    const bad = run(2, [0.2, 0.2], { "payoff[kind:adversarial]": [1, 5], "payoff[kind:honest]": [1, 3] });
    expect(evaluateCriteria(plan, [good]).map((x) => x.status)).toEqual(["pass", "pass"]);
    expect(evaluateCriteria(plan, [good, bad])[0]).toMatchObject({ status: "fail", passedSeeds: 1 });
  });

  it("passes a per-run criterion over seeds only when every seed passes, and reports the mean with its interval", () => {
    const plan = planWith("mean(toxicity) < 0.5", "seeds = 1..3");
    const runs = [run(1, [0.2]), run(2, [0.3]), run(3, [0.4])];
    const [v] = evaluateCriteria(plan, runs);
    expect(v).toMatchObject({ status: "pass", passedSeeds: 3 });
    expect(v!.observed).toBeCloseTo(0.3, 12);
    // mean 0.3, s = 0.1, t(0.975, 2) = 4.302652729911275
    expect(v!.interval!.upper).toBeCloseTo(0.3 + 4.302652729911275 * (0.1 / Math.sqrt(3)), 9);
  });

  it("evaluates statements over seeds", () => {
    const plan = planWith("seeds.share(mean(toxicity) < 0.35) >= 66%\nseeds.upper(mean(toxicity), 95%) < 0.5\nseeds.mean(mean(toxicity)) > 0.29", "seeds = 1..3");
    const v = evaluateCriteria(plan, [run(1, [0.2]), run(2, [0.3]), run(3, [0.4])]);
    expect(v.map((x) => x.status)).toEqual(["pass", "fail", "pass"]);
    expect(v[0]!.observed).toBeCloseTo(2 / 3, 12);
  });

  it("is undefined, never passing, when a metric has no value", () => {
    const plan = planWith("min(network.components) >= 1");
    const [v] = evaluateCriteria(plan, [run(1, [0.2, 0.3])]);
    expect(v!.status).toBe("undefined");
    expect(v!.reason).toContain("network.components");
  });

  it("a condition and its negation never both pass (property)", () => {
    const plan = planWith("mean(toxicity) < 0.4\nnot (mean(toxicity) < 0.4)");
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { maxLength: 8 }), (tox) => {
        const [a, b] = evaluateCriteria(plan, [run(1, tox)]);
        expect(a!.status === "pass" && b!.status === "pass").toBe(false);
        if (a!.status !== "undefined") expect(b!.status).toBe(a!.status === "pass" ? "fail" : "pass");
      }),
    );
  });

  it("computes Student-t intervals", () => {
    expect(confidenceInterval([1])).toBeNull();
    const ci = confidenceInterval([1, 2, 3, 4], 0.9)!;
    expect(ci.lower).toBeLessThan(2.5);
    expect(ci.upper - 2.5).toBeCloseTo(2.5 - ci.lower, 12);
  });
});
