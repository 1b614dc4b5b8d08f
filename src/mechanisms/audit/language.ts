/** The `audit` lever and its plan slice. */
import { z } from "zod";
import { nonNeg, prob, slice } from "../../spec/plan.ts";
import { attr, lever, NUM, prob as probAttr } from "../../spec/build.ts";

export const AUDIT_SLICE = slice(["governance", "audit"], z.strictObject({ enabled: z.boolean(), probability: prob, penaltyMultiplier: nonNeg, thresholdP: prob }));

export const AUDIT = lever("audit", "Random audits charge a penalty on low-quality interactions.", [
  probAttr("probability", 0.1, "Chance that an interaction is audited.", { key: "probability", live: true, advise: { max: 0.5, why: "the whitepaper studies audit probabilities in [0, 0.5]" }, reference: "governance.audit_probability" }),
  attr("penalty_multiplier", NUM, "Penalty = (threshold_p − p)·multiplier.", { key: "penaltyMultiplier", live: true, default: 2.0, reference: "governance.audit_penalty_multiplier" }),
  probAttr("threshold_p", 0.5, "Audited interactions with p below this are penalised.", { key: "thresholdP", live: true, reference: "governance.audit_threshold_p" }),
], { reference: "governance.audit_enabled", lower: { slice: AUDIT_SLICE, presence: "enabled" } });
