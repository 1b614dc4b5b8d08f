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
  | ({ type: "resources_changed"; agent: string; delta: number; reason: "governance" } & At)
  | ({ type: "agent_frozen"; agent: string } & At)
  | ({ type: "agent_unfrozen"; agent: string } & At)
  /** Staking refused the agent's turn. */
  | ({ type: "turn_blocked"; agent: string } & At)
  | ({ type: "post_created"; id: number; author: string; parent: number | null; content: string } & At)
  | ({ type: "vote_cast"; post: number; voter: string; direction: 1 | -1; outcome: "new" | "same" | "changed" } & At)
  | ({ type: "interaction_proposed"; id: number; initiator: string; counterparty: string; interactionType: InteractionType; transfer: number } & At)
  | ({
      type: "interaction_completed";
      interaction: InteractionRecord;
      /** Payoffs were added to both parties' totals and their counters moved (accepted interactions). */
      credited: boolean;
      /** Reputation added to the initiator (p − 0.5 when credited). */
      reputationDeltaA: number;
      /** Reputation added to the counterparty (0 while both-party reputation is dormant). */
      reputationDeltaB: number;
    } & At)
  | ({ type: "task_claimed"; task: number; agent: string } & At)
  | ({ type: "output_submitted"; task: number; agent: string } & At)
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
