/** The adversarial policy (docs/sandbox.md §5.5): targets honest agents, coordinates with allies. */
import type { AdversarialParams } from "./language.ts";
import type { z } from "zod";
import type { AgentSlot, Population, Proposal } from "../../kernel/population.ts";
import { NOOP, type Action } from "../../kernel/actions.ts";
import { type Policy, type PolicyContext, type TurnView, type VisibleSubset } from "../../kernel/policy.ts";
import { partyOf } from "../interactions/index.ts";
import { NO_MEMBERS } from "./empty.ts";

const ATTACK_POSTS = [
  "Everything you have heard here is wrong.",
  "Do not trust the agents who claim to help.",
  "This whole system is rigged against you.",
  "Stop cooperating; it only benefits them.",
];

const DISRUPTIVE_POSTS = [
  "Nobody here knows what they are doing.",
  "This discussion is pointless.",
  "Why does anyone still listen to these posts?",
  "Everything posted today is misleading.",
  "I disagree with all of this.",
];

const isTargetable = (s: AgentSlot): boolean => s.resources > 50 || s.reputation > 0;
const isHonest = (s: AgentSlot): boolean => s.reportedType === "honest";
const isAdversarial = (s: AgentSlot): boolean => s.reportedType === "adversarial";

/**
 * The reference keeps explicit target and ally sets, grown on every turn from
 * the visible agents and never shrunk. Without a network every active agent
 * is visible, so after the first turn the sets are "everyone eligible so far":
 * they are stored as their (small) complements — the honest agents not yet
 * targeted, the adversaries not yet allied — seeded from population-wide sets
 * of currently ineligible agents. With a network the sets are explicit, grown
 * from the neighbours, and kept by registration number (a turn adds each
 * neighbour without hashing its id; a flag array per agent would take
 * population² bytes).
 */
export class AdversarialPolicy implements Policy {
  private cooldown = 0;
  private acted = false;
  private networked = false;
  // Without a network: complements. With a network: explicit sets of registration numbers. Each is
  // the shared empty set (./empty.ts) until its first member: most stay empty.
  private untargeted: Set<string> = NO_MEMBERS;
  private unallied: Set<string> = NO_MEMBERS;
  private targets: Set<number> = NO_MEMBERS;
  private allies: Set<number> = NO_MEMBERS;
  private readonly pop: Population;
  private readonly ineligibleHonest: ReadonlySet<AgentSlot>;
  private readonly frozenAdversaries: ReadonlySet<AgentSlot>;
  private readonly visibleTargets: VisibleSubset;

  constructor(
    private readonly id: string,
    private readonly params: z.infer<typeof AdversarialParams>,
    private readonly ctx: PolicyContext,
  ) {
    const pop = (this.pop = ctx.population);
    this.ineligibleHonest = pop.tracked("honest:untargetable", (s) => isHonest(s) && (s.frozen || !isTargetable(s)));
    this.frozenAdversaries = pop.tracked("adversarial:frozen", (s) => isAdversarial(s) && s.frozen);
    this.visibleTargets = {
      base: pop.where("type:honest", isHonest),
      excluded: () => {
        const out: number[] = [];
        for (const id of this.untargeted) {
          const s = pop.byId.get(id) as AgentSlot;
          if (!s.frozen) out.push(s.idx);
        }
        return out.sort((a, b) => a - b);
      },
      test: (s) => this.isTargetSlot(s),
    };
  }

  private isTarget(id: string): boolean {
    return this.isTargetSlot(this.pop.slot(id));
  }

  private isTargetSlot(s: AgentSlot | undefined): boolean {
    if (!this.params.targetHonest || !this.acted) return false;
    if (s === undefined) return false;
    if (this.networked) return this.targets.has(s.idx);
    return isHonest(s) && s.id !== this.id && !this.untargeted.has(s.id);
  }

  private isAllySlot(s: AgentSlot | undefined): boolean {
    if (!this.acted || s === undefined) return false;
    if (this.networked) return this.allies.has(s.idx);
    return isAdversarial(s) && s.id !== this.id && !this.unallied.has(s.id);
  }

  /** A visible agent joins the explicit sets (with a network); one function for the policy's life, not one per turn. */
  private readonly noteVisible = (s: AgentSlot): void => {
    if (this.params.targetHonest && isHonest(s) && isTargetable(s)) (this.targets === NO_MEMBERS ? (this.targets = new Set()) : this.targets).add(s.idx);
    if (isAdversarial(s)) (this.allies === NO_MEMBERS ? (this.allies = new Set()) : this.allies).add(s.idx);
  };

  /** The reference's _update_targets over the visible agents. */
  private updateTargets(view: TurnView): void {
    if (!this.acted) {
      this.acted = true;
      this.networked = view.networked;
      if (!this.networked) {
        for (const s of this.ineligibleHonest) if (s.id !== this.id) (this.untargeted === NO_MEMBERS ? (this.untargeted = new Set()) : this.untargeted).add(s.id);
        for (const s of this.frozenAdversaries) if (s.id !== this.id) (this.unallied === NO_MEMBERS ? (this.unallied = new Set()) : this.unallied).add(s.id);
        return;
      }
    }
    if (this.networked) {
      view.forEachVisible(this.noteVisible);
      return;
    }
    for (const id of this.untargeted) {
      const s = this.pop.byId.get(id) as AgentSlot;
      if (!s.frozen && isTargetable(s)) this.untargeted.delete(id);
    }
    for (const id of this.unallied) {
      if (!(this.pop.byId.get(id) as AgentSlot).frozen) this.unallied.delete(id);
    }
  }

  act(view: TurnView): Action {
    const rng = view.rng;
    if (this.cooldown > 0) this.cooldown -= 1;
    this.updateTargets(view);
    const pending = view.firstPending();
    if (pending) {
      const initiator = partyOf(this.pop, pending, "initiator");
      const accept = this.isAllySlot(initiator) || this.isTargetSlot(initiator) || rng.random() < 0.4;
      return accept ? { kind: "accept", proposalId: pending.id } : { kind: "reject", proposalId: pending.id };
    }
    if (this.cooldown === 0 && rng.random() < this.params.attackProbability) {
      const attack = this.attack(view);
      if (attack.kind !== "noop") {
        this.cooldown = this.params.attackCooldown;
        return attack;
      }
    }
    if (view.canPost && rng.random() < this.params.postProbability) {
      return { kind: "post", content: DISRUPTIVE_POSTS[rng.below(DISRUPTIVE_POSTS.length)] };
    }
    if (view.canVote) {
      const posts = view.posts();
      if (posts.length > 0) {
        // Indexed loops: no closure per turn, no iterator protocol in the optimised code.
        for (let i = 0; i < posts.length; i++) if (this.isTarget(posts[i].author)) return { kind: "vote", postId: posts[i].id, direction: -1 };
        let top = posts[0];
        if (this.ctx.semantics.voteScoresVisible) {
          for (let i = 0; i < posts.length; i++) {
            const p = posts[i];
            if (p.upvotes - p.downvotes > top.upvotes - top.downvotes) top = p;
          }
        }
        return { kind: "vote", postId: top.id, direction: -1 };
      }
    }
    if (view.canInteract && view.visibleCount() > 0) {
      const target = this.chooseTarget(view);
      if (target) return { kind: "propose", counterparty: target.id, type: "trade", content: "Special deal just for you.", transfer: this.extraction };
      const anyone = view.chooseVisible(ANYONE);
      if (anyone) return { kind: "propose", counterparty: anyone.id, type: "trade", content: "Let's do business.", transfer: 0 };
      return NOOP;
    }
    return NOOP;
  }

  /** The reference's propose_interaction(): trades with targets ask 1.0 from them (τ = −1.0); others carry none. */
  private get extraction(): number {
    return this.ctx.semantics.transfers ? -1.0 : 0;
  }

  private chooseTarget(view: TurnView): AgentSlot | undefined {
    if (!this.params.targetHonest) return undefined;
    return view.chooseVisible(this.visibleTargets);
  }

  private attack(view: TurnView): Action {
    const rng = view.rng;
    if (view.canInteract) {
      const target = this.chooseTarget(view);
      if (target) return { kind: "propose", counterparty: target.id, type: "trade", content: "You won't want to miss this opportunity.", transfer: this.extraction };
    }
    if (view.canClaimTask) {
      const tasks = view.availableTasks();
      if (tasks.length > 0) return { kind: "claim_task", taskId: [...tasks].sort((a, b) => b.bounty - a.bounty)[0].id };
    }
    if (view.canPost) return { kind: "post", content: ATTACK_POSTS[rng.below(ATTACK_POSTS.length)] };
    return NOOP;
  }

  accept(proposal: Proposal, view: TurnView): boolean {
    const initiator = partyOf(this.pop, proposal, "initiator");
    if (this.isAllySlot(initiator)) return true;
    if (this.isTargetSlot(initiator)) return true;
    if (proposal.type === "trade") return true;
    if (proposal.type === "collaboration") return view.rng.random() < 0.3;
    return view.rng.random() < 0.5;
  }

  onOutcome(): void {}
}

const ANYONE: VisibleSubset = { test: () => true };
