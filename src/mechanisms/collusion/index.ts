/**
 * Collusion detection (docs/sandbox.md §13): at each epoch's start, once the history holds
 * `min_interactions`, agent pairs are scored on frequency, benefit
 * correlation and acceptance (src/mechanisms/collusion/analysis.ts); agents
 * at or above `score_threshold` lose risk·multiplier reputation and 10× that
 * in resources. With `realtime_penalty`, every interaction between two risky
 * agents also costs both of them.
 */
import { COLLUSION, COLLUSION_SLICE } from "./language.ts";
import type { Effect } from "../../kernel/effect.ts";
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { InteractionRecord } from "../../kernel/records.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";
import { analyzeCollusion, type CollusionInteraction, type CollusionReport } from "./analysis.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** A collusion analysis ran at epoch start; `penalty` is Σ risk·multiplier of the reputation penalties it applied. */
    collusion_analyzed: At & { flaggedPairs: number; ecosystemRisk: number; penalty: number };
  }
}

function createCollusion(w: World) {
  const col = w.slice(COLLUSION_SLICE);
  const state = { flaggedPairs: 0, ecosystemRisk: 0, penalty: 0 };
  const reduce = {
    epoch_started: () => {
      state.penalty = 0;
    },
    collusion_analyzed: (e: EventOf<"collusion_analyzed">) => {
      state.flaggedPairs = e.flaggedPairs;
      state.ecosystemRisk = e.ecosystemRisk;
      state.penalty += e.penalty;
    },
  };
  if (!col.enabled) return { state, reduce };
  const sem = w.semantics;
  const agentIds = w.population.slots.map((s) => s.id);
  let history: CollusionInteraction[] = [];
  let report: CollusionReport | null = null;
  /** The analysis of this epoch's start, until it is logged. */
  let analysed: { report: CollusionReport; penalty: number } | null = null;
  return {
    state,
    reduce,
    governEpoch(effect: Effect): void {
      if (history.length < col.minInteractions) return;
      report = analyzeCollusion(history, agentIds, {
        frequencyThreshold: col.frequencyThreshold,
        minInteractions: col.minInteractions,
        scoreThreshold: col.scoreThreshold,
        ...(sem.collusionCorrelationGate ? { correlationThreshold: col.correlationThreshold } : {}),
      });
      let penalty = 0;
      for (const [id, risk] of report.agentRisk) {
        if (risk >= col.scoreThreshold) {
          effect.addReputation(id, -risk * col.penaltyMultiplier);
          effect.addResources(id, -risk * col.penaltyMultiplier * 10);
          penalty += risk * col.penaltyMultiplier;
        }
      }
      if (col.clearHistoryOnEpoch) history = [];
      analysed = { report, penalty };
    },
    epochStart(): void {
      if (!analysed) return;
      const { report: r, penalty } = analysed;
      analysed = null;
      w.emit({ type: "collusion_analyzed", ...w.at(), flaggedPairs: r.flaggedPairs.length, ecosystemRisk: r.ecosystemRisk, penalty });
    },
    governInteraction(x: InteractionRecord, effect: Effect): void {
      if (sem.governAcceptedOnly && !x.accepted) return;
      if (!col.realtimePenalty || !report) return;
      const ri = report.agentRisk.get(x.initiator) ?? 0;
      const rc = report.agentRisk.get(x.counterparty) ?? 0;
      if (ri >= col.scoreThreshold && rc >= col.scoreThreshold) {
        const cost = (col.realtimeRate * (ri + rc)) / 2;
        effect.costA += cost;
        effect.costB += cost;
        x.collusionCost = cost + cost;
      }
    },
    afterInteraction(e: EventOf<"interaction_completed">): void {
      history.push(e.interaction);
    },
  };
}

type Collusion = ReturnType<typeof createCollusion>;

export const collusion = mechanism({
  name: "collusion",
  doc: "Detects agent pairs whose interactions look coordinated, and penalises them.",
  plan: [COLLUSION_SLICE],
  language: [{ under: "governance", block: COLLUSION }],
  create: createCollusion,
  metrics: [
    series<Collusion>("collusion", "none", "stock", "collusion.flagged_pairs", "count", "Agent pairs flagged by the last collusion analysis.", "|{pairs : score ≥ threshold}|", (m) => m.state.flaggedPairs),
    series<Collusion>("collusion", "none", "stock", "collusion.ecosystem_risk", "ratio", "Ecosystem collusion risk from the last analysis.", "min(1, .3·flagged/C(n,2) + .3·grouped/n + .4·max group score)", (m) => m.state.ecosystemRisk),
    series<Collusion>("collusion", "none", "flow", "collusion.penalty", "payoff", "Collusion penalties (reputation and real-time costs) applied this epoch.", "Σ risk·multiplier + Σ realtime cost", (m, _sel, w) => m.state.penalty + w.get(interactions).epoch.collusionCost),
  ],
});
