/** The honest policy (docs/sandbox.md §5.2). */
import type { HonestParams } from "./language.ts";
import type { z } from "zod";
import type { Post } from "../feed/feed.ts";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import type { Task } from "../tasks/pool.ts";
import { NOOP, type Action } from "../../kernel/actions.ts";
import { otherPartyIdx, type Outcome, type Policy, type PolicyContext, type TurnView } from "../../kernel/policy.ts";
import { partyIdx } from "../interactions/index.ts";
import { ledgerStoreOf, TrustLedger } from "./trust.ts";
import { postVotersOf, type PostVoters } from "./voted.ts";

const HELPFUL = [
  "Here's a useful insight about the current situation.",
  "I'd like to share some helpful information.",
  "Based on my analysis, here are my observations.",
  "Let me contribute a constructive perspective.",
];

/** The posts an honest agent has not voted on, this turn (see `HonestPolicy.vote`). */
const UNVOTED: Post[] = [];

const HONEST_RANK: Record<string, number> = { trivial: 1, easy: 2, medium: 3, hard: 4, expert: 5 };

export class HonestPolicy implements Policy {
  private readonly trust: TrustLedger;
  /** This agent's registration number (−1: not an agent of the run). */
  private readonly idx: number;
  /** The posts voted on: this agent's, as voter `voter`, among the run's (see `lastVote`). */
  private readonly voted: PostVoters;
  private readonly voter: number;
  /**
   * The post of this agent's latest vote (−1: none), recorded in `voted` at its next vote: what
   * `act` changes must stay in the policy's own fields, which a replayed decision restores
   * (src/mechanisms/incoherence/decision-state.ts). Recording a vote again changes nothing.
   */
  private lastVote = -1;
  /** Agents this one has no accepted history with (one test for the policy's life, not one per turn). */
  private readonly unknown = (s: AgentSlot): boolean => !this.trust.has(s.idx);

  constructor(
    private readonly id: string,
    private readonly params: z.infer<typeof HonestParams>,
    private readonly ctx: PolicyContext,
  ) {
    this.trust = new TrustLedger(ledgerStoreOf(ctx.population));
    this.idx = ctx.population.slot(id)?.idx ?? -1;
    this.voted = postVotersOf(ctx.population);
    this.voter = this.voted.newVoter();
  }

  act(view: TurnView): Action {
    const rng = view.rng;
    const pending = view.firstPending();
    if (pending) {
      const accept = this.trust.trust(this.initiatorOf(pending)) >= this.params.acceptanceThreshold - 0.1;
      return accept ? { kind: "accept", proposalId: pending.id } : { kind: "reject", proposalId: pending.id };
    }
    const active = view.activeTasks();
    if (active.length > 0 && active[0].status === "in_progress") {
      return { kind: "submit_output", taskId: active[0].id, content: `Completed work on task ${active[0].id}: [quality output]` };
    }
    if (view.canClaimTask) {
      const tasks = view.availableTasks();
      if (tasks.length > 0) {
        const best = pickTask(tasks, view.self.reputation);
        if (best) return { kind: "claim_task", taskId: best.id };
      }
    }
    if (view.canPost && rng.random() < this.params.postProbability) {
      return { kind: "post", content: HELPFUL[rng.below(HELPFUL.length)] };
    }
    if (view.canVote) {
      const posts = view.posts();
      if (posts.length > 0 && rng.random() < this.params.voteProbability) return this.vote(posts, view);
    }
    if (view.canInteract && rng.random() < this.params.interactProbability) {
      if (view.visibleCount() > 0) return this.propose(view);
    }
    return NOOP;
  }

  private vote(posts: readonly Post[], view: TurnView): Action {
    // A uniform pick among the posts not yet voted on: one pass over the posts into a list shared by
    // every honest agent (filled and read within this call).
    const unvoted = UNVOTED;
    const voted = this.voted;
    const voter = this.voter;
    if (this.lastVote >= 0) voted.add(this.lastVote, voter);
    let count = 0;
    for (let i = 0; i < posts.length; i++) {
      const p = posts[i];
      if (!voted.has(p.id, voter)) unvoted[count++] = p;
    }
    if (count === 0) return NOOP;
    const post = unvoted[view.rng.below(count)];
    const net = this.ctx.semantics.voteScoresVisible ? post.upvotes - post.downvotes : 0;
    const replies = post.replyCount;
    const direction: 1 | -1 = net > 0 || replies > 2 ? 1 : net < -2 ? -1 : 1;
    this.lastVote = post.id;
    return { kind: "vote", postId: post.id, direction };
  }

  /** The highest-trust visible candidate (trust ≥ 0.3), ties to registration order. */
  private propose(view: TurnView): Action {
    let best: AgentSlot | undefined;
    let bestIdx = -1;
    let bestTrust = -Infinity;
    const ledger = this.trust;
    for (let k = 0; k < ledger.size; k++) {
      // Whether the partner would win first, visibility last, by number: the tests are pure, and only
      // the winner's slot is read (a cache miss per partner among 100,000 agents).
      const t = ledger.trustAt(k);
      if (t < 0.3) continue;
      const idx = ledger.partnerAt(k);
      if (!(t > bestTrust || (t === bestTrust && best !== undefined && idx < bestIdx))) continue;
      const s = view.visibleAt(idx);
      if (!s) continue;
      best = s;
      bestIdx = idx;
      bestTrust = t;
    }
    // Agents without accepted history all have trust 0.5: only the first visible one can win.
    if (!(bestTrust > 0.5)) {
      const unknown = view.firstVisible(this.unknown);
      if (unknown && (bestTrust < 0.5 || best === undefined || unknown.idx < bestIdx)) {
        best = unknown;
        bestTrust = 0.5;
      }
    }
    if (!best) return NOOP;
    return { kind: "propose", counterparty: best.id, type: "collaboration", content: "Would you like to collaborate?", transfer: 0 };
  }

  /** A proposal's initiator's registration number (−1: not an agent of the run). */
  private initiatorOf(p: Proposal): number {
    return partyIdx(this.ctx.population, p, "initiator");
  }

  accept(proposal: Proposal): boolean {
    const trust = this.trust.trust(this.initiatorOf(proposal));
    let threshold = this.params.acceptanceThreshold;
    if (proposal.type === "collaboration") threshold -= 0.1;
    else if (proposal.type === "trade") threshold += 0.1;
    const score = trust * this.params.trustWeight + 0.5 * (1 - this.params.trustWeight);
    return score >= threshold;
  }

  onOutcome(o: Outcome): void {
    if (o.accepted) this.trust.add(otherPartyIdx(o, this.id, this.idx, this.ctx.population), o.p);
  }
}

function pickTask(tasks: readonly Task[], reputation: number): Task | undefined {
  const eligible = tasks.filter((t) => t.minReputation <= reputation);
  if (eligible.length === 0) return undefined;
  const score = (t: Task) => t.bounty / (HONEST_RANK[t.difficulty] ?? 3);
  return [...eligible].sort((a, b) => score(b) - score(a))[0];
}
