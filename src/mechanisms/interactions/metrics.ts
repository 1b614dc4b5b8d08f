/**
 * Interaction metrics (docs/sandbox.md §4), over the epoch's completed
 * interactions — or, for a selection `metric[name]`, those its agents
 * initiated. One table per (epoch, selection) is computed on first use.
 */
import type { MetricSpec } from "../../kernel/metric.ts";
import { series } from "../../kernel/metric.ts";
import type { z } from "zod";
import type { Payoff } from "./language.ts";
import { brierScore, calibrationError, discriminationAuc, expectedCalibrationError, type Forecast, logLoss } from "./calibration.ts";
import type { EpochInteractions, InteractionColumns } from "./epoch-columns.ts";
import { socialSurplus } from "./soft-labels.ts";
import * as soft from "./soft-metrics.ts";

/** What the interaction metrics read of the interactions mechanism's instance. */
interface Interactions {
  readonly epoch: EpochInteractions;
  /** The epoch's interactions whose initiator is in the selection. */
  initiatedBy(select: ReadonlySet<string>): InteractionColumns;
  readonly payoff: z.infer<typeof Payoff>;
}

const I = "initiator" as const;

type Table = Record<string, number | null>;

/** The interactions with a known outcome, as calibration reads them (none, so far: no record carries one). */
function forecasts(xs: InteractionColumns): Forecast[] {
  const out: Forecast[] = [];
  if (xs.labelled === 0) return out;
  for (let i = 0; i < xs.length; i++) {
    const gt = xs.groundTruth[i];
    if (gt !== 0) out.push({ p: xs.p[i], groundTruth: gt === 1 ? 1 : -1 });
  }
  return out;
}

/** Every interaction metric over one set of interactions, in the reference's arithmetic. */
export function interactionMetrics(payoff: z.infer<typeof Payoff>, xs: InteractionColumns): Table {
  const t = soft.softMetricTable(xs, (p) => socialSurplus(payoff, p), payoff.sPlus, payoff.sMinus);
  const labelled = forecasts(xs);
  return {
    interactions: t.interactions,
    accepted: t.accepted,
    rejected: t.rejected,
    acceptance_rate: t.acceptanceRate,
    toxicity: t.toxicity,
    toxicity_all: t.toxicityAll,
    hard_toxicity: t.hardToxicity,
    quality_gap: t.qualityGap,
    average_quality: t.averageQuality,
    spread: t.spread,
    uncertain_fraction: t.uncertainFraction,
    high_quality_acceptance: t.highQualityAcceptance,
    low_quality_acceptance: t.lowQualityAcceptance,
    quality_variance: t.qualityVariance,
    welfare: t.welfare.totalWelfare,
    social_surplus: t.welfare.totalSocialSurplus,
    avg_payoff: t.welfare.avgInitiatorPayoff,
    avg_counterparty_payoff: t.welfare.avgCounterpartyPayoff,
    conditional_loss_initiator: t.conditionalLossInitiator,
    conditional_loss_counterparty: t.conditionalLossCounterparty,
    payoff_variance_initiator: t.payoffVarianceInitiator,
    payoff_variance_counterparty: t.payoffVarianceCounterparty,
    governance_cost: t.governanceCost,
    transfers: t.transfers,
    brier: brierScore(labelled),
    log_loss: logLoss(labelled),
    calibration_error: calibrationError(labelled),
    ece: expectedCalibrationError(labelled),
    auc: discriminationAuc(labelled),
  };
}

/** Each instance's tables, while its epoch's columns stay at the revision they were computed at. */
const tables = new WeakMap<EpochInteractions, { revision: number; bySelection: Map<ReadonlySet<string> | null, Table> }>();

function interactionTable(m: Interactions, select: ReadonlySet<string> | null): Table {
  const xs = m.epoch;
  let cached = tables.get(xs);
  if (!cached || cached.revision !== xs.revision) tables.set(xs, (cached = { revision: xs.revision, bySelection: new Map() }));
  let table = cached.bySelection.get(select);
  if (!table) {
    table = interactionMetrics(m.payoff, select ? m.initiatedBy(select) : xs);
    cached.bySelection.set(select, table);
  }
  return table;
}

/** E[1 − p | accepted] over the epoch so far: the `toxicity` metric (0 when nothing was accepted). */
export function epochToxicity(m: Interactions): number {
  return interactionTable(m, null)["toxicity"] as number;
}

export const INTERACTION_METRICS: readonly MetricSpec<Interactions>[] = [
  series("interactions", I, "flow", "interactions", "count", "Interactions completed this epoch, accepted or rejected.", "|xs|", (m, sel) => interactionTable(m, sel)["interactions"]),
  series("interactions", I, "flow", "accepted", "count", "Interactions accepted this epoch.", "|acc|", (m, sel) => interactionTable(m, sel)["accepted"]),
  series("interactions", I, "flow", "rejected", "count", "Interactions rejected this epoch.", "|xs| − |acc|", (m, sel) => interactionTable(m, sel)["rejected"]),
  series("interactions", I, "flow", "acceptance_rate", "ratio", "Share of completed interactions that were accepted (0 when none).", "|acc| / |xs|", (m, sel) => interactionTable(m, sel)["acceptance_rate"]),
  series("interactions", I, "flow", "toxicity", "probability", "Expected harm among accepted interactions: the soft toxicity rate (0 when none accepted).", "E[1 − p | accepted]", (m, sel) => interactionTable(m, sel)["toxicity"]),
  series("interactions", I, "flow", "toxicity_all", "probability", "Expected harm over all completed interactions, accepted or not.", "E[1 − p]", (m, sel) => interactionTable(m, sel)["toxicity_all"]),
  series("interactions", I, "flow", "hard_toxicity", "ratio", "Share of accepted interactions whose p is below 0.5.", "|{acc : p < 0.5}| / |acc|", (m, sel) => interactionTable(m, sel)["hard_toxicity"]),
  series("interactions", I, "flow", "quality_gap", "probability", "Selection effect: negative means adverse selection (0 when either group is empty).", "E[p | accepted] − E[p | rejected]", (m, sel) => interactionTable(m, sel)["quality_gap"]),
  series("interactions", I, "flow", "average_quality", "probability", "Mean p over all completed interactions.", "E[p]", (m, sel) => interactionTable(m, sel)["average_quality"]),
  series("interactions", I, "flow", "spread", "payoff", "Price of selection: surplus scale times how far acceptance lowers quality.", "(s_plus + s_minus)·(E[p] − E[p | accepted])", (m, sel) => interactionTable(m, sel)["spread"]),
  series("interactions", I, "flow", "uncertain_fraction", "ratio", "Share of interactions with p strictly within 0.5 ± 0.2.", "|{0.3 < p < 0.7}| / |xs|", (m, sel) => interactionTable(m, sel)["uncertain_fraction"]),
  series("interactions", I, "flow", "high_quality_acceptance", "ratio", "Acceptance rate among interactions with p ≥ 0.5.", "|acc ∩ {p ≥ 0.5}| / |{p ≥ 0.5}|", (m, sel) => interactionTable(m, sel)["high_quality_acceptance"]),
  series("interactions", I, "flow", "low_quality_acceptance", "ratio", "Acceptance rate among interactions with p < 0.5.", "|acc ∩ {p < 0.5}| / |{p < 0.5}|", (m, sel) => interactionTable(m, sel)["low_quality_acceptance"]),
  series("interactions", I, "flow", "quality_variance", "probability²", "Population variance of p over all completed interactions (0 for fewer than 2).", "Var[p]", (m, sel) => interactionTable(m, sel)["quality_variance"]),
  series("payoff", I, "flow", "welfare", "payoff", "Total welfare: the sum of both parties' payoffs over accepted interactions.", "Σ_acc (π_a + π_b)", (m, sel) => interactionTable(m, sel)["welfare"]),
  series("payoff", I, "flow", "social_surplus", "payoff", "Surplus net of expected harm over accepted interactions.", "Σ_acc (S_soft − E_soft)", (m, sel) => interactionTable(m, sel)["social_surplus"]),
  series("payoff", I, "flow", "avg_payoff", "payoff", "Mean initiator payoff over accepted interactions.", "E[π_a | accepted]", (m, sel) => interactionTable(m, sel)["avg_payoff"]),
  series("payoff", I, "flow", "avg_counterparty_payoff", "payoff", "Mean counterparty payoff over accepted interactions.", "E[π_b | accepted]", (m, sel) => interactionTable(m, sel)["avg_counterparty_payoff"]),
  series("payoff", I, "flow", "conditional_loss_initiator", "payoff", "Selection effect on the initiator's payoff (negative under adverse selection).", "E[π_a | accepted] − E[π_a]", (m, sel) => interactionTable(m, sel)["conditional_loss_initiator"]),
  series("payoff", I, "flow", "conditional_loss_counterparty", "payoff", "Selection effect on the counterparty's payoff.", "E[π_b | accepted] − E[π_b]", (m, sel) => interactionTable(m, sel)["conditional_loss_counterparty"]),
  series("payoff", I, "flow", "payoff_variance_initiator", "payoff²", "Population variance of π_a over all completed interactions.", "Var[π_a]", (m, sel) => interactionTable(m, sel)["payoff_variance_initiator"]),
  series("payoff", I, "flow", "payoff_variance_counterparty", "payoff²", "Population variance of π_b over all completed interactions.", "Var[π_b]", (m, sel) => interactionTable(m, sel)["payoff_variance_counterparty"]),
  series("payoff", I, "flow", "governance_cost", "payoff", "Governance costs charged to both parties this epoch.", "Σ (c_a + c_b)", (m, sel) => interactionTable(m, sel)["governance_cost"]),
  series("payoff", I, "flow", "transfers", "payoff", "Total absolute transfer offered in completed interactions.", "Σ |τ|", (m, sel) => interactionTable(m, sel)["transfers"]),
  series("calibration", I, "flow", "brier", "probability²", "Brier score over labelled interactions.", "E[(p − v)²], v = (gt + 1)/2", (m, sel) => interactionTable(m, sel)["brier"], true),
  series("calibration", I, "flow", "log_loss", "nats", "Log loss over labelled interactions, p clamped to [1e-15, 1 − 1e-15].", "−E[v·ln p + (1 − v)·ln(1 − p)]", (m, sel) => interactionTable(m, sel)["log_loss"], true),
  series("calibration", I, "flow", "calibration_error", "probability", "Mean predicted p minus the observed share of positives.", "E[p] − P(gt = +1)", (m, sel) => interactionTable(m, sel)["calibration_error"], true),
  series("calibration", I, "flow", "ece", "probability", "Expected calibration error over 10 equal-width bins.", "Σ_bins (n_b/n)·|E_b[p] − P_b(gt = +1)|", (m, sel) => interactionTable(m, sel)["ece"], true),
  series("calibration", I, "flow", "auc", "probability", "Discrimination AUC of p between positive and negative labels.", "(concordant + ties/2) / (n_pos·n_neg)", (m, sel) => interactionTable(m, sel)["auc"], true),
];
