/**
 * What a run amounts to, as plain data: the documents `sbx run --json` prints
 * and `summary.json` holds. Shared by run, check, replay and reports.
 */
import type { Verdict } from "../criteria/evaluate.ts";
import type { AgentRecord, RunResult } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";

export interface KindSummary {
  readonly kind: string;
  readonly agents: number;
  readonly totalPayoff: number;
  readonly meanPayoff: number;
  readonly meanReputation: number;
  readonly frozen: number;
}

export interface RunTotals {
  readonly epochs: number;
  readonly interactions: number;
  readonly accepted: number;
  readonly meanToxicity: number | null;
  readonly meanQualityGap: number | null;
  readonly totalWelfare: number;
  readonly welfarePerEpoch: number | null;
  readonly frozenAgents: readonly string[];
}

const num = (v: number | null | undefined): number => (typeof v === "number" ? v : 0);

export function runTotals(result: RunResult): RunTotals {
  const epochs = result.epochs;
  const series = (name: string) => epochs.map((e) => e.metrics[name]).filter((v): v is number => typeof v === "number");
  const tox = series("toxicity");
  const gap = series("quality_gap");
  const totalWelfare = epochs.reduce((a, e) => a + num(e.metrics["welfare"]), 0);
  return {
    epochs: result.epochsCompleted,
    interactions: epochs.reduce((a, e) => a + num(e.metrics["interactions"]), 0),
    accepted: epochs.reduce((a, e) => a + num(e.metrics["accepted"]), 0),
    meanToxicity: tox.length ? tox.reduce((a, b) => a + b, 0) / tox.length : null,
    meanQualityGap: gap.length ? gap.reduce((a, b) => a + b, 0) / gap.length : null,
    totalWelfare,
    welfarePerEpoch: epochs.length ? totalWelfare / epochs.length : null,
    frozenAgents: result.agents.filter((a) => a.frozen).map((a) => a.id),
  };
}

const kindsByPlan = new WeakMap<Plan, ReadonlyMap<string, string>>();

/** Each agent's kind as reports show it: a stochastic agent's is its policy's name. Built once per plan. */
export function planKinds(plan: Plan): ReadonlyMap<string, string> {
  let kinds = kindsByPlan.get(plan);
  if (!kinds) {
    kinds = new Map(plan.agents.map((a) => [a.id, a.kind === "stochastic" ? a.params.policy : a.kind]));
    kindsByPlan.set(plan, kinds);
  }
  return kinds;
}

/**
 * Each agent's kind as reports show it, aligned with `agents`. Agents listed
 * in the plan's order, as every run lists them, are matched by position
 * without a lookup; others through planKinds, or their recorded kind.
 */
export function kindsOf(agents: readonly { readonly id: string; readonly kind: string }[], plan?: Plan): string[] {
  const kinds = new Array<string>(agents.length);
  let index: ReadonlyMap<string, string> | undefined;
  for (let i = 0; i < agents.length; i++) {
    const a = agents[i]!;
    const declared = plan?.agents[i];
    kinds[i] =
      declared !== undefined && declared.id === a.id
        ? declared.kind === "stochastic"
          ? declared.params.policy
          : declared.kind
        : ((index ??= plan ? planKinds(plan) : new Map<string, string>()).get(a.id) ?? a.kind);
  }
  return kinds;
}

/** Agents grouped by kind (a policy's agents under the policy's name), in first-appearance order. One pass: linear in the agents. */
export function byKind(agents: readonly AgentRecord[], plan?: Plan): KindSummary[] {
  const kindOf = kindsOf(agents, plan);
  const sums = new Map<string, { agents: number; payoff: number; reputation: number; frozen: number }>();
  for (let i = 0; i < agents.length; i++) {
    const a = agents[i]!;
    const k = kindOf[i]!;
    let s = sums.get(k);
    if (!s) sums.set(k, (s = { agents: 0, payoff: 0, reputation: 0, frozen: 0 }));
    s.agents++;
    s.payoff += a.payoff;
    s.reputation += a.reputation;
    if (a.frozen) s.frozen++;
  }
  return [...sums].map(([kind, s]) => ({
    kind,
    agents: s.agents,
    totalPayoff: s.payoff,
    meanPayoff: s.payoff / s.agents,
    meanReputation: s.reputation / s.agents,
    frozen: s.frozen,
  }));
}

/** `sbx run --json`: the keys other tools rely on, then everything else. */
export function runDocument(plan: Plan, result: RunResult, verdicts: readonly Verdict[]) {
  return {
    format: "sbx-run",
    version: 1,
    scenario: result.scenario,
    seed: result.seed,
    profile: result.profile,
    planHash: result.planHash,
    sbxVersion: result.sbxVersion,
    epochs: result.epochs.map((e) => ({
      epoch: e.epoch,
      interactions: e.metrics["interactions"] ?? 0,
      accepted: e.metrics["accepted"] ?? 0,
      toxicity: e.metrics["toxicity"] ?? null,
      qualityGap: e.metrics["quality_gap"] ?? null,
      avgPayoff: e.metrics["avg_payoff"] ?? null,
      welfare: e.metrics["welfare"] ?? null,
      metrics: e.metrics,
      observed: e.observed,
    })),
    agents: result.agents.map((a) => ({
      id: a.id,
      type: a.kind,
      group: a.group,
      reputation: a.reputation,
      payoff: a.payoff,
      resources: a.resources,
      frozen: a.frozen,
      interactionsInitiated: a.interactionsInitiated,
      interactionsReceived: a.interactionsReceived,
    })),
    totals: runTotals(result),
    byKind: byKind(result.agents, plan),
    criteria: verdicts,
  };
}
