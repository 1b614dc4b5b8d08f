/**
 * The bandwidth cap (profile sbx): an agent takes part in at most `cap`
 * accepted interactions per epoch. At the cap it can propose no more, and an
 * acceptance that would take either party past it is refused (logged as
 * `capped`). The reference defines the cap but never applies it.
 */
import { BANDWIDTH, BANDWIDTH_SLICE } from "./language.ts";
import type { Action, ActionKind } from "../../kernel/actions.ts";
import type { EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";

function createBandwidth(w: World) {
  const { enabled, cap } = w.slice(BANDWIDTH_SLICE);
  const tally = { capped: 0 };
  if (!(enabled && w.semantics.bandwidthCap)) return { tally };
  const pop = w.population;
  const used = new Int32Array(pop.size);
  const full = (s: AgentSlot | undefined): boolean => s !== undefined && used[s.idx] >= cap;
  const take = (id: string): void => {
    const s = pop.byId.get(id);
    if (s) used[s.idx]++;
  };
  return {
    tally,
    capacity: (agent: AgentSlot, kind: ActionKind): boolean => kind !== "propose" || !full(agent),
    allow: (actor: AgentSlot, action: Action): boolean => action.kind !== "propose" || !full(actor),
    refuses: (initiator: AgentSlot | undefined, counterparty: AgentSlot | undefined): boolean => full(initiator) || full(counterparty),
    reduce: {
      epoch_started: () => {
        tally.capped = 0;
      },
      interaction_completed: (e: EventOf<"interaction_completed">) => {
        if (e.capped) tally.capped++;
        if (!e.credited) return;
        take(e.interaction.initiator);
        take(e.interaction.counterparty);
      },
      epoch_completed: () => {
        used.fill(0);
      },
    },
  };
}

type Bandwidth = ReturnType<typeof createBandwidth>;

export const bandwidth = mechanism({
  name: "bandwidth",
  doc: "Caps the accepted interactions an agent takes part in per epoch.",
  plan: [BANDWIDTH_SLICE],
  language: [{ under: "governance", block: BANDWIDTH }],
  create: createBandwidth,
  metrics: [
    series<Bandwidth>("governance", "none", "flow", "governance.capped", "count", "Accepted interactions refused by the bandwidth cap this epoch (profile sbx).", "|{acc : a party at its cap}|", (m) => m.tally.capped),
  ],
});
