/** The `circuit_breaker` lever and its plan slice. */
import { z } from "zod";
import { nonNegInt, posInt, prob, slice } from "../../spec/plan.ts";
import { attr, INT, lever, prob as probAttr, SWARM } from "../../spec/build.ts";

export const BREAKER_SLICE = slice(
  ["governance", "circuitBreaker"],
  z.strictObject({
    enabled: z.boolean(),
    toxicityThreshold: prob,
    violations: posInt,
    freezeEpochs: posInt,
    window: posInt,
    /** Violations forgiven per epoch without a new one (the reference never forgets). */
    violationDecay: nonNegInt,
  }),
);

export const CIRCUIT_BREAKER = lever("circuit_breaker", "Freezes agents whose recent interactions are too toxic.", [
  probAttr("toxicity", 0.7, "Mean toxicity over the window that counts as a violation.", { key: "toxicityThreshold", live: true, advise: { min: 0.3, why: "the whitepaper studies freeze thresholds in [0.3, 1.0]" }, reference: "governance.freeze_threshold_toxicity" }),
  attr("violations", INT, "Violations that trigger a freeze.", { key: "violations", live: true, default: 3, reference: "governance.freeze_threshold_violations" }),
  attr("freeze", { t: "duration", unit: "epochs" }, "How long a frozen agent stays frozen.", { key: "freezeEpochs", live: true, default: 2, unit: "epochs", reference: "governance.freeze_duration_epochs" }),
  attr("window", INT, "Recent interactions whose toxicity is averaged.", { key: "window", live: true, default: 10, unit: "interactions" }),
  attr("violation_decay", INT, "Violations forgiven per epoch without a new one (the reference never forgets).", { key: "violationDecay", live: true, default: 0, inert: { profiles: SWARM, why: "the reference's violations never decay" } }),
], { reference: "governance.circuit_breaker_enabled", lower: { slice: BREAKER_SLICE, presence: "enabled" } });
