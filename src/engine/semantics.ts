/**
 * Everything that depends on the plan's profile, decided in one place.
 *
 * The engine never tests `plan.profile`: it reads these named switches. The
 * dormant mechanisms of swarm-0.1 (§0.4, §14.1 of the reference spec) are off
 * in both profiles for now; a later change turns them on for `sbx` only by
 * editing `semanticsFor`.
 */
import type { Plan, Profile } from "../plan/schema.ts";
import { PyRandom } from "./rng/cpython.ts";
import { NumpyGenerator } from "./rng/numpy.ts";
import { streamFactory } from "./rng/streams.ts";
import type { Rng, TopologyRng } from "./rng/types.ts";

export interface Semantics {
  readonly profile: Profile;
  /** Where random numbers come from. */
  readonly rng: "reference" | "streams";
  /** swarm-0.1 reports total_posts/total_votes as 0 in epochs without interactions (§7.8). */
  readonly feedTotalsZeroWithoutInteractions: boolean;
  /** Circuit-breaker violations forgiven per quiet epoch (plan.governance.circuitBreaker.violationDecay). */
  readonly violationForgiveness: boolean;

  // Dormant in the reference; reserved switches, all off today.
  /** Proposals carry the offered transfer τ (stochastic `transfer`), so taxes can bite. */
  readonly transfers: boolean;
  /** Payoffs flow into resources, not only into total_payoff. */
  readonly payoffToResources: boolean;
  /** Staking slashes stake on violations. */
  readonly slashing: boolean;
  /** Deceptive agents count accepted proposals from their own turns too, so exploitation can trigger. */
  readonly deceptiveCountsOwnAccepts: boolean;
  /** Tasks are posted each epoch (plan.tasks.perEpoch) and bounties paid. */
  readonly taskCreation: boolean;
  /** Observations show each post's vote score, so vote-direction logic is live. */
  readonly voteScoresVisible: boolean;
  /** Vote weights shrink with the voter's vote count (plan.governance.voteNormalization). */
  readonly voteNormalization: boolean;
  /** The bandwidth cap limits actions per agent per step (plan.governance.bandwidth). */
  readonly bandwidthCap: boolean;
  /** Agents below plan.network.disconnectBelowReputation lose their edges. */
  readonly reputationDisconnect: boolean;
  /** plan.proxy (weights, sigmoid steepness, decays) replaces the reference's fixed ProxyComputer(). */
  readonly proxySettings: boolean;
  /** Accepted interactions move the counterparty's reputation too. */
  readonly bothPartyReputation: boolean;
  /** Rejected interactions are recorded in the agents' counters. */
  readonly rejectedBookkeeping: boolean;
  /** Proposals expire after plan.tasks.proposalTtlSteps. */
  readonly proposalExpiry: boolean;
}

const DORMANT = {
  transfers: false,
  payoffToResources: false,
  slashing: false,
  deceptiveCountsOwnAccepts: false,
  taskCreation: false,
  voteScoresVisible: false,
  voteNormalization: false,
  bandwidthCap: false,
  reputationDisconnect: false,
  proxySettings: false,
  bothPartyReputation: false,
  rejectedBookkeeping: false,
  proposalExpiry: false,
} as const;

export function semanticsFor(profile: Profile): Semantics {
  switch (profile) {
    case "swarm-0.1":
      return { profile, rng: "reference", feedTotalsZeroWithoutInteractions: true, violationForgiveness: false, ...DORMANT };
    case "sbx":
      return { profile, rng: "streams", feedTotalsZeroWithoutInteractions: false, violationForgiveness: true, ...DORMANT };
  }
}

/** The random sources of one run. */
export interface RandomSources {
  /** Scripted and stochastic agents' decisions. */
  agent(id: string): Rng;
  /** Interaction observables. */
  readonly observables: Rng;
  /** The "random" schedule's shuffle. */
  readonly schedule: Rng;
  /** The random-audit lever. */
  readonly audit: Rng;
  /** Network topology generation. */
  readonly network: TopologyRng;
}

/**
 * swarm-0.1: the reference's three generators — one global MT19937 shared by
 * agents, observables and the schedule; a second MT19937 seeded alike for the
 * audit; numpy's PCG64 for the network. sbx: one stream per concern.
 */
export function randomSources(semantics: Semantics, plan: Plan): RandomSources {
  const seed = plan.simulation.seed;
  if (semantics.rng === "reference") {
    const global = new PyRandom(seed);
    let network: TopologyRng | null = null;
    return {
      agent: () => global,
      observables: global,
      schedule: global,
      audit: new PyRandom(seed),
      // numpy rejects negative seeds; only build the generator when a topology needs it.
      get network() {
        network ??= new NumpyGenerator(seed);
        return network;
      },
    };
  }
  const stream = streamFactory(seed);
  return {
    agent: (id) => stream(`agent:${id}`),
    observables: stream("observables"),
    schedule: stream("schedule"),
    audit: stream("audit"),
    network: stream("network"),
  };
}
