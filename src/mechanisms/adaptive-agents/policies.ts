/**
 * The adaptive agents' policies (their rules in words: docs/agents.md).
 *
 * Each chooses how it behaves in every interaction it proposes — its
 * *conduct*, the type its interaction's observables are drawn as: an attack
 * looks adversarial, cover looks honest, a hard trade looks opportunistic.
 * The adaptive-agents mechanism asks for the conduct when the interaction
 * completes (`conductOf`) and tells the initiator what came of it (`learn`):
 * accepted or not, its p, whether an audit looked at it and fined it, and
 * whether the circuit breaker froze it.
 */
import type { z } from "zod";
import { NOOP, type Action } from "../../kernel/actions.ts";
import { otherParty, type Outcome, type Policy, type PolicyContext, type TurnView, type VisibleSubset } from "../../kernel/policy.ts";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import type { AdaptiveAdversaryParams, CautiousReciprocatorParams, ThresholdDancerParams } from "./language.ts";

export type Conduct = "honest" | "opportunistic" | "adversarial";

/** The circuit breaker as an agent knows it: governance rules are public. */
export interface BreakerRules {
  readonly threshold: number;
  readonly window: number;
  /** Only accepted interactions enter the window (profile sbx). */
  readonly acceptedOnly: boolean;
  /** A released agent's window starts empty (profile sbx). */
  readonly resets: boolean;
}

/** What became of an interaction the agent proposed. */
export interface Result {
  readonly conduct: Conduct;
  readonly counterparty: string;
  readonly accepted: boolean;
  readonly p: number;
  readonly audited: boolean;
  readonly fined: boolean;
  readonly froze: boolean;
}

/** A change of an adaptive adversary's attack rate, and why. */
export interface Adaptation {
  readonly attackRate: number;
  readonly cause: "undetected" | "fined" | "frozen";
}

const ANYONE: VisibleSubset = { test: () => true };
/** Targets as the scripted adversary picks them: honest-looking agents worth attacking. */
const isTarget = (s: AgentSlot): boolean => s.reportedType === "honest" && (s.resources > 50 || s.reputation > 0);
const TARGETS: VisibleSubset = { test: isTarget };

/** Its own toxicity (1 − p) over the breaker's window, as the breaker counts it. */
class ToxicityWindow {
  private readonly values: number[] = [];
  constructor(private readonly size: number) {}

  push(toxicity: number): void {
    this.values.push(toxicity);
    if (this.values.length > this.size) this.values.shift();
  }

  clear(): void {
    this.values.length = 0;
  }

  /** Whether one more interaction of toxicity `next` keeps the window's mean below `limit`. */
  allows(next: number, limit: number): boolean {
    const kept = this.values.length >= this.size ? this.values.slice(1) : this.values;
    let sum = next;
    for (const v of kept) sum += v;
    return sum / (kept.length + 1) < limit;
  }
}

/** Shared by the three: proposals remember their conduct until the interaction completes. */
abstract class ConductingPolicy implements Policy {
  /** Conduct of the proposal made on a turn, by `epoch:step` (an agent proposes at most once a turn). */
  private readonly conducts = new Map<string, Conduct>();
  protected window: ToxicityWindow | null = null;
  protected breaker: BreakerRules | null = null;
  /** Running mean toxicity of its accepted attacks (a prior of 0.6 until it has one). */
  protected attackToxicity = 0.6;
  private attacksSeen = 0;

  constructor(
    readonly id: string,
    protected readonly ctx: PolicyContext,
  ) {}

  /** The breaker it keeps under, when the scenario has one. */
  configure(breaker: BreakerRules | null): void {
    this.breaker = breaker;
    this.window = breaker ? new ToxicityWindow(breaker.window) : null;
  }

  conductOf(p: Proposal): Conduct | undefined {
    const key = `${p.epoch}:${p.step}`;
    const c = this.conducts.get(key);
    this.conducts.delete(key);
    return c;
  }

  protected propose(view: TurnView, to: AgentSlot, conduct: Conduct): Action {
    if (this.conducts.size > 64) this.conducts.clear(); // proposals that never completed (refused, expired)
    this.conducts.set(`${view.epoch}:${view.step}`, conduct);
    const transfers = this.ctx.semantics.transfers;
    if (conduct === "adversarial") return { kind: "propose", counterparty: to.id, type: "trade", content: "Special deal just for you.", transfer: transfers ? -1.0 : 0 };
    if (conduct === "opportunistic") return { kind: "propose", counterparty: to.id, type: "trade", content: "Let's make a deal.", transfer: transfers ? -0.5 : 0 };
    return { kind: "propose", counterparty: to.id, type: "collaboration", content: "Would you like to collaborate?", transfer: 0 };
  }

  /** Whether one more attack keeps it under the breaker (always, without a breaker). */
  protected breakerAllows(threshold: number, margin: number): boolean {
    return this.window ? this.window.allows(this.attackToxicity, threshold - margin) : true;
  }

  /** What came of its proposal. Returns a change of attack rate, if the rule has one. */
  learn(r: Result): Adaptation | null {
    if (this.window && (r.accepted || !this.breaker!.acceptedOnly)) this.window.push(1 - r.p);
    if (r.conduct === "adversarial" && r.accepted) {
      this.attacksSeen += 1;
      this.attackToxicity += (1 - r.p - this.attackToxicity) / this.attacksSeen;
    }
    return null;
  }

  /** The circuit breaker released it. */
  released(): void {
    if (this.breaker?.resets) this.window?.clear();
  }

  abstract act(view: TurnView): Action;
  abstract accept(proposal: Proposal, view: TurnView): boolean;
  onOutcome(_o: Outcome): void {}
}

/**
 * Attacks with probability `attackRate` when one more attack keeps its
 * breaker window under the threshold minus `margin`; otherwise builds cover.
 * Additive increase after an undetected accepted attack, multiplicative
 * decrease when fined (×(1 − backoff)) or frozen (×(1 − backoff)²). Targets:
 * the visible agent with the best record of accepted, undetected attacks
 * ((successes + 1)/(attacks + 2)), or a random one with probability `explore`.
 */
export class AdaptiveAdversaryPolicy extends ConductingPolicy {
  attackRate: number;
  private readonly attacks = new Map<string, { n: number; ok: number }>();

  constructor(id: string, private readonly params: z.infer<typeof AdaptiveAdversaryParams>, ctx: PolicyContext) {
    super(id, ctx);
    this.attackRate = params.attackRate;
  }

  act(view: TurnView): Action {
    const pending = view.firstPending();
    if (pending) return { kind: "accept", proposalId: pending.id };
    if (!view.canInteract || view.visibleCount() === 0) return NOOP;
    const rng = view.rng;
    if (rng.random() < this.attackRate && this.breakerAllows(this.breaker?.threshold ?? 1, this.params.margin)) {
      const target = rng.random() < this.params.explore ? view.chooseVisible(ANYONE) : this.bestTarget(view);
      if (target) return this.propose(view, target, "adversarial");
    }
    const partner = view.chooseVisible(ANYONE);
    return partner ? this.propose(view, partner, "honest") : NOOP;
  }

  private score(id: string): number {
    const a = this.attacks.get(id);
    return a ? (a.ok + 1) / (a.n + 2) : 0.5;
  }

  /** The visible agent with the best record; ties go to registration order. */
  private bestTarget(view: TurnView): AgentSlot | undefined {
    let best: AgentSlot | undefined;
    let bestScore = -Infinity;
    view.forEachVisible((s) => {
      const sc = this.score(s.id);
      if (sc > bestScore) {
        best = s;
        bestScore = sc;
      }
    });
    return best;
  }

  accept(): boolean {
    return true;
  }

  override learn(r: Result): Adaptation | null {
    super.learn(r);
    const before = this.attackRate;
    let cause: Adaptation["cause"] | null = null;
    if (r.froze) {
      this.attackRate = before * (1 - this.params.backoff) * (1 - this.params.backoff);
      cause = "frozen";
    } else if (r.conduct === "adversarial" && r.fined) {
      this.attackRate = before * (1 - this.params.backoff);
      cause = "fined";
    } else if (r.conduct === "adversarial" && r.accepted) {
      this.attackRate = Math.min(1, before + this.params.increase);
      cause = "undetected";
    }
    if (r.conduct === "adversarial") {
      const a = this.attacks.get(r.counterparty) ?? { n: 0, ok: 0 };
      a.n += 1;
      if (r.accepted && !r.fined && !r.froze) a.ok += 1;
      this.attacks.set(r.counterparty, a);
    }
    return cause && this.attackRate !== before ? { attackRate: this.attackRate, cause } : null;
  }
}

/** Attacks whenever one more attack keeps its breaker window under the threshold minus `margin`; honest otherwise. */
export class ThresholdDancerPolicy extends ConductingPolicy {
  constructor(id: string, private readonly params: z.infer<typeof ThresholdDancerParams>, ctx: PolicyContext) {
    super(id, ctx);
  }

  override configure(breaker: BreakerRules | null): void {
    // Without a breaker it dances under its own threshold, over a window of the breaker's default length.
    super.configure(breaker ?? { threshold: this.params.threshold, window: 10, acceptedOnly: this.ctx.semantics.governAcceptedOnly, resets: false });
  }

  act(view: TurnView): Action {
    const pending = view.firstPending();
    if (pending) return { kind: "accept", proposalId: pending.id };
    if (!view.canInteract || view.visibleCount() === 0) return NOOP;
    if (this.breakerAllows(this.breaker!.threshold, this.params.margin)) {
      const target = view.chooseVisible(TARGETS) ?? view.chooseVisible(ANYONE);
      if (target) return this.propose(view, target, "adversarial");
    }
    const partner = view.chooseVisible(ANYONE);
    return partner ? this.propose(view, partner, "honest") : NOOP;
  }

  accept(): boolean {
    return true;
  }
}

/**
 * Tit for tat, cautiously: it remembers each partner's last behaviour toward
 * it — an interaction the partner proposed with p ≥ `cooperateAbove`, or an
 * acceptance of its own proposal, is cooperation; a worse p, or a rejection,
 * is defection — and mirrors it: it accepts cooperators and rejects
 * defectors; it proposes collaborations to cooperators and hard trades
 * (opportunistic conduct) to defectors. Strangers get the benefit of the
 * doubt with probability `trustFirst`.
 */
export class CautiousReciprocatorPolicy extends ConductingPolicy {
  /** The partner's last behaviour toward it: true = cooperated. */
  private readonly last = new Map<string, boolean>();

  constructor(id: string, private readonly params: z.infer<typeof CautiousReciprocatorParams>, ctx: PolicyContext) {
    super(id, ctx);
  }

  private welcomes(partner: string, view: TurnView): boolean {
    const last = this.last.get(partner);
    return last === undefined ? view.rng.random() < this.params.trustFirst : last;
  }

  act(view: TurnView): Action {
    const pending = view.firstPending();
    if (pending) return this.welcomes(pending.initiator, view) ? { kind: "accept", proposalId: pending.id } : { kind: "reject", proposalId: pending.id };
    if (!view.canInteract || view.visibleCount() === 0) return NOOP;
    if (!(view.rng.random() < this.params.proposeProbability)) return NOOP;
    const partner = view.chooseVisible(ANYONE);
    if (!partner) return NOOP;
    const last = this.last.get(partner.id);
    if (last === undefined) return view.rng.random() < this.params.trustFirst ? this.propose(view, partner, "honest") : NOOP;
    return this.propose(view, partner, last ? "honest" : "opportunistic");
  }

  accept(proposal: Proposal, view: TurnView): boolean {
    return this.welcomes(proposal.initiator, view);
  }

  override onOutcome(o: Outcome): void {
    const partner = otherParty(o, this.id);
    // Toward it: the partner's proposal (judged by its p), or the partner's answer to its own proposal.
    this.last.set(partner, o.initiator === partner ? o.p >= this.params.cooperateAbove : o.accepted);
  }
}

export type AdaptivePolicy = AdaptiveAdversaryPolicy | ThresholdDancerPolicy | CautiousReciprocatorPolicy;
export { ConductingPolicy };
