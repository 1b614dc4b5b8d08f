/**
 * The execution plan: the only contract between the compiler and the engine.
 *
 * A plan is plain JSON. Every default is filled in by the compiler, so the
 * engine never invents a value. Field names are camelCase; the `.sbx` names
 * they come from are listed in the schema registry (src/registry).
 */
import { z } from "zod";

export const PLAN_FORMAT = "sbx-plan";
export const PLAN_VERSION = 1;

export const PROFILES = ["sbx", "swarm-0.1"] as const;
export const Profile = z.enum(PROFILES);
export type Profile = z.infer<typeof Profile>;

const prob = z.number().min(0).max(1);
const nonNeg = z.number().min(0);
const int = z.number().int();
const nonNegInt = z.number().int().min(0);
const posInt = z.number().int().min(1);

export const Simulation = z.strictObject({
  seed: int,
  epochs: nonNegInt,
  stepsPerEpoch: nonNegInt,
  schedule: z.enum(["round_robin", "random", "priority"]),
  maxActionsPerStep: nonNegInt,
  /** sync: agents act one after another against live state (the reference's run());
   *  async: every observation is built before any action executes (run_async). */
  mode: z.enum(["sync", "async"]),
});

export const Payoff = z.strictObject({
  sPlus: nonNeg,
  sMinus: nonNeg,
  h: nonNeg,
  theta: prob,
  rhoA: nonNeg,
  rhoB: nonNeg,
  wRep: z.number(),
});

export const Proxy = z.strictObject({
  weights: z.strictObject({
    taskProgress: z.number(),
    rework: z.number(),
    verifier: z.number(),
    engagement: z.number(),
  }),
  sigmoidK: nonNeg,
  reworkDecay: prob,
  rejectionDecay: prob,
  misuseDecay: prob,
});

export const RateLimits = z.strictObject({
  postsPerEpoch: nonNegInt,
  interactionsPerStep: nonNegInt,
  votesPerEpoch: nonNegInt,
  tasksPerEpoch: nonNegInt,
  /** When false, observations claim everything is allowed (the reference still enforces at execution). */
  advertised: z.boolean(),
});

export const Feed = z.strictObject({
  replyWeight: z.number(),
  visiblePosts: posInt,
  maxContentLength: posInt,
});

/** A uniform or integer distribution used by stochastic policies to draw interaction observables. */
export const Distribution = z.discriminatedUnion("dist", [
  z.strictObject({ dist: z.literal("constant"), value: z.number() }),
  z.strictObject({ dist: z.literal("uniform"), low: z.number(), high: z.number() }),
  z.strictObject({ dist: z.literal("randint"), low: int, high: int }),
]);
export type Distribution = z.infer<typeof Distribution>;

/** How the observables of an interaction are drawn, keyed by the initiator's quality profile. */
export const ObservableProfile = z.strictObject({
  taskProgress: Distribution,
  rework: Distribution,
  rejections: Distribution,
  misuse: Distribution,
  engagement: Distribution,
});
export type ObservableProfile = z.infer<typeof ObservableProfile>;

export const SCRIPTED_KINDS = ["honest", "opportunistic", "deceptive", "adversarial"] as const;
export const ScriptedKind = z.enum(SCRIPTED_KINDS);
export type ScriptedKind = z.infer<typeof ScriptedKind>;

export const INTERACTION_TYPES = ["reply", "vote", "trade", "collaboration"] as const;
export const InteractionType = z.enum(INTERACTION_TYPES);
export type InteractionType = z.infer<typeof InteractionType>;

export const HonestParams = z.strictObject({
  acceptanceThreshold: prob,
  trustWeight: prob,
  postProbability: prob,
  voteProbability: prob,
  interactProbability: prob,
});
export const OpportunisticParams = z.strictObject({
  riskTolerance: prob,
  postProbability: prob,
  voteProbability: prob,
  freeRideProbability: prob,
});
export const DeceptiveParams = z.strictObject({
  trustBuildingPhase: nonNegInt,
  exploitationThreshold: prob,
  facadeProbability: prob,
  postProbability: prob,
});
export const AdversarialParams = z.strictObject({
  targetHonest: z.boolean(),
  postProbability: prob,
  attackProbability: prob,
  attackCooldown: nonNegInt,
});

/** A user-declared stochastic policy: each step the agent picks one action from a probability table. */
export const StochasticParams = z.strictObject({
  policy: z.string(),
  actions: z.strictObject({
    post: prob,
    reply: prob,
    vote: prob,
    propose: prob,
    claimTask: prob,
    noop: prob,
  }),
  acceptProbability: prob,
  proposeType: InteractionType,
  /** How a proposal's counterparty is chosen among visible agents. */
  target: z.enum(["random", "most_trusted", "highest_reputation", "lowest_reputation"]),
  upvoteProbability: prob,
  observables: ObservableProfile,
  /** Transfer offered with each proposal (acts only where transfers are active). */
  transfer: z.number(),
});

export const PersonaTraits = z.strictObject({
  openness: z.number().min(-1).max(1),
  conscientiousness: z.number().min(-1).max(1),
  extraversion: z.number().min(-1).max(1),
  agreeableness: z.number().min(-1).max(1),
  neuroticism: z.number().min(-1).max(1),
});

export const Persona = z.strictObject({
  name: z.string(),
  prompt: z.string(),
  traits: PersonaTraits.nullable(),
});
export type Persona = z.infer<typeof Persona>;

export const LLM_PROVIDERS = ["anthropic", "openai", "ollama"] as const;
export const LlmParams = z.strictObject({
  provider: z.enum(LLM_PROVIDERS),
  model: z.string(),
  persona: Persona,
  systemPrompt: z.string().nullable(),
  temperature: prob,
  maxTokens: posInt,
  timeoutSeconds: z.number().positive(),
  maxRetries: nonNegInt,
  /** What the agent does when the model cannot answer: nothing, or a scripted policy's action. */
  fallback: z.union([z.literal("noop"), ScriptedKind]),
  costTracking: z.boolean(),
});

export const Agent = z.discriminatedUnion("kind", [
  z.strictObject({ id: z.string(), kind: z.literal("honest"), group: z.string(), params: HonestParams }),
  z.strictObject({ id: z.string(), kind: z.literal("opportunistic"), group: z.string(), params: OpportunisticParams }),
  z.strictObject({ id: z.string(), kind: z.literal("deceptive"), group: z.string(), params: DeceptiveParams }),
  z.strictObject({ id: z.string(), kind: z.literal("adversarial"), group: z.string(), params: AdversarialParams }),
  z.strictObject({ id: z.string(), kind: z.literal("stochastic"), group: z.string(), params: StochasticParams }),
  z.strictObject({ id: z.string(), kind: z.literal("llm"), group: z.string(), params: LlmParams }),
]);
export type Agent = z.infer<typeof Agent>;
export type AgentKind = Agent["kind"];

/** A population group as declared: selection in criteria and reports goes through these names. */
export const Group = z.strictObject({
  name: z.string(),
  /** The declared kind: a scripted kind, "llm", or the name of a user policy. */
  kind: z.string(),
  agentIds: z.array(z.string()),
});

export const TOPOLOGIES = ["complete", "ring", "star", "random_erdos_renyi", "small_world", "scale_free", "custom"] as const;
export const Network = z.strictObject({
  topology: z.enum(TOPOLOGIES),
  edgeProbability: prob,
  kNeighbors: z.number().int().min(2),
  rewireProbability: prob,
  mEdges: posInt,
  /** Explicit edges for the custom topology: [a, b, weight]. */
  edges: z.array(z.tuple([z.string(), z.string(), z.number()])),
  dynamic: z.boolean(),
  strengthenRate: nonNeg,
  decayRate: prob,
  minEdgeWeight: nonNeg,
  maxEdgeWeight: nonNeg,
  disconnectBelowReputation: z.number().nullable(),
  /** Average path length is all-pairs BFS; above this many agents it is estimated from sampled sources. */
  exactPathLengthUpTo: nonNegInt,
  pathLengthSamples: posInt,
});
export type Network = z.infer<typeof Network>;

export const Governance = z.strictObject({
  transactionTax: z.strictObject({ rate: prob, split: prob }),
  reputationDecay: z.strictObject({ rate: prob }),
  voteNormalization: z.strictObject({ enabled: z.boolean(), maxWeightPerAgent: z.number().positive() }),
  bandwidth: z.strictObject({ enabled: z.boolean(), cap: nonNegInt }),
  staking: z.strictObject({ enabled: z.boolean(), minStake: nonNeg, slashRate: prob }),
  circuitBreaker: z.strictObject({
    enabled: z.boolean(),
    toxicityThreshold: prob,
    violations: posInt,
    freezeEpochs: posInt,
    window: posInt,
    /** Violations forgiven per epoch without a new one (the reference never forgets). */
    violationDecay: nonNegInt,
  }),
  audit: z.strictObject({
    enabled: z.boolean(),
    probability: prob,
    penaltyMultiplier: nonNeg,
    thresholdP: prob,
  }),
  collusion: z.strictObject({
    enabled: z.boolean(),
    frequencyThreshold: z.number().positive(),
    correlationThreshold: prob,
    minInteractions: posInt,
    scoreThreshold: prob,
    penaltyMultiplier: nonNeg,
    realtimePenalty: z.boolean(),
    realtimeRate: nonNeg,
    clearHistoryOnEpoch: z.boolean(),
  }),
});
export type Governance = z.infer<typeof Governance>;

export const TASK_DIFFICULTIES = ["trivial", "easy", "medium", "hard", "expert"] as const;
export const Tasks = z.strictObject({
  /** New tasks posted at each epoch start (the reference never creates any). */
  perEpoch: nonNegInt,
  bounty: nonNeg,
  difficulty: z.enum(TASK_DIFFICULTIES),
  minReputation: z.number(),
  deadlineEpochs: nonNegInt,
  /** Proposals left unanswered for this many steps expire (0 = never). */
  proposalTtlSteps: nonNegInt,
});

export const Price = z.strictObject({ inputPerMTok: nonNeg, outputPerMTok: nonNeg });
export const Llm = z.strictObject({
  budgetUsd: nonNeg.nullable(),
  prices: z.record(z.string(), Price),
  concurrency: z.strictObject({ anthropic: posInt, openai: posInt, ollama: posInt }),
});

/** A selection of agents (by kind, population group or id) or of interactions by their initiator. */
export const Selection = z.strictObject({
  by: z.enum(["kind", "group", "agent"]),
  name: z.string(),
});
export type Selection = z.infer<typeof Selection>;

export const AGGREGATIONS = ["mean", "min", "max", "final", "first", "sum"] as const;
export const SEED_STATISTICS = ["share", "mean", "min", "max", "std", "lower", "upper"] as const;
export const COMPARISONS = ["<", "<=", ">", ">=", "==", "!="] as const;

export type CriterionExpr =
  | { op: "number"; value: number }
  | { op: "bool"; value: boolean }
  | { op: "metric"; metric: string; select: Selection | null }
  | { op: "aggregate"; fn: (typeof AGGREGATIONS)[number]; arg: CriterionExpr }
  | { op: "at"; epoch: number; arg: CriterionExpr }
  | { op: "temporal"; fn: "always" | "eventually"; from: number | null; until: number | null; arg: CriterionExpr }
  | { op: "compare"; cmp: (typeof COMPARISONS)[number]; left: CriterionExpr; right: CriterionExpr }
  | { op: "arith"; fn: "+" | "-" | "*" | "/"; left: CriterionExpr; right: CriterionExpr }
  | { op: "neg"; arg: CriterionExpr }
  | { op: "logic"; fn: "and" | "or"; left: CriterionExpr; right: CriterionExpr }
  | { op: "not"; arg: CriterionExpr }
  | { op: "seeds"; fn: (typeof SEED_STATISTICS)[number]; level: number; arg: CriterionExpr };

export const CriterionExpr: z.ZodType<CriterionExpr> = z.lazy(() =>
  z.discriminatedUnion("op", [
    z.strictObject({ op: z.literal("number"), value: z.number() }),
    z.strictObject({ op: z.literal("bool"), value: z.boolean() }),
    z.strictObject({ op: z.literal("metric"), metric: z.string(), select: Selection.nullable() }),
    z.strictObject({ op: z.literal("aggregate"), fn: z.enum(AGGREGATIONS), arg: CriterionExpr }),
    z.strictObject({ op: z.literal("at"), epoch: nonNegInt, arg: CriterionExpr }),
    z.strictObject({
      op: z.literal("temporal"),
      fn: z.enum(["always", "eventually"]),
      from: nonNegInt.nullable(),
      until: nonNegInt.nullable(),
      arg: CriterionExpr,
    }),
    z.strictObject({ op: z.literal("compare"), cmp: z.enum(COMPARISONS), left: CriterionExpr, right: CriterionExpr }),
    z.strictObject({ op: z.literal("arith"), fn: z.enum(["+", "-", "*", "/"]), left: CriterionExpr, right: CriterionExpr }),
    z.strictObject({ op: z.literal("neg"), arg: CriterionExpr }),
    z.strictObject({ op: z.literal("logic"), fn: z.enum(["and", "or"]), left: CriterionExpr, right: CriterionExpr }),
    z.strictObject({ op: z.literal("not"), arg: CriterionExpr }),
    z.strictObject({ op: z.literal("seeds"), fn: z.enum(SEED_STATISTICS), level: prob, arg: CriterionExpr }),
  ]),
);

export const SourceRange = z.strictObject({
  file: z.string(),
  line: posInt,
  column: posInt,
  endLine: posInt,
  endColumn: posInt,
});
export type SourceRange = z.infer<typeof SourceRange>;

export const Criterion = z.strictObject({
  id: z.string(),
  /** The criterion as written, or its label. */
  label: z.string(),
  expr: CriterionExpr,
  /** True when the expression aggregates over seeds (seeds.share(...), seeds.upper(...), ...). */
  overSeeds: z.boolean(),
});
export type Criterion = z.infer<typeof Criterion>;

export const Criteria = z.strictObject({
  /** Seeds the criteria are judged over; empty means the scenario's own seed. */
  seeds: z.array(int),
  items: z.array(Criterion),
});

export const Outputs = z.strictObject({
  eventLog: z.string().nullable(),
  metricsCsv: z.string().nullable(),
});

/** Metric selections that criteria or reports need recorded per epoch, beyond the standard set. */
export const Observed = z.strictObject({ metric: z.string(), select: Selection });
export type Observed = z.infer<typeof Observed>;

export const PlanBody = z.strictObject({
  format: z.literal(PLAN_FORMAT),
  planVersion: z.literal(PLAN_VERSION),
  scenario: z.strictObject({ name: z.string(), description: z.string(), motif: z.string() }),
  profile: Profile,
  simulation: Simulation,
  payoff: Payoff,
  proxy: Proxy,
  rateLimits: RateLimits,
  feed: Feed,
  agents: z.array(Agent),
  groups: z.array(Group),
  network: Network.nullable(),
  governance: Governance,
  tasks: Tasks,
  llm: Llm,
  criteria: Criteria,
  observe: z.array(Observed),
  outputs: Outputs,
});

/** Where the plan came from. Not part of the plan hash: moving a file does not change what runs. */
export const Provenance = z.strictObject({
  sbxVersion: z.string(),
  sources: z.array(z.string()),
  criteria: z.record(z.string(), SourceRange),
});

export const Plan = PlanBody.extend({ provenance: Provenance });
export type Plan = z.infer<typeof Plan>;
export type PlanBody = z.infer<typeof PlanBody>;

export function planJsonSchema(): unknown {
  return z.toJSONSchema(Plan, { target: "draft-2020-12" });
}
