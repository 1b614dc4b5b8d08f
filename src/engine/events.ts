/**
 * The event log: plain JSON events, emitted in the order things happen.
 *
 * Deterministic by construction: no wall clock, no random ids (posts,
 * proposals and interactions are numbered by run-wide counters). The header
 * carries the full plan, so `replay(events)` needs nothing else. Every state
 * change is its own event (or a field of the interaction that caused it), so
 * a replay rebuilds every interaction and every epoch metric exactly; the
 * metrics in `epoch_completed` are a checksum the replay verifies.
 */
import type { InteractionType, Plan, Profile } from "../plan/schema.ts";
import type { InteractionRecord } from "./types.ts";

export const EVENT_FORMAT = "sbx-events";
export const EVENT_VERSION = 1;

interface At {
  epoch: number;
  step: number;
}

export type SimEvent =
  | {
      type: "run_started";
      format: typeof EVENT_FORMAT;
      version: typeof EVENT_VERSION;
      sbxVersion: string;
      planHash: string;
      scenario: string;
      seed: number;
      profile: Profile;
      mode: "sync" | "async";
      plan: Plan;
    }
  /** The initial topology (edges as [a, b, weight], registration order). */
  | { type: "network_initialized"; nodes: string[]; edges: [string, string, number][] }
  | ({ type: "epoch_started" } & At)
  /** Governance moved an agent's reputation (decay, collusion penalty; summed per agent as the reference does). */
  | ({ type: "reputation_changed"; agent: string; delta: number; reason: "governance" } & At)
  /** `pool`: the part the public pool received (sbx: governance fines go there). */
  | ({ type: "resources_changed"; agent: string; delta: number; reason: "governance"; pool?: number } & At)
  | ({ type: "agent_frozen"; agent: string } & At)
  | ({ type: "agent_unfrozen"; agent: string } & At)
  /** Staking refused the agent's turn. */
  | ({ type: "turn_blocked"; agent: string } & At)
  | ({ type: "post_created"; id: number; author: string; parent: number | null; content: string } & At)
  /** `weight`: the vote's normalised influence, present where vote normalisation acts. */
  | ({ type: "vote_cast"; post: number; voter: string; direction: 1 | -1; outcome: "new" | "same" | "changed"; weight?: number } & At)
  | ({ type: "interaction_proposed"; id: number; initiator: string; counterparty: string; interactionType: InteractionType; transfer: number } & At)
  | ({
      type: "interaction_completed";
      interaction: InteractionRecord;
      /** Payoffs were added to both parties' totals and their counters moved (accepted interactions). */
      credited: boolean;
      /** Reputation added to the initiator (p − 0.5 when credited). */
      reputationDeltaA: number;
      /** Reputation added to the counterparty (0 where both-party reputation is dormant, as in swarm-0.1). */
      reputationDeltaB: number;
      /** Where payoffs flow into resources (sbx): each party's resource change (its payoff) and the governance costs paid into the public pool. */
      resourceDeltaA?: number;
      resourceDeltaB?: number;
      pool?: number;
      /** The counterparty accepted, but the bandwidth cap refused the interaction. */
      capped?: true;
    } & At)
  /** Proposals unanswered for proposal_ttl steps are withdrawn (sbx). */
  | ({ type: "proposal_expired"; id: number; initiator: string; counterparty: string } & At)
  /** Staking slashed `amount` of the agent's resources into the public pool for a violation (sbx). */
  | ({ type: "stake_slashed"; agent: string; amount: number; violation: "circuit_breaker" | "audit" } & At)
  /** A deceptive agent turned on a partner: past the trust-building phase and trusted enough (sbx). */
  | ({ type: "exploitation_started"; agent: string; partner: string } & At)
  /** The agent's reputation fell below network.disconnectBelowReputation: these edges were removed (sbx). */
  | ({ type: "agent_disconnected"; agent: string; edges: [string, string][] } & At)
  /** The task lifecycle (sbx): posted at epoch start, claimed, started, submitted, verified (and paid), or closed by its deadline. */
  | ({ type: "task_created"; task: number; bounty: number; difficulty: string; minReputation: number; deadline: number | null } & At)
  | ({ type: "task_claimed"; task: number; agent: string } & At)
  | ({ type: "task_started"; task: number; agent: string } & At)
  | ({ type: "output_submitted"; task: number; agent: string } & At)
  | ({ type: "task_verified"; task: number; agent: string; p: number; passed: boolean; bounty: number } & At)
  | ({ type: "task_closed"; task: number; status: "expired" | "failed" } & At)
  | ({ type: "edge_strengthened"; a: string; b: string; weight: number } & At)
  /** End-of-epoch decay: every weight times (1 − rate); `pruned` fell below the minimum and were removed. */
  | ({ type: "edges_decayed"; pruned: [string, string][] } & At)
  /** A collusion analysis ran at epoch start; `penalty` is Σ risk·multiplier of the reputation penalties it applied. */
  | ({ type: "collusion_analyzed"; flaggedPairs: number; ecosystemRisk: number; penalty: number } & At)
  | {
      type: "epoch_completed";
      epoch: number;
      metrics: Record<string, number | null>;
      observed: Record<string, number | null>;
    }
  /**
   * LLM agents (logged when the orchestrator settles a decision, in schedule
   * order). One `llm_call` per request sent: the tokens the provider
   * reported, their cost at the plan's prices (0 without cost tracking), and
   * whether the answer was usable, with the model's stated reasoning.
   */
  | ({
      type: "llm_call";
      agent: string;
      decision: "act" | "accept";
      proposal: number | null;
      attempt: number;
      provider: string;
      model: string;
      tokensIn: number;
      tokensOut: number;
      costUsd: number;
      ok: boolean;
      reasoning: string | null;
    } & At)
  /** A call that failed (timeout, 429, 5xx, …) or returned an unusable answer (refusal, empty, malformed, invalid), and what came next. */
  | ({
      type: "llm_fault";
      agent: string;
      decision: "act" | "accept";
      proposal: number | null;
      attempt: number;
      fault: string;
      detail: string;
      next: "retry" | "fallback";
      /** How long the provider asked us to wait (retry-after), if it did; the wait itself is not logged, as it depends on the host's backoff settings. */
      retryAfterSeconds: number | null;
    } & At)
  /** The decision was taken by the agent's fallback (nothing, or a scripted kind) instead of the model. */
  | ({ type: "llm_fallback"; agent: string; decision: "act" | "accept"; proposal: number | null; reason: "faults" | "invalid" | "budget"; fallback: string } & At)
  /** The next call could have exceeded the budget: no more calls this run (once per run). */
  | ({ type: "llm_budget_exhausted"; budgetUsd: number; committedUsd: number } & At)
  | { type: "run_completed"; epochsCompleted: number };

export type SimEventType = SimEvent["type"];

/** One event per line; the deterministic serialised form of a log. */
export function toJsonl(events: Iterable<SimEvent>): string {
  let out = "";
  for (const e of events) out += JSON.stringify(e) + "\n";
  return out;
}

export function fromJsonl(text: string): SimEvent[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as SimEvent);
}
