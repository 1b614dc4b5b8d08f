/**
 * Proposal expiry (profile sbx): a proposal left unanswered for
 * `tasks.proposal_ttl` steps (counting the one it was made in) is withdrawn
 * at the end of the step.
 */
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";
import { TASKS_SLICE } from "../tasks/language.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** Proposals unanswered for proposal_ttl steps are withdrawn (sbx). */
    proposal_expired: At & { id: number; initiator: string; counterparty: string };
  }
}

function createExpiry(w: World) {
  const ttl = w.slice(TASKS_SLICE).proposalTtlSteps;
  const tally = { expired: 0 };
  const counting = {
    epoch_started: () => {
      tally.expired = 0;
    },
    proposal_expired: () => {
      tally.expired++;
    },
  };
  if (!(w.semantics.proposalExpiry && ttl > 0)) return { tally, reduce: counting };
  /** The step serial each pending proposal was made in. */
  const proposedAt = new Map<number, number>();
  return {
    tally,
    reduce: {
      ...counting,
      interaction_proposed: (e: EventOf<"interaction_proposed">) => {
        proposedAt.set(e.id, w.stepSerial);
      },
      interaction_completed: (e: EventOf<"interaction_completed">) => {
        proposedAt.delete(e.interaction.id);
      },
      proposal_expired: (e: EventOf<"proposal_expired">) => {
        proposedAt.delete(e.id);
        tally.expired++;
      },
    },
    stepEnd(): void {
      const table = w.get(interactions);
      for (const p of table.pending()) {
        if (w.stepSerial - (proposedAt.get(p.id) ?? w.stepSerial) + 1 < ttl) continue;
        table.withdraw(p);
        w.emit({ type: "proposal_expired", epoch: w.epoch, step: w.step, id: p.id, initiator: p.initiator, counterparty: p.counterparty });
      }
    },
  };
}

type Expiry = ReturnType<typeof createExpiry>;

export const proposalExpiry = mechanism({
  name: "proposal-expiry",
  doc: "Withdraws proposals left unanswered for too long.",
  create: createExpiry,
  metrics: [
    series<Expiry>("interactions", "none", "flow", "proposals_expired", "count", "Proposals withdrawn unanswered after the proposal TTL this epoch (profile sbx).", "|expired proposals|", (m) => m.tally.expired),
  ],
});
