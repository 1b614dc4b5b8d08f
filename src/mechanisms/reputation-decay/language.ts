/** The `reputation_decay` lever and its plan slice. */
import { z } from "zod";
import { prob, slice } from "../../spec/plan.ts";
import { lever, prob as probAttr } from "../../spec/build.ts";

export const DECAY_SLICE = slice(["governance", "reputationDecay"], z.strictObject({ rate: prob }));

export const REPUTATION_DECAY = lever("reputation_decay", "Reputations shrink toward zero at the start of each epoch.", [
  probAttr("rate", 1.0, "Fraction of reputation kept each epoch (1 = no decay).", { key: "rate", live: true, off: 1, advise: { min: 0.8, why: "the whitepaper studies decay rates in [0.8, 1.0]" }, reference: "governance.reputation_decay_rate" }),
], { lower: { slice: DECAY_SLICE } });
