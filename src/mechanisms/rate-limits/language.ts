/** The `rate_limits` block and its plan slice. */
import { z } from "zod";
import { nonNegInt, slice } from "../../spec/plan.ts";
import { attr, block, BOOL, INT } from "../../spec/build.ts";

export const RateLimits = z.strictObject({
  postsPerEpoch: nonNegInt,
  interactionsPerStep: nonNegInt,
  votesPerEpoch: nonNegInt,
  tasksPerEpoch: nonNegInt,
  /** When false, observations claim everything is allowed (the reference still enforces at execution). */
  advertised: z.boolean(),
});

export const RATE_LIMITS_SLICE = slice(["rateLimits"], RateLimits);

export const RATE_LIMITS = block("rate_limits", "Per-agent limits on actions.", [
  attr("posts_per_epoch", INT, "Posts and replies per agent per epoch.", { key: "postsPerEpoch", reference: "rate_limits.posts_per_epoch", default: 10 }),
  attr("interactions_per_step", INT, "Proposals per agent per step.", { key: "interactionsPerStep", reference: "rate_limits.interactions_per_step", default: 5 }),
  attr("votes_per_epoch", INT, "Votes per agent per epoch.", { key: "votesPerEpoch", reference: "rate_limits.votes_per_epoch", default: 50 }),
  attr("tasks_per_epoch", INT, "Task claims per agent per epoch.", { key: "tasksPerEpoch", reference: "rate_limits.tasks_per_epoch", default: 3 }),
  attr("advertised", BOOL, "Whether agents see their limits in observations (limits are enforced either way).", { key: "advertised", default: true }),
], { preset: true, lower: { slice: RATE_LIMITS_SLICE } });
