/**
 * What an agent policy sees and returns.
 *
 * A TurnView is the reference's Observation, but lazy: it answers the
 * questions policies ask (first pending proposal, top posts, a uniform pick
 * among visible agents satisfying a rule) against live state without
 * building the full lists. The interface is open: each mechanism adds the
 * members it answers for (declaration merging) and installs them on the
 * view's prototype (Instance.turn). Policies read state only; every change
 * happens when the scheduler executes the returned action.
 */
import type { Action } from "./actions.ts";
import type { At, SimEvent } from "./events.ts";
import type { OrderIndex } from "./order-index.ts";
import type { AgentSlot, Population, Proposal } from "./population.ts";
import type { Rng } from "./rng/types.ts";
import type { Semantics } from "./semantics.ts";

/**
 * A subset of the visible agents for a uniform pick. `base` is an
 * order-statistic set of active agents (absent: all active agents);
 * `excluded` lists registration indices of `base` members to skip, ascending;
 * `test` must agree with base-minus-excluded and is used on neighbour lists
 * when a network restricts visibility.
 */
export interface VisibleSubset {
  readonly base?: OrderIndex;
  readonly excluded?: () => readonly number[];
  readonly test: (s: AgentSlot) => boolean;
}

/** One agent's observation for one turn. Mechanisms add members. */
export interface TurnView {
  readonly self: AgentSlot;
  readonly epoch: number;
  readonly step: number;
  /** This agent's random source. */
  readonly rng: Rng;
}

/** The finished interaction as an agent learns it. */
export interface Outcome {
  readonly initiator: string;
  readonly counterparty: string;
  readonly accepted: boolean;
  readonly p: number;
  /** The parties' registration numbers (−1: not an agent of the run); absent, policies look the ids up. */
  readonly initiatorIdx?: number;
  readonly counterpartyIdx?: number;
}

export interface Policy {
  /** One turn: the reference's act(observation). */
  act(view: TurnView): Action;
  /**
   * A decision produced later (an LLM call): when present, the async runner
   * awaits it instead of calling act(). Such policies need `mode: "async"`.
   */
  actAsync?(view: TurnView): Promise<Action>;
  acceptAsync?(proposal: Proposal, view: TurnView): Promise<boolean>;
  /**
   * Called in schedule order once every decision of an async phase has
   * arrived and before any executes, with the awaited value (null when the
   * decision failed): returns the decision to execute (an LLM agent's
   * fallback may replace it) and the events the decision produced (model
   * calls, faults), which the scheduler logs before executing it. So the
   * log never depends on which awaited call finished first.
   */
  settleAct?(view: TurnView, action: Action | null): Settled<Action>;
  settleAccept?(proposal: Proposal, view: TurnView, accepted: boolean | null): Settled<boolean>;
  /** End-of-step decision on a proposal addressed to this agent. */
  accept(proposal: Proposal, view: TurnView): boolean;
  /** update_from_outcome, for both parties of every completed interaction. */
  onOutcome(outcome: Outcome): void;
}

/** A settled async decision and the events it produced. */
export interface Settled<T> {
  readonly value: T;
  readonly events: readonly SimEvent[];
}

/** What policies may consult beyond their own view. */
export interface PolicyContext {
  readonly semantics: Semantics;
  readonly population: Population;
  /**
   * Reports a change of the policy's own phase (a deceptive agent turning on
   * a partner) as an event. Reports arrive while an interaction completes;
   * the scheduler logs them right after it, so the log reads cause before effect.
   */
  readonly report: (event: (at: At) => SimEvent) => void;
}

export function otherParty(o: Outcome, self: string): string {
  return o.initiator === self ? o.counterparty : o.initiator;
}

/**
 * The other party's registration number (−1: not an agent of the run), for the
 * agent `self` numbered `selfIdx` (−1: unknown). Told apart by number where the
 * outcome carries numbers (comparing two agents' ids reads both strings, cache
 * misses among 100,000 agents), else by id.
 */
export function otherPartyIdx(o: Outcome, self: string, selfIdx: number, pop: Population): number {
  const { initiatorIdx, counterpartyIdx } = o;
  if (selfIdx >= 0 && initiatorIdx !== undefined && counterpartyIdx !== undefined) return initiatorIdx === selfIdx ? counterpartyIdx : initiatorIdx;
  const mine = o.initiator === self;
  const idx = mine ? o.counterpartyIdx : o.initiatorIdx;
  return idx !== undefined ? idx : (pop.slot(mine ? o.counterparty : o.initiator)?.idx ?? -1);
}
