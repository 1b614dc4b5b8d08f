/**
 * Identity and Sybil resistance in the language: the `identity` registry
 * (creation cost, proof of personhood, credential expiry), Sybil attackers
 * as a population kind (`sybil`: entities controlling several identities)
 * and the `sybil_detection` lever. Defaults are the reference's
 * (swarm/models/identity.py, swarm/governance/identity_lever.py).
 */
import { z } from "zod";
import { nonNeg, posInt, prob, optionalSlice, slice } from "../../spec/plan.ts";
import { attr, block, BOOL, enabled, INT, lever, NON_NEG, NUM, prob as probAttr } from "../../spec/build.ts";

export const Identity = z.strictObject({
  /** Resources each identity costs when it is created. */
  creationCost: nonNeg,
  /** Each entity proves personhood for one identity; identities without it may not act. */
  proofOfPersonhood: z.boolean(),
  /** Epochs a credential stays valid. */
  credentialExpiry: posInt,
});
export type Identity = z.infer<typeof Identity>;

export const IDENTITY_SLICE = optionalSlice(["identity"], Identity);

export const SybilDetection = z.strictObject({
  threshold: prob,
  penaltyMultiplier: nonNeg,
  maxClusterSize: posInt,
  realtimePenalty: z.boolean(),
  realtimeRate: nonNeg,
});
export type SybilDetection = z.infer<typeof SybilDetection>;

export const SYBIL_DETECTION_SLICE = optionalSlice(["governance", "sybilDetection"], SybilDetection);

export const SybilParams = z.strictObject({
  /** Identities each entity controls. */
  identities: posInt,
  /** Which entity of its group the agent belongs to (numbered from 1 by the compiler). */
  entity: posInt,
  colludeProbability: prob,
  interactProbability: prob,
  acceptProbability: prob,
});
export type SybilParams = z.infer<typeof SybilParams>;

export const IDENTITY = block("identity", "An identity registry: every agent is an identity that costs resources to create; trust = 0.3 + 0.2·PoP + min(0.5, 0.1·credentials).", [
  enabled(),
  attr("creation_cost", NUM, "Resources each identity pays when it is created (at the run's start).", { key: "creationCost", default: 10, unit: "resources", reference: "identity_creation_cost" }),
  attr("proof_of_personhood", BOOL, "Each entity proves personhood for one identity (+0.2 trust); identities without it may not act.", { key: "proofOfPersonhood", default: false, reference: "proof_of_personhood_required" }),
  attr("credential_expiry", { t: "duration", unit: "epochs" }, "Epochs a credential stays valid. An identity earns one at the end of each epoch in which its accepted interactions average p ≥ 0.5.", { key: "credentialExpiry", default: 50, unit: "epochs", reference: "credential_expiry_epochs" }),
], { lower: { slice: IDENTITY_SLICE } });

export const SYBIL_DETECTION = lever("sybil_detection", "Detects clusters of identities that behave alike (Jaccard of counterparty sets with the cosine of interaction frequencies), penalises their members and blocks clusters larger than a cap.", [
  probAttr("threshold", 0.8, "Behavioural similarity at or above which two identities are linked; linked identities form a cluster.", { key: "threshold", reference: "sybil_similarity_threshold" }),
  attr("penalty_multiplier", NUM, "Each epoch a cluster member loses 0.1·multiplier reputation and 1·multiplier resources.", { key: "penaltyMultiplier", default: 1.0, reference: "sybil_penalty_multiplier" }),
  attr("max_cluster_size", INT, "Members of a larger cluster may not act.", { key: "maxClusterSize", default: 1, unit: "identities", reference: "sybil_max_cluster_size" }),
  attr("realtime_penalty", BOOL, "Also charge interactions between two flagged identities.", { key: "realtimePenalty", default: false, reference: "sybil_realtime_penalty" }),
  attr("realtime_rate", NUM, "Cost charged to each party of an interaction between flagged identities.", { key: "realtimeRate", default: 0.1, unit: "payoff", reference: "sybil_realtime_rate" }),
], { lower: { slice: SYBIL_DETECTION_SLICE } });

export const SYBIL = block("sybil", "Sybil attackers: entities that each control several identities. Sibling identities accept each other, collaborate among themselves and court everyone else, posing as honest.", [
  attr("count", INT, "How many Sybil entities the group holds (each controls `identities` agents).", { default: 1, range: NON_NEG, unit: "entities" }),
  attr("identities", INT, "Identities each entity controls.", { key: "identities", default: 3, unit: "identities" }),
  probAttr("collude_probability", 0.5, "Chance per turn of proposing a collaboration to a sibling identity.", { key: "colludeProbability" }),
  probAttr("interact_probability", 0.4, "Chance per turn (when not colluding) of proposing a collaboration to another agent.", { key: "interactProbability" }),
  probAttr("accept_probability", 0.6, "Chance of accepting a proposal from an agent that is not a sibling (siblings are always accepted).", { key: "acceptProbability" }),
], { named: "optional", repeatable: true, lower: { slice: slice([], SybilParams), members: { count: "identities", index: "entity" } } });
