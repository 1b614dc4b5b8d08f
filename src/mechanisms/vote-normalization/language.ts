/** The `vote_normalization` lever and its plan slice. */
import { z } from "zod";
import { slice } from "../../spec/plan.ts";
import { attr, lever, NUM, SWARM } from "../../spec/build.ts";

export const VOTE_NORMALIZATION_SLICE = slice(["governance", "voteNormalization"], z.strictObject({ enabled: z.boolean(), maxWeightPerAgent: z.number().positive() }));

export const VOTE_NORMALIZATION = lever("vote_normalization", "Diminishing influence of an agent's votes as it casts more.", [
  attr("max_weight", NUM, "M in the vote weight 1/(1 + n/M).", { key: "maxWeightPerAgent", default: 10.0, reference: "governance.max_vote_weight_per_agent" }),
], { reference: "governance.vote_normalization_enabled", inert: { profiles: SWARM, why: "the reference never applies vote weights" }, lower: { slice: VOTE_NORMALIZATION_SLICE, presence: "enabled" } });
