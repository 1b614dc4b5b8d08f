/**
 * What an agent policy sees and returns.
 *
 * A TurnView is the reference's Observation, but lazy: it answers the
 * questions policies ask (first pending proposal, top posts, a uniform pick
 * among visible agents satisfying a rule) against live state without
 * building the full lists. Policies read state only; every change happens
 * when the orchestrator executes the returned action.
 */
import type { InteractionType } from "../../plan/schema.ts";
import type { SimEvent } from "../events.ts";
import type { Post } from "../feed.ts";
import type { OrderIndex } from "../order-index.ts";
import type { AgentSlot, Proposal } from "../population.ts";
import type { Rng } from "../rng/types.ts";
import type { Semantics } from "../semantics.ts";
import type { Task } from "../tasks.ts";

export type Action =
  | { readonly kind: "noop" }
  | { readonly kind: "post"; readonly content: string }
  | { readonly kind: "reply"; readonly postId: number; readonly content: string }
  | { readonly kind: "vote"; readonly postId: number; readonly direction: 1 | -1 }
  | { readonly kind: "propose"; readonly counterparty: string; readonly type: InteractionType; readonly content: string; readonly transfer: number }
  | { readonly kind: "accept"; readonly proposalId: number }
  | { readonly kind: "reject"; readonly proposalId: number }
  | { readonly kind: "claim_task"; readonly taskId: number }
  /** `effort: "minimal"` marks a free ride, which task verification fails (sbx). */
  | { readonly kind: "submit_output"; readonly taskId: number; readonly content: string; readonly effort?: "full" | "minimal" };

export const NOOP: Action = { kind: "noop" };

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

export interface TurnView {
  readonly self: AgentSlot;
  readonly epoch: number;
  readonly step: number;
  readonly canPost: boolean;
  readonly canInteract: boolean;
  readonly canVote: boolean;
  readonly canClaimTask: boolean;
  /** This agent's random source. */
  readonly rng: Rng;
  /** True when a network restricts visibility to neighbours. */
  readonly networked: boolean;
  firstPending(): Proposal | undefined;
  /** The top-ranked visible posts, best first. */
  posts(): readonly Post[];
  /** Visible agents (active, a neighbour when there is a network), excluding self. */
  visibleCount(): number;
  /** The agent if it is visible to this one. */
  visible(id: string): AgentSlot | undefined;
  /** The first visible agent, in registration order, passing `test` (scans in order). */
  firstVisible(test: (s: AgentSlot) => boolean): AgentSlot | undefined;
  /** `random.choice` over the visible agents in `subset` (registration order); no draw when empty. */
  chooseVisible(subset: VisibleSubset): AgentSlot | undefined;
  /** Every visible agent in registration order (O(visible): for rules that need a full scan). */
  forEachVisible(fn: (s: AgentSlot) => void): void;
  availableTasks(): readonly Task[];
  activeTasks(): readonly Task[];
}

/** The finished interaction as an agent learns it. */
export interface Outcome {
  readonly initiator: string;
  readonly counterparty: string;
  readonly accepted: boolean;
  readonly p: number;
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
   * calls, faults), which the orchestrator logs before executing it. So the
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

/** Something a policy reports about itself, logged as an event (e.g. a deceptive agent turning on a partner). */
export type PolicyNote = { readonly kind: "exploitation_started"; readonly agent: string; readonly partner: string };

/** What policies may consult beyond their own view. */
export interface PolicyContext {
  readonly semantics: Semantics;
  readonly population: import("../population.ts").Population;
  /** Reports a change of the policy's own phase; the orchestrator logs it. */
  readonly notify?: (note: PolicyNote) => void;
}

export function otherParty(o: Outcome, self: string): string {
  return o.initiator === self ? o.counterparty : o.initiator;
}
