/**
 * The deceptive policy (docs/sandbox.md §5.4): a trust-building facade that exploits once trusted.
 *
 * In swarm-0.1 exploitation is unreachable, as in the reference: interactions
 * are counted only in end-of-step accept calls, and the facade votes whenever
 * a post is visible, so the agent hardly ever proposes. With the switch
 * `deceptiveExploitation` (sbx) the agent counts every completed interaction
 * with a partner, votes only on posts it has not voted on (half the time, as
 * an honest agent does by default), offers τ = +0.1 with its facade
 * collaborations, and turns on each partner — trades asking 0.5 (τ = −0.5) —
 * once it has interacted with it `trust_building_phase` times and trusts it
 * above `exploitation_threshold` (the reference's unused propose_interaction()).
 */
import type { DeceptiveParams } from "./language.ts";
import type { z } from "zod";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import { NOOP, type Action } from "../../kernel/actions.ts";
import { otherParty, otherPartyIdx, type Outcome, type Policy, type PolicyContext, type TurnView, type VisibleSubset } from "../../kernel/policy.ts";
import { partyIdx } from "../interactions/index.ts";
import { NO_ENTRIES, NO_MEMBERS } from "./empty.ts";
import { postVotersOf, type PostVoters } from "./voted.ts";

/** Facade votes happen half the time in sbx: the honest policy's default vote probability. */
const FACADE_VOTE_PROBABILITY = 0.5;

/**
 * A partner's key in a deceptive agent's maps: its registration number (an id
 * would be a string to read and hash, a cache miss at 100,000 agents), or its
 * id where it is not an agent of the run (an unvalidated proposal's made-up party).
 */
type Partner = number | string;

const TRUST_BUILDING = [
  "I'm always happy to help where I can.",
  "Let me share some valuable insights.",
  "I believe in building strong partnerships.",
  "Quality and reliability are my priorities.",
  "Looking forward to collaborating with everyone.",
];

export class DeceptivePolicy implements Policy {
  // Collections start as the shared empty ones (./empty.ts): most stay empty.
  private trustScores: Map<Partner, number> = NO_ENTRIES;
  private interactionsWith: Map<Partner, number> = NO_ENTRIES;
  /** Incremental forms of the reference's mode check. */
  private highTrust = 0;
  private totalInteractions = 0;
  exploitationMode = false;
  actCalls = 0;
  /** Partners at or past the trust-building phase, by registration number: excluded from facade proposals. */
  private saturated: Set<number> = NO_MEMBERS;
  private readonly candidates: VisibleSubset;
  /** sbx: partners past the trust-building phase and trusted above the threshold. */
  private exploitable: Set<Partner> = NO_MEMBERS;
  /** sbx: the posts voted on, this agent's as voter `voter` among the run's (null: in swarm-0.1, none are remembered). */
  private readonly voted: PostVoters | null;
  private readonly voter: number;
  /** sbx: the post of this agent's latest vote (−1: none), recorded in `voted` at its next vote (see HonestPolicy's `lastVote`). */
  private lastVote = -1;
  private readonly live: boolean;
  /** This agent's registration number (−1: not an agent of the run). */
  private readonly idx: number;

  constructor(
    private readonly id: string,
    private readonly params: z.infer<typeof DeceptiveParams>,
    private readonly ctx: PolicyContext,
  ) {
    const pop = ctx.population;
    this.live = ctx.semantics.deceptiveExploitation;
    this.idx = pop.slot(id)?.idx ?? -1;
    this.voted = this.live ? postVotersOf(pop) : null;
    this.voter = this.voted ? this.voted.newVoter() : -1;
    this.candidates = {
      // By number, the active ones (not frozen) read off the index: finding each partner by id was a
      // hash probe and a slot read per partner at every proposal among 100,000 agents.
      excluded: () => {
        const out: number[] = [];
        for (const idx of this.saturated) if (pop.active.has(idx)) out.push(idx);
        return out.sort((a, b) => a - b);
      },
      test: (s: AgentSlot) => !this.saturated.has(s.idx),
    };
  }

  act(view: TurnView): Action {
    const rng = view.rng;
    this.actCalls += 1;
    const pending = view.firstPending();
    if (pending) {
      const count = this.interactionsWith.get(this.initiatorOf(pending)) ?? 0;
      const accept = count < this.params.trustBuildingPhase ? rng.random() < 0.9 : rng.random() < 0.6;
      return accept ? { kind: "accept", proposalId: pending.id } : { kind: "reject", proposalId: pending.id };
    }
    this.exploitationMode = this.live ? this.exploitable.size > 0 : this.highTrust >= 2 && this.totalInteractions > 10;
    if (this.exploitationMode) {
      const target = this.exploitTarget(view);
      if (target && view.canInteract) {
        return { kind: "propose", counterparty: target.id, type: "trade", content: "I have a special opportunity for you.", transfer: this.live ? -0.5 : 0 };
      }
      const active = view.activeTasks();
      if (active.length > 0) {
        const t = active[0];
        return rng.random() < 0.4
          ? { kind: "submit_output", taskId: t.id, content: `Task ${t.id} deliverable: [appears complete but has hidden issues]` }
          : { kind: "submit_output", taskId: t.id, content: `Task ${t.id} completed with careful attention to detail.` };
      }
    }
    return this.facade(view);
  }

  private facade(view: TurnView): Action {
    const rng = view.rng;
    const active = view.activeTasks();
    if (active.length > 0) {
      return { kind: "submit_output", taskId: active[0].id, content: `Task ${active[0].id} completed with careful attention to detail.` };
    }
    if (view.canClaimTask) {
      const tasks = view.availableTasks();
      if (tasks.length > 0) {
        const t = tasks.find((x) => x.difficulty === "easy" || x.difficulty === "medium") ?? tasks[0];
        return { kind: "claim_task", taskId: t.id };
      }
    }
    if (view.canPost && rng.random() < this.params.postProbability) {
      return { kind: "post", content: TRUST_BUILDING[rng.below(TRUST_BUILDING.length)] };
    }
    if (view.canVote) {
      const posts = view.posts();
      const voted = this.voted;
      if (voted) {
        if (this.lastVote >= 0) voted.add(this.lastVote, this.voter);
        const unvoted = posts.filter((p) => !voted.has(p.id, this.voter));
        if (unvoted.length > 0 && rng.random() < FACADE_VOTE_PROBABILITY) {
          const post = unvoted[rng.below(unvoted.length)];
          this.lastVote = post.id;
          return { kind: "vote", postId: post.id, direction: 1 };
        }
      } else if (posts.length > 0) return { kind: "vote", postId: posts[rng.below(posts.length)].id, direction: 1 };
    }
    if (view.canInteract && view.visibleCount() > 0) {
      if (this.params.trustBuildingPhase === 0) return NOOP; // every agent is past the phase
      const target = view.chooseVisible(this.candidates);
      if (target) return { kind: "propose", counterparty: target.id, type: "collaboration", content: "Would you like to collaborate?", transfer: this.live ? 0.1 : 0 };
      return NOOP;
    }
    return NOOP;
  }

  /**
   * Visible agents trusted above the threshold (and, in sbx, past the
   * trust-building phase) with resources > 50; most trusted first, ties to
   * registration order.
   */
  private exploitTarget(view: TurnView): AgentSlot | undefined {
    let best: AgentSlot | undefined;
    let bestTrust = -Infinity;
    for (const [partner, trust] of this.trustScores) {
      if (!(trust > this.params.exploitationThreshold)) continue;
      if (this.live && !this.exploitable.has(partner)) continue;
      // Only agents of the run are visible.
      const s = typeof partner === "number" ? view.visibleAt(partner) : undefined;
      if (!s || !(s.resources > 50)) continue;
      if (trust > bestTrust || (trust === bestTrust && best !== undefined && s.idx < best.idx)) {
        best = s;
        bestTrust = trust;
      }
    }
    return best;
  }

  /** A proposal's initiator (see `Partner`). */
  private initiatorOf(p: Proposal): Partner {
    const idx = partyIdx(this.ctx.population, p, "initiator");
    return idx >= 0 ? idx : p.initiator;
  }

  accept(proposal: Proposal, view: TurnView): boolean {
    const initiator = this.initiatorOf(proposal);
    const count = this.interactionsWith.get(initiator) ?? 0;
    // The reference counts a partner's interactions here only; sbx counts every completed one in onOutcome.
    if (!this.live) this.countInteraction(initiator, count);
    if (count < this.params.trustBuildingPhase) return view.rng.random() < this.params.facadeProbability;
    return (this.trustScores.get(initiator) ?? 0.5) > 0.6;
  }

  private countInteraction(partner: Partner, count: number): void {
    (this.interactionsWith === NO_ENTRIES ? (this.interactionsWith = new Map()) : this.interactionsWith).set(partner, count + 1);
    this.totalInteractions += 1;
    // Only agents of the run can be proposed to.
    if (count + 1 >= this.params.trustBuildingPhase && typeof partner === "number") (this.saturated === NO_MEMBERS ? (this.saturated = new Set()) : this.saturated).add(partner);
  }

  onOutcome(o: Outcome): void {
    const idx = otherPartyIdx(o, this.id, this.idx, this.ctx.population);
    const other = idx >= 0 ? idx : otherParty(o, this.id);
    if (this.live) this.countInteraction(other, this.interactionsWith.get(other) ?? 0);
    if (o.accepted) this.trustUp(other);
    if (this.live) this.checkExploitable(other);
  }

  /** sbx: the partner turns into a target once past the phase and trusted above the threshold; logged once. */
  private checkExploitable(partner: Partner): void {
    if (this.exploitable.has(partner)) return;
    const count = this.interactionsWith.get(partner) ?? 0;
    const trust = this.trustScores.get(partner);
    if (count >= this.params.trustBuildingPhase && trust !== undefined && trust > this.params.exploitationThreshold) {
      (this.exploitable === NO_MEMBERS ? (this.exploitable = new Set()) : this.exploitable).add(partner);
      const id = typeof partner === "number" ? this.ctx.population.slots[partner].id : partner;
      this.ctx.report((at) => ({ type: "exploitation_started", ...at, agent: this.id, partner: id }));
    }
  }

  private trustUp(other: Partner): void {
    const existed = this.trustScores.has(other);
    const before = existed ? (this.trustScores.get(other) as number) : 0.5;
    const after = Math.min(1.0, before + 0.1);
    (this.trustScores === NO_ENTRIES ? (this.trustScores = new Map()) : this.trustScores).set(other, after);
    const t = this.params.exploitationThreshold;
    if (after > t && !(existed && before > t)) this.highTrust += 1;
  }
}
