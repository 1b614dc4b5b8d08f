/** The `bandwidth` lever and its plan slice. */
import { z } from "zod";
import { nonNegInt, slice } from "../../spec/plan.ts";
import { attr, INT, lever, SWARM } from "../../spec/build.ts";

export const BANDWIDTH_SLICE = slice(["governance", "bandwidth"], z.strictObject({ enabled: z.boolean(), cap: nonNegInt }));

export const BANDWIDTH = lever("bandwidth", "Caps how many interactions an agent may take part in per epoch.", [
  attr("cap", INT, "Interactions per agent per epoch.", { key: "cap", default: 10, reference: "governance.bandwidth_cap" }),
], { inert: { profiles: SWARM, why: "the reference defines bandwidth_cap but never applies it" }, lower: { slice: BANDWIDTH_SLICE, presence: "enabled" } });
