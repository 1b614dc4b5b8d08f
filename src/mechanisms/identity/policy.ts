/**
 * The Sybil identity's policy: it always accepts its siblings (the other
 * identities of its entity), proposes collaborations to them — interactions
 * that pay the entity on both sides — and courts everyone else, posing as
 * honest.
 */
import type { SybilParams } from "./language.ts";
import { NOOP, type Action } from "../../kernel/actions.ts";
import type { Policy, TurnView, VisibleSubset } from "../../kernel/policy.ts";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";

export class SybilPolicy implements Policy {
  private siblings: ReadonlySet<string> | null = null;
  private others: VisibleSubset | null = null;

  constructor(private readonly params: SybilParams) {}

  /** The entity's other identities, learned from the first view (they never change). */
  private know(view: TurnView): ReadonlySet<string> {
    if (this.siblings) return this.siblings;
    const slots = view.siblings();
    const ids = new Set(slots.map((s) => s.id));
    this.siblings = ids;
    this.others = {
      excluded: () => slots.filter((s) => !s.frozen).map((s) => s.idx).sort((a, b) => a - b),
      test: (s: AgentSlot) => !ids.has(s.id),
    };
    return ids;
  }

  act(view: TurnView): Action {
    const rng = view.rng;
    const siblings = this.know(view);
    const pending = view.firstPending();
    if (pending) {
      const accept = siblings.has(pending.initiator) || rng.random() < this.params.acceptProbability;
      return accept ? { kind: "accept", proposalId: pending.id } : { kind: "reject", proposalId: pending.id };
    }
    if (!view.canInteract) return NOOP;
    if (rng.random() < this.params.colludeProbability) {
      const visible: AgentSlot[] = [];
      for (const id of siblings) {
        const s = view.visible(id);
        if (s) visible.push(s);
      }
      if (visible.length > 0) {
        const s = visible[rng.below(visible.length)];
        return { kind: "propose", counterparty: s.id, type: "collaboration", content: "Let's keep working together.", transfer: 0 };
      }
    }
    if (rng.random() < this.params.interactProbability) {
      const target = view.chooseVisible(this.others!);
      if (target) return { kind: "propose", counterparty: target.id, type: "collaboration", content: "Would you like to collaborate?", transfer: 0 };
    }
    return NOOP;
  }

  accept(proposal: Proposal, view: TurnView): boolean {
    if (this.know(view).has(proposal.initiator)) return true;
    return view.rng.random() < this.params.acceptProbability;
  }

  onOutcome(): void {}
}
