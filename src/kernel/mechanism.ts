/**
 * The contract between the scheduler and the mechanisms.
 *
 * A mechanism is one folder under src/mechanisms: its plan slice, its state,
 * its hooks, its events and their reducers, its metrics. The scheduler
 * (src/engine) knows only the ordered list (src/mechanisms/index.ts) and
 * calls each hook on every mechanism that has it, in that order — the order
 * is what keeps profile swarm-0.1 bit-exact.
 *
 * State changes happen in reducers, never in hooks: a hook decides and emits
 * events; every mechanism's reducers apply them. The live run and `sbx
 * replay` feed the same events through the same reducers, so they cannot
 * drift apart. (Hooks may keep decision-only state of their own, such as a
 * lever's sliding window, that no metric reads.)
 */
import type { Action, ActionKind, ActionOf } from "./actions.ts";
import type { Effect, Violation } from "./effect.ts";
import type { EventOf, EventType, SimEvent } from "./events.ts";
import type { MetricSpec } from "./metric.ts";
import type { Policy, PolicyContext, TurnView } from "./policy.ts";
import type { AgentSlot, Proposal } from "./population.ts";
import type { InteractionRecord, RunResult } from "./records.ts";
import type { World } from "./world.ts";
import type { z } from "zod";
import type { AgentEntry, SliceBinding } from "../spec/plan.ts";
import type { BlockSpec, ScenarioFacts } from "../spec/types.ts";

export type { AgentEntry };

/** An agent kind a mechanism provides. */
export interface AgentKind<S extends z.ZodType = z.ZodType> {
  /** The policy of one agent of this kind. */
  readonly policy: (agent: AgentEntry, ctx: PolicyContext) => Policy;
  /** The type other agents see (LLM agents pass as honest, as in the reference); the kind itself by default. */
  readonly reportsAs?: string;
  /** The plan schema of its agents' `params`. */
  readonly params: S;
  /** Its population block (`honest = 3`, `honest careful { … }`); absent for kinds populated otherwise (declared policies). */
  readonly block?: BlockSpec;
}

/** Where a mechanism's block sits in the language. */
export interface Attachment {
  /** In a scenario, in its governance block, or only as a top-level declaration. */
  readonly under: "scenario" | "governance" | "declarations";
  readonly block: BlockSpec;
}

export type Reducers = { readonly [K in EventType]?: (e: EventOf<K>) => void };
export type ActionHandlers = { readonly [K in ActionKind]?: (actor: AgentSlot, action: ActionOf<K>) => boolean };

/** A yes/no decision an agent owes at the end of a step (a proposal addressed to it). */
export interface Question {
  readonly proposal: Proposal;
  /** Who decides, asked when the decision is taken; null leaves the question open. */
  decider(): AgentSlot | null;
  answer(accepted: boolean): void;
}

/**
 * One mechanism's part in one run. Every hook is optional; the scheduler
 * calls each in mechanism order.
 */
export interface Instance {
  /** Members this mechanism adds to every TurnView: getters and methods whose `this` is the view. */
  readonly turn?: object & ThisType<TurnView>;
  /** Applies events to state. The only code that changes run state, live and in replay. */
  readonly reduce?: Reducers;
  /** Executes the actions this mechanism owns; false when the action fails. */
  readonly actions?: ActionHandlers;

  /** Wraps an agent's policy when the run's policies are created (self-ensembling decides by majority over samples). */
  wrapPolicy?(agent: AgentSlot, policy: Policy): Policy;

  /** After run_started: build initial structures (the network's topology). */
  start?(): void;
  /** Epoch start, before the effect is applied: a lever's contribution (decay, releases, collusion penalties). */
  governEpoch?(effect: Effect): void;
  /** Epoch start, after governance: post tasks, report analyses. */
  epochStart?(): void;
  /** Whether an (unfrozen) agent may take its turn; a refusal logs its own event. */
  admit?(agent: AgentSlot): boolean;
  /** Whether governance lets the agent act at all right now (the pure test behind `admit`). */
  mayAct?(agent: AgentSlot): boolean;
  /** Whether the action may execute at all (rate limits, who may be proposed to). Pure. */
  allow?(actor: AgentSlot, action: Action): boolean;
  /** Whether the agent has capacity left for actions of a kind (shown in observations). Pure. */
  capacity?(agent: AgentSlot, kind: ActionKind): boolean;
  /** Refuses an interaction its counterparty accepted (true = refused), e.g. at a capacity cap. Pure. */
  refuses?(initiator: AgentSlot | undefined, counterparty: AgentSlot | undefined): boolean;
  /** A lever's contribution to the effect of one completed interaction, in lever order. */
  governInteraction?(x: InteractionRecord, effect: Effect): void;
  /** Acts on a breach another lever detected (staking slashes). */
  onViolation?(v: Violation): void;
  /** After an effect has been applied. */
  afterEffect?(effect: Effect): void;
  /** After an interaction's completion is logged (and applied). */
  afterInteraction?(e: EventOf<"interaction_completed">): void;
  /** The decisions agents owe at the end of this step, in order. */
  questions?(): Question[];
  /** End of every step. */
  stepEnd?(): void;
  /** End of the epoch, before its metrics. */
  epochEnd?(): void;
  /** The run's final result (the network's final graph). */
  finish?(result: RunResult): void;
  /**
   * Replay only: recomputes what the event records from what it logged (p
   * from the observables, payoffs from p), and says what differs, if anything.
   */
  verify?(e: SimEvent): string | null;
}

export interface MechanismDef<I extends Instance = Instance> {
  /** The mechanism's name (its folder). */
  readonly name: string;
  readonly doc: string;
  /** The parts of the plan it owns, each a zod schema at a path. */
  readonly plan?: readonly SliceBinding[];
  /** Its blocks in the language; each lowers to the plan slice it binds (src/spec/types.ts Lowering). */
  readonly language?: readonly Attachment[];
  /**
   * Checks that need the whole scenario (a block naming a population group,
   * blocks that contradict each other), reported through `facts`; called by
   * the compiler once the population is known, whether or not its blocks are written.
   */
  readonly check?: (facts: ScenarioFacts) => void;
  /** This run's instance. Called for live runs and replays alike; `w.replaying` tells them apart. */
  create(w: World): I;
  /** Metrics, each computed from this mechanism's instance at an epoch's end. */
  readonly metrics?: readonly MetricSpec<I>[];
  /** The agent kinds this mechanism provides, by plan kind. */
  readonly agents?: Readonly<Record<string, AgentKind>>;
}

/**
 * Declares a mechanism, inferring its instance type and keeping the literal
 * types of its language and agent kinds (the plan's type is composed from them).
 */
export function mechanism<I extends Instance, const P extends readonly SliceBinding[] = readonly [], const K extends Readonly<Record<string, AgentKind>> = Record<never, AgentKind>>(
  def: MechanismDef<I> & { readonly plan?: P; readonly agents?: K },
): Omit<MechanismDef<I>, "plan" | "agents"> & { readonly plan: P; readonly agents: K } {
  return { plan: [] as unknown as P, agents: {} as K, ...def };
}
