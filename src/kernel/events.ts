/**
 * The event log's vocabulary: plain JSON events, emitted in the order things
 * happen, and the only way a run's state changes (every mechanism applies
 * them in its reducers, live and in replay alike).
 *
 * The map is open: a mechanism declares its own events next to its code by
 * declaration merging —
 *
 *   declare module "../../kernel/events.ts" {
 *     interface EventMap { post_created: At & { id: number; … } }
 *   }
 *
 * Deterministic by construction: no wall clock, no random ids (posts,
 * proposals and interactions are numbered by run-wide counters). The header
 * carries the full plan, so a replay needs nothing else.
 */
import type { CorePlan, InteractionType, Profile } from "../spec/plan.ts";
import type { InteractionRecord } from "./records.ts";

export const EVENT_FORMAT = "sbx-events";
export const EVENT_VERSION = 1;

/** When an event happened. */
export interface At {
  epoch: number;
  step: number;
}

/** Every event's payload by type. Mechanisms extend it with their own events. */
export interface EventMap {
  run_started: {
    format: typeof EVENT_FORMAT;
    version: typeof EVENT_VERSION;
    sbxVersion: string;
    planHash: string;
    scenario: string;
    seed: number;
    profile: Profile;
    mode: "sync" | "async";
    /** The whole plan (its slices included). */
    plan: CorePlan;
  };
  epoch_started: At;
  /** Governance moved an agent's reputation (decay, collusion penalty; summed per agent as the reference does). */
  reputation_changed: At & { agent: string; delta: number; reason: "governance" };
  /** `pool`: the part the public pool received (sbx: governance fines go there). */
  resources_changed: At & { agent: string; delta: number; reason: "governance"; pool?: number };
  agent_frozen: At & { agent: string };
  agent_unfrozen: At & { agent: string };
  // The interaction protocol every lever hooks into (src/mechanisms/interactions).
  interaction_proposed: At & { id: number; initiator: string; counterparty: string; interactionType: InteractionType; transfer: number };
  interaction_completed: At & {
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
    /** The counterparty accepted, but a capacity lever (the bandwidth cap) refused the interaction. */
    capped?: true;
  };
  epoch_completed: {
    epoch: number;
    metrics: Record<string, number | null>;
    observed: Record<string, number | null>;
  };
  run_completed: { epochsCompleted: number };
}

export type EventType = keyof EventMap;
export type EventOf<K extends EventType> = { type: K } & EventMap[K];
export type SimEvent = { [K in EventType]: EventOf<K> }[EventType];

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
