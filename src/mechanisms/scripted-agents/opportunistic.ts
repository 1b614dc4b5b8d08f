/** The opportunistic policy (docs/sandbox.md §5.3). */
import type { OpportunisticParams } from "./language.ts";
import type { z } from "zod";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import type { Task } from "../tasks/pool.ts";
import { ledgerStoreOf, TrustLedger } from "./trust.ts";
import { partyIdx } from "../interactions/index.ts";
import { NOOP, type Action } from "../../kernel/actions.ts";
import { otherPartyIdx, type Outcome, type Policy, type PolicyContext, type TurnView, type VisibleSubset } from "../../kernel/policy.ts";

const BAIT = [
  "Hot take: here's something controversial!",
  "What do you all think about this?",
  "This might be unpopular, but...",
  "You won't believe what I discovered!",
  "Am I the only one who thinks this?",
];

const ROI_DIVISOR: Record<string, number> = { trivial: 0.5, easy: 1, medium: 2, hard: 4, expert: 8 };

/** Targets worth extracting from: resource-rich or reputable. */
export const isExtractable = (s: AgentSlot): boolean => s.resources > 80 || s.reputation > 0.5;

/**
 * The transfer of the reference's (unused) propose_interaction(): a trade
 * asking 0.5 from the target (τ = −0.5), unless the target is poor and
 * disreputable (resources < 50 and reputation < 0), where it asks nothing.
 */
const askFrom = (s: AgentSlot): number => (s.resources < 50 && s.reputation < 0 ? 0 : -0.5);

export class OpportunisticPolicy implements Policy {
  /** Mean p over all history with each partner, accepted or not. */
  private readonly history: TrustLedger;
  /** This agent's registration number (−1: not an agent of the run). */
  private readonly idx: number;
  private readonly targets: VisibleSubset;

  constructor(
    private readonly id: string,
    private readonly params: z.infer<typeof OpportunisticParams>,
    private readonly ctx: PolicyContext,
  ) {
    this.history = new TrustLedger(ledgerStoreOf(ctx.population));
    this.idx = ctx.population.slot(id)?.idx ?? -1;
    this.targets = { base: ctx.population.where("extractable", isExtractable), test: isExtractable };
  }

  act(view: TurnView): Action {
    const rng = view.rng;
    const pending = view.firstPending();
    if (pending) {
      let accept: boolean;
      if (pending.transfer > 0) accept = true;
      else {
        const initiator = view.visibleAt(partyIdx(this.ctx.population, pending, "initiator"));
        accept = initiator !== undefined && initiator.reputation > 0 ? true : rng.random() < 0.4;
      }
      return accept ? { kind: "accept", proposalId: pending.id } : { kind: "reject", proposalId: pending.id };
    }
    if (view.canClaimTask) {
      const tasks = view.availableTasks();
      if (tasks.length > 0) return { kind: "claim_task", taskId: bestRoi(tasks).id };
    }
    const active = view.activeTasks();
    if (active.length > 0) {
      const t = active[0];
      return rng.random() < this.params.freeRideProbability
        ? { kind: "submit_output", taskId: t.id, content: "Completed.", effort: "minimal" }
        : { kind: "submit_output", taskId: t.id, content: `Task ${t.id} deliverable: [standard quality output]` };
    }
    if (view.canPost && rng.random() < this.params.postProbability) {
      return { kind: "post", content: BAIT[rng.below(BAIT.length)] };
    }
    if (view.canVote) {
      const posts = view.posts();
      if (posts.length > 0 && rng.random() < this.params.voteProbability) {
        if (this.ctx.semantics.voteScoresVisible) {
          for (let i = 0; i < posts.length; i++) {
            const p = posts[i];
            const net = p.upvotes - p.downvotes;
            if (net > 2) return { kind: "vote", postId: p.id, direction: 1 };
            if (net < -2) return { kind: "vote", postId: p.id, direction: -1 };
          }
        }
        return { kind: "vote", postId: posts[0].id, direction: 1 };
      }
    }
    if (view.canInteract && view.visibleCount() > 0) {
      const target = view.chooseVisible(this.targets);
      if (target) {
        const transfer = this.ctx.semantics.transfers ? askFrom(target) : 0;
        return { kind: "propose", counterparty: target.id, type: "trade", content: "Let's make a deal.", transfer };
      }
      return NOOP;
    }
    return NOOP;
  }

  accept(proposal: Proposal, view: TurnView): boolean {
    if (proposal.transfer > 0) return true;
    const initiator = partyIdx(this.ctx.population, proposal, "initiator");
    if (this.history.has(initiator)) return this.history.trust(initiator) > 0.5;
    return view.rng.random() < this.params.riskTolerance;
  }

  onOutcome(o: Outcome): void {
    this.history.add(otherPartyIdx(o, this.id, this.idx, this.ctx.population), o.p);
  }
}

function bestRoi(tasks: readonly Task[]): Task {
  const roi = (t: Task) => {
    const d = ROI_DIVISOR[t.difficulty] ?? 2;
    return d > 0 ? t.bounty / d : t.bounty;
  };
  return [...tasks].sort((a, b) => roi(b) - roi(a))[0];
}
