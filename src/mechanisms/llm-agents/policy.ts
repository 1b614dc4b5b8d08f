/**
 * LLM agents (docs/sandbox.md §9): each decision formats the agent's
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
 * The budget's rules are in budget.ts; what every agent of a run shares is
 * the LlmRuntime (runtime.ts); what an agent is shown, observe.ts.
 *
 * No Node-only API here: the client, the cassette and the SDKs are injected.
 */
import type { z } from "zod";
import type { AgentEntry, CorePlan } from "../../spec/plan.ts";
import type { LlmParams } from "./language.ts";
import type { ScriptedKind } from "../scripted-agents/language.ts";
import { callCost, callCostBound, inputTokenBound, priceOf, type Price } from "../../llm/cost.ts";
import { fallbackAgent } from "./fallback.ts";
import { extractJson, parseAccept, parseAction, type Parsed } from "../../llm/parse.ts";
import { ACCEPT_SCHEMA, acceptPrompt, actionPrompt, actionSchema, RETRY_NOTE_MAX, retryNote, systemPrompt, type MemoryItem, type PromptOptions } from "../../llm/prompt.ts";
import { RETRYABLE, type FaultKind, type ModelClient, type ModelOutcome, type ModelRequest } from "../../llm/types.ts";
import type { LlmExtension } from "../../llm/extension.ts";
import type { Action } from "../../kernel/actions.ts";
import type { SimEvent } from "../../kernel/events.ts";
import { otherParty, type Outcome, type Policy, type PolicyContext, type Settled, type TurnView } from "../../kernel/policy.ts";
import type { Proposal } from "../../kernel/population.ts";
import { scriptedAgents } from "../scripted-agents/index.ts";
import type { LlmFrame } from "./frame.ts";
import { maxCalls, type Account } from "./budget.ts";
import { LlmRuntime, type LlmRuntimeOptions } from "./runtime.ts";
import { observe } from "./observe.ts";

type LlmAgent = AgentEntry & { readonly kind: "llm"; readonly params: z.infer<typeof LlmParams> };
type Phase = "act" | "accept";
export type FallbackReason = "faults" | "invalid" | "budget";

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
  /** A mechanism's frame for this decision (the town), if any. */
  frame: LlmFrame | null;
}

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
    const frame = view.llmFrame?.(this.agent.params.persona) ?? null;
    if (frame) {
      const d = this.open("act", view, null, frame.system, frame.user, frame);
      const parse = (text: string): Parsed<Action> => {
        const json = extractJson(text);
        return json.ok ? frame.parse(json.value) : { ok: false, fault: "malformed", error: json.error };
      };
      return this.decide(d, frame.system, frame.user, parse).then(() => ({ kind: "noop" }) as Action);
    }
    this.extend(view);
    const user = actionPrompt(observe(view, this.ctx.population, this.extensions ?? []), this.memory, this.options);
    const d = this.open("act", view, null, this.systemAct, user);
    return this.decide(d, this.systemAct, user, (text) => parseAction(text, this.options)).then(() => ({ kind: "noop" }) as Action);
  }

  acceptAsync(proposal: Proposal, view: TurnView): Promise<boolean> {
    this.extend(view);
    const observed = { id: proposal.id, from: proposal.initiator, type: proposal.type, content: proposal.content, transfer: proposal.transfer };
    const user = acceptPrompt(observe(view, this.ctx.population, this.extensions ?? []), observed, this.memory, this.options);
    const d = this.open("accept", view, proposal, this.systemAccept, user);
    return this.decide(d, this.systemAccept, user, (text) => parseAccept(text, this.options)).then(() => false);
  }

  settleAct(view: TurnView): Settled<Action> {
    const d = this.take(view);
    if (!d) return { value: { kind: "noop" }, events: [] };
    let action: Action;
    if (d.frame) action = d.fallback ? d.frame.settle(d.frame.fallback(), "planner") : d.frame.settle(d.value as Action, "model");
    else if (d.fallback) action = this.fallbackPolicy ? this.fallbackPolicy.act(view) : { kind: "noop" };
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
      d.events.push({ type: "llm_fallback", ...d.at, agent: this.agent.id, decision: d.phase, proposal: d.proposal?.id ?? null, reason: d.fallback, fallback: d.frame?.fallbackName ?? this.agent.params.fallback });
    }
    this.runtime.budget.settle(d.account);
    this.runtime.record(this.agent.id, d.events);
    return d.events;
  }

  /** The synchronous part of a decision: identity and budget admission, in schedule order. */
  private open(phase: Phase, view: TurnView, proposal: Proposal | null, system: string, user: string, frame: LlmFrame | null = null): Decision {
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
      frame,
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
