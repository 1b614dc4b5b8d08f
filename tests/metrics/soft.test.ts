import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as soft from "../../src/mechanisms/interactions/soft-metrics.ts";
import * as cal from "../../src/mechanisms/interactions/calibration.ts";
import { EpochInteractions } from "../../src/mechanisms/interactions/epoch-columns.ts";
import { runs } from "../support/property-runs.ts";
import { payoffCounterparty, payoffInitiator, socialSurplus, type PayoffConfig } from "../../src/mechanisms/interactions/soft-labels.ts";

const DEFAULT_PAYOFF: PayoffConfig = { sPlus: 2, sMinus: 1, h: 2, theta: 0.5, rhoA: 0, rhoB: 0, wRep: 1 };

function scored(p: number, accepted: boolean, groundTruth: 1 | -1 | null = null, config = DEFAULT_PAYOFF): soft.ScoredInteraction {
  const terms = { p, tau: 0, cA: 0, cB: 0, rA: 0, rB: 0 };
  return { p, accepted, groundTruth, tau: 0, cA: 0, cB: 0, payoffA: payoffInitiator(config, terms), payoffB: payoffCounterparty(config, terms) };
}

/** The interactions as an epoch's columns hold them. */
function columnsOf(xs: readonly soft.ScoredInteraction[]): EpochInteractions {
  const epoch = new EpochInteractions();
  for (const x of xs) epoch.push({ ...x, initiator: "a", tax: 0, auditPenalty: 0, audited: false, collusionCost: 0, froze: false }, 0);
  return epoch;
}

/** §12.3: L = [(0.2, acc), (0.4, rej), (0.6, acc), (0.9, rej)]. */
const L = [scored(0.2, true), scored(0.4, false), scored(0.6, true), scored(0.9, false)];
/** §12.3: G = [(0.9, +1), (0.8, −1), (0.3, +1), (0.1, −1), (1.0, +1)]. */
const G = [scored(0.9, true, 1), scored(0.8, true, -1), scored(0.3, true, 1), scored(0.1, true, -1), scored(1.0, true, 1)];

describe("§12.3 interaction metrics on L", () => {
  it("matches the reference values exactly", () => {
    expect(soft.toxicityRate(L)).toBe(0.6000000000000001);
    expect(soft.toxicityRateAll(L)).toBe(0.475);
    expect(soft.qualityGap(L)).toBe(-0.25);
    expect(soft.spread(L, 2, 1)).toBe(0.375);
    expect(soft.conditionalLossInitiator(L)).toBe(-0.18750000000000006);
    expect(soft.conditionalLossCounterparty(L)).toBe(-0.18750000000000006);
    const w = soft.welfareMetrics(L, (p) => socialSurplus(DEFAULT_PAYOFF, p));
    expect(w.totalWelfare).toBe(0.3999999999999999);
    expect(w.totalSocialSurplus).toBe(-2.0);
    expect(w.avgInitiatorPayoff).toBe(0.09999999999999998);
    expect(soft.participationByQuality(L)).toEqual({ highQualityAcceptance: 0.5, lowQualityAcceptance: 0.5, highQualityCount: 2, lowQualityCount: 2 });
    expect(soft.uncertainFraction(L, 0.2)).toBe(0.5);
    expect(soft.qualityVariance(L)).toBe(0.066875);
    expect(soft.qualityVariance(L, true)).toBe(0.039999999999999994);
    expect(soft.payoffVarianceInitiator(L)).toBe(0.15046874999999998);
    const cv = soft.coefficientOfVariation(L);
    expect(cv.cvP).toBe(0.49257525870421903);
    expect(cv.cvPayoffInitiator).toBe(1.3492278825376434);
    expect(soft.qualityDistribution(L, 5).map((b) => b[2])).toEqual([0, 1, 2, 0, 1]);
    expect(soft.hardToxicity(L)).toBe(0.5);
    expect(soft.acceptanceRate(L)).toBe(0.5);
    expect(soft.averageQuality(L)).toBe(0.525);
  });

  it("handles the empty and all-rejected edge cases as the reference does", () => {
    expect(soft.toxicityRate([])).toBe(0);
    expect(soft.toxicityRate([scored(0.1, false)])).toBe(0);
    expect(soft.qualityGap([scored(0.1, true)])).toBe(0);
    expect(soft.spread([scored(0.1, true), scored(0.2, true)], 2, 1)).toBe(0);
    expect(soft.qualityVariance([scored(0.3, true)])).toBe(0);
    expect(soft.welfareMetrics([], () => 0)).toEqual({ totalWelfare: 0, totalSocialSurplus: 0, avgInitiatorPayoff: 0, avgCounterpartyPayoff: 0 });
    expect(soft.qualityVariance([0.2, 0.4, 0.6, 0.8].map((p) => scored(p, true)))).toBe(0.05);
    expect(soft.uncertainFraction([scored(0.3, true), scored(0.7, true)], 0.2)).toBe(0); // strict band
  });
});

describe("§12.3 calibration metrics on G", () => {
  it("matches the reference values exactly", () => {
    expect(cal.brierScore(G)).toBe(0.23000000000000004);
    expect(cal.logLoss(G)).toBe(0.604826349615138);
    expect(cal.calibrationError(G)).toBe(0.020000000000000018);
    expect(cal.expectedCalibrationError(G, 10)).toBe(0.34);
    expect(cal.expectedCalibrationError(G, 5)).toBe(0.30000000000000004);
    expect(cal.discriminationAuc(G)).toBe(0.8333333333333334);
    expect(cal.calibrationCurve(G, 5)).toEqual([
      [0.1, 0.0, 1],
      [0.3, 1.0, 1],
      [0.5, 0.0, 0],
      [0.7000000000000001, 0.0, 0],
      [0.9, 0.6666666666666666, 3],
    ]);
  });

  it("is undefined without labels, and AUC without both classes", () => {
    const unlabelled = [scored(0.4, true)];
    expect(cal.brierScore(unlabelled)).toBeNull();
    expect(cal.logLoss(unlabelled)).toBeNull();
    expect(cal.calibrationError(unlabelled)).toBeNull();
    expect(cal.expectedCalibrationError(unlabelled)).toBeNull();
    expect(cal.discriminationAuc([scored(0.4, true, 1)])).toBeNull();
  });

  it("AUC by sorting equals the all-pairs count", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.boolean()), { minLength: 1, maxLength: 30 }), (rows) => {
        const xs = rows.map(([k, pos]) => scored(k / 10, true, pos ? 1 : -1));
        const pos = xs.filter((x) => x.groundTruth === 1);
        const neg = xs.filter((x) => x.groundTruth === -1);
        if (!pos.length || !neg.length) return cal.discriminationAuc(xs) === null;
        let c = 0;
        for (const a of pos) for (const b of neg) c += a.p > b.p ? 1 : a.p === b.p ? 0.5 : 0;
        return cal.discriminationAuc(xs) === c / (pos.length * neg.length);
      }),
    );
  });
});

describe("metric ranges", () => {
  const interactions = fc.array(
    fc.record({ p: fc.double({ min: 0, max: 1, noNaN: true }), accepted: fc.boolean() }).map(({ p, accepted }) => scored(p, accepted)),
    { maxLength: 40 },
  );

  it("toxicity stays in [0, 1]", () => {
    fc.assert(fc.property(interactions, (xs) => {
      const t = soft.toxicityRate(xs);
      const a = soft.toxicityRateAll(xs);
      return t >= 0 && t <= 1 && a >= 0 && a <= 1;
    }));
  });

  it("quality gap stays in [−1, 1]", () => {
    fc.assert(fc.property(interactions, (xs) => Math.abs(soft.qualityGap(xs)) <= 1));
  });

  it("welfare is the sum of accepted payoffs", () => {
    fc.assert(
      fc.property(interactions, (xs) => {
        let s = 0;
        for (const x of xs) if (x.accepted) s += x.payoffA + x.payoffB;
        return soft.welfareMetrics(xs, () => 0).totalWelfare === s;
      }),
    );
  });
});

describe("softMetricTable: every metric from the running sums and one pass", () => {
  const row = fc
    .record({
      p: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.3, 0.5, 0.7, 1)),
      accepted: fc.boolean(),
      tau: fc.double({ min: -2, max: 2, noNaN: true }),
      cA: fc.double({ min: 0, max: 1, noNaN: true }),
      cB: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ p, accepted, tau, cA, cB }): soft.ScoredInteraction => {
      const terms = { p, tau, cA, cB, rA: p - 0.5, rB: 0 };
      return { p, accepted, groundTruth: null, tau, cA, cB, payoffA: payoffInitiator(DEFAULT_PAYOFF, terms), payoffB: payoffCounterparty(DEFAULT_PAYOFF, terms) };
    });
  const social = (p: number) => socialSurplus(DEFAULT_PAYOFF, p);

  it("gives each function's value over the records bit for bit (same terms, same order)", () => {
    fc.assert(
      // Up to 600 rows: the columns start at 256 and grow.
      fc.property(fc.oneof(fc.array(row, { maxLength: 40 }), fc.array(row, { minLength: 200, maxLength: 600 })), (xs) => {
        const t = soft.softMetricTable(columnsOf(xs), social, 2, 1);
        const part = soft.participationByQuality(xs);
        const expected = {
          interactions: xs.length,
          accepted: xs.filter((x) => x.accepted).length,
          rejected: xs.filter((x) => !x.accepted).length,
          acceptanceRate: soft.acceptanceRate(xs),
          toxicity: soft.toxicityRate(xs),
          toxicityAll: soft.toxicityRateAll(xs),
          hardToxicity: soft.hardToxicity(xs),
          qualityGap: soft.qualityGap(xs),
          averageQuality: soft.averageQuality(xs),
          spread: soft.spread(xs, 2, 1),
          uncertainFraction: soft.uncertainFraction(xs),
          highQualityAcceptance: part.highQualityAcceptance,
          lowQualityAcceptance: part.lowQualityAcceptance,
          qualityVariance: soft.qualityVariance(xs),
          welfare: soft.welfareMetrics(xs, social),
          conditionalLossInitiator: soft.conditionalLossInitiator(xs),
          conditionalLossCounterparty: soft.conditionalLossCounterparty(xs),
          payoffVarianceInitiator: soft.payoffVarianceInitiator(xs),
          payoffVarianceCounterparty: soft.payoffVarianceCounterparty(xs),
          governanceCost: soft.governanceCost(xs),
          transfers: soft.totalTransfers(xs),
        };
        // toEqual compares numbers with Object.is: 0 and −0 differ, and so does the last bit.
        expect(t).toEqual(expected);
      }),
      { numRuns: runs(300) },
    );
  });

  it("matches the §12.3 values on L", () => {
    const t = soft.softMetricTable(columnsOf(L), social, 2, 1);
    expect(t.toxicity).toBe(0.6000000000000001);
    expect(t.spread).toBe(0.375);
    expect(t.conditionalLossInitiator).toBe(-0.18750000000000006);
    expect(t.qualityVariance).toBe(0.066875);
    expect(t.payoffVarianceInitiator).toBe(0.15046874999999998);
    expect(t.welfare.totalWelfare).toBe(0.3999999999999999);
  });
});
