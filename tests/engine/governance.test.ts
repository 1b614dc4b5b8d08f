import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PyRandom } from "../../src/kernel/rng/cpython.ts";
import { voteWeight } from "../../src/mechanisms/vote-normalization/index.ts";
import { PlanBody, type Plan } from "../../src/plan/schema.ts";
import { levers } from "../support/levers.ts";
import { DEFAULT_GOVERNANCE } from "../support/reference-plans.ts";

type G = Plan["governance"];
function gov(patch: (g: G) => void): G {
  const g = structuredClone(DEFAULT_GOVERNANCE);
  patch(g);
  return g;
}
const ix = (p: number, tau = 0, initiator = "a", counterparty = "b") => ({ initiator, counterparty, p, tau, accepted: true, cA: 0, cB: 0 });
const engine = (g: G, ids = ["a", "b"]) => levers(g, ids);

describe("levers (§8.3, §12.3)", () => {
  it("splits the transaction tax", () => {
    let e = engine(gov((g) => (g.transactionTax = { rate: 0.1, split: 0.7 }))).onInteraction(ix(0.5, 1.0), 0);
    expect([e.costA, e.costB]).toEqual([0.06999999999999999, 0.030000000000000006]);
    e = engine(gov((g) => (g.transactionTax = { rate: 0.05, split: 0.5 }))).onInteraction(ix(0.5, -0.5), 0);
    expect([e.costA, e.costB]).toEqual([0.0125, 0.0125]);
    e = engine(gov(() => {})).onInteraction(ix(0.5, 3), 0);
    expect([e.costA, e.costB]).toEqual([0, 0]);
  });

  it("decays reputation toward 0 at epoch start", () => {
    const e = engine(gov((g) => (g.reputationDecay.rate = 0.9)), ["x", "y", "z"]).epochStart(1, { x: 10, y: -4, z: 0 });
    expect([...e.reputation]).toEqual([
      ["x", -0.9999999999999998],
      ["y", 0.3999999999999999],
    ]);
    expect(engine(gov(() => {}), ["x"]).epochStart(1, { x: 10 }).reputation.size).toBe(0);
  });

  it("audits with penalty (threshold − p)·multiplier on the initiator only", () => {
    const g = gov((g) => (g.audit = { enabled: true, probability: 1, penaltyMultiplier: 2, thresholdP: 0.5 }));
    const e = engine(g).onInteraction(ix(0.3), 0);
    expect([e.x.audited, e.costA, e.costB]).toEqual([true, 0.4, 0]);
    expect(engine(g).onInteraction(ix(0.7), 0).costA).toBe(0);
    const both = engine(gov((g) => {
      g.transactionTax = { rate: 0.1, split: 0.5 };
      g.audit = { enabled: true, probability: 1, penaltyMultiplier: 2, thresholdP: 0.5 };
    })).onInteraction(ix(0.3, 1.0), 0);
    expect([both.costA, both.costB]).toEqual([0.45, 0.05]);
    const half = engine(gov((g) => (g.audit = { enabled: true, probability: 0.5, penaltyMultiplier: 2, thresholdP: 0.5 })));
    let audited = 0;
    for (let i = 0; i < 400; i++) if (half.onInteraction(ix(0.3), 0).x.audited) audited++;
    expect(audited).toBeGreaterThan(150);
    expect(audited).toBeLessThan(250);
  });

  it("draws the audit roll from its own generator: roll ≤ probability audits", () => {
    const g = gov((g) => (g.audit = { enabled: true, probability: 0.3, penaltyMultiplier: 2, thresholdP: 0.5 }));
    const e = levers(g, ["a", "b"], { seed: 42 });
    const r = new PyRandom(42);
    for (let i = 0; i < 50; i++) expect(e.onInteraction(ix(0.2), 0).x.audited).toBe(r.random() <= 0.3);
  });

  it("trips the circuit breaker as in the §12.3 table", () => {
    const g = gov((g) => (g.circuitBreaker = { enabled: true, toxicityThreshold: 0.5, violations: 3, freezeEpochs: 2, window: 10, violationDecay: 0 }));
    const e = engine(g);
    const frozen = [0.2, 0.2, 0.9, 0.2, 0.2].map((p) => e.onInteraction(ix(p), 4).freeze.includes("a"));
    expect(frozen).toEqual([false, false, true, true, true]);
    expect(e.epochStart(5).unfreeze).toEqual([]);
    expect(e.epochStart(6).unfreeze).toEqual(["a"]);
    // Violations reset, the window (avg 0.66) survives: the next bad interaction is violation 1 again.
    expect(e.onInteraction(ix(0.2), 6).freeze).toEqual([]);
  });

  it("refuses turns below the stake only when staking is on", () => {
    const on = engine(gov((g) => (g.staking = { enabled: true, minStake: 25, slashRate: 0.2 })));
    expect(on.mayAct("a", 24.9)).toBe(false);
    expect(on.mayAct("a", 25)).toBe(true);
    expect(engine(gov(() => {})).mayAct("a", -5)).toBe(true);
  });

  it("never charges negative costs", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (p, tau, rate) => {
        const g = gov((g) => {
          g.transactionTax = { rate, split: 0.6 };
          g.audit = { enabled: true, probability: 1, penaltyMultiplier: 3, thresholdP: 0.6 };
        });
        const e = engine(g).onInteraction(ix(p, tau), 0);
        return e.costA >= 0 && e.costB >= 0;
      }),
    );
  });

  it("normalises vote weights (dormant lever)", () => {
    expect([0, 5, 10].map((n) => voteWeight(n, 5))).toEqual([1.0, 0.5, 0.33333333333333337]);
    expect([0, 5, 10, 100].map((n) => voteWeight(n, 10))).toEqual([1.0, 0.6666666666666667, 0.5, 0.09090909090909091]);
  });

  it("refuses the configs the reference refuses (the plan schema holds its ranges)", () => {
    const issue = (g: G) => PlanBody.shape.governance.safeParse(g).error?.issues[0]?.path.join(".");
    expect(issue(gov((g) => (g.transactionTax.rate = 1.5)))).toBe("transactionTax.rate");
    expect(issue(gov((g) => (g.circuitBreaker.violations = 0)))).toBe("circuitBreaker.violations");
    expect(issue(gov(() => {}))).toBeUndefined();
  });
});

describe("collusion lever (§13)", () => {
  it("penalises agents whose risk reaches the threshold and charges realtime costs", () => {
    const g = gov((g) => {
      g.collusion = { ...g.collusion, enabled: true, minInteractions: 3, scoreThreshold: 0.3, penaltyMultiplier: 1.5, realtimePenalty: true, realtimeRate: 0.1 };
    });
    const e = levers(g, ["a", "b", "c"]);
    // a and b trade often and always accept; c barely.
    for (let i = 0; i < 12; i++) e.record({ initiator: i % 2 ? "a" : "b", counterparty: i % 2 ? "b" : "a", accepted: true, p: 0.2, tau: 0, cA: 0.01 * i, cB: 0.02 * i });
    e.record({ initiator: "c", counterparty: "a", accepted: false, p: 0.8, tau: 0, cA: 0, cB: 0 });
    const start = e.epochStart(1);
    expect(e.events.filter((x) => x.type === "collusion_analyzed").map((x) => (x as { flaggedPairs: number }).flaggedPairs)).toEqual([1]);
    expect(start.reputation.get("a")).toBeLessThan(0);
    expect(start.resources.get("a")).toBeCloseTo((start.reputation.get("a") as number) * 10, 12);
    expect(start.reputation.has("c")).toBe(false);
    const rt = e.onInteraction(ix(0.5, 0, "a", "b"), 1);
    expect(rt.costA).toBeGreaterThan(0);
    expect(rt.costA).toBe(rt.costB);
  });
});
