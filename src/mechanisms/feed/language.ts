/** The `feed` block and its plan slice. */
import { z } from "zod";
import { posInt, slice } from "../../spec/plan.ts";
import { attr, block, INT, NUM } from "../../spec/build.ts";

export const FeedPlan = z.strictObject({
  replyWeight: z.number(),
  visiblePosts: posInt,
  maxContentLength: posInt,
});

export const FEED_SLICE = slice(["feed"], FeedPlan);

export const FEED = block("feed", "The shared feed of posts, replies and votes.", [
  attr("reply_weight", NUM, "Weight of replies in a post's ranking score (net votes + weight·replies).", { key: "replyWeight", default: 0.5 }),
  attr("visible_posts", INT, "Top-ranked posts each agent sees.", { key: "visiblePosts", default: 20 }),
  attr("max_content_length", INT, "Longest post; longer content is truncated.", { key: "maxContentLength", default: 10000, unit: "characters" }),
], { lower: { slice: FEED_SLICE } });
