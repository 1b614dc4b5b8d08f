/**
 * Per-epoch metrics: every `series` metric of the registry, plus the plan's
 * `observe` selections. The run and the replay both compute them here, from
 * the same ledger of the epoch's flows and the same end-of-epoch state.
 */
import type { Plan, Selection } from "../plan/schema.ts";
import { metricDef, observedKey } from "../metrics/registry.ts";
import { brierScore, calibrationError, discriminationAuc, expectedCalibrationError, logLoss } from "../metrics/calibration.ts";
import * as soft from "../metrics/soft.ts";
import type { SimEvent } from "./events.ts";
import type { NetworkMetrics } from "./network.ts";
import type { Semantics } from "./semantics.ts";
import { socialSurplus } from "./soft-labels.ts";
import type { InteractionRecord } from "./types.ts";

/** What happened during one epoch. */
export interface EpochLedger {
  interactions: InteractionRecord[];
  posts: number;
  votes: number;
  blocked: number;
  slashed: number;
  freezes: number;
  /** Σ risk·multiplier of this epoch's collusion reputation penalties. */
  collusionPenalty: number;
  pruned: number;
  /** Accepted interactions refused by the bandwidth cap. */
  capped: number;
  /** Proposals withdrawn unanswered. */
  expired: number;
  tasksCreated: number;
  tasksCompleted: number;
  bountyPaid: number;
  /** Model usage of LLM agents (absent until an LLM event arrives). */
  llm?: LlmTally;
}

/** Model usage: requests sent, faults, fallbacks, tokens and cost (from the LLM events). */
export interface LlmTally {
  requests: number;
  failures: number;
  fallbacks: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export const emptyLlmTally = (): LlmTally => ({ requests: 0, failures: 0, fallbacks: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 });

/** Adds one event to a usage tally; the run, the replay and per-agent usage all count with this. */
export function tallyLlm(t: LlmTally, e: SimEvent): void {
  switch (e.type) {
    case "llm_call":
      t.requests++;
      t.tokensIn += e.tokensIn;
      t.tokensOut += e.tokensOut;
      t.costUsd += e.costUsd;
      break;
    case "llm_fault":
      t.failures++;
      break;
    case "llm_fallback":
      t.fallbacks++;
      break;
    default:
      break;
  }
}

/** The epoch's ledger records an LLM event. */
export function recordLlm(ledger: EpochLedger, e: SimEvent): void {
  tallyLlm((ledger.llm ??= emptyLlmTally()), e);
}

export function emptyLedger(): EpochLedger {
  return { interactions: [], posts: 0, votes: 0, blocked: 0, slashed: 0, freezes: 0, collusionPenalty: 0, pruned: 0, capped: 0, expired: 0, tasksCreated: 0, tasksCompleted: 0, bountyPaid: 0 };
}

/** An agent as the metrics read it at the end of an epoch. */
export interface MetricAgent {
  id: string;
  reputation: number;
  resources: number;
  payoff: number;
  frozen: boolean;
}

export interface EpochState {
  agents: readonly MetricAgent[];
  totalPosts: number;
  totalVotes: number;
  network: NetworkMetrics | null;
  collusion: { flaggedPairs: number; ecosystemRisk: number };
  /** The public pool's balance (governance charges collected; 0 where payoffs do not flow into resources). */
  pool: number;
  /** Agents that have entered an exploitation phase. */
  exploiting: number;
}

type Values = Record<string, number | null>;

function interactionMetrics(plan: Plan, xs: readonly InteractionRecord[], out: Values): void {
  const pay = plan.payoff;
  const acc = xs.filter((x) => x.accepted).length;
  const part = soft.participationByQuality(xs);
  const welfare = soft.welfareMetrics(xs, (p) => socialSurplus(pay, p));
  out["interactions"] = xs.length;
  out["accepted"] = acc;
  out["rejected"] = xs.length - acc;
  out["acceptance_rate"] = soft.acceptanceRate(xs);
  out["toxicity"] = soft.toxicityRate(xs);
  out["toxicity_all"] = soft.toxicityRateAll(xs);
  out["hard_toxicity"] = soft.hardToxicity(xs);
  out["quality_gap"] = soft.qualityGap(xs);
  out["average_quality"] = soft.averageQuality(xs);
  out["spread"] = soft.spread(xs, pay.sPlus, pay.sMinus);
  out["uncertain_fraction"] = soft.uncertainFraction(xs);
  out["high_quality_acceptance"] = part.highQualityAcceptance;
  out["low_quality_acceptance"] = part.lowQualityAcceptance;
  out["quality_variance"] = soft.qualityVariance(xs);
  out["welfare"] = welfare.totalWelfare;
  out["social_surplus"] = welfare.totalSocialSurplus;
  out["avg_payoff"] = welfare.avgInitiatorPayoff;
  out["avg_counterparty_payoff"] = welfare.avgCounterpartyPayoff;
  out["conditional_loss_initiator"] = soft.conditionalLossInitiator(xs);
  out["conditional_loss_counterparty"] = soft.conditionalLossCounterparty(xs);
  out["payoff_variance_initiator"] = soft.payoffVarianceInitiator(xs);
  out["payoff_variance_counterparty"] = soft.payoffVarianceCounterparty(xs);
  out["governance_cost"] = soft.governanceCost(xs);
  out["transfers"] = soft.totalTransfers(xs);
  out["brier"] = brierScore(xs);
  out["log_loss"] = logLoss(xs);
  out["calibration_error"] = calibrationError(xs);
  out["ece"] = expectedCalibrationError(xs);
  out["auc"] = discriminationAuc(xs);
}

function agentMetrics(agents: readonly MetricAgent[], out: Values): void {
  let payoff = 0;
  let reputation = 0;
  let resources = 0;
  let frozen = 0;
  for (const a of agents) {
    payoff += a.payoff;
    reputation += a.reputation;
    resources += a.resources;
    if (a.frozen) frozen++;
  }
  const n = agents.length;
  out["payoff"] = payoff;
  out["mean_payoff"] = n ? payoff / n : 0;
  out["reputation"] = n ? reputation / n : 0;
  out["resources"] = resources;
  out["frozen"] = frozen;
}

export function computeEpochMetrics(
  plan: Plan,
  semantics: Semantics,
  ledger: EpochLedger,
  state: EpochState,
  selections: SelectionResolver,
): { metrics: Values; observed: Values } {
  const xs = ledger.interactions;
  const m: Values = {};
  interactionMetrics(plan, xs, m);
  m["proposals_expired"] = ledger.expired;
  m["exploiting"] = state.exploiting;
  m["posts"] = ledger.posts;
  m["votes"] = ledger.votes;
  const hideTotals = semantics.feedTotalsZeroWithoutInteractions && xs.length === 0;
  m["total_posts"] = hideTotals ? 0 : state.totalPosts;
  m["total_votes"] = hideTotals ? 0 : state.totalVotes;
  agentMetrics(state.agents, m);
  const net = state.network;
  m["network.edges"] = net ? net.edges : null;
  m["network.avg_degree"] = net ? net.avgDegree : null;
  m["network.avg_clustering"] = net ? net.avgClustering : null;
  m["network.avg_path_length"] = net ? net.avgPathLength : null;
  m["network.connected"] = net ? net.connected : null;
  m["network.components"] = net ? net.components : null;
  m["network.density"] = net ? net.density : null;
  m["network.pruned"] = net ? ledger.pruned : null;
  let audits = 0;
  let auditPenalty = 0;
  let tax = 0;
  let realtime = 0;
  for (const x of xs) {
    if (x.audited) audits++;
    auditPenalty += x.auditPenalty;
    tax += x.tax;
    realtime += x.collusionCost;
  }
  m["governance.audits"] = audits;
  m["governance.audit_penalty"] = auditPenalty;
  m["governance.tax"] = tax;
  m["governance.freezes"] = ledger.freezes;
  m["governance.blocked"] = ledger.blocked;
  m["governance.slashed"] = ledger.slashed;
  m["governance.capped"] = ledger.capped;
  m["governance.pool"] = state.pool;
  m["collusion.flagged_pairs"] = state.collusion.flaggedPairs;
  m["collusion.ecosystem_risk"] = state.collusion.ecosystemRisk;
  m["collusion.penalty"] = ledger.collusionPenalty + realtime;
  const llm = ledger.llm ?? emptyLlmTally();
  m["llm.requests"] = llm.requests;
  m["llm.failures"] = llm.failures;
  m["llm.fallbacks"] = llm.fallbacks;
  m["llm.tokens_in"] = llm.tokensIn;
  m["llm.tokens_out"] = llm.tokensOut;
  m["llm.cost_usd"] = llm.costUsd;
  m["tasks.created"] = ledger.tasksCreated;
  m["tasks.completed"] = ledger.tasksCompleted;
  m["tasks.bounty_paid"] = ledger.bountyPaid;

  const observed: Values = {};
  for (const o of plan.observe) {
    const def = metricDef(o.metric) as NonNullable<ReturnType<typeof metricDef>>;
    const ids = selections.ids(o.select);
    const key = observedKey(o.metric, o.select);
    if (def.select === "initiator") {
      const sub: Values = {};
      interactionMetrics(plan, xs.filter((x) => ids.has(x.initiator)), sub);
      observed[key] = sub[o.metric];
    } else {
      const sub: Values = {};
      agentMetrics(state.agents.filter((a) => ids.has(a.id)), sub);
      observed[key] = sub[o.metric];
    }
  }
  return { metrics: m, observed };
}

/** The series metric names the engine computes (a test keeps these equal to the registry's). */
export function engineSeriesNames(): string[] {
  const probe = computeEpochMetrics(
    PROBE_PLAN,
    { feedTotalsZeroWithoutInteractions: false } as Semantics,
    emptyLedger(),
    { agents: [], totalPosts: 0, totalVotes: 0, network: null, collusion: { flaggedPairs: 0, ecosystemRisk: 0 }, pool: 0, exploiting: 0 },
    { ids: () => new Set() },
  );
  return Object.keys(probe.metrics);
}

/** Run-level scalars: not computed per epoch but read from the RunResult (epochsCompleted, agents.length). */
export const ENGINE_SCALARS = ["epochs_completed", "agents"] as const;

const PROBE_PLAN = { payoff: { sPlus: 2, sMinus: 1, h: 2, theta: 0.5, rhoA: 0, rhoB: 0, wRep: 1 }, observe: [] } as unknown as Plan;

export interface SelectionResolver {
  ids(select: Selection): ReadonlySet<string>;
}

/** Agent ids by kind (or user policy name), population group, or id. */
export function selectionResolver(plan: Plan): SelectionResolver {
  const cache = new Map<string, Set<string>>();
  return {
    ids(select) {
      const key = `${select.by}:${select.name}`;
      let ids = cache.get(key);
      if (!ids) {
        if (select.by === "agent") ids = new Set([select.name]);
        else if (select.by === "group") {
          const group = plan.groups.find((g) => g.name === select.name);
          ids = new Set(group ? group.agentIds : plan.agents.filter((a) => a.group === select.name).map((a) => a.id));
        } else {
          ids = new Set(plan.agents.filter((a) => a.kind === select.name || (a.kind === "stochastic" && a.params.policy === select.name)).map((a) => a.id));
        }
        cache.set(key, ids);
      }
      return ids;
    },
  };
}

/** Rejects observe entries the engine cannot compute. */
export function validateObserved(plan: Plan): void {
  for (const o of plan.observe) {
    const def = metricDef(o.metric);
    if (!def) throw new Error(`observe: unknown metric "${o.metric}"`);
    if (def.shape !== "series") throw new Error(`observe: "${o.metric}" is a run-level scalar, not an epoch series`);
    if (def.select === "none") throw new Error(`observe: "${o.metric}" cannot be restricted to a selection`);
  }
}
