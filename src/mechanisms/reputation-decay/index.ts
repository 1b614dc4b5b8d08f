/**
 * Reputation decay: at each epoch's start every non-zero reputation shrinks
 * toward zero, keeping the share `rate` (delta = rep·(rate − 1)).
 */
import type { Effect } from "../../kernel/effect.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { World } from "../../kernel/world.ts";

function createDecay(w: World) {
  const rate = w.plan.governance.reputationDecay.rate;
  if (!(rate < 1)) return {};
  return {
    governEpoch(effect: Effect): void {
      for (const s of w.population.slots) if (s.reputation !== 0) effect.addReputation(s.id, s.reputation * (rate - 1));
    },
  };
}

export const reputationDecay = mechanism({
  name: "reputation-decay",
  doc: "Reputations shrink toward zero at the start of each epoch.",
  create: createDecay,
});
