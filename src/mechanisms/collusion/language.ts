/** The `collusion` lever and its plan slice. */
import { z } from "zod";
import { nonNeg, posInt, prob, slice } from "../../spec/plan.ts";
import { attr, BOOL, INT, lever, NUM, prob as probAttr } from "../../spec/build.ts";

export const COLLUSION_SLICE = slice(
  ["governance", "collusion"],
  z.strictObject({
    enabled: z.boolean(),
    frequencyThreshold: z.number().positive(),
    correlationThreshold: prob,
    minInteractions: posInt,
    scoreThreshold: prob,
    penaltyMultiplier: nonNeg,
    realtimePenalty: z.boolean(),
    realtimeRate: nonNeg,
    clearHistoryOnEpoch: z.boolean(),
  }),
);

export const COLLUSION = lever("collusion", "Detects agent pairs whose interactions look coordinated, and penalises them.", [
  attr("frequency_threshold", NUM, "z-score of a pair's interaction count that reads as unusually frequent.", { key: "frequencyThreshold", reference: "governance.collusion_frequency_threshold", default: 2.0 }),
  probAttr("correlation_threshold", 0.7, "Benefit correlation considered suspicious.", { key: "correlationThreshold", reference: "governance.collusion_correlation_threshold" }),
  attr("min_interactions", INT, "Interactions a pair needs before it is analysed.", { key: "minInteractions", reference: "governance.collusion_min_interactions", default: 3 }),
  probAttr("score_threshold", 0.5, "Collusion score at which a pair is flagged and its members penalised.", { key: "scoreThreshold", reference: "governance.collusion_score_threshold" }),
  attr("penalty_multiplier", NUM, "Reputation penalty = risk·multiplier (resources lose 10× that).", { key: "penaltyMultiplier", reference: "governance.collusion_penalty_multiplier", default: 1.0 }),
  attr("realtime_penalty", BOOL, "Also charge flagged pairs on every interaction.", { key: "realtimePenalty", reference: "governance.collusion_realtime_penalty", default: false }),
  attr("realtime_rate", NUM, "Real-time cost = rate·(risk_a + risk_b)/2.", { key: "realtimeRate", reference: "governance.collusion_realtime_rate", default: 0.1 }),
  attr("clear_history_on_epoch", BOOL, "Forget the interaction history after each analysis.", { key: "clearHistoryOnEpoch", reference: "governance.collusion_clear_history_on_epoch", default: false }),
], { reference: "governance.collusion_detection_enabled", lower: { slice: COLLUSION_SLICE, presence: "enabled" } });
