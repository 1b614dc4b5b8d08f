/**
 * LLM agents (swarm-0.1.md §9): each decision formats the agent's
 * observation into a prompt, asks a `ModelClient`, parses the answer into an
 * action (or an accept/reject decision), and falls back — to nothing or to a
 * scripted kind's choice — when the model cannot answer.
 *
 * Determinism. The async step calls every agent's `actAsync` in schedule
 * order before awaiting any, so the synchronous prefix of a decision (its
 * observation, prompt, call identity and budget admission) happens in
 * schedule order. Everything that happens while calls are in flight is kept
 * on the decision and only reaches the run in `settleAct`/`settleAccept`,
 * which the orchestrator calls in schedule order once every decision of the
 * phase has arrived: events, memory, fallbacks (which may draw from the
 * agent's stream), the budget's accounts. So the log never depends on which
 * call finished first. Retry jitter comes from a stream keyed by the run's
 * seed and the call's identity.
 *
 * The budget. A call is made only when the budget covers its worst case (its
 * prompt's bytes as input tokens, `maxTokens` as output). In a phase, every
 * decision's first call is admitted in schedule order against what earlier
 * phases spent; retries then draw on what is left, shared out in schedule
 * order as whole worst-case calls, each decision's share fixed before any
 * call returns. Nothing in flight can exceed the budget, and whether a call
 * may be made never depends on timing. Once a call is refused, the budget is
 * exhausted for the rest of the run.
 *
 * No Node-only API here: the client, the cassette and the SDKs are injected.
 */
import type { z } from "zod";
import { sliceOf, type AgentEntry, type CorePlan } from "../../spec/plan.ts";
import { LLM_SLICE, type LlmParams } from "./language.ts";
import type { ScriptedKind } from "../scripted-agents/language.ts";
import { callCost, callCostBound, inputTokenBound, priceOf, type Price } from "../../llm/cost.ts";
import { fallbackAgent } from "./fallback.ts";
import { parseAccept, parseAction, type Parsed } from "../../llm/parse.ts";
import { ACCEPT_SCHEMA, acceptPrompt, actionPrompt, actionSchema, RETRY_NOTE_MAX, retryNote, SHOWN, systemPrompt, type MemoryItem, type Observation, type PromptOptions } from "../../llm/prompt.ts";
import { RETRYABLE, type FaultKind, type ModelClient, type ModelOutcome, type ModelRequest, type Provider } from "../../llm/types.ts";
import { emptyLlmTally, tallyLlm, type LlmTally } from "../../llm/usage.ts";
import type { LlmExtension } from "../../llm/extension.ts";
import type { Action } from "../../kernel/actions.ts";
import type { SimEvent } from "../../kernel/events.ts";
import { otherParty, type Outcome, type Policy, type PolicyContext, type Settled, type TurnView } from "../../kernel/policy.ts";
import type { Proposal } from "../../kernel/population.ts";
import { SbxStream, streamKey } from "../../kernel/rng/streams.ts";
import { scriptedAgents } from "../scripted-agents/index.ts";

type LlmAgent = AgentEntry & { readonly kind: "llm"; readonly params: z.infer<typeof LlmParams> };
type Phase = "act" | "accept";
export type FallbackReason = "faults" | "invalid" | "budget";

export interface LlmRuntimeOptions {
  /** Base of the exponential backoff between retries, in seconds (the reference's retry_base_delay). Default 1. */
  readonly retryBaseSeconds?: number;
  /** The longest retry-after the runtime honours, in seconds. Default 60. */
  readonly maxRetryAfterSeconds?: number;
  /** How to wait between retries; default real timers. Replays and offline runs pass a no-op. */
  readonly sleep?: (seconds: number) => Promise<void>;
}

/** One agent's (or the run's) model usage. */
export type LlmUsage = LlmTally;

// ------------------------------------------------------------------ budget

/** A decision's account with the budget. */
interface Account {
  /** Worst-case cost of one of its calls. */
  readonly bound: number;
  /** Calls it may make beyond the first. */
  readonly maxExtra: number;
  readonly admitted: boolean;
  /** Extra calls the budget granted it (fixed for the phase once asked). */
  extraGranted: number | null;
  extraUsed: number;
  /** What its calls committed against the budget: actual cost, or the bound where the cost is unknown (a timed-out call may still be billed). */
  charged: number;
  /** A retry was refused for the budget. */
  refused: boolean;
}

/** Guards against rounding at the boundary: sums in different orders may differ in the last bits. */
const SAFETY = 1 - 1e-9;

export class Budget {
  /** Settled charges of every finished decision, summed in schedule order. */
  committed = 0;
  exhausted = false;
  private phase: Account[] = [];
  private open = 0;
  private firstSum = 0;
  private waterfall = false;

  constructor(readonly limit: number | null) {}

  /** A decision's first call: admitted in schedule order, before any call of the phase returns. */
  admit(bound: number, maxExtra: number): Account {
    if (this.open === 0) {
      // Every decision of the previous phase has settled: a new phase begins.
      this.phase = [];
      this.firstSum = 0;
      this.waterfall = false;
    }
    this.open++;
    let admitted = true;
    if (this.limit !== null && bound > 0) {
      admitted = !this.exhausted && this.committed + this.firstSum + bound <= this.limit * SAFETY;
      if (!admitted) this.exhausted = true;
    }
    const account: Account = { bound, maxExtra, admitted, extraGranted: null, extraUsed: 0, charged: 0, refused: false };
    if (admitted) {
      this.firstSum += bound;
      this.phase.push(account);
    }
    return account;
  }

  /** Whether the decision may make one more call. Only asked after an await, when the phase's admissions are complete. */
  mayRetry(a: Account): boolean {
    if (this.limit === null || a.bound === 0) return true;
    if (!this.waterfall) this.shareOut();
    if (a.extraUsed < (a.extraGranted ?? 0)) {
      a.extraUsed++;
      return true;
    }
    a.refused = true;
    return false;
  }

  /** Retry allowances in schedule order, from what the phase's first calls leave. */
  private shareOut(): void {
    this.waterfall = true;
    let pool = (this.limit as number) * SAFETY - this.committed - this.firstSum;
    for (const a of this.phase) {
      let n = Math.max(0, Math.min(a.maxExtra, Math.floor(pool / a.bound)));
      while (n > 0 && n * a.bound > pool) n--;
      a.extraGranted = n;
      pool -= n * a.bound;
    }
  }

  charge(a: Account, usd: number): void {
    a.charged += usd;
  }

  /** The decision is settled (schedule order): its charges become committed. */
  settle(a: Account): void {
    this.open--;
    this.committed += a.charged;
    if (a.refused) this.exhausted = true;
    if (this.limit !== null && this.committed >= this.limit) this.exhausted = true;
  }
}

// ------------------------------------------------------------------ concurrency

/** At most n calls in flight; waiters served first come, first served. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private free: number;
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

// ------------------------------------------------------------------ runtime

/** What every LLM agent of one run shares: the client, the budget, the limits, the accounts. */
export class LlmRuntime {
  readonly budget: Budget;
  private readonly limits: Record<Provider, Semaphore>;
  private serial = 0;
  /** What the budget-exhausted event said, once logged. */
  private exhaustion: { budgetUsd: number; committedUsd: number } | null = null;
  /** Usage per agent, from settled decisions (so identical in every run with the same answers). */
  readonly usage = new Map<string, LlmUsage>();
  readonly total: LlmUsage = emptyLlmTally();
  readonly retryBase: number;
  readonly maxRetryAfter: number;
  readonly sleep: (seconds: number) => Promise<void>;
  /** The plan's LLM settings: budget, prices, concurrency. */
  readonly llm: z.infer<typeof LLM_SLICE.schema>;

  constructor(
    readonly plan: CorePlan,
    readonly client: ModelClient,
    options: LlmRuntimeOptions = {},
  ) {
    this.llm = sliceOf(plan, LLM_SLICE);
    this.budget = new Budget(this.llm.budgetUsd);
    const c = this.llm.concurrency;
    this.limits = { anthropic: new Semaphore(c.anthropic), openai: new Semaphore(c.openai), ollama: new Semaphore(c.ollama) };
    this.retryBase = options.retryBaseSeconds ?? 1.0;
    this.maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
    this.sleep = options.sleep ?? ((s) => new Promise((resolve) => setTimeout(resolve, s * 1000)));
  }

  nextSerial(): number {
    return this.serial++;
  }

  limit(provider: Provider): Semaphore {
    return this.limits[provider];
  }

  /** A retry's wait: what the provider asked for, else exponential backoff with seeded jitter in [0.5, 1.5). */
  backoff(outcome: Extract<ModelOutcome, { kind: "fault" }>, retry: number, callId: string): number {
    if (outcome.retryAfterSeconds !== null) return round3(Math.min(Math.max(0, outcome.retryAfterSeconds), this.maxRetryAfter));
    const jitter = new SbxStream(streamKey(this.plan.simulation.seed, `llm-retry:${callId}`)).random();
    return round3(this.retryBase * 2 ** (retry - 1) * (0.5 + jitter));
  }

  /** The one budget-exhausted event of the run, at the first decision (in schedule order) refused for the budget. */
  exhaustionEvent(at: { epoch: number; step: number }): SimEvent | null {
    if (this.exhaustion || this.budget.limit === null) return null;
    this.exhaustion = { budgetUsd: this.budget.limit, committedUsd: this.budget.committed };
    return { type: "llm_budget_exhausted", ...at, ...this.exhaustion };
  }

  /** The budget stopped the calls: the budget and what was committed then (as the event says). */
  get exhausted(): { budgetUsd: number; committedUsd: number } | null {
    return this.exhaustion ? { ...this.exhaustion } : null;
  }

  record(agent: string, events: readonly SimEvent[]): void {
    let u = this.usage.get(agent);
    if (!u) this.usage.set(agent, (u = emptyLlmTally()));
    for (const e of events) {
      tallyLlm(u, e);
      tallyLlm(this.total, e);
    }
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

// ------------------------------------------------------------------ the agent

interface Decision {
  readonly phase: Phase;
  readonly proposal: Proposal | null;
  readonly at: { epoch: number; step: number };
  readonly serial: number;
  readonly account: Account;
  readonly events: SimEvent[];
  fallback: FallbackReason | null;
  value: Action | boolean | null;
  reasoning: string | null;
}

/** The most calls one decision makes: the first, `maxRetries` after transport faults, one after an unusable answer. */
export const maxCalls = (maxRetries: number): number => 1 + maxRetries + 1;

export class LlmPolicy implements Policy {
  private readonly memory: MemoryItem[] = [];
  private readonly decisions = new Map<TurnView, Decision>();
  private readonly fallbackPolicy: Policy | null;
  private options: PromptOptions;
  private readonly price: Price;
  private systemAct: string;
  private readonly systemAccept: string;
  /** What mechanisms add to the prompt (src/llm/extension.ts), read from the first view. */
  private extensions: readonly LlmExtension[] | null = null;

  constructor(
    private readonly agent: LlmAgent,
    private readonly ctx: PolicyContext,
    private readonly runtime: LlmRuntime,
  ) {
    const p = agent.params;
    this.fallbackPolicy = p.fallback === "noop" ? null : scriptedPolicy(fallbackAgent(p.fallback as ScriptedKind, agent.id, agent.group), ctx);
    this.options = { faithful: !ctx.semantics.llmPromptFixes, transfers: ctx.semantics.transfers };
    this.price = priceOf(runtime.llm.prices, p.model);
    this.systemAct = systemPrompt(p.persona, p.systemPrompt, actionSchema(this.options));
    this.systemAccept = systemPrompt(p.persona, p.systemPrompt, ACCEPT_SCHEMA);
  }

  act(): Action {
    throw new Error(`agent ${this.agent.id} is an LLM agent: its decisions arrive asynchronously (run the plan with runPlanAsync)`);
  }

  accept(): boolean {
    throw new Error(`agent ${this.agent.id} is an LLM agent: its decisions arrive asynchronously (run the plan with runPlanAsync)`);
  }

  /** The first view tells which actions and sections mechanisms add; the action prompt's schema lists them. */
  private extend(view: TurnView): void {
    if (this.extensions) return;
    this.extensions = view.llmExtensions?.() ?? [];
    const extra = this.extensions.flatMap((x) => x.actions);
    if (!extra.length) return;
    this.options = { ...this.options, extra };
    this.systemAct = systemPrompt(this.agent.params.persona, this.agent.params.systemPrompt, actionSchema(this.options));
  }

  actAsync(view: TurnView): Promise<Action> {
    this.extend(view);
    const user = actionPrompt(this.observe(view), this.memory, this.options);
    const d = this.open("act", view, null, this.systemAct, user);
    return this.decide(d, this.systemAct, user, (text) => parseAction(text, this.options)).then(() => ({ kind: "noop" }) as Action);
  }

  acceptAsync(proposal: Proposal, view: TurnView): Promise<boolean> {
    this.extend(view);
    const observed = { id: proposal.id, from: proposal.initiator, type: proposal.type, content: proposal.content, transfer: proposal.transfer };
    const user = acceptPrompt(this.observe(view), observed, this.memory, this.options);
    const d = this.open("accept", view, proposal, this.systemAccept, user);
    return this.decide(d, this.systemAccept, user, (text) => parseAccept(text, this.options)).then(() => false);
  }

  settleAct(view: TurnView): Settled<Action> {
    const d = this.take(view);
    if (!d) return { value: { kind: "noop" }, events: [] };
    let action: Action;
    if (d.fallback) action = this.fallbackPolicy ? this.fallbackPolicy.act(view) : { kind: "noop" };
    else action = d.value as Action;
    if (d.reasoning !== null) this.remember({ type: "action_reasoning", action: action.kind, reasoning: d.reasoning });
    return { value: action, events: this.close(d) };
  }

  settleAccept(proposal: Proposal, view: TurnView): Settled<boolean> {
    const d = this.take(view);
    if (!d) return { value: false, events: [] };
    let accepted: boolean;
    if (d.fallback) accepted = this.fallbackPolicy ? this.fallbackPolicy.accept(proposal, view) : false;
    else accepted = d.value as boolean;
    if (d.reasoning !== null) this.remember({ type: "accept_decision", proposal: proposal.id, initiator: proposal.initiator, accepted, reasoning: d.reasoning });
    return { value: accepted, events: this.close(d) };
  }

  onOutcome(o: Outcome): void {
    this.remember({ type: "interaction_outcome", counterparty: otherParty(o, this.agent.id), initiated: o.initiator === this.agent.id, accepted: o.accepted, p: o.p });
    this.fallbackPolicy?.onOutcome(o);
  }

  // ---------------------------------------------------------------- internals

  private remember(item: MemoryItem): void {
    this.memory.push(item);
    // The reference keeps everything but never shows more than the last 10 items.
    if (this.memory.length > 200) this.memory.splice(0, this.memory.length - 100);
  }

  private take(view: TurnView): Decision | undefined {
    const d = this.decisions.get(view);
    this.decisions.delete(view);
    return d;
  }

  /** Settling: the fallback event, the run's first budget refusal, the budget's accounts, usage. */
  private close(d: Decision): SimEvent[] {
    if (d.fallback) {
      if (d.fallback === "budget") {
        const ex = this.runtime.exhaustionEvent(d.at);
        if (ex) d.events.push(ex);
      }
      d.events.push({ type: "llm_fallback", ...d.at, agent: this.agent.id, decision: d.phase, proposal: d.proposal?.id ?? null, reason: d.fallback, fallback: this.agent.params.fallback });
    }
    this.runtime.budget.settle(d.account);
    this.runtime.record(this.agent.id, d.events);
    return d.events;
  }

  /** The synchronous part of a decision: identity and budget admission, in schedule order. */
  private open(phase: Phase, view: TurnView, proposal: Proposal | null, system: string, user: string): Decision {
    const p = this.agent.params;
    const bound = p.costTracking ? callCostBound(this.price, inputTokenBound(system, user) + RETRY_NOTE_MAX, p.maxTokens) : 0;
    const account = this.runtime.budget.admit(bound, maxCalls(p.maxRetries) - 1);
    const d: Decision = {
      phase,
      proposal,
      at: { epoch: view.epoch, step: view.step },
      serial: this.runtime.nextSerial(),
      account,
      events: [],
      fallback: account.admitted ? null : "budget",
      value: null,
      reasoning: null,
    };
    this.decisions.set(view, d);
    return d;
  }

  private callId(d: Decision, attempt: number): string {
    const proposal = d.proposal ? `/p${d.proposal.id}` : "";
    return `e${d.at.epoch}s${d.at.step}/${d.phase}/${this.agent.id}${proposal}#${attempt}`;
  }

  /** The calls of one decision; never rejects (an unexpected error is a fault like any other). */
  private async decide<T extends Action | boolean>(d: Decision, system: string, user: string, parse: (text: string) => Parsed<T>): Promise<void> {
    if (d.fallback) return;
    try {
      await this.calls(d, system, user, parse);
    } catch (e) {
      d.events.push(this.fault(d, 0, "bad_response", `internal error: ${(e as Error).message}`, "fallback", null));
      d.fallback = "faults";
    }
  }

  private async calls<T extends Action | boolean>(d: Decision, system: string, user: string, parse: (text: string) => Parsed<T>): Promise<void> {
    const p = this.agent.params;
    const rt = this.runtime;
    let note = "";
    let transportRetries = 0;
    let answerRetried = false;
    for (let attempt = 1; ; attempt++) {
      const callId = this.callId(d, attempt);
      const outcome = await this.call(rt, {
        provider: p.provider,
        model: p.model,
        system,
        user: user + note,
        temperature: p.temperature,
        maxTokens: p.maxTokens,
        timeoutSeconds: p.timeoutSeconds,
        callId,
        decision: d.serial,
        attempt,
      });
      const answered = outcome.kind === "response";
      const cost = answered && p.costTracking ? callCost(this.price, outcome.tokensIn, outcome.tokensOut) : 0;
      // A call that timed out or lost its connection may still be billed: commit its worst case.
      const unknown = !answered && (outcome.fault === "timeout" || outcome.fault === "connection");
      rt.budget.charge(d.account, unknown ? d.account.bound : cost);
      const call: Extract<SimEvent, { type: "llm_call" }> = {
        type: "llm_call",
        ...d.at,
        agent: this.agent.id,
        decision: d.phase,
        proposal: d.proposal?.id ?? null,
        attempt,
        provider: p.provider,
        model: p.model,
        tokensIn: answered ? outcome.tokensIn : 0,
        tokensOut: answered ? outcome.tokensOut : 0,
        costUsd: cost,
        ok: false,
        reasoning: null,
      };
      d.events.push(call);

      if (outcome.kind === "fault") {
        const retry = RETRYABLE.has(outcome.fault) && transportRetries < p.maxRetries;
        // Asked only when a retry is wanted: a refusal exhausts the budget.
        const affordable = retry && rt.budget.mayRetry(d.account);
        if (!affordable) {
          d.events.push(this.fault(d, attempt, outcome.fault, outcome.detail, "fallback", outcome.retryAfterSeconds));
          d.fallback = retry ? "budget" : "faults";
          return;
        }
        transportRetries++;
        const delay = rt.backoff(outcome, transportRetries, callId);
        d.events.push(this.fault(d, attempt, outcome.fault, outcome.detail, "retry", outcome.retryAfterSeconds));
        if (delay > 0) await rt.sleep(delay);
        continue;
      }

      let fault: FaultKind;
      let error: string;
      if (outcome.refusal) {
        fault = "refusal";
        error = "The model refused to answer.";
      } else if (outcome.text.trim() === "") {
        fault = "empty";
        error = "The answer was empty.";
      } else {
        const parsed = parse(outcome.text);
        if (parsed.ok) {
          call.ok = true;
          call.reasoning = clip(parsed.reasoning, 500);
          d.value = parsed.value;
          d.reasoning = parsed.reasoning;
          return;
        }
        fault = parsed.fault;
        error = parsed.error;
      }
      const affordable = !answerRetried && rt.budget.mayRetry(d.account);
      if (!affordable) {
        d.events.push(this.fault(d, attempt, fault, error, "fallback", null));
        d.fallback = answerRetried ? "invalid" : "budget";
        return;
      }
      answerRetried = true;
      note = retryNote(error);
      d.events.push(this.fault(d, attempt, fault, error, "retry", null));
    }
  }

  /** One request, holding one of the provider's concurrency slots. */
  private async call(rt: LlmRuntime, request: ModelRequest): Promise<ModelOutcome> {
    const limit = rt.limit(request.provider);
    await limit.acquire();
    try {
      return await rt.client.complete(request);
    } finally {
      limit.release();
    }
  }

  private fault(d: Decision, attempt: number, fault: FaultKind, detail: string, next: "retry" | "fallback", retryAfterSeconds: number | null): SimEvent {
    return {
      type: "llm_fault",
      ...d.at,
      agent: this.agent.id,
      decision: d.phase,
      proposal: d.proposal?.id ?? null,
      attempt,
      fault,
      detail: clip(detail, 300),
      next,
      retryAfterSeconds,
    };
  }

  /** What the agent sees, copied now: later reads would see other agents' actions. */
  private observe(view: TurnView): Observation {
    const self = view.self;
    const others: Observation["agents"][number][] = [];
    view.forEachVisible((s) => {
      if (others.length < SHOWN.agents) others.push({ id: s.id, reputation: s.reputation, resources: s.resources });
    });
    const pop = this.ctx.population;
    let frozen = 0;
    let reputation = 0;
    let resources = 0;
    const pending = view.pendingTotal();
    for (const s of pop.slots) {
      if (s.frozen) frozen++;

      reputation += s.reputation;
      resources += s.resources;
    }
    const n = pop.slots.length;
    const sections = (this.extensions ?? []).flatMap((x) => x.section(self.id) ?? []);
    return {
      ...(sections.length ? { sections } : {}),
      epoch: view.epoch,
      step: view.step,
      self: { id: self.id, reputation: self.reputation, resources: self.resources, payoff: self.totalPayoff },
      canPost: view.canPost,
      canInteract: view.canInteract,
      canVote: view.canVote,
      canClaimTask: view.canClaimTask,
      posts: view
        .posts()
        .slice(0, SHOWN.posts)
        .map((p) => ({ id: p.id, author: p.author, content: p.content, score: p.upvotes - p.downvotes, replies: p.replyCount })),
      proposals: view.pendingProposals().map((p) => ({ id: p.id, from: p.initiator, type: p.type, content: p.content, transfer: p.transfer })),
      availableTasks: view
        .availableTasks()
        .slice(0, SHOWN.tasks)
        .map((t) => ({ id: t.id, bounty: t.bounty, difficulty: t.difficulty, status: t.status })),
      activeTasks: view.activeTasks().map((t) => ({ id: t.id, bounty: t.bounty, difficulty: t.difficulty, status: t.status })),
      agents: others,
      ecosystem: { agents: n, active: n - frozen, frozen, pendingProposals: pending, avgReputation: n ? reputation / n : 0, totalResources: resources },
    };
  }
}

/** The policy of the scripted agent an LLM agent falls back on. */
function scriptedPolicy(agent: AgentEntry, ctx: PolicyContext): Policy {
  const kind = scriptedAgents.agents[agent.kind as keyof typeof scriptedAgents.agents];
  if (!kind) throw new Error(`no scripted kind '${agent.kind}' to fall back on`);
  return kind.policy(agent, ctx);
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n)}...` : text;
}

/**
 * The `policyFor` seam of RunOptions for a plan's LLM agents, answering
 * through `client`; scripted agents keep their built-in policies.
 */
export function llmPolicies(plan: CorePlan, client: ModelClient, options: LlmRuntimeOptions = {}): { runtime: LlmRuntime; policyFor: (agent: AgentEntry, ctx: PolicyContext) => Policy | undefined } {
  const runtime = new LlmRuntime(plan, client, options);
  return {
    runtime,
    policyFor: (agent, ctx) => (agent.kind === "llm" ? new LlmPolicy(agent as LlmAgent, ctx, runtime) : undefined),
  };
}
