/**
 * Transparency: a counterparty that accepted a proposal sees, with
 * probability `share`, the interaction's quality p before it completes, and
 * declines it when p is below `threshold`. Without it acceptance is blind to
 * p, which is what lets adverse selection happen (a negative quality gap).
 * The preview is the interaction's own draw: a declined interaction is
 * logged with the p its counterparty saw, its engagement capped as for any
 * rejection. Each preview draws once from the lever's own stream.
 */
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { Proposal } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { TRANSPARENCY, TRANSPARENCY_SLICE } from "./language.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** A counterparty saw the interaction's p before it completed; `declined`: it was below the threshold. */
    interaction_screened: At & { id: number; p: number; declined: boolean };
  }
}

function createTransparency(w: World) {
  const { enabled, share, threshold } = w.slice(TRANSPARENCY_SLICE) ?? { enabled: false, share: 0, threshold: 0 };
  const tally = { screened: 0, declined: 0 };
  const reduce = {
    epoch_started: () => {
      tally.screened = 0;
      tally.declined = 0;
    },
    interaction_screened: (e: EventOf<"interaction_screened">) => {
      tally.screened++;
      if (e.declined) tally.declined++;
    },
  };
  if (!enabled) return { tally, reduce };
  const rng = w.random.stream("transparency");
  return {
    tally,
    reduce,
    screen(proposal: Proposal, preview: () => number): boolean {
      if (!(rng.random() < share)) return true;
      const p = preview();
      const declined = p < threshold;
      w.emit({ type: "interaction_screened", epoch: w.epoch, step: w.step, id: proposal.id, p, declined });
      return !declined;
    },
  };
}

type Transparency = ReturnType<typeof createTransparency>;

export const transparency = mechanism({
  name: "transparency",
  doc: "Lets counterparties see an interaction's quality before it completes.",
  plan: [TRANSPARENCY_SLICE],
  language: [{ under: "governance", block: TRANSPARENCY }],
  create: createTransparency,
  metrics: [
    series<Transparency>("governance", "none", "flow", "governance.screened", "count", "Accepted interactions whose p the counterparty saw before they completed this epoch (transparency).", "|screened|", (m) => m.tally.screened),
    series<Transparency>("governance", "none", "flow", "governance.declined", "count", "Screened interactions the counterparty declined for a p below the threshold this epoch (transparency).", "|{screened : p < threshold}|", (m) => m.tally.declined),
  ],
});
