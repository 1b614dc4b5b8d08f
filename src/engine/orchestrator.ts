/**
 * The orchestrator (§7): epochs × steps, schedules, turns, action execution,
 * end-of-step resolution and `_complete_interaction`, in the reference's
 * exact order. `sync` mode is the reference's run() (agents act one after
 * another against live state); `async` mode is run_async() (every decision of
 * a step is taken before any action executes).
 */
import type { Agent, Distribution, ObservableProfile, Plan } from "../plan/schema.ts";
import { planHash } from "../plan/hash.ts";
import { SBX_VERSION } from "../version.ts";
import { createPolicy } from "./agents/index.ts";
import type { Action, Policy, PolicyContext, PolicyNote, TurnView, VisibleSubset } from "./agents/types.ts";
import type { SimEvent } from "./events.ts";
import { EVENT_FORMAT, EVENT_VERSION } from "./events.ts";
import { Feed, type Post } from "./feed.ts";
import { GovernanceEngine, voteWeight, type GovernanceEffect, type Slash } from "./governance.ts";
import { computeEpochMetrics, emptyLedger, recordLlm, selectionResolver, validateObserved, type EpochLedger, type SelectionResolver } from "./metrics.ts";
import { AgentNetwork, buildTopology } from "./network.ts";
import { AgentSlot, Population, type Proposal } from "./population.ts";
import type { Rng } from "./rng/types.ts";
import { randomSources, semanticsFor, type RandomSources, type Semantics } from "./semantics.ts";
import { payoffCounterparty, payoffInitiator, ProxyComputer, REFERENCE_PROXY, validatePayoff, type Observables } from "./soft-labels.ts";
import { TaskPool, type Task } from "./tasks.ts";
import type { AgentRecord, EpochRecord, InteractionRecord, RunResult } from "./types.ts";

export interface RunOptions {
  /** Receives every event, in order. */
  events?: (e: SimEvent) => void;
  /** Called after each epoch. */
  onEpoch?: (r: EpochRecord) => void;
  /** Called after each completed interaction. */
  onInteraction?: (x: InteractionRecord) => void;
  /**
   * Supplies the policy for an agent instead of the built-in one (returning
   * undefined keeps the built-in). This is where LLM agents will be hosted.
   */
  policyFor?: (agent: Agent, ctx: PolicyContext) => Policy | undefined;
}

const NO_TASKS: readonly Task[] = [];

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

/** Checks the engine can run the plan; throws a clear error otherwise. */
export function validatePlanForEngine(plan: Plan): void {
  const seen = new Set<string>();
  for (const a of plan.agents) {
    if (seen.has(a.id)) throw new Error(`agent ${a.id} already registered`);
    seen.add(a.id);
  }
  validatePayoff(plan.payoff);
  validateObserved(plan);
  const random = plan.network && ["random_erdos_renyi", "small_world", "scale_free"].includes(plan.network.topology);
  if (random && semanticsFor(plan.profile).rng === "reference" && plan.simulation.seed < 0) {
    throw new Error("numpy's default_rng cannot take a negative seed: profile swarm-0.1 needs a seed ≥ 0 for a random network topology");
  }
}

export class Simulation {
  readonly semantics: Semantics;
  private readonly rng: RandomSources;
  readonly population: Population;
  private readonly policies: Policy[];
  private readonly agentRngs: Rng[];
  private readonly feed: Feed;
  private readonly tasks = new TaskPool();
  readonly network: AgentNetwork | null;
  private readonly governance: GovernanceEngine;
  private readonly proxy: ProxyComputer;
  private readonly selections: SelectionResolver;
  private readonly pending = new Map<number, Proposal>();
  /** The event sink; `sink?.(event)` builds no event object when nobody listens. */
  private readonly sink: ((e: SimEvent) => void) | undefined;
  private readonly observableProfiles: (ObservableProfile | null)[];

  private epoch = 0;
  private step = 0;
  private stepSerial = 0;
  private proposalSeq = 0;
  private ledger: EpochLedger = emptyLedger();
  private collusionStats = { flaggedPairs: 0, ecosystemRisk: 0 };
  readonly epochs: EpochRecord[] = [];
  /** The public pool: governance charges collected (switch `payoffToResources`). */
  private pool = 0;
  /** Step serial at which each pending proposal was made (proposal expiry). */
  private readonly proposedAt = new Map<number, number>();
  /** Agents that have entered an exploitation phase (deceptive agents turning on a partner). */
  private readonly exploiting = new Set<string>();
  private readonly notes: PolicyNote[] = [];

  constructor(
    readonly plan: Plan,
    private readonly options: RunOptions = {},
  ) {
    validatePlanForEngine(plan);
    this.semantics = semanticsFor(plan.profile);
    this.rng = randomSources(this.semantics, plan);
    this.population = new Population(plan.agents);
    const ctx: PolicyContext = { semantics: this.semantics, population: this.population, notify: (note) => this.note(note) };
    this.policies = plan.agents.map((a) => options.policyFor?.(a, ctx) ?? createPolicy(a, ctx));
    this.agentRngs = plan.agents.map((a) => this.rng.agent(a.id));
    this.observableProfiles = plan.agents.map((a: Agent) => (a.kind === "stochastic" ? a.params.observables : null));
    this.feed = new Feed(plan.feed.replyWeight);
    this.network = plan.network ? new AgentNetwork(plan.agents.map((a) => a.id), plan.network) : null;
    this.governance = new GovernanceEngine(plan.governance, this.rng.audit, plan.agents.map((a) => a.id), {
      forgiveViolations: this.semantics.violationForgiveness,
      acceptedOnly: this.semantics.governAcceptedOnly,
      slashing: this.semantics.slashing,
      windowResets: this.semantics.breakerWindowResets,
      correlationGate: this.semantics.collusionCorrelationGate,
    });
    this.proxy = new ProxyComputer(this.semantics.proxySettings ? plan.proxy : REFERENCE_PROXY);
    this.selections = selectionResolver(plan);
    this.sink = options.events;
    this.hash = planHash(plan);
  }

  // ------------------------------------------------------------------ run

  run(): RunResult {
    if (this.policies.some((p) => p.actAsync || p.acceptAsync)) {
      throw new Error("this plan has agents whose decisions arrive asynchronously: run it with runPlanAsync");
    }
    this.start();
    for (let e = 0; e < this.plan.simulation.epochs; e++) {
      this.beginEpoch();
      for (let s = 0; s < this.plan.simulation.stepsPerEpoch; s++) {
        if (this.plan.simulation.mode === "async") this.runStepAsyncOrder();
        else this.runStepSync();
        this.endStep();
      }
      this.endEpoch();
    }
    return this.finish();
  }

  /** run_async with policies that may decide asynchronously (awaited together, executed in schedule order). */
  async runAsync(): Promise<RunResult> {
    if (this.plan.simulation.mode !== "async" && this.policies.some((p) => p.actAsync || p.acceptAsync)) {
      throw new Error('agents whose decisions arrive asynchronously need simulation.mode "async"');
    }
    this.start();
    for (let e = 0; e < this.plan.simulation.epochs; e++) {
      this.beginEpoch();
      for (let s = 0; s < this.plan.simulation.stepsPerEpoch; s++) {
        if (this.plan.simulation.mode === "async") await this.runStepAsync();
        else this.runStepSync();
        this.endStep();
      }
      this.endEpoch();
    }
    return this.finish();
  }

  private start(): void {
    const plan = this.plan;
    this.sink?.({
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
    if (this.network) {
      const ids = plan.agents.map((a) => a.id);
      const cap = Math.min(1.0, this.plan.network!.maxEdgeWeight);
      const topo = plan.network!.topology;
      // Only random topologies touch the generator (numpy rejects negative seeds).
      const needsRng = topo === "random_erdos_renyi" || topo === "small_world" || topo === "scale_free";
      const edges = buildTopology(plan.network!, ids, needsRng ? this.rng.network : { random: () => 0, below: () => 0 });
      const weights = new Map<string, number>();
      if (topo === "custom") for (const [a, b, w] of plan.network!.edges) weights.set(`${a}\u0000${b}`, w);
      for (const [a, b] of edges) {
        const w = topo === "custom" ? (weights.get(`${ids[a]}\u0000${ids[b]}`) ?? weights.get(`${ids[b]}\u0000${ids[a]}`) ?? 1.0) : cap;
        this.network.setEdge(ids[a], ids[b], w);
      }
      this.sink?.({ type: "network_initialized", nodes: ids, edges: this.network.edgeList() });
    }
  }

  private finish(): RunResult {
    this.sink?.({ type: "run_completed", epochsCompleted: this.epochs.length });
    const plan = this.plan;
    return {
      scenario: plan.scenario.name,
      seed: plan.simulation.seed,
      profile: plan.profile,
      planHash: this.hash,
      sbxVersion: SBX_VERSION,
      epochs: this.epochs,
      agents: this.population.slots.map(agentRecord),
      epochsCompleted: this.epochs.length,
      network: this.network ? { nodes: [...this.network.ids], edges: this.network.edgeList() } : null,
    };
  }

  private beginEpoch(): void {
    this.step = 0;
    this.sink?.({ type: "epoch_started", epoch: this.epoch, step: 0 });
    const eff = this.governance.epochStart(this.epoch, this.population.slots);
    this.applyEffect(eff);
    this.ledger.collusionPenalty += eff.collusionPenalty;
    const report = this.governance.collusionReport;
    if (report && this.governance.analyses !== this.seenAnalyses) {
      this.seenAnalyses = this.governance.analyses;
      this.collusionStats = { flaggedPairs: report.flaggedPairs.length, ecosystemRisk: report.ecosystemRisk };
      this.sink?.({ type: "collusion_analyzed", epoch: this.epoch, step: 0, ...this.collusionStats, penalty: eff.collusionPenalty });
    }
    if (this.semantics.taskCreation) this.postTasks();
  }

  private endStep(): void {
    this.flushNotes();
    if (this.semantics.taskCreation && this.tasks.size) this.advanceTasks();
    if (this.semantics.proposalExpiry && this.plan.tasks.proposalTtlSteps > 0) this.expireProposals();
    this.step++;
    this.stepSerial++;
  }

  // ------------------------------------------------------------------ tasks (sbx)

  /** Epoch start: close overdue tasks, then post this epoch's. */
  private postTasks(): void {
    const at = { epoch: this.epoch, step: 0 };
    for (const t of this.tasks.closeOverdue(this.epoch)) {
      this.sink?.({ type: "task_closed", ...at, task: t.id, status: t.status as "expired" | "failed" });
    }
    const spec = this.plan.tasks;
    for (let i = 0; i < spec.perEpoch; i++) {
      const deadline = spec.deadlineEpochs > 0 ? this.epoch + spec.deadlineEpochs : null;
      const t = this.tasks.create(spec.bounty, spec.difficulty, spec.minReputation, deadline);
      this.ledger.tasksCreated++;
      this.sink?.({ type: "task_created", ...at, task: t.id, bounty: t.bounty, difficulty: t.difficulty, minReputation: t.minReputation, deadline });
    }
  }

  /**
   * End of step: verify this step's submissions, then start work on this
   * step's claims. Verification judges the work with the proxy: observables
   * drawn for the claimant as for an interaction it initiates (on the
   * `tasks` stream), passed when p reaches the task's difficulty bar
   * (verificationBar); a free ride always fails. A pass completes the task
   * and pays its bounty into the claimant's resources; a failure sends it
   * back to work.
   */
  private advanceTasks(): void {
    const at = { epoch: this.epoch, step: this.step };
    for (const t of this.tasks.withStatus("submitted")) {
      const agent = this.population.byId.get(t.claimedBy as string) as AgentSlot;
      const [, p] = this.proxy.labels(this.drawObservables(agent, true, this.rng.tasks));
      const passed = !t.minimalEffort && p >= verificationBar(t.difficulty);
      this.tasks.verify(t, passed);
      if (passed) {
        this.population.addResources(agent, t.bounty);
        this.ledger.tasksCompleted++;
        this.ledger.bountyPaid += t.bounty;
      }
      this.sink?.({ type: "task_verified", ...at, task: t.id, agent: agent.id, p, passed, bounty: passed ? t.bounty : 0 });
    }
    for (const t of this.tasks.withStatus("claimed")) {
      this.tasks.start(t);
      this.sink?.({ type: "task_started", ...at, task: t.id, agent: t.claimedBy as string });
    }
  }

  // ------------------------------------------------------------------ proposals (sbx)

  /** Proposals still unanswered after proposal_ttl steps (counting the one they were made in) expire. */
  private expireProposals(): void {
    const ttl = this.plan.tasks.proposalTtlSteps;
    for (const p of [...this.pending.values()]) {
      if (this.stepSerial - (this.proposedAt.get(p.id) ?? this.stepSerial) + 1 < ttl) continue;
      this.removeProposal(p);
      this.ledger.expired++;
      this.sink?.({ type: "proposal_expired", epoch: this.epoch, step: this.step, id: p.id, initiator: p.initiator, counterparty: p.counterparty });
    }
  }

  /**
   * A policy's report about itself (a deceptive agent turning on a partner).
   * Reports arrive while an interaction completes; they are logged right
   * after it, so the log reads cause before effect.
   */
  private note(n: PolicyNote): void {
    this.notes.push(n);
  }

  private flushNotes(): void {
    for (const n of this.notes) {
      this.exploiting.add(n.agent);
      this.sink?.({ type: "exploitation_started", epoch: this.epoch, step: this.step, agent: n.agent, partner: n.partner });
    }
    this.notes.length = 0;
  }

  /** The bandwidth cap, where it acts: accepted interactions per agent per epoch. */
  private get bandwidthCap(): number | null {
    const b = this.plan.governance.bandwidth;
    return this.semantics.bandwidthCap && b.enabled ? b.cap : null;
  }

  /** Agents below the disconnect threshold lose every edge (switch `reputationDisconnect`). */
  private checkDisconnect(s: AgentSlot | undefined): void {
    const threshold = this.plan.network?.disconnectBelowReputation;
    if (!s || !this.network || threshold === null || threshold === undefined || !this.semantics.reputationDisconnect) return;
    if (!(s.reputation < threshold)) return;
    const neighbours = this.network.neighbours(s.id);
    if (neighbours.length === 0) return;
    const edges: [string, string][] = neighbours.map((n) => [s.id, n]);
    for (const [a, b] of edges) this.network.removeEdge(a, b);
    this.sink?.({ type: "agent_disconnected", epoch: this.epoch, step: this.step, agent: s.id, edges });
  }

  private endEpoch(): void {
    if (this.network && this.plan.network!.dynamic) {
      const pruned = this.network.decay();
      this.ledger.pruned = pruned.length;
      this.sink?.({ type: "edges_decayed", epoch: this.epoch, step: this.step, pruned });
    }
    this.closeEpoch();
  }

  private seenAnalyses = 0;
  private readonly hash: string;

  private closeEpoch(): void {
    const { metrics, observed } = computeEpochMetrics(
      this.plan,
      this.semantics,
      this.ledger,
      {
        agents: this.population.slots.map((s) => ({ id: s.id, reputation: s.reputation, resources: s.resources, payoff: s.totalPayoff, frozen: s.frozen })),
        totalPosts: this.feed.postCount,
        totalVotes: this.feed.voteCount,
        network: this.network ? this.network.metrics(this.plan.simulation.seed, this.epoch) : null,
        collusion: this.collusionStats,
        pool: this.pool,
        exploiting: this.exploiting.size,
      },
      this.selections,
    );
    const record: EpochRecord = { epoch: this.epoch, metrics, observed, agents: this.population.slots.map(agentRecord) };
    this.epochs.push(record);
    this.sink?.({ type: "epoch_completed", epoch: this.epoch, metrics, observed });
    this.options.onEpoch?.(record);
    // advance_epoch: every rate-limit counter resets; the completed list clears.
    for (const s of this.population.slots) {
      s.postsUsed = 0;
      s.votesUsed = 0;
      s.tasksUsed = 0;
      s.bandwidthUsed = 0;
    }
    this.ledger = emptyLedger();
    this.epoch++;
  }

  // ------------------------------------------------------------------ steps

  private schedule(): AgentSlot[] {
    const slots = this.population.slots;
    switch (this.plan.simulation.schedule) {
      case "random": {
        const order = slots.slice();
        this.rng.schedule.shuffle(order);
        return order;
      }
      case "priority": {
        // Stable: equal reputations keep registration order.
        return slots.slice().sort((a, b) => (b.reputation > a.reputation ? 1 : b.reputation < a.reputation ? -1 : a.idx - b.idx));
      }
      default:
        return slots;
    }
  }

  /** Skips frozen agents; counts staking refusals. True when the agent may take its turn. */
  private admit(s: AgentSlot): boolean {
    if (s.frozen) return false;
    if (!this.governance.canAct(s)) {
      this.ledger.blocked++;
      this.sink?.({ type: "turn_blocked", epoch: this.epoch, step: this.step, agent: s.id });
      return false;
    }
    return true;
  }

  private runStepSync(): void {
    const max = this.plan.simulation.maxActionsPerStep;
    let ok = 0;
    for (const s of this.schedule()) {
      if (ok >= max) break;
      if (!this.admit(s)) continue;
      const action = this.policies[s.idx].act(this.view(s));
      if (this.execute(s, action)) ok++;
    }
    this.resolveSync();
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

  /** Pending proposals whose counterparty can decide now; null marks one left pending. */
  private decidable(): [Proposal[], (AgentSlot | null)[]] {
    const proposals = [...this.pending.values()];
    return [
      proposals,
      proposals.map((p) => {
        const cp = this.population.byId.get(p.counterparty);
        return cp && !cp.frozen ? cp : null;
      }),
    ];
  }

  private completeDecided(proposals: Proposal[], decisions: (boolean | null)[]): void {
    proposals.forEach((p, i) => {
      const d = decisions[i];
      if (d === null) return;
      this.removeProposal(p);
      this.complete(p, d);
    });
  }

  /** run_async for policies that decide synchronously: all decisions, then all executions. */
  private runStepAsyncOrder(): void {
    const actors = this.asyncActors();
    const actions = actors.map((s) => this.policies[s.idx].act(this.view(s)));
    for (let i = 0; i < actors.length; i++) this.execute(actors[i], actions[i]);
    const [proposals, deciders] = this.decidable();
    const decisions = proposals.map((p, i) => {
      const cp = deciders[i];
      return cp ? this.policies[cp.idx].accept(p, this.view(cp)) : null;
    });
    this.completeDecided(proposals, decisions);
  }

  /**
   * The same step with awaited decisions. Every observation is built (and
   * every synchronous policy decides) in schedule order before anything
   * executes; a decision that fails is dropped, as the reference drops
   * exceptions from asyncio.gather.
   */
  private async runStepAsync(): Promise<void> {
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
    const actions = settled.map((r, i) => {
      const policy = this.policies[actors[i].idx];
      const value = r.status === "fulfilled" ? r.value : null;
      if (!policy.settleAct) return value;
      const { value: action, events } = policy.settleAct(views[i], value);
      this.logDecision(events);
      return action;
    });
    actions.forEach((a, i) => {
      if (a) this.execute(actors[i], a);
    });
    const [proposals, deciders] = this.decidable();
    const acceptViews: (TurnView | null)[] = [];
    const results = await Promise.allSettled(
      proposals.map((p, i) => {
        const cp = deciders[i];
        acceptViews.push(cp ? this.view(cp) : null);
        if (!cp) return null;
        const policy = this.policies[cp.idx];
        const view = acceptViews[i] as TurnView;
        return policy.acceptAsync ? policy.acceptAsync(p, view) : policy.accept(p, view);
      }),
    );
    this.completeDecided(
      proposals,
      results.map((r, i) => {
        const cp = deciders[i];
        const value = r.status === "fulfilled" ? r.value : null;
        const policy = cp ? this.policies[cp.idx] : null;
        if (!cp || !policy?.settleAccept) return value;
        const { value: accepted, events } = policy.settleAccept(proposals[i], acceptViews[i] as TurnView, value);
        this.logDecision(events);
        return accepted;
      }),
    );
  }

  /** Events a settled decision produced (LLM calls, faults, fallbacks): counted in the epoch's ledger and logged. */
  private logDecision(events: readonly SimEvent[]): void {
    for (const e of events) {
      recordLlm(this.ledger, e);
      this.sink?.(e);
    }
  }

  private resolveSync(): void {
    for (const p of [...this.pending.values()]) {
      const cp = this.population.byId.get(p.counterparty);
      if (!cp || cp.frozen) continue;
      const accept = this.policies[cp.idx].accept(p, this.view(cp));
      this.removeProposal(p);
      this.complete(p, accept);
    }
  }

  // ------------------------------------------------------------------ observation

  private canPost(s: AgentSlot): boolean {
    return s.postsUsed < this.plan.rateLimits.postsPerEpoch;
  }
  private canVote(s: AgentSlot): boolean {
    return s.votesUsed < this.plan.rateLimits.votesPerEpoch;
  }
  private canInteract(s: AgentSlot): boolean {
    const used = s.interactionsStep === this.stepSerial ? s.interactionsUsed : 0;
    if (!(used < this.plan.rateLimits.interactionsPerStep)) return false;
    const cap = this.bandwidthCap;
    return cap === null || s.bandwidthUsed < cap;
  }
  private canClaim(s: AgentSlot): boolean {
    return s.tasksUsed < this.plan.rateLimits.tasksPerEpoch;
  }

  private view(self: AgentSlot): TurnView {
    return new Turn(this, self);
  }

  /** The parts of the simulation a Turn reads. */
  get feedTop(): readonly Post[] {
    return this.feed.top(this.plan.feed.visiblePosts);
  }
  agentRng(s: AgentSlot): Rng {
    return this.agentRngs[s.idx];
  }
  get currentEpoch(): number {
    return this.epoch;
  }
  get currentStep(): number {
    return this.step;
  }
  flags(s: AgentSlot): [boolean, boolean, boolean, boolean] {
    if (!this.plan.rateLimits.advertised) return [true, true, true, true];
    return [this.canPost(s), this.canInteract(s), this.canVote(s), this.canClaim(s)];
  }
  availableTasks(s: AgentSlot): readonly Task[] {
    return this.tasks.size ? this.tasks.claimable(s.reputation, this.epoch) : NO_TASKS;
  }
  activeTasks(s: AgentSlot): readonly Task[] {
    return this.tasks.size ? this.tasks.activeFor(s.id) : NO_TASKS;
  }

  // ------------------------------------------------------------------ actions

  private execute(actor: AgentSlot, action: Action): boolean {
    const at = { epoch: this.epoch, step: this.step };
    switch (action.kind) {
      case "noop":
        return true;
      case "post":
      case "reply": {
        if (!this.canPost(actor)) return false;
        const content = action.content.slice(0, this.plan.feed.maxContentLength);
        const post = this.feed.create(actor.id, content, action.kind === "reply" ? action.postId : null);
        if (!post) return false;
        actor.postsUsed++;
        this.ledger.posts++;
        this.sink?.({ type: "post_created", ...at, id: post.id, author: actor.id, parent: post.parent, content });
        return true;
      }
      case "vote": {
        if (!this.canVote(actor)) return false;
        const vn = this.plan.governance.voteNormalization;
        const weighted = this.semantics.voteNormalization && vn.enabled;
        // Normalised: the voter's n-th vote this epoch (n from 0) weighs 1/(1 + n/M).
        const weight = weighted ? voteWeight(actor.votesUsed, vn.maxWeightPerAgent, true) : 1;
        const outcome = this.feed.vote(action.postId, actor.id, action.direction > 0 ? 1 : -1, weight);
        if (outcome === null) return false;
        actor.votesUsed++;
        this.ledger.votes++;
        this.sink?.({
          type: "vote_cast",
          ...at,
          post: action.postId,
          voter: actor.id,
          direction: action.direction > 0 ? 1 : -1,
          outcome,
          ...(weighted ? { weight } : {}),
        });
        return true;
      }
      case "propose": {
        if (!this.canInteract(actor)) return false;
        if (this.network && !this.network.hasEdge(actor.id, action.counterparty)) return false;
        if (this.semantics.proposalValidation) {
          const cp = this.population.byId.get(action.counterparty);
          if (!cp || cp === actor || cp.frozen || !this.governance.canAct(cp)) return false;
        }
        const proposal: Proposal = {
          id: ++this.proposalSeq,
          initiator: actor.id,
          counterparty: action.counterparty,
          type: action.type,
          content: action.content,
          transfer: this.semantics.transfers ? action.transfer : 0,
          epoch: this.epoch,
          step: this.step,
        };
        this.pending.set(proposal.id, proposal);
        if (this.semantics.proposalExpiry) this.proposedAt.set(proposal.id, this.stepSerial);
        this.population.byId.get(action.counterparty)?.inbox.push(proposal);
        if (actor.interactionsStep !== this.stepSerial) {
          actor.interactionsStep = this.stepSerial;
          actor.interactionsUsed = 0;
        }
        actor.interactionsUsed++;
        this.sink?.({ type: "interaction_proposed", ...at, id: proposal.id, initiator: actor.id, counterparty: proposal.counterparty, interactionType: proposal.type, transfer: proposal.transfer });
        return true;
      }
      case "accept":
      case "reject": {
        const proposal = this.pending.get(action.proposalId);
        if (!proposal) return false;
        // Only the counterparty may answer (the reference does not check).
        if (this.semantics.proposalValidation && proposal.counterparty !== actor.id) return false;
        this.removeProposal(proposal);
        this.complete(proposal, action.kind === "accept");
        return true;
      }
      case "claim_task": {
        // The reference checks the claim limit only in observations; sbx enforces it.
        if (this.semantics.taskCreation && !this.canClaim(actor)) return false;
        if (!this.tasks.claim(action.taskId, actor.id, actor.reputation)) return false;
        actor.tasksUsed++;
        this.sink?.({ type: "task_claimed", ...at, task: action.taskId, agent: actor.id });
        return true;
      }
      case "submit_output": {
        if (!this.tasks.submit(action.taskId, actor.id, action.effort === "minimal", this.semantics.taskCreation)) return false;
        this.sink?.({ type: "output_submitted", ...at, task: action.taskId, agent: actor.id });
        return true;
      }
    }
  }

  private removeProposal(p: Proposal): void {
    this.pending.delete(p.id);
    this.proposedAt.delete(p.id);
    const inbox = this.population.byId.get(p.counterparty)?.inbox;
    if (inbox) {
      const i = inbox.indexOf(p);
      if (i >= 0) inbox.splice(i, 1);
    }
  }

  // ------------------------------------------------------------------ interactions

  private drawObservables(initiator: AgentSlot | undefined, accepted: boolean, r: Rng = this.rng.observables): Observables {
    const profile = initiator ? this.observableProfiles[initiator.idx] : null;
    let o: Observables;
    if (profile) {
      o = {
        taskProgress: draw(r, profile.taskProgress),
        rework: draw(r, profile.rework),
        rejections: draw(r, profile.rejections),
        misuse: draw(r, profile.misuse),
        engagement: draw(r, profile.engagement),
      };
    } else {
      switch (initiator?.reportedType ?? "honest") {
        case "opportunistic":
          o = { taskProgress: r.uniform(0.1, 0.5), rework: r.randint(0, 2), rejections: r.randint(0, 1), misuse: 0, engagement: r.uniform(-0.2, 0.3) };
          break;
        case "deceptive":
          o = { taskProgress: r.uniform(0.2, 0.6), rework: r.randint(0, 2), rejections: r.randint(0, 1), misuse: 0, engagement: r.uniform(0.0, 0.4) };
          break;
        case "adversarial":
          o = { taskProgress: r.uniform(-0.3, 0.2), rework: r.randint(1, 3), rejections: r.randint(1, 2), misuse: r.randint(0, 1), engagement: r.uniform(-0.5, -0.1) };
          break;
        default:
          o = { taskProgress: r.uniform(0.3, 0.8), rework: r.randint(0, 1), rejections: 0, misuse: 0, engagement: r.uniform(0.2, 0.6) };
      }
    }
    // Python's min(engagement, 0.0).
    if (!accepted) o.engagement = 0.0 < o.engagement ? 0.0 : o.engagement;
    return o;
  }

  /** `_complete_interaction`, step for step (plus, where the profile switches them on, the dormant mechanisms). */
  private complete(p: Proposal, decision: boolean): void {
    const sem = this.semantics;
    const pop = this.population;
    const initiator = pop.byId.get(p.initiator);
    const counterparty = pop.byId.get(p.counterparty);
    // The bandwidth cap: an acceptance that would take either party past its cap this epoch is refused.
    const cap = this.bandwidthCap;
    const capped = decision && cap !== null && ((initiator?.bandwidthUsed ?? 0) >= cap || (counterparty?.bandwidthUsed ?? 0) >= cap);
    const accepted = decision && !capped;
    if (capped) this.ledger.capped++;
    const observables = this.drawObservables(initiator, accepted);
    const [vHat, prob] = this.proxy.labels(observables);
    const x: InteractionRecord = {
      id: p.id,
      epoch: this.epoch,
      step: this.step,
      initiator: p.initiator,
      counterparty: p.counterparty,
      type: p.type,
      accepted,
      observables,
      vHat,
      p: prob,
      tau: p.transfer,
      cA: 0.0,
      cB: 0.0,
      rA: 0.0,
      rB: 0.0,
      payoffA: 0,
      payoffB: 0,
      groundTruth: null,
      tax: 0,
      audited: false,
      auditPenalty: 0,
      collusionCost: 0,
      froze: false,
    };
    const eff = this.governance.onInteraction(x, this.epoch);
    x.cA += eff.costA;
    x.cB += eff.costB;
    x.tax = eff.tax;
    x.audited = eff.audited;
    x.auditPenalty = eff.auditPenalty;
    x.collusionCost = eff.collusionCost;
    x.froze = eff.freezesTriggered > 0;
    this.ledger.freezes += eff.freezesTriggered;
    this.applyEffect(eff);
    // Accepted interactions move the initiator's reputation by p − 0.5; in sbx the
    // counterparty's moves alike (accepting vouches for the interaction), and
    // these changes are the payoff's reputation terms r_a, r_b.
    const repA = accepted && initiator ? prob - 0.5 : 0;
    const repB = accepted && counterparty && sem.bothPartyReputation ? prob - 0.5 : 0;
    if (sem.reputationPayoff) {
      x.rA = repA;
      x.rB = repB;
    }
    const pay = this.plan.payoff;
    x.payoffA = payoffInitiator(pay, x);
    x.payoffB = payoffCounterparty(pay, x);
    let resourceDeltaA = 0;
    let resourceDeltaB = 0;
    let pooled = 0;
    if (accepted) {
      if (initiator) {
        initiator.recordInitiated(prob);
        initiator.totalPayoff += x.payoffA;
        pop.addReputation(initiator, repA);
      }
      if (counterparty) {
        counterparty.recordReceived(prob);
        counterparty.totalPayoff += x.payoffB;
        if (sem.bothPartyReputation) pop.addReputation(counterparty, repB);
      }
      if (sem.payoffToResources) {
        // π already nets the transfer and the governance costs; the costs go to the public pool.
        if (initiator) pop.addResources(initiator, (resourceDeltaA = x.payoffA));
        if (counterparty) pop.addResources(counterparty, (resourceDeltaB = x.payoffB));
        pooled = x.cA + x.cB;
        this.pool += pooled;
      }
      if (cap !== null) {
        if (initiator) initiator.bandwidthUsed++;
        if (counterparty) counterparty.bandwidthUsed++;
      }
    } else if (sem.rejectedBookkeeping) {
      initiator?.recordInitiated(prob, false);
      counterparty?.recordReceived(prob);
    }
    const outcome = { initiator: p.initiator, counterparty: p.counterparty, accepted, p: prob };
    if (initiator) this.policies[initiator.idx].onOutcome(outcome);
    if (counterparty) this.policies[counterparty.idx].onOutcome(outcome);
    this.ledger.interactions.push(x);
    this.governance.record(x);
    this.sink?.({
      type: "interaction_completed",
      epoch: this.epoch,
      step: this.step,
      interaction: x,
      credited: accepted,
      reputationDeltaA: repA,
      reputationDeltaB: repB,
      ...(sem.payoffToResources ? { resourceDeltaA, resourceDeltaB, pool: pooled } : {}),
      ...(capped ? { capped: true as const } : {}),
    });
    // A disconnected agent stays disconnected: strengthening does not recreate an edge removed this epoch.
    const linked = !sem.reputationDisconnect || this.network?.hasEdge(p.initiator, p.counterparty) === true;
    if (this.network && accepted && this.plan.network!.dynamic && linked) {
      const weight = this.network.strengthen(p.initiator, p.counterparty);
      this.sink?.({ type: "edge_strengthened", epoch: this.epoch, step: this.step, a: p.initiator, b: p.counterparty, weight });
    }
    if (accepted) {
      this.checkDisconnect(initiator);
      if (repB !== 0) this.checkDisconnect(counterparty);
    }
    this.flushNotes();
    this.options.onInteraction?.(x);
  }

  /** `_apply_governance_effect`: freezes, unfreezes, reputation deltas, resource deltas. */
  private applyEffect(eff: GovernanceEffect): void {
    const pop = this.population;
    const at = { epoch: this.epoch, step: this.step };
    for (const id of eff.freeze) {
      const s = pop.byId.get(id);
      if (!s) continue;
      pop.setFrozen(s, true);
      this.sink?.({ type: "agent_frozen", ...at, agent: id });
    }
    for (const id of eff.unfreeze) {
      const s = pop.byId.get(id);
      if (!s) continue;
      pop.setFrozen(s, false);
      this.sink?.({ type: "agent_unfrozen", ...at, agent: id });
    }
    for (const [id, delta] of eff.reputation) {
      const s = pop.byId.get(id);
      if (!s) continue;
      pop.addReputation(s, delta);
      this.sink?.({ type: "reputation_changed", ...at, agent: id, delta, reason: "governance" });
    }
    for (const [id, delta] of eff.resources) {
      const s = pop.byId.get(id);
      if (!s) continue;
      pop.addResources(s, delta);
      // sbx: governance fines (the collusion lever's) go to the public pool.
      const pooled = this.semantics.payoffToResources ? -delta : 0;
      this.pool += pooled;
      this.sink?.({ type: "resources_changed", ...at, agent: id, delta, reason: "governance", ...(pooled ? { pool: pooled } : {}) });
    }
    for (const slash of eff.slashes) this.slash(slash);
    for (const id of eff.reputation.keys()) this.checkDisconnect(pop.byId.get(id));
  }

  /** Staking slashes resources·slash_rate for a violation (nothing when resources are not positive); the stake goes to the pool. */
  private slash(v: Slash): void {
    const s = this.population.byId.get(v.agent);
    if (!s || !(s.resources > 0)) return;
    const amount = s.resources * this.plan.governance.staking.slashRate;
    if (!(amount > 0)) return;
    this.population.addResources(s, -amount);
    this.pool += amount;
    this.ledger.slashed += amount;
    this.sink?.({ type: "stake_slashed", epoch: this.epoch, step: this.step, agent: v.agent, amount, violation: v.violation });
  }
}

/** One agent's lazy observation for one turn (see TurnView). */
class Turn implements TurnView {
  readonly epoch: number;
  readonly step: number;
  readonly canPost: boolean;
  readonly canInteract: boolean;
  readonly canVote: boolean;
  readonly canClaimTask: boolean;
  readonly rng: Rng;
  readonly networked: boolean;
  private neighbourCache: AgentSlot[] | null = null;

  constructor(
    private readonly sim: Simulation,
    readonly self: AgentSlot,
  ) {
    this.epoch = sim.currentEpoch;
    this.step = sim.currentStep;
    [this.canPost, this.canInteract, this.canVote, this.canClaimTask] = sim.flags(self);
    this.rng = sim.agentRng(self);
    this.networked = sim.network !== null;
  }

  /** Active neighbours in registration order (network runs only). */
  private neighbours(): AgentSlot[] {
    if (!this.neighbourCache) {
      const pop = this.sim.population;
      const list: AgentSlot[] = [];
      for (const id of (this.sim.network as AgentNetwork).neighbours(this.self.id)) {
        const s = pop.byId.get(id);
        if (s && !s.frozen && s !== this.self) list.push(s);
      }
      this.neighbourCache = list;
    }
    return this.neighbourCache;
  }

  firstPending(): Proposal | undefined {
    return this.self.inbox[0];
  }

  posts(): readonly Post[] {
    return this.sim.feedTop;
  }

  visibleCount(): number {
    if (this.networked) return this.neighbours().length;
    return this.sim.population.active.size - (this.self.frozen ? 0 : 1);
  }

  visible(id: string): AgentSlot | undefined {
    const s = this.sim.population.byId.get(id);
    if (!s || s === this.self || s.frozen) return undefined;
    if (this.networked && !(this.sim.network as AgentNetwork).hasEdge(this.self.id, id)) return undefined;
    return s;
  }

  firstVisible(test: (s: AgentSlot) => boolean): AgentSlot | undefined {
    if (this.networked) return this.neighbours().find(test);
    // Walk the active agents in registration order, skipping frozen ones in O(log n) each.
    const pop = this.sim.population;
    const active = pop.active;
    for (let k = 0; k < active.size; k++) {
      const s = pop.slots[active.kth(k)];
      if (s !== this.self && test(s)) return s;
    }
    return undefined;
  }

  chooseVisible(subset: VisibleSubset): AgentSlot | undefined {
    if (this.networked) {
      const list = this.neighbours().filter(subset.test);
      return list.length ? list[this.rng.below(list.length)] : undefined;
    }
    const pop = this.sim.population;
    const base = subset.base ?? pop.active;
    let excluded = subset.excluded ? subset.excluded() : [];
    if (base.has(this.self.idx)) excluded = insertSorted(excluded, this.self.idx);
    const count = base.size - excluded.length;
    if (count <= 0) return undefined;
    return pop.slots[base.kthExcluding(this.rng.below(count), excluded)];
  }

  forEachVisible(fn: (s: AgentSlot) => void): void {
    if (this.networked) {
      for (const s of this.neighbours()) fn(s);
      return;
    }
    for (const s of this.sim.population.slots) if (!s.frozen && s !== this.self) fn(s);
  }

  availableTasks(): readonly Task[] {
    return this.sim.availableTasks(this.self);
  }

  activeTasks(): readonly Task[] {
    return this.sim.activeTasks(this.self);
  }
}

function insertSorted(xs: readonly number[], v: number): number[] {
  const out = xs.slice();
  let i = out.length;
  while (i > 0 && out[i - 1] > v) i--;
  out.splice(i, 0, v);
  return out;
}

/**
 * The p a submission needs to pass verification: 0.5 for a medium task, 0.1
 * lower or higher per difficulty step (the honest policy's ranking trivial 1
 * … expert 5), so harder tasks need better work.
 */
export function verificationBar(difficulty: Task["difficulty"]): number {
  const rank = { trivial: 1, easy: 2, medium: 3, hard: 4, expert: 5 }[difficulty];
  return 0.5 + 0.1 * (rank - 3);
}

/** A stochastic policy's observable distribution: constant (no draw), uniform, or inclusive integer. */
function draw(r: Rng, d: Distribution): number {
  switch (d.dist) {
    case "constant":
      return d.value;
    case "uniform":
      return r.uniform(d.low, d.high);
    case "randint":
      return r.randint(d.low, d.high);
  }
}
