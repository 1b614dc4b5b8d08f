/**
 * One run's shared state and its wiring: the plan, the population, the
 * clock, the random streams, and the mechanisms' instances in their order,
 * with the dispatch tables the scheduler and the instances use (reducers by
 * event type, handlers by action kind, hooks by name).
 */
import { sliceOf, type CorePlan, type SliceBinding } from "../spec/plan.ts";
import type { z } from "zod";
import type { Action } from "./actions.ts";
import { Effect } from "./effect.ts";
import type { At, EventType, SimEvent } from "./events.ts";
import type { AgentEntry, Instance, MechanismDef } from "./mechanism.ts";
import type { Policy, PolicyContext, TurnView } from "./policy.ts";
import { Population, type AgentSlot } from "./population.ts";
import type { InteractionRecord } from "./records.ts";
import type { Rng } from "./rng/types.ts";
import type { RandomSources } from "./semantics.ts";
import { randomSources, semanticsFor, type Semantics } from "./semantics.ts";

type HookName = {
  [K in keyof Instance]-?: NonNullable<Instance[K]> extends (...args: never[]) => unknown ? K : never;
}[keyof Instance];
type Hook<K extends HookName> = NonNullable<Instance[K]>;

const NO_HOOKS: readonly never[] = [];

/** Where a view finds its run's turn members (see `sharedViewMaker`). */
const TURN_MEMBERS = Symbol("turn members");

type Member = (...args: unknown[]) => unknown;
type ViewWithMembers = { [TURN_MEMBERS]: readonly Member[] };

/** Makes a view: its run's turn members, then the TurnView fields. */
type ViewMaker = new (members: readonly Member[], self: AgentSlot, epoch: number, step: number, rng: Rng) => TurnView;

/** The views' makers, by the turn members they forward (their names and kinds, in order). */
const sharedViewMakers = new Map<string, ViewMaker>();

/**
 * The maker of every view whose run has these turn members, and its
 * prototype: built once per process, so views of successive runs share their hidden class and the code V8
 * optimised for one run's views keeps serving the next. (A prototype built per
 * run gave every run's views new maps: the policies' and the scheduler's
 * optimised code deoptimised at each run's start and was compiled again, about
 * a third of a run's CPU, on V8's helper threads.) Each member forwards to the
 * run's own function, which the view carries.
 */
function sharedViewMaker(descriptors: PropertyDescriptorMap): { View: ViewMaker; members: Member[] } {
  const names = Object.keys(descriptors);
  const members: Member[] = [];
  const kinds = names.map((name) => {
    const d = descriptors[name]!;
    if (d.get || d.set) {
      members.push((d.get ?? (() => undefined)) as Member);
      return "g";
    }
    const v = d.value as unknown;
    members.push(typeof v === "function" ? (v as Member) : () => v);
    return typeof v === "function" ? "m" : "g";
  });
  const key = names.map((n, i) => `${kinds[i]}:${n}`).join("\u0000");
  let View = sharedViewMakers.get(key);
  if (!View) {
    const shared: PropertyDescriptorMap = {};
    names.forEach((name, i) => {
      shared[name] =
        kinds[i] === "g"
          ? { get: function (this: ViewWithMembers) { return this[TURN_MEMBERS][i]!.call(this); }, enumerable: true, configurable: true }
          : { value: function (this: ViewWithMembers) { return this[TURN_MEMBERS][i]!.apply(this, arguments as unknown as unknown[]); }, writable: true, enumerable: true, configurable: true };
    });
    sharedViewMakers.set(key, (View = viewMaker(Object.defineProperties({}, shared))));
  }
  return { View, members };
}

/**
 * A constructor of views with this prototype. Not Object.create: V8 gives
 * such objects four fields, and a view's fifth went to an array of its own,
 * allocated with every view and read at every `view.rng`.
 */
function viewMaker(proto: object): ViewMaker {
  const View = function (this: { -readonly [K in keyof TurnView]: TurnView[K] } & ViewWithMembers, members: readonly Member[], self: AgentSlot, epoch: number, step: number, rng: Rng) {
    this[TURN_MEMBERS] = members;
    this.self = self;
    this.epoch = epoch;
    this.step = step;
    this.rng = rng;
  };
  View.prototype = proto;
  return View as unknown as ViewMaker;
}

/** Views before a run is wired: without turn members. */
const UNWIRED_VIEW = viewMaker({});

/** A replayed event disagrees with what its reducer or its mechanism recomputes. */
export class ReplayMismatch extends Error {}

export interface WorldOptions {
  /** Receives every event after the reducers applied it. */
  readonly sink?: (e: SimEvent) => void;
  /** Rebuilding a logged run: no decisions are taken; reducers verify what they recompute. */
  readonly replaying?: boolean;
}

export class World {
  readonly semantics: Semantics;
  readonly random: RandomSources;
  readonly population: Population;
  readonly replaying: boolean;
  epoch = 0;
  step = 0;
  /** Steps since the run started (the clock that per-step counters are stamped with). */
  stepSerial = 0;
  /** The effect every lever application reuses. */
  readonly effect = new Effect();
  /** Each agent's policy, by registration index (none in a replay). */
  policies: readonly Policy[] = [];
  /**
   * The agent whose action is executing (null between actions, and in a
   * replay). Its events mostly name it: `agentOf` finds it without a lookup by id.
   */
  private acting: AgentSlot | null = null;
  /** Told of every completed interaction (RunOptions.onInteraction). */
  onInteraction: ((x: InteractionRecord) => void) | undefined;

  private readonly sink: ((e: SimEvent) => void) | undefined;
  private readonly defs: readonly MechanismDef[];
  private readonly instances: Instance[] = [];
  private readonly byDef = new Map<MechanismDef, Instance>();
  private readonly reducers = new Map<string, ((e: SimEvent) => void)[]>();
  private readonly handlers = new Map<string, (actor: AgentSlot, action: Action) => boolean>();
  private readonly hookTable: Record<string, unknown[]> = Object.create(null);
  private readonly reports: ((at: At) => SimEvent)[] = [];
  /** Makes this run's views (see `sharedViewMaker`), once the run is wired. */
  private View: ViewMaker = UNWIRED_VIEW;
  private turnMembers: readonly Member[] = [];
  // The hooks the world itself calls on every action and interaction, resolved once when the run is wired.
  private allowHooks: readonly Hook<"allow">[] = NO_HOOKS;
  private mayActHooks: readonly Hook<"mayAct">[] = NO_HOOKS;
  private capacityHooks: readonly Hook<"capacity">[] = NO_HOOKS;
  private violationHooks: readonly Hook<"onViolation">[] = NO_HOOKS;
  private afterEffectHooks: readonly Hook<"afterEffect">[] = NO_HOOKS;

  constructor(
    readonly plan: CorePlan,
    mechanisms: readonly MechanismDef[],
    options: WorldOptions = {},
  ) {
    this.defs = mechanisms;
    this.semantics = semanticsFor(plan.profile);
    this.random = randomSources(this.semantics, plan.simulation.seed);
    const kinds = new Map<string, string>();
    for (const def of mechanisms) for (const [kind, k] of Object.entries(def.agents ?? {})) kinds.set(kind, k.reportsAs ?? kind);
    this.population = new Population(plan.agents, (kind) => kinds.get(kind) ?? kind);
    this.sink = options.sink;
    this.replaying = options.replaying ?? false;
    for (const def of mechanisms) {
      const instance = def.create(this);
      this.instances.push(instance);
      this.byDef.set(def, instance);
    }
    this.wire();
  }

  private wire(): void {
    const proto: PropertyDescriptorMap = {};
    for (const instance of this.instances) {
      for (const [type, reduce] of Object.entries(instance.reduce ?? {})) {
        let list = this.reducers.get(type);
        if (!list) this.reducers.set(type, (list = []));
        list.push(reduce as (e: SimEvent) => void);
      }
      for (const [kind, handle] of Object.entries(instance.actions ?? {})) {
        if (this.handlers.has(kind)) throw new Error(`two mechanisms handle the action '${kind}'`);
        this.handlers.set(kind, handle as (actor: AgentSlot, action: Action) => boolean);
      }
      if (instance.turn) Object.assign(proto, Object.getOwnPropertyDescriptors(instance.turn));
      // Every method is filed under its name; the scheduler and mechanisms ask for the hooks they call.
      for (const [name, { value }] of Object.entries(Object.getOwnPropertyDescriptors(instance))) {
        if (typeof value === "function") (this.hookTable[name] ??= []).push(value.bind(instance));
      }
    }
    const shared = sharedViewMaker(proto);
    this.View = shared.View;
    this.turnMembers = shared.members;
    this.allowHooks = this.hooks("allow");
    this.mayActHooks = this.hooks("mayAct");
    this.capacityHooks = this.hooks("capacity");
    this.violationHooks = this.hooks("onViolation");
    this.afterEffectHooks = this.hooks("afterEffect");
  }

  /** A mechanism's slice of this run's plan. */
  slice<S extends z.ZodType, O extends boolean>(binding: SliceBinding<readonly string[], S, O>): O extends true ? z.infer<S> | undefined : z.infer<S> {
    return sliceOf(this.plan, binding);
  }

  /** The instance of a mechanism of this run. */
  get<I extends Instance>(def: MechanismDef<I>): I {
    const instance = this.byDef.get(def as unknown as MechanismDef);
    if (!instance) throw new Error(`mechanism '${def.name}' is not part of this run`);
    return instance as I;
  }

  /** The mechanisms of this run, in order. */
  get mechanisms(): readonly MechanismDef[] {
    return this.defs;
  }

  /** Every instance having a hook, in mechanism order (bound once, when the run is wired). */
  hooks<K extends HookName>(name: K): readonly Hook<K>[] {
    return (this.hookTable[name] ?? NO_HOOKS) as Hook<K>[];
  }

  /** The current epoch and step, for an event. */
  at(): At {
    return { epoch: this.epoch, step: this.step };
  }

  /** Applies an event to every mechanism's state, then logs it. */
  emit(e: SimEvent): void {
    const reducers = this.reducers.get(e.type);
    // Indexed, not for-of: every event passes here, and the iterator protocol would be inlined into every caller's optimised code.
    if (reducers) for (let i = 0; i < reducers.length; i++) reducers[i](e);
    this.sink?.(e);
  }

  /** Whether any mechanism reduces events of a type (lets emitters skip work nobody needs). */
  reduces(type: EventType): boolean {
    return this.reducers.has(type);
  }

  /** Executes an action through the mechanism that handles its kind (every guard first). */
  execute(actor: AgentSlot, action: Action): boolean {
    if (action.kind === "noop") return true;
    const allows = this.allowHooks;
    for (let i = 0; i < allows.length; i++) if (!allows[i](actor, action)) return false;
    const handle = this.handlers.get(action.kind);
    if (!handle) return false;
    const outer = this.acting;
    this.acting = actor;
    const done = handle(actor, action);
    this.acting = outer;
    return done;
  }

  /** The agent with an id: the acting agent when it is the one named (a reducer of its action's event), else by lookup. */
  agentOf(id: string): AgentSlot | undefined {
    const a = this.acting;
    return a !== null && a.id === id ? a : this.population.slot(id);
  }

  /** Whether governance lets the agent act now (staking's minimum stake). Pure. */
  mayAct(agent: AgentSlot): boolean {
    const mays = this.mayActHooks;
    for (let i = 0; i < mays.length; i++) if (!mays[i](agent)) return false;
    return true;
  }

  /** Whether every mechanism leaves the agent capacity for actions of a kind. */
  hasCapacity(agent: AgentSlot, kind: Action["kind"]): boolean {
    const capacities = this.capacityHooks;
    for (let i = 0; i < capacities.length; i++) if (!capacities[i](agent, kind)) return false;
    return true;
  }

  /** One agent's view of this turn, answering through every mechanism's turn members. */
  view(self: AgentSlot, rng = this.random.agent(self.id)): TurnView {
    return new this.View(this.turnMembers, self, this.epoch, this.step, rng);
  }

  /**
   * The reference's _apply_governance_effect: freezes, releases, reputation
   * and resource deltas (fines go to the public pool where payoffs flow into
   * resources), then the breaches levers punish, then what reacts to it all.
   */
  apply(effect: Effect): void {
    const pop = this.population;
    // Most applications (one per interaction) log nothing: no At for them.
    if (effect.freeze.length + effect.unfreeze.length + effect.reputation.size + effect.resources.size > 0) {
      // The clock written out in each event, not spread (a spread is a generic copy); the keys keep their order.
      const epoch = this.epoch;
      const step = this.step;
      for (const id of effect.freeze) if (pop.byId.has(id)) this.emit({ type: "agent_frozen", epoch, step, agent: id });
      for (const id of effect.unfreeze) if (pop.byId.has(id)) this.emit({ type: "agent_unfrozen", epoch, step, agent: id });
      for (const [id, delta] of effect.reputation) {
        if (pop.byId.has(id)) this.emit({ type: "reputation_changed", epoch, step, agent: id, delta, reason: "governance" });
      }
      for (const [id, delta] of effect.resources) {
        if (!pop.byId.has(id)) continue;
        const pooled = this.semantics.payoffToResources ? -delta : 0;
        this.emit(
          pooled
            ? { type: "resources_changed", epoch, step, agent: id, delta, reason: "governance", pool: pooled }
            : { type: "resources_changed", epoch, step, agent: id, delta, reason: "governance" },
        );
      }
    }
    if (effect.violations.length > 0) for (const v of effect.violations) for (const punish of this.violationHooks) punish(v);
    const afters = this.afterEffectHooks;
    for (let i = 0; i < afters.length; i++) afters[i](effect);
  }

  /** A policy's report about itself, logged after the interaction in progress (or at the step's end). */
  report(event: (at: At) => SimEvent): void {
    this.reports.push(event);
  }

  flushReports(): void {
    if (this.reports.length === 0) return;
    for (const event of this.reports.splice(0)) this.emit(event(this.at()));
  }

  /** Each agent's policy, from the mechanism that provides its kind (or the caller's override). */
  createPolicies(override?: (agent: AgentEntry, ctx: PolicyContext) => Policy | undefined): Policy[] {
    const ctx: PolicyContext = { semantics: this.semantics, population: this.population, report: (e) => this.report(e) };
    const kinds = new Map<string, (agent: AgentEntry, ctx: PolicyContext) => Policy>();
    for (const def of this.defs) for (const [kind, k] of Object.entries(def.agents ?? {})) kinds.set(kind, k.policy);
    const policies = this.plan.agents.map((agent) => {
      const custom = override?.(agent, ctx);
      if (custom) return custom;
      const make = kinds.get(agent.kind);
      if (!make) throw new Error(`no mechanism provides agents of kind '${agent.kind}'`);
      return make(agent, ctx);
    });
    for (const wrap of this.hooks("wrapPolicy")) policies.forEach((p, i) => (policies[i] = wrap(this.population.slots[i], p)));
    return policies;
  }
}
