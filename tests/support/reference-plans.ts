/**
 * Hand-built execution plans for the reference scenarios (profile
 * "swarm-0.1"), every schema field filled, exactly as the reference's shipped
 * files set them (docs/sandbox.md §10.2), with the defaults of §5–§8. Later these are compared with
 * what the compiler makes of the .sbx scenarios. Also a small builder for
 * test plans.
 */
import type { Agent, Criterion, Plan } from "../../src/plan/schema.ts";
import { PLAN_FORMAT, PLAN_VERSION } from "../../src/plan/schema.ts";
import { SBX_VERSION } from "../../src/version.ts";

type Kind = "honest" | "opportunistic" | "deceptive" | "adversarial";

export const DEFAULT_PARAMS = {
  honest: { acceptanceThreshold: 0.4, trustWeight: 0.3, postProbability: 0.3, voteProbability: 0.5, interactProbability: 0.4 },
  opportunistic: { riskTolerance: 0.6, postProbability: 0.4, voteProbability: 0.6, freeRideProbability: 0.3 },
  deceptive: { trustBuildingPhase: 5, exploitationThreshold: 0.7, facadeProbability: 0.8, postProbability: 0.35 },
  adversarial: { targetHonest: true, postProbability: 0.5, attackProbability: 0.6, attackCooldown: 2 },
} as const;

/** Agents as the reference loader numbers them: `{type}_{k}`, k counting per type across the list. */
export function population(spec: readonly [Kind, number][]): { agents: Agent[]; groups: Plan["groups"] } {
  const counters = new Map<string, number>();
  const agents: Agent[] = [];
  const groups: Plan["groups"] = [];
  for (const [kind, count] of spec) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const k = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, k);
      const id = `${kind}_${k}`;
      ids.push(id);
      agents.push({ id, kind, group: kind, params: { ...DEFAULT_PARAMS[kind] } } as Agent);
    }
    const existing = groups.find((g) => g.name === kind);
    if (existing) existing.agentIds.push(...ids);
    else groups.push({ name: kind, kind, agentIds: ids });
  }
  return { agents, groups };
}

export const DEFAULT_GOVERNANCE: Plan["governance"] = {
  transactionTax: { rate: 0.0, split: 0.5 },
  reputationDecay: { rate: 1.0 },
  voteNormalization: { enabled: false, maxWeightPerAgent: 10.0 },
  // The reference's bandwidth_cap is defined but never applied (dormant switch `bandwidthCap`);
  // scenarios that list it get enabled: true.
  bandwidth: { enabled: false, cap: 10 },
  staking: { enabled: false, minStake: 0.0, slashRate: 0.1 },
  circuitBreaker: { enabled: false, toxicityThreshold: 0.7, violations: 3, freezeEpochs: 2, window: 10, violationDecay: 0 },
  audit: { enabled: false, probability: 0.1, penaltyMultiplier: 2.0, thresholdP: 0.5 },
  collusion: {
    enabled: false,
    frequencyThreshold: 2.0,
    correlationThreshold: 0.7,
    minInteractions: 3,
    scoreThreshold: 0.5,
    penaltyMultiplier: 1.0,
    realtimePenalty: false,
    realtimeRate: 0.1,
    clearHistoryOnEpoch: false,
  },
};

export const DEFAULT_NETWORK: NonNullable<Plan["network"]> = {
  topology: "complete",
  edgeProbability: 0.5,
  kNeighbors: 4,
  rewireProbability: 0.1,
  mEdges: 2,
  edges: [],
  dynamic: false,
  strengthenRate: 0.1,
  decayRate: 0.05,
  minEdgeWeight: 0.1,
  maxEdgeWeight: 1.0,
  disconnectBelowReputation: null,
  exactPathLengthUpTo: 1000,
  pathLengthSamples: 256,
};

const LLM_DEFAULTS: Plan["llm"] = {
  budgetUsd: null,
  prices: {
    "claude-sonnet-4-20250514": { inputPerMTok: 3.0, outputPerMTok: 15.0 },
    "claude-3-5-sonnet-20241022": { inputPerMTok: 3.0, outputPerMTok: 15.0 },
    "claude-3-haiku-20240307": { inputPerMTok: 0.25, outputPerMTok: 1.25 },
    "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10.0 },
    "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    "gpt-4-turbo": { inputPerMTok: 10.0, outputPerMTok: 30.0 },
  },
  concurrency: { anthropic: 4, openai: 4, ollama: 2 },
};

const metric = (name: string) => ({ op: "metric" as const, metric: name, select: null });
const num = (value: number) => ({ op: "number" as const, value });

/** The three success criteria the reference's run_scenario.py evaluates. */
function referenceCriteria(minEpochs: number, minAgents: number, toxicityThreshold: number): Criterion[] {
  return [
    { id: "min_epochs", label: `min_epochs ${minEpochs}`, overSeeds: false, expr: { op: "compare", cmp: ">=", left: metric("epochs_completed"), right: num(minEpochs) } },
    { id: "min_agents", label: `min_agents ${minAgents}`, overSeeds: false, expr: { op: "compare", cmp: ">=", left: metric("agents"), right: num(minAgents) } },
    {
      id: "toxicity_threshold",
      label: `toxicity_threshold ${toxicityThreshold}`,
      overSeeds: false,
      expr: { op: "compare", cmp: "<=", left: { op: "aggregate", fn: "mean", arg: metric("toxicity") }, right: num(toxicityThreshold) },
    },
  ];
}

interface PlanSpec {
  name: string;
  description: string;
  motif: string;
  agents: readonly [Kind, number][];
  seed: number;
  epochs: number;
  steps: number;
  payoff: Plan["payoff"];
  rateLimits: [number, number, number, number];
  governance?: Partial<{ [K in keyof Plan["governance"]]: Partial<Plan["governance"][K]> }>;
  network?: Partial<NonNullable<Plan["network"]>> | null;
  criteria?: Criterion[];
  outputs?: Plan["outputs"];
}

/** A complete plan from a compact spec; everything unspecified takes the reference's defaults. */
export function buildPlan(spec: PlanSpec): Plan {
  const { agents, groups } = population(spec.agents);
  const governance = structuredClone(DEFAULT_GOVERNANCE);
  for (const [k, v] of Object.entries(spec.governance ?? {})) Object.assign((governance as Record<string, object>)[k], v);
  const [posts, interactions, votes, tasks] = spec.rateLimits;
  return {
    format: PLAN_FORMAT,
    planVersion: PLAN_VERSION,
    scenario: { name: spec.name, description: spec.description, motif: spec.motif },
    profile: "swarm-0.1",
    simulation: { seed: spec.seed, epochs: spec.epochs, stepsPerEpoch: spec.steps, schedule: "round_robin", maxActionsPerStep: 20, mode: "sync" },
    payoff: spec.payoff,
    proxy: { weights: { taskProgress: 0.4, rework: 0.2, verifier: 0.2, engagement: 0.2 }, sigmoidK: 2.0, reworkDecay: 0.3, rejectionDecay: 0.4, misuseDecay: 0.5 },
    rateLimits: { postsPerEpoch: posts, interactionsPerStep: interactions, votesPerEpoch: votes, tasksPerEpoch: tasks, advertised: true },
    feed: { replyWeight: 0.5, visiblePosts: 20, maxContentLength: 10000 },
    agents,
    groups,
    network: spec.network ? { ...structuredClone(DEFAULT_NETWORK), ...spec.network } : null,
    governance,
    tasks: { perEpoch: 0, bounty: 5.0, difficulty: "medium", minReputation: 0.0, deadlineEpochs: 0, proposalTtlSteps: 0 },
    llm: structuredClone(LLM_DEFAULTS),
    criteria: { seeds: [], items: spec.criteria ?? [] },
    observe: [],
    outputs: spec.outputs ?? { eventLog: null, metricsCsv: null },
    provenance: { sbxVersion: SBX_VERSION, sources: [], criteria: {} },
  };
}

export const BASELINE: Plan = buildPlan({
  name: "baseline",
  description: "Baseline mixed-agent scenario for MVP v0 validation",
  motif: "coordination_test",
  agents: [
    ["honest", 3],
    ["opportunistic", 1],
    ["deceptive", 1],
  ],
  seed: 42,
  epochs: 10,
  steps: 10,
  payoff: { sPlus: 2.0, sMinus: 1.0, h: 2.0, theta: 0.5, rhoA: 0.0, rhoB: 0.0, wRep: 1.0 },
  rateLimits: [10, 5, 50, 3],
  governance: {
    transactionTax: { rate: 0.0, split: 0.5 },
    reputationDecay: { rate: 1.0 },
    bandwidth: { enabled: true, cap: 10 },
    staking: { enabled: false, minStake: 0.0 },
    circuitBreaker: { enabled: false },
    audit: { enabled: false },
  },
  criteria: referenceCriteria(10, 5, 0.5),
  outputs: { eventLog: "logs/baseline_events.jsonl", metricsCsv: "logs/baseline_metrics.csv" },
});

export const STATUS_GAME: Plan = buildPlan({
  name: "status_game",
  description: "Reputation competition with high-stakes interactions",
  motif: "reputation_competition",
  agents: [
    ["honest", 2],
    ["opportunistic", 2],
    ["adversarial", 1],
  ],
  seed: 123,
  epochs: 20,
  steps: 15,
  payoff: { sPlus: 3.0, sMinus: 1.5, h: 2.5, theta: 0.5, rhoA: 0.1, rhoB: 0.1, wRep: 2.0 },
  rateLimits: [15, 8, 100, 5],
  governance: {
    transactionTax: { rate: 0.05, split: 0.5 },
    reputationDecay: { rate: 0.95 },
    bandwidth: { enabled: true, cap: 15 },
    staking: { enabled: true, minStake: 10.0, slashRate: 0.1 },
    circuitBreaker: { enabled: true, toxicityThreshold: 0.6, violations: 3, freezeEpochs: 2 },
    audit: { enabled: true, probability: 0.15, penaltyMultiplier: 2.0, thresholdP: 0.5 },
  },
  criteria: referenceCriteria(20, 5, 0.4),
  outputs: { eventLog: "logs/status_game_events.jsonl", metricsCsv: "logs/status_game_metrics.csv" },
});

export const STRICT_GOVERNANCE: Plan = buildPlan({
  name: "strict_governance",
  description: "Heavy governance with all levers enabled",
  motif: "regulatory_study",
  agents: [
    ["honest", 3],
    ["opportunistic", 2],
    ["deceptive", 1],
    ["adversarial", 1],
  ],
  seed: 456,
  epochs: 15,
  steps: 12,
  payoff: { sPlus: 2.5, sMinus: 1.5, h: 3.0, theta: 0.5, rhoA: 0.2, rhoB: 0.2, wRep: 1.5 },
  rateLimits: [8, 4, 30, 2],
  governance: {
    transactionTax: { rate: 0.1, split: 0.6 },
    reputationDecay: { rate: 0.85 },
    voteNormalization: { enabled: true, maxWeightPerAgent: 5.0 },
    bandwidth: { enabled: true, cap: 8 },
    staking: { enabled: true, minStake: 25.0, slashRate: 0.2 },
    circuitBreaker: { enabled: true, toxicityThreshold: 0.5, violations: 2, freezeEpochs: 3 },
    audit: { enabled: true, probability: 0.25, penaltyMultiplier: 3.0, thresholdP: 0.6 },
  },
  criteria: referenceCriteria(15, 7, 0.3),
  outputs: { eventLog: "logs/strict_governance_events.jsonl", metricsCsv: "logs/strict_governance_metrics.csv" },
});

export const NETWORK_EFFECTS: Plan = buildPlan({
  name: "network_effects_v1",
  description: "Small-world network with dynamic edges to study information cascades",
  motif: "network_effects",
  agents: [
    ["honest", 4],
    ["opportunistic", 3],
    ["deceptive", 2],
    ["adversarial", 1],
  ],
  seed: 42,
  epochs: 20,
  steps: 10,
  payoff: { sPlus: 2.0, sMinus: 1.0, h: 2.0, theta: 0.5, rhoA: 0.1, rhoB: 0.1, wRep: 1.0 },
  rateLimits: [5, 3, 20, 2],
  governance: {
    transactionTax: { rate: 0.05, split: 0.5 },
    reputationDecay: { rate: 0.95 },
    circuitBreaker: { enabled: true, toxicityThreshold: 0.7, violations: 3, freezeEpochs: 3 },
    audit: { enabled: true, probability: 0.1, penaltyMultiplier: 2.0, thresholdP: 0.5 },
  },
  network: {
    topology: "small_world",
    kNeighbors: 4,
    rewireProbability: 0.1,
    dynamic: true,
    strengthenRate: 0.1,
    decayRate: 0.05,
    minEdgeWeight: 0.2,
    maxEdgeWeight: 1.0,
    disconnectBelowReputation: null,
  },
  outputs: { eventLog: "logs/network_effects.jsonl", metricsCsv: "results/network_effects_metrics.csv" },
});

export const REFERENCE_PLANS = { baseline: BASELINE, status_game: STATUS_GAME, strict_governance: STRICT_GOVERNANCE, network_effects: NETWORK_EFFECTS } as const;

/** A small test plan: the baseline's shape with overrides, in either profile. */
export function testPlan(overrides: {
  profile?: Plan["profile"];
  agents?: readonly [Kind, number][];
  seed?: number;
  epochs?: number;
  steps?: number;
  schedule?: Plan["simulation"]["schedule"];
  mode?: Plan["simulation"]["mode"];
  governance?: PlanSpec["governance"];
  network?: PlanSpec["network"];
  rateLimits?: [number, number, number, number];
  observe?: Plan["observe"];
  maxActionsPerStep?: number;
}): Plan {
  const plan = buildPlan({
    name: "test",
    description: "",
    motif: "",
    agents: overrides.agents ?? [
      ["honest", 3],
      ["opportunistic", 1],
      ["deceptive", 1],
    ],
    seed: overrides.seed ?? 7,
    epochs: overrides.epochs ?? 3,
    steps: overrides.steps ?? 5,
    payoff: { sPlus: 2.0, sMinus: 1.0, h: 2.0, theta: 0.5, rhoA: 0.1, rhoB: 0.1, wRep: 1.0 },
    rateLimits: overrides.rateLimits ?? [10, 5, 50, 3],
    governance: overrides.governance,
    network: overrides.network,
  });
  plan.profile = overrides.profile ?? "swarm-0.1";
  if (overrides.schedule) plan.simulation.schedule = overrides.schedule;
  if (overrides.mode) plan.simulation.mode = overrides.mode;
  if (overrides.maxActionsPerStep !== undefined) plan.simulation.maxActionsPerStep = overrides.maxActionsPerStep;
  if (overrides.observe) plan.observe = overrides.observe;
  return plan;
}
