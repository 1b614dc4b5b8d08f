/**
 * Vote normalisation (profile sbx): an agent's n-th vote in an epoch (n from
 * 0) weighs 1/(1 + n/M) — the reference's (M/(1 + n/M))/M — so a prolific
 * voter's influence saturates.
 */
import { VOTE_NORMALIZATION, VOTE_NORMALIZATION_SLICE } from "./language.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";

/** The reference's vote weight (M/(1 + n/M))/M for a voter's n-th vote of the epoch. */
export function voteWeight(votesCast: number, maxWeight: number): number {
  return maxWeight / (1 + votesCast / maxWeight) / maxWeight;
}

function createVoteNormalization(w: World) {
  const { enabled, maxWeightPerAgent } = w.slice(VOTE_NORMALIZATION_SLICE);
  if (!(enabled && w.semantics.voteNormalization)) return {};
  const cast = new Int32Array(w.population.size);
  return {
    voteWeight: (voter: AgentSlot): number => voteWeight(cast[voter.idx], maxWeightPerAgent),
    reduce: {
      vote_cast: (e: { voter: string }) => {
        const s = w.population.byId.get(e.voter);
        if (s) cast[s.idx]++;
      },
      epoch_completed: () => {
        cast.fill(0);
      },
    },
  };
}

export const voteNormalization = mechanism({
  name: "vote-normalization",
  doc: "Diminishing influence of an agent's votes as it casts more in an epoch.",
  plan: [VOTE_NORMALIZATION_SLICE],
  language: [{ under: "governance", block: VOTE_NORMALIZATION }],
  create: createVoteNormalization,
});
