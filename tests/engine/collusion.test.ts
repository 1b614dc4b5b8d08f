import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeCollusion, npMean, npStd, pairwiseSum } from "../../src/mechanisms/collusion/analysis.ts";

/** np.sum / np.mean / np.std from numpy 2.4.6 (fixtures/README.md). */
const fixture = JSON.parse(readFileSync(new URL("./fixtures/numpy-sums.json", import.meta.url), "utf8")) as {
  cases: { xs: number[]; sum: number; mean: number; std: number }[];
};

describe("numpy-compatible reductions", () => {
  it("pairwise summation, mean and std match numpy bit for bit", () => {
    for (const c of fixture.cases) {
      expect(pairwiseSum(c.xs)).toBe(c.sum);
      expect(npMean(c.xs)).toBe(c.mean);
      expect(npStd(c.xs)).toBe(c.std);
    }
    // Plain left-to-right summation differs on some of these: the port is doing real work.
    expect(fixture.cases.some((c) => c.xs.reduce((a, b) => a + b, 0) !== c.sum)).toBe(true);
  });
});

describe("collusion detector (§13)", () => {
  const ids = ["a", "b", "c", "d"];
  const x = (initiator: string, counterparty: string, p: number, accepted = true, cA = 0, cB = 0) => ({ initiator, counterparty, p, accepted, tau: 0, cA, cB });

  it("flags a frequent, always-accepting, low-quality pair and groups it", () => {
    const xs = [
      ...Array.from({ length: 12 }, (_, i) => x(i % 2 ? "a" : "b", i % 2 ? "b" : "a", 0.2, true, 0.01 * i, 0.02 * i)),
      x("c", "d", 0.7, false),
      x("c", "a", 0.6, true),
      x("d", "b", 0.6, false),
    ];
    const r = analyzeCollusion(xs, ids, { frequencyThreshold: 2, minInteractions: 3, scoreThreshold: 0.5 });
    expect(r.flaggedPairs.map((p) => [p.a, p.b])).toEqual([["a", "b"]]);
    const pair = r.flaggedPairs[0];
    // acceptance 1 → 0.2·1; quality (0.5 − 0.2)·2 = 0.6 → 0.25·0.6; n ≥ 10 → full confidence.
    expect(pair.score).toBeGreaterThanOrEqual(0.2 + 0.15);
    expect(r.agentRisk.get("a")).toBe(pair.score);
    expect(r.agentRisk.get("c")).toBe(0);
    expect(r.ecosystemRisk).toBeGreaterThan(0);
    expect(r.ecosystemRisk).toBeLessThanOrEqual(1);
  });

  it("finds nothing in sparse, rejected traffic", () => {
    const r = analyzeCollusion([x("a", "b", 0.9, false), x("c", "d", 0.9, false)], ids, { frequencyThreshold: 2, minInteractions: 3, scoreThreshold: 0.5 });
    expect([r.flaggedPairs.length, r.groups.length, r.ecosystemRisk]).toEqual([0, 0, 0]);
  });
});
