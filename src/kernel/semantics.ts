/**
 * Everything that depends on the plan's profile, decided in one place.
 *
 * The engine never tests `plan.profile`: it reads these named switches. The
 * mechanisms swarm-0.1 defines but leaves dormant (docs/sandbox.md §0.4,
 * §14.1) are off in swarm-0.1, so it reproduces the reference bit for bit,
 * and on in `sbx`, where every lever the language accepts acts as the
 * sandbox's README and whitepaper describe (docs/differences.md, "The default
 * profile", records each decision).
 */
import type { Profile } from "../spec/plan.ts";
import { PyRandom } from "./rng/cpython.ts";
import { NumpyGenerator } from "./rng/numpy.ts";
import { streamFactory } from "./rng/streams.ts";
import type { Rng, TopologyRng } from "./rng/types.ts";

export interface Semantics {
  readonly profile: Profile;
  /** Where random numbers come from. */
  readonly rng: "reference" | "streams";
  /** swarm-0.1 reports total_posts/total_votes as 0 in epochs without interactions (docs/sandbox.md §7.8). */
  readonly feedTotalsZeroWithoutInteractions: boolean;
  /** Circuit-breaker violations forgiven per quiet epoch (plan.governance.circuitBreaker.violationDecay). */
  readonly violationForgiveness: boolean;

  // Dormant in the reference (docs/sandbox.md §14.1); on in sbx.
  /** Proposals carry the transfer τ the policy offers (its propose_interaction() logic, a stochastic policy's `transfer`), so taxes can bite. */
  readonly transfers: boolean;
  /**
   * Accepted interactions credit their payoffs to resources (transfers and
   * governance costs included), and governance charges (taxes, audit
   * penalties, real-time collusion costs, slashed stakes, collusion fines)
   * go to a public pool: resources plus the pool are conserved up to the
   * value interactions create and the bounties tasks pay.
   */
  readonly payoffToResources: boolean;
  /** Staking slashes stake (resources·slash_rate) on violations: circuit-breaker violations and failed audits. */
  readonly slashing: boolean;
  /**
   * Deceptive agents count every completed interaction with a partner (not
   * only end-of-step accept calls), vote only on posts they have not voted
   * on, offer +0.1 while building trust, and exploit each partner (trade,
   * τ = −0.5) once they have interacted with it `trust_building_phase` times
   * and trust it above `exploitation_threshold`.
   */
  readonly deceptiveExploitation: boolean;
  /** Tasks are posted each epoch (plan.tasks), claimed within the rate limit, started, submitted, verified and paid. */
  readonly taskCreation: boolean;
  /** Observations show each post's vote score, so vote-direction logic is live. */
  readonly voteScoresVisible: boolean;
  /** Vote weights shrink with the voter's votes this epoch: 1/(1 + n/M) (plan.governance.voteNormalization). */
  readonly voteNormalization: boolean;
  /** The bandwidth cap limits the accepted interactions an agent takes part in per epoch (plan.governance.bandwidth). */
  readonly bandwidthCap: boolean;
  /** Agents below plan.network.disconnectBelowReputation lose their edges. */
  readonly reputationDisconnect: boolean;
  /** plan.proxy (weights, sigmoid steepness, decays) replaces the reference's fixed ProxyComputer(). */
  readonly proxySettings: boolean;
  /** Accepted interactions move the counterparty's reputation too (by p − 0.5, as the initiator's). */
  readonly bothPartyReputation: boolean;
  /** The payoff's reputation terms r_a, r_b are the parties' reputation changes, weighted by w_rep. */
  readonly reputationPayoff: boolean;
  /** Rejected interactions are recorded in the agents' counters. */
  readonly rejectedBookkeeping: boolean;
  /** Proposals expire after plan.tasks.proposalTtlSteps. */
  readonly proposalExpiry: boolean;
  /** A proposal needs a counterparty that exists, is not the proposer and may act; only the counterparty may answer it. */
  readonly proposalValidation: boolean;
  /** Tax, circuit breaker and audits act on accepted interactions only (a rejected proposal is no transaction). */
  readonly governAcceptedOnly: boolean;
  /** A released agent's circuit-breaker window starts empty. */
  readonly breakerWindowResets: boolean;
  /** The collusion score counts a pair's benefit correlation only at or above collusion.correlationThreshold (stored but unread in the reference). */
  readonly collusionCorrelationGate: boolean;
  /** LLM prompts show real vote scores and task bounties and list the real interaction types (the reference's prompt shows 0, 0.0 and two types that do not exist). */
  readonly llmPromptFixes: boolean;
}

type Mechanisms = Omit<Semantics, "profile" | "rng" | "feedTotalsZeroWithoutInteractions" | "violationForgiveness">;

const DORMANT: Mechanisms = {
  transfers: false,
  payoffToResources: false,
  slashing: false,
  deceptiveExploitation: false,
  taskCreation: false,
  voteScoresVisible: false,
  voteNormalization: false,
  bandwidthCap: false,
  reputationDisconnect: false,
  proxySettings: false,
  bothPartyReputation: false,
  reputationPayoff: false,
  rejectedBookkeeping: false,
  proposalExpiry: false,
  proposalValidation: false,
  governAcceptedOnly: false,
  breakerWindowResets: false,
  collusionCorrelationGate: false,
  llmPromptFixes: false,
};

const ACTIVE: Mechanisms = Object.fromEntries(Object.keys(DORMANT).map((k) => [k, true])) as unknown as Mechanisms;

export function semanticsFor(profile: Profile): Semantics {
  switch (profile) {
    case "swarm-0.1":
      return { profile, rng: "reference", feedTotalsZeroWithoutInteractions: true, violationForgiveness: false, ...DORMANT };
    case "sbx":
      return { profile, rng: "streams", feedTotalsZeroWithoutInteractions: false, violationForgiveness: true, ...ACTIVE };
  }
}

/** The random sources of one run: one stream per concern, named by the mechanism that draws from it. */
export interface RandomSources {
  /** An agent's own decisions (scripted and stochastic policies). */
  agent(id: string): Rng;
  /** The stream of a concern: "observables", "schedule", "audit", "tasks", or any mechanism's own name. */
  stream(concern: string): Rng;
  /** Network topology generation (numpy's Generator in swarm-0.1). */
  topology(): TopologyRng;
}

/**
 * swarm-0.1: the reference's three generators — one global MT19937 shared by
 * agents, observables, the schedule and task verification; a second MT19937
 * seeded alike for the audit; numpy's PCG64 for the network. Concerns the
 * reference does not have get sbx streams, so they never move its draws.
 * sbx: one stream per concern.
 */
export function randomSources(semantics: Semantics, seed: number): RandomSources {
  const stream = streamFactory(seed);
  if (semantics.rng === "reference") {
    const global = new PyRandom(seed);
    const audit = new PyRandom(seed);
    const shared: Record<string, Rng> = { observables: global, schedule: global, tasks: global, audit };
    let network: TopologyRng | null = null;
    return {
      agent: () => global,
      stream: (concern) => shared[concern] ?? stream(concern),
      // numpy rejects negative seeds; only build the generator when a topology needs it.
      topology: () => (network ??= new NumpyGenerator(seed)),
    };
  }
  return {
    agent: (id) => stream(`agent:${id}`),
    stream,
    topology: () => stream("network"),
  };
}
