/**
 * The scripted agent kinds' population blocks and plan params, and user
 * policies (`policy` declarations, run as kind `stochastic`).
 */
import { z } from "zod";
import { INTERACTION_TYPES, InteractionType, nonNegInt, prob, slice } from "../../spec/plan.ts";
import { attr, block, BOOL, enumOf, INT, NON_NEG, NUM, prob as probAttr, SWARM } from "../../spec/build.ts";
import type { AttrSpec } from "../../spec/types.ts";
import { OBSERVABLES, ObservableProfile } from "../interactions/language.ts";

export const SCRIPTED_KINDS = ["honest", "opportunistic", "deceptive", "adversarial"] as const;
export const ScriptedKind = z.enum(SCRIPTED_KINDS);
export type ScriptedKind = z.infer<typeof ScriptedKind>;

export const HonestParams = z.strictObject({
  acceptanceThreshold: prob,
  trustWeight: prob,
  postProbability: prob,
  voteProbability: prob,
  interactProbability: prob,
});
export const OpportunisticParams = z.strictObject({
  riskTolerance: prob,
  postProbability: prob,
  voteProbability: prob,
  freeRideProbability: prob,
});
export const DeceptiveParams = z.strictObject({
  trustBuildingPhase: nonNegInt,
  exploitationThreshold: prob,
  facadeProbability: prob,
  postProbability: prob,
});
export const AdversarialParams = z.strictObject({
  targetHonest: z.boolean(),
  postProbability: prob,
  attackProbability: prob,
  attackCooldown: nonNegInt,
});

export const TARGETS = ["random", "most_trusted", "highest_reputation", "lowest_reputation"] as const;

/** A user-declared stochastic policy: each step the agent picks one action from a probability table. */
export const StochasticParams = z.strictObject({
  policy: z.string(),
  actions: z.strictObject({
    post: prob,
    reply: prob,
    vote: prob,
    propose: prob,
    claimTask: prob,
    noop: prob,
  }),
  acceptProbability: prob,
  proposeType: InteractionType,
  /** How a proposal's counterparty is chosen among visible agents. */
  target: z.enum(TARGETS),
  upvoteProbability: prob,
  observables: ObservableProfile,
  /** Transfer offered with each proposal (acts only where transfers are active). */
  transfer: z.number(),
});

/** How many agents a population group holds (every kind's block has it). */
export const groupSize: AttrSpec = attr("count", INT, "How many agents of this group the population holds.", { default: 1, range: NON_NEG, unit: "agents" });

/** The group size of the sandbox's own agent types, which its YAML sets as `agents[].count`. */
export const count: AttrSpec = { ...groupSize, reference: "agents[].count" };

const agentKind = (kind: string, doc: string, params: z.ZodType, attrs: AttrSpec[], fixed?: Record<string, number>) =>
  block(kind, doc, [count, ...attrs], { named: "optional", repeatable: true, lower: { slice: slice([], params), ...(fixed ? { fixed } : {}) } });

export const HONEST = agentKind("honest", "Cooperative, trust-based agents: they accept proposals from partners they trust and propose collaborations.", HonestParams, [
  probAttr("acceptance_threshold", 0.4, "Trust needed to accept a proposal (lowered by 0.1 for collaborations, raised by 0.1 for trades).", { key: "acceptanceThreshold" }),
  probAttr("trust_weight", 0.3, "Weight of partner trust against a neutral prior when accepting at end of step.", { key: "trustWeight" }),
  probAttr("post_probability", 0.3, "Chance of posting on a turn with nothing more pressing.", { key: "postProbability" }),
  probAttr("vote_probability", 0.5, "Chance of voting on a visible post.", { key: "voteProbability" }),
  probAttr("interact_probability", 0.4, "Chance of proposing a collaboration to the most trusted visible agent.", { key: "interactProbability" }),
]);

// risk_tolerance is not a language attribute: the reference's default, always.
export const OPPORTUNISTIC = agentKind("opportunistic", "Payoff-maximising agents: they cherry-pick tasks, vote strategically and propose trades to resource-rich agents.", OpportunisticParams, [
  probAttr("post_probability", 0.4, "Chance of posting engagement bait.", { key: "postProbability" }),
  probAttr("vote_probability", 0.6, "Chance of upvoting the top-ranked post.", { key: "voteProbability" }),
  probAttr("free_ride_probability", 0.3, "Chance of submitting minimal work on an active task.", { key: "freeRideProbability" }),
], { riskTolerance: 0.6 });

export const DECEPTIVE = agentKind("deceptive", "Trust-then-exploit agents: they behave honestly until enough partners trust them, then propose exploitative trades.", DeceptiveParams, [
  attr("trust_building_phase", INT, "Interactions with a partner before the agent turns selective with it.", { key: "trustBuildingPhase", default: 5, unit: "interactions" }),
  probAttr("exploitation_threshold", 0.7, "Trust a partner must reach to become an exploitation target.", { key: "exploitationThreshold" }),
  probAttr("facade_probability", 0.8, "Chance of accepting a proposal during the trust-building phase.", { key: "facadeProbability" }),
  probAttr("post_probability", 0.35, "Chance of posting trust-building content.", { key: "postProbability" }),
]);

export const ADVERSARIAL = agentKind("adversarial", "Disruptive agents: they target honest agents with trades, downvote their posts and coordinate with other adversaries.", AdversarialParams, [
  attr("target_honest", BOOL, "Whether honest agents (and LLM agents, which report as honest) become targets.", { key: "targetHonest", default: true }),
  probAttr("post_probability", 0.5, "Chance of posting disruptive content.", { key: "postProbability" }),
  probAttr("attack_probability", 0.6, "Chance of attacking when the cooldown allows.", { key: "attackProbability" }),
  attr("attack_cooldown", INT, "Turns after an attack before the next one.", { key: "attackCooldown", default: 2, unit: "turns" }),
]);

/** A population group drawing on a declared stochastic policy. */
export const POLICY_GROUP = block("<policy>", "A group of agents following a declared policy.", [count], { named: "optional", repeatable: true });

const ACTIONS = block("actions", "Probability of each action on a turn; they must sum to 100%.", [
  probAttr("post", 0, "Post to the feed.", { key: "post" }),
  probAttr("reply", 0, "Reply to a visible post.", { key: "reply" }),
  probAttr("vote", 0, "Vote on a visible post.", { key: "vote" }),
  probAttr("propose", 0, "Propose an interaction to a visible agent.", { key: "propose" }),
  probAttr("claim_task", 0, "Claim an available task.", { key: "claimTask" }),
  probAttr("noop", 0, "Do nothing.", { key: "noop" }),
], { lower: { field: "actions" } });

export const POLICY = block("policy", "A stochastic policy: each turn the agent draws an action from its table (the compute economy's regimes are such tables).", [
  probAttr("accept", 0.5, "Chance of accepting a proposal.", { key: "acceptProbability" }),
  attr("propose_type", enumOf(INTERACTION_TYPES.filter((t) => t !== "vote")), "Interaction type of its proposals.", { key: "proposeType", default: "collaboration" }),
  attr("target", enumOf(TARGETS), "How it picks the counterparty among visible agents.", { key: "target", default: "random" }),
  probAttr("upvote", 1.0, "Chance that a vote is an upvote.", { key: "upvoteProbability" }),
  attr("transfer", NUM, "Transfer τ offered with each proposal.", { key: "transfer", default: 0, inert: { profiles: SWARM, why: "transfers are always 0 in the reference" } }),
], { blocks: [ACTIONS, OBSERVABLES], named: "required", lower: { slice: slice([], StochasticParams) } });
