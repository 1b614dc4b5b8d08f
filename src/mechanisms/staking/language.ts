/** The `staking` lever and its plan slice. */
import { z } from "zod";
import { nonNeg, prob, slice } from "../../spec/plan.ts";
import { attr, lever, NUM, prob as probAttr, SWARM } from "../../spec/build.ts";

export const STAKING_SLICE = slice(["governance", "staking"], z.strictObject({ enabled: z.boolean(), minStake: nonNeg, slashRate: prob }));

export const STAKING = lever("staking", "Agents must hold a stake to act; violations slash it.", [
  attr("min_stake", NUM, "Resources an agent needs to act.", { key: "minStake", live: true, default: 0.0, unit: "resources", reference: "governance.min_stake_to_participate" }),
  probAttr("slash_rate", 0.1, "Fraction of resources slashed per violation.", { key: "slashRate", live: true, inert: { profiles: SWARM, why: "the reference never slashes" }, reference: "governance.stake_slash_rate" }),
], { reference: "governance.staking_enabled", lower: { slice: STAKING_SLICE, presence: "enabled" } });
