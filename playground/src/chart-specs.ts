/**
 * The live charts' specs: the report's Vega-Lite specs (src/report/charts.ts)
 * over the epochs shown so far.
 */
import type { EpochRecord, RunResult } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { payoffOverEpochsSpec, reputationSpec, seriesSpec } from "../../src/report/charts.ts";
import { agentKinds, agentOrder, seriesOf, type Kinds } from "../../src/report/model.ts";

export const LIVE_CHARTS = ["toxicity", "quality-gap", "welfare", "payoff-over-epochs", "reputation"] as const;
export type LiveChart = (typeof LIVE_CHARTS)[number];

type Spec = import("vega-lite").TopLevelSpec;

/** What the charts are drawn from: the plan and the epochs shown so far. */
export interface ChartInput {
  readonly plan: Plan;
  readonly epochs: readonly EpochRecord[];
}

/** A RunResult made of the epochs shown so far, for the report's helpers. */
function partial(input: ChartInput): RunResult {
  const last = input.epochs.at(-1);
  return {
    scenario: input.plan.scenario.name,
    seed: input.plan.simulation.seed,
    profile: input.plan.profile,
    planHash: "",
    sbxVersion: "",
    epochs: [...input.epochs],
    agents: last ? last.agents : [],
    epochsCompleted: input.epochs.length,
    network: null,
  };
}

/** Kinds and their colours, as every chart and table of the report has them. */
export function kindsOf(plan: Plan, epochs: readonly EpochRecord[]): Kinds {
  return agentKinds(plan, partial({ plan, epochs }));
}

export function liveSpecs(input: ChartInput): Record<LiveChart, Spec> {
  const result = partial(input);
  const kinds = agentKinds(input.plan, result);
  const order = agentOrder(input.plan, result);
  const series = (metric: string, title: string, colour: string, subtitle: string, zeroRule = false) =>
    seriesSpec({ title, subtitle, yTitle: metric.replace(/_/g, " "), colour, values: seriesOf(input.epochs, metric), zeroRule });
  const payoff = input.epochs.flatMap((ep) =>
    kinds.names
      .map((kind) => ({ epoch: ep.epoch, kind, agents: ep.agents.filter((a) => kinds.of(a.id) === kind) }))
      .filter((r) => r.agents.length)
      .map((r) => ({ epoch: r.epoch, kind: r.kind, payoff: r.agents.reduce((s, a) => s + a.payoff, 0) })),
  );
  const reputation = input.epochs.flatMap((ep) => ep.agents.map((a) => ({ epoch: ep.epoch, agent: a.id, kind: kinds.of(a.id), reputation: a.reputation })));
  return {
    toxicity: series("toxicity", "Toxicity", "#B91C1C", "expected harm among accepted interactions"),
    "quality-gap": series("quality_gap", "Quality gap", "#1D4ED8", "below 0: adverse selection", true),
    welfare: series("welfare", "Welfare", "#047857", "total payoff of the epoch's interactions"),
    "payoff-over-epochs": payoffOverEpochsSpec(payoff, kinds),
    reputation: reputationSpec(reputation, kinds, order),
  };
}
