/**
 * An epoch's interactions as columns (src/mechanisms/interactions/epoch-columns.ts)
 * give every metric the straightforward computation over the records gives,
 * bit for bit: the interaction metrics (all interactions, and those a
 * selection's agents initiated) and the levers' running sums, epoch after
 * epoch in one store.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as cal from "../../src/mechanisms/interactions/calibration.ts";
import { type ColumnedInteraction, EpochInteractions } from "../../src/mechanisms/interactions/epoch-columns.ts";
import { interactionMetrics } from "../../src/mechanisms/interactions/metrics.ts";
import { payoffCounterparty, payoffInitiator, socialSurplus } from "../../src/mechanisms/interactions/soft-labels.ts";
import * as soft from "../../src/mechanisms/interactions/soft-metrics.ts";
import { runs } from "../support/property-runs.ts";

const PAYOFF = { sPlus: 2, sMinus: 1, h: 2, theta: 0.5, rhoA: 0.1, rhoB: 0.2, wRep: 1 };

/** Agents a0…a4 are the run's agents 0…4; x0 and x1 are not agents of the run (a recorded interaction's initiator may not be). */
const AGENTS = ["a0", "a1", "a2", "a3", "a4"];
const agentNumber = (id: string): number | undefined => {
  const i = AGENTS.indexOf(id);
  return i < 0 ? undefined : i;
};

const unit = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.3, 0.5, 0.7, 1));
const money = fc.double({ min: -3, max: 3, noNaN: true });

const record = fc
  .record({
    initiator: fc.constantFrom(...AGENTS, "x0", "x1"),
    accepted: fc.boolean(),
    p: unit,
    tau: money,
    cA: fc.double({ min: 0, max: 1, noNaN: true }),
    cB: fc.double({ min: 0, max: 1, noNaN: true }),
    groundTruth: fc.constantFrom(null, null, 1, -1),
    tax: fc.oneof(fc.constant(0), money),
    audited: fc.boolean(),
    auditPenalty: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true })),
    collusionCost: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true })),
    froze: fc.boolean(),
  })
  .map((r): ColumnedInteraction => {
    const terms = { p: r.p, tau: r.tau, cA: r.cA, cB: r.cB, rA: r.p - 0.5, rB: 0 };
    return { ...r, groundTruth: r.groundTruth as 1 | -1 | null, payoffA: payoffInitiator(PAYOFF, terms), payoffB: payoffCounterparty(PAYOFF, terms) };
  });

/** Every interaction metric, each by its own function over the records (soft-metrics.ts, calibration.ts). */
function straightforward(xs: readonly ColumnedInteraction[]): Record<string, number | null> {
  const social = (p: number) => socialSurplus(PAYOFF, p);
  const part = soft.participationByQuality(xs);
  const welfare = soft.welfareMetrics(xs, social);
  return {
    interactions: xs.length,
    accepted: xs.filter((x) => x.accepted).length,
    rejected: xs.filter((x) => !x.accepted).length,
    acceptance_rate: soft.acceptanceRate(xs),
    toxicity: soft.toxicityRate(xs),
    toxicity_all: soft.toxicityRateAll(xs),
    hard_toxicity: soft.hardToxicity(xs),
    quality_gap: soft.qualityGap(xs),
    average_quality: soft.averageQuality(xs),
    spread: soft.spread(xs, PAYOFF.sPlus, PAYOFF.sMinus),
    uncertain_fraction: soft.uncertainFraction(xs),
    high_quality_acceptance: part.highQualityAcceptance,
    low_quality_acceptance: part.lowQualityAcceptance,
    quality_variance: soft.qualityVariance(xs),
    welfare: welfare.totalWelfare,
    social_surplus: welfare.totalSocialSurplus,
    avg_payoff: welfare.avgInitiatorPayoff,
    avg_counterparty_payoff: welfare.avgCounterpartyPayoff,
    conditional_loss_initiator: soft.conditionalLossInitiator(xs),
    conditional_loss_counterparty: soft.conditionalLossCounterparty(xs),
    payoff_variance_initiator: soft.payoffVarianceInitiator(xs),
    payoff_variance_counterparty: soft.payoffVarianceCounterparty(xs),
    governance_cost: soft.governanceCost(xs),
    transfers: soft.totalTransfers(xs),
    brier: cal.brierScore(xs),
    log_loss: cal.logLoss(xs),
    calibration_error: cal.calibrationError(xs),
    ece: cal.expectedCalibrationError(xs),
    auc: cal.discriminationAuc(xs),
  };
}

/** Σ f(x) from 0, left to right: how the levers' metrics summed the records. */
function sumOf(xs: readonly ColumnedInteraction[], f: (x: ColumnedInteraction) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

// Several epochs in one store: clearing must leave nothing of the last epoch behind (the columns keep their capacity).
// Some epochs are long enough to make the columns grow past their first 256 rows.
const epochs = fc.array(fc.oneof(fc.array(record, { maxLength: 30 }), fc.array(record, { minLength: 250, maxLength: 700 })), { minLength: 1, maxLength: 4 });
const selections = fc.array(fc.subarray([...AGENTS, "x0", "x1", "nobody"]), { minLength: 1, maxLength: 3 });

describe("an epoch's interactions as columns", () => {
  it("give every interaction metric of the records, bit for bit, for all interactions and for each selection's", () => {
    fc.assert(
      fc.property(epochs, selections, (all, chosen) => {
        const store = new EpochInteractions();
        for (const xs of all) {
          store.clear();
          for (const x of xs) store.push(x, agentNumber(x.initiator) ?? -1);
          expect(store.length).toBe(xs.length);
          // toEqual compares numbers with Object.is: 0 and −0 differ, and so does the last bit.
          expect(interactionMetrics(PAYOFF, store)).toEqual(straightforward(xs));
          for (const ids of chosen) {
            const select = new Set(ids);
            const mine = store.initiatedBy(select, AGENTS.length, agentNumber);
            expect(interactionMetrics(PAYOFF, mine)).toEqual(straightforward(xs.filter((x) => select.has(x.initiator))));
          }
        }
      }),
      { numRuns: runs(60) },
    );
  });

  it("sum the levers' breakdowns as the records summed them", () => {
    fc.assert(
      fc.property(epochs, (all) => {
        const store = new EpochInteractions();
        for (const xs of all) {
          store.clear();
          for (const x of xs) store.push(x, agentNumber(x.initiator) ?? -1);
          expect(store.tax).toBe(sumOf(xs, (x) => x.tax));
          expect(store.auditPenalty).toBe(sumOf(xs, (x) => x.auditPenalty));
          expect(store.audits).toBe(sumOf(xs, (x) => (x.audited ? 1 : 0)));
          expect(store.collusionCost).toBe(sumOf(xs, (x) => x.collusionCost));
          expect(store.freezes).toBe(xs.filter((x) => x.froze).length);
        }
      }),
      { numRuns: runs(100) },
    );
  });

  it("changes revision with every row and every new epoch, so a table computed earlier is not reused", () => {
    const store = new EpochInteractions();
    const seen = new Set([store.revision]);
    const x: ColumnedInteraction = { initiator: "a0", accepted: true, p: 0.7, payoffA: 1, payoffB: 0.5, cA: 0, cB: 0, tau: 0, groundTruth: null, tax: 0, auditPenalty: 0, audited: false, collusionCost: 0, froze: false };
    store.push(x, 0);
    seen.add(store.revision);
    store.clear();
    seen.add(store.revision);
    store.push(x, 0);
    seen.add(store.revision);
    expect(seen.size).toBe(4);
  });
});
