/**
 * The scheduler: epochs × steps × turns, and nothing else. Everything that
 * happens in a turn, at a step's end or at an epoch's boundaries is some
 * mechanism's hook; the scheduler calls them in the order of the mechanism
 * list (src/mechanisms/index.ts).
 *
 * `sync` mode is the reference's run(): agents act one after another against
 * live state, then each pending proposal's counterparty answers it. `async`
 * mode is run_async(): every decision of a step is taken before any action
 * executes, then every answer before any completes — awaited together when
 * policies decide asynchronously (LLM agents), settled and executed in
 * schedule order, so the log never depends on which call returned first.
 */
import type { Action } from "../kernel/actions.ts";
import { EVENT_FORMAT, EVENT_VERSION, type SimEvent } from "../kernel/events.ts";
import type { AgentEntry, Question } from "../kernel/mechanism.ts";
import type { Policy, PolicyContext, TurnView } from "../kernel/policy.ts";
import type { AgentSlot } from "../kernel/population.ts";
import type { AgentRecord, EpochRecord, InteractionRecord, RunResult } from "../kernel/records.ts";
import type { Rng } from "../kernel/rng/types.ts";
import { World } from "../kernel/world.ts";
import { MECHANISMS } from "../mechanisms/index.ts";
import { planHash } from "../plan/hash.ts";
import type { Agent, Plan } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { computeEpochMetrics, selectionResolver, type SelectionResolver } from "./epoch-metrics.ts";

export interface RunOptions {
  /** Receives every event, in order. */
  events?: (e: SimEvent) => void;
  /** Called after each epoch. */
  onEpoch?: (r: EpochRecord) => void;
  /** Called after each completed interaction. */
  onInteraction?: (x: InteractionRecord) => void;
  /** Supplies the policy for an agent instead of its kind's (returning undefined keeps it). LLM agents are hosted here. */
  policyFor?: (agent: Agent, ctx: PolicyContext) => Policy | undefined;
  /**
   * The plan's hash, where the caller computed it from this same plan (a
   * million agents' plan takes seconds to hash), or computes it while the run
   * is set up: asked for when the run starts. Not checked here: replay
   * recomputes it from the logged plan.
   */
  planHash?: string | (() => string);
  /**
   * Whether each epoch's record lists the agents as they ended it (default
   * true; without, its `agents` is empty and only the run's final agents are
   * recorded). Off for a caller that reads only the final agents, a sweep's
   * row: kept for the run's length, those records were a third of what a long
   * run held and its garbage collections copied (issue 12).
   */
  epochAgents?: boolean;
}

export function agentRecord(s: AgentSlot): AgentRecord {
  return {
    id: s.id,
    kind: s.kind,
    group: s.group,
    reputation: s.reputation,
    resources: s.resources,
    payoff: s.totalPayoff,
    frozen: s.frozen,
    interactionsInitiated: s.interactionsInitiated,
    interactionsReceived: s.interactionsReceived,
    interactionsRejected: s.interactionsRejected,
  };
}

/**
 * Whether records agentRecord made still describe these agents, field for
 * field (Object.is: -0 and NaN too). The run's final agents are then the last
 * epoch's records themselves: a million agents' second set of records was a
 * large part of `sbx run --out`'s peak memory, at its very end.
 */
export function recordsDescribe(records: readonly AgentRecord[], slots: readonly AgentSlot[]): boolean {
  if (records.length !== slots.length) return false;
  for (let i = 0; i < slots.length; i++) {
    const r = records[i]!;
    const s = slots[i]!;
    if (
      r.id !== s.id ||
      r.kind !== s.kind ||
      r.group !== s.group ||
      !Object.is(r.reputation, s.reputation) ||
      !Object.is(r.resources, s.resources) ||
      !Object.is(r.payoff, s.totalPayoff) ||
      r.frozen !== s.frozen ||
      r.interactionsInitiated !== s.interactionsInitiated ||
      r.interactionsReceived !== s.interactionsReceived ||
      r.interactionsRejected !== s.interactionsRejected
    )
      return false;
  }
  return true;
}

export class Scheduler {
  readonly world: World;
  private readonly policies: Policy[];
  private readonly agentRngs: Rng[];
  /** The one generator every agent draws from, where they share one (swarm-0.1): a view then reads no per-agent entry. */
  private readonly sharedRng: Rng | null;
  private readonly selections: SelectionResolver;
  /** The plan's hash (RunOptions.planHash), known from the run's start. */
  private hash = "";
  private readonly epochs: EpochRecord[] = [];
  /** The hooks asked before every turn (resolved once: the world is wired). */
  private readonly admitHooks: readonly ((s: AgentSlot) => boolean)[];

  constructor(
    readonly plan: Plan,
    private readonly options: RunOptions = {},
  ) {
    const w = (this.world = new World(plan, MECHANISMS, { sink: options.events }));
    this.policies = w.createPolicies(options.policyFor as ((agent: AgentEntry, ctx: PolicyContext) => Policy | undefined) | undefined);
    w.policies = this.policies;
    w.onInteraction = options.onInteraction;
    this.agentRngs = w.population.slots.map((s) => w.random.agent(s.id));
    this.sharedRng = this.agentRngs.every((r) => r === this.agentRngs[0]) ? (this.agentRngs[0] ?? null) : null;
    this.selections = selectionResolver(plan);
    this.admitHooks = w.hooks("admit");
  }

  run(): RunResult {
    if (this.policies.some((p) => p.actAsync || p.acceptAsync)) {
      throw new Error("this plan has agents whose decisions arrive asynchronously: run it with runPlanAsync");
    }
    this.start();
    const { epochs, stepsPerEpoch, mode } = this.plan.simulation;
    for (let e = 0; e < epochs; e++) {
      this.beginEpoch();
      for (let s = 0; s < stepsPerEpoch; s++) {
        this.beginStep();
        if (mode === "async") this.stepAsyncOrder();
        else this.stepSync();
        this.endStep();
      }
      this.endEpoch();
    }
    return this.finish();
  }

  /** run_async with policies that may decide asynchronously (awaited together, executed in schedule order). */
  async runAsync(): Promise<RunResult> {
    const { epochs, stepsPerEpoch, mode } = this.plan.simulation;
    if (mode !== "async" && this.policies.some((p) => p.actAsync || p.acceptAsync)) {
      throw new Error('agents whose decisions arrive asynchronously need simulation.mode "async"');
    }
    this.start();
    for (let e = 0; e < epochs; e++) {
      this.beginEpoch();
      for (let s = 0; s < stepsPerEpoch; s++) {
        this.beginStep();
        if (mode === "async") await this.stepAsync();
        else this.stepSync();
        this.endStep();
      }
      this.endEpoch();
    }
    return this.finish();
  }

  // ------------------------------------------------------------------ boundaries

  private start(): void {
    const { plan, world: w } = this;
    const given = this.options.planHash;
    this.hash = typeof given === "function" ? given() : (given ?? planHash(plan));
    w.emit({
      type: "run_started",
      format: EVENT_FORMAT,
      version: EVENT_VERSION,
      sbxVersion: SBX_VERSION,
      planHash: this.hash,
      scenario: plan.scenario.name,
      seed: plan.simulation.seed,
      profile: plan.profile,
      mode: plan.simulation.mode,
      plan,
    });
    for (const start of w.hooks("start")) start();
  }

  private beginEpoch(): void {
    const w = this.world;
    w.step = 0;
    w.emit({ type: "epoch_started", epoch: w.epoch, step: 0 });
    const effect = w.effect.clear();
    for (const govern of w.hooks("governEpoch")) govern(effect);
    w.apply(effect);
    for (const begin of w.hooks("epochStart")) begin();
  }

  private beginStep(): void {
    for (const begin of this.world.hooks("stepStart")) begin();
  }

  private endStep(): void {
    const w = this.world;
    w.flushReports();
    for (const end of w.hooks("stepEnd")) end();
    w.step++;
    w.stepSerial++;
  }

  private endEpoch(): void {
    const w = this.world;
    for (const end of w.hooks("epochEnd")) end();
    const { metrics, observed } = computeEpochMetrics(w, this.selections);
    const agents = this.options.epochAgents === false ? [] : w.population.slots.map(agentRecord);
    const record: EpochRecord = { epoch: w.epoch, metrics, observed, agents };
    this.epochs.push(record);
    w.emit({ type: "epoch_completed", epoch: w.epoch, metrics, observed });
    this.options.onEpoch?.(record);
    w.epoch++;
  }

  private finish(): RunResult {
    const { plan, world: w } = this;
    w.emit({ type: "run_completed", epochsCompleted: this.epochs.length });
    const last = this.epochs.at(-1)?.agents;
    const result: RunResult = {
      scenario: plan.scenario.name,
      seed: plan.simulation.seed,
      profile: plan.profile,
      planHash: this.hash,
      sbxVersion: SBX_VERSION,
      epochs: this.epochs,
      agents: last && recordsDescribe(last, w.population.slots) ? last : w.population.slots.map(agentRecord),
      epochsCompleted: this.epochs.length,
      network: null,
    };
    for (const finish of w.hooks("finish")) finish(result);
    return result;
  }

  // ------------------------------------------------------------------ turns

  private schedule(): AgentSlot[] {
    const slots = this.world.population.slots;
    switch (this.plan.simulation.schedule) {
      case "random": {
        const order = slots.slice();
        this.world.random.stream("schedule").shuffle(order);
        return order;
      }
      case "priority":
        // Stable: equal reputations keep registration order.
        return slots.slice().sort((a, b) => (b.reputation > a.reputation ? 1 : b.reputation < a.reputation ? -1 : a.idx - b.idx));
      default:
        return slots;
    }
  }

  /** Frozen agents skip their turn; a mechanism may refuse it (staking). */
  private admit(s: AgentSlot): boolean {
    if (s.frozen) return false;
    const admits = this.admitHooks;
    for (let i = 0; i < admits.length; i++) if (!admits[i](s)) return false;
    return true;
  }

  private view(s: AgentSlot): TurnView {
    return this.world.view(s, this.sharedRng ?? this.agentRngs[s.idx]);
  }

  private stepSync(): void {
    const max = this.plan.simulation.maxActionsPerStep;
    let ok = 0;
    for (const s of this.schedule()) {
      if (ok >= max) break;
      if (!this.admit(s)) continue;
      if (this.world.execute(s, this.policies[s.idx].act(this.view(s)))) ok++;
    }
    // Each question is asked against live state: an earlier answer may have frozen its decider.
    for (const q of this.questions()) {
      const decider = q.decider();
      if (decider) q.answer(this.policies[decider.idx].accept(q.proposal, this.view(decider)));
    }
  }

  private questions(): Question[] {
    const asks = this.world.hooks("questions");
    if (asks.length === 1) return asks[0]();
    const all: Question[] = [];
    // A loop, not push(...xs): a large population's questions would overflow the call's arguments.
    for (const ask of asks) for (const q of ask()) all.push(q);
    return all;
  }

  /** The agents that get a turn in async mode: counted toward the cap whether or not their action succeeds. */
  private asyncActors(): AgentSlot[] {
    const max = this.plan.simulation.maxActionsPerStep;
    const actors: AgentSlot[] = [];
    for (const s of this.schedule()) {
      if (actors.length >= max) break;
      if (this.admit(s)) actors.push(s);
    }
    return actors;
  }

  /** run_async for policies that decide synchronously: all decisions, then all executions. */
  private stepAsyncOrder(): void {
    const w = this.world;
    const actors = this.asyncActors();
    const actions = actors.map((s) => this.policies[s.idx].act(this.view(s)));
    for (let i = 0; i < actors.length; i++) w.execute(actors[i], actions[i]);
    const questions = this.questions();
    const deciders = questions.map((q) => q.decider());
    const answers = questions.map((q, i) => {
      const d = deciders[i];
      return d ? this.policies[d.idx].accept(q.proposal, this.view(d)) : null;
    });
    questions.forEach((q, i) => {
      const a = answers[i];
      if (a !== null) q.answer(a);
    });
  }

  /**
   * The same step with awaited decisions. Every observation is built (and
   * every synchronous policy decides) in schedule order before anything
   * executes; a decision that fails is dropped, as the reference drops
   * exceptions from asyncio.gather.
   */
  private async stepAsync(): Promise<void> {
    const w = this.world;
    const actors = this.asyncActors();
    const views: TurnView[] = [];
    const settled = await Promise.allSettled(
      actors.map((s) => {
        const policy = this.policies[s.idx];
        const view = this.view(s);
        views.push(view);
        return policy.actAsync ? policy.actAsync(view) : policy.act(view);
      }),
    );
    // Settle every decision in schedule order before any executes (LLM agents' fallbacks and call events).
    const actions = settled.map((r, i): Action | null => {
      const policy = this.policies[actors[i].idx];
      const value = r.status === "fulfilled" ? r.value : null;
      if (!policy.settleAct) return value;
      const { value: action, events } = policy.settleAct(views[i], value);
      for (const e of events) w.emit(e);
      return action;
    });
    actions.forEach((a, i) => {
      if (a) w.execute(actors[i], a);
    });
    const questions = this.questions();
    const deciders = questions.map((q) => q.decider());
    const answerViews: (TurnView | null)[] = [];
    const results = await Promise.allSettled(
      questions.map((q, i) => {
        const d = deciders[i];
        answerViews.push(d ? this.view(d) : null);
        if (!d) return null;
        const policy = this.policies[d.idx];
        const view = answerViews[i] as TurnView;
        return policy.acceptAsync ? policy.acceptAsync(q.proposal, view) : policy.accept(q.proposal, view);
      }),
    );
    const answers = results.map((r, i) => {
      const d = deciders[i];
      const value = r.status === "fulfilled" ? r.value : null;
      const policy = d ? this.policies[d.idx] : null;
      if (!d || !policy?.settleAccept) return value;
      const { value: accepted, events } = policy.settleAccept(questions[i].proposal, answerViews[i] as TurnView, value);
      for (const e of events) w.emit(e);
      return accepted;
    });
    questions.forEach((q, i) => {
      const a = answers[i];
      if (a !== null) q.answer(a);
    });
  }
}
