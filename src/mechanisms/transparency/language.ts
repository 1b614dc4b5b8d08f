/** The `transparency` lever and its plan slice. */
import { z } from "zod";
import { optionalSlice, prob } from "../../spec/plan.ts";
import { lever, prob as probAttr } from "../../spec/build.ts";

export const TRANSPARENCY_SLICE = optionalSlice(["governance", "transparency"], z.strictObject({ enabled: z.boolean(), share: prob, threshold: prob }));

export const TRANSPARENCY = lever("transparency", "Lets a counterparty see the quality of an interaction it accepted before it completes; it declines one it can see is harmful. Counters adverse selection: acceptance is otherwise blind to p.", [
  probAttr("share", 1.0, "Chance that a counterparty sees the interaction's p before it completes.", { key: "share" }),
  probAttr("threshold", 0.5, "A counterparty that sees a p below this declines the interaction.", { key: "threshold" }),
], { lower: { slice: TRANSPARENCY_SLICE, presence: "enabled" } });
