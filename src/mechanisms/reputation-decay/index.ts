/**
 * Reputation decay: at each epoch's start every non-zero reputation shrinks
 * toward zero, keeping the share `rate` (delta = rep·(rate − 1)).
 */
import { REPUTATION_DECAY, DECAY_SLICE } from "./language.ts";
import type { Effect } from "../../kernel/effect.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { World } from "../../kernel/world.ts";

function createDecay(w: World) {
  // Read each epoch, not once: a parameter shock may change the rate mid-run.
  const decay = w.slice(DECAY_SLICE);
  if (!(decay.rate < 1)) return {};
  return {
    governEpoch(effect: Effect): void {
      const rate = decay.rate;
      for (const s of w.population.slots) if (s.reputation !== 0) effect.addReputation(s.id, s.reputation * (rate - 1));
    },
  };
}

export const reputationDecay = mechanism({
  name: "reputation-decay",
  doc: "Reputations shrink toward zero at the start of each epoch.",
  plan: [DECAY_SLICE],
  language: [{ under: "governance", block: REPUTATION_DECAY }],
  create: createDecay,
});
