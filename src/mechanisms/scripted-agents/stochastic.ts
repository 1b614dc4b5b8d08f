/**
 * A user policy given as an action-probability table (StochasticParams): each
 * turn answers the first pending proposal with `acceptProbability`, otherwise
 * draws one action from the table (in the fixed order post, reply, vote,
 * propose, claimTask, noop, weights normalised by their sum).
 */
import type { StochasticParams } from "./language.ts";
import type { z } from "zod";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import { ledgerStoreOf, TrustLedger } from "./trust.ts";
import { NOOP, type Action } from "../../kernel/actions.ts";
import { otherPartyIdx, type Outcome, type Policy, type PolicyContext, type TurnView, type VisibleSubset } from "../../kernel/policy.ts";

type Params = z.infer<typeof StochasticParams>;
const ORDER = ["post", "reply", "vote", "propose", "claimTask", "noop"] as const;
const ANYONE: VisibleSubset = { test: () => true };

export class StochasticPolicy implements Policy {
  private readonly trust: TrustLedger;
  /** This agent's registration number (−1: not an agent of the run). */
  private readonly idx: number;
  private readonly total: number;

  constructor(
    private readonly id: string,
    private readonly params: Params,
    private readonly ctx: PolicyContext,
  ) {
    this.trust = new TrustLedger(ledgerStoreOf(ctx.population));
    this.idx = ctx.population.slot(id)?.idx ?? -1;
    let t = 0;
    for (const a of ORDER) t += params.actions[a];
    this.total = t;
  }

  act(view: TurnView): Action {
    const rng = view.rng;
    const pending = view.firstPending();
    if (pending) {
      return rng.random() < this.params.acceptProbability ? { kind: "accept", proposalId: pending.id } : { kind: "reject", proposalId: pending.id };
    }
    if (!(this.total > 0)) return NOOP;
    const u = rng.random() * this.total;
    let acc = 0;
    let chosen: (typeof ORDER)[number] = "noop";
    for (const a of ORDER) {
      acc += this.params.actions[a];
      if (u < acc) {
        chosen = a;
        break;
      }
    }
    switch (chosen) {
      case "post":
        return view.canPost ? { kind: "post", content: `${this.params.policy} post` } : NOOP;
      case "reply": {
        const posts = view.posts();
        if (!view.canPost || posts.length === 0) return NOOP;
        return { kind: "reply", postId: posts[rng.below(posts.length)].id, content: `${this.params.policy} reply` };
      }
      case "vote": {
        const posts = view.posts();
        if (!view.canVote || posts.length === 0) return NOOP;
        const post = posts[rng.below(posts.length)];
        return { kind: "vote", postId: post.id, direction: rng.random() < this.params.upvoteProbability ? 1 : -1 };
      }
      case "propose": {
        if (!view.canInteract || view.visibleCount() === 0) return NOOP;
        const target = this.pickTarget(view);
        if (!target) return NOOP;
        const transfer = this.ctx.semantics.transfers ? this.params.transfer : 0;
        return { kind: "propose", counterparty: target.id, type: this.params.proposeType, content: `${this.params.policy} proposal`, transfer };
      }
      case "claimTask": {
        const tasks = view.availableTasks();
        if (!view.canClaimTask || tasks.length === 0) return NOOP;
        return { kind: "claim_task", taskId: tasks[0].id };
      }
      default:
        return NOOP;
    }
  }

  private pickTarget(view: TurnView): AgentSlot | undefined {
    switch (this.params.target) {
      case "random":
        return view.chooseVisible(ANYONE);
      case "most_trusted": {
        // Highest mean p over accepted history (0.5 without history), ties to registration order.
        let best: AgentSlot | undefined;
        let bestTrust = -Infinity;
        const ledger = this.trust;
        for (let k = 0; k < ledger.size; k++) {
          const s = view.visibleAt(ledger.partnerAt(k));
          if (!s) continue;
          const t = ledger.trustAt(k);
          if (t > bestTrust || (t === bestTrust && best !== undefined && s.idx < best.idx)) {
            best = s;
            bestTrust = t;
          }
        }
        if (!(bestTrust > 0.5)) {
          const unknown = view.firstVisible((s) => !this.trust.has(s.idx));
          if (unknown && (bestTrust < 0.5 || best === undefined || unknown.idx < best.idx)) best = unknown;
        }
        return best;
      }
      case "highest_reputation":
      case "lowest_reputation": {
        const highest = this.params.target === "highest_reputation";
        if (view.networked) {
          let best: AgentSlot | undefined;
          view.forEachVisible((s) => {
            if (!best || (highest ? s.reputation > best.reputation : s.reputation < best.reputation)) best = s;
          });
          return best;
        }
        // Without a network every active agent is visible: walk the reputation order.
        const order = this.ctx.population.reputationOrder();
        if (highest) {
          // The highest reputation among eligible agents, then the lowest index holding it.
          let top: number | undefined;
          for (const [, s] of order.entriesReversed()) {
            if (!s.frozen && s.id !== this.id) {
              top = s.reputation;
              break;
            }
          }
          if (top === undefined) return undefined;
          for (const [, s] of order.entries([top, -1])) if (!s.frozen && s.id !== this.id) return s;
          return undefined;
        }
        for (const [, s] of order.entries()) if (!s.frozen && s.id !== this.id) return s;
        return undefined;
      }
    }
  }

  accept(_proposal: Proposal, view: TurnView): boolean {
    return view.rng.random() < this.params.acceptProbability;
  }

  onOutcome(o: Outcome): void {
    if (o.accepted) this.trust.add(otherPartyIdx(o, this.id, this.idx, this.ctx.population), o.p);
  }
}
