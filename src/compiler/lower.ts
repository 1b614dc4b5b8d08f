/**
 * Lowering: a checked scenario to an execution plan. Every default is filled
 * in here from the registry, so the engine never invents a value.
 */
import type * as A from "../../language/ast.ts";
import { printExpression } from "../../language/format.ts";
import { closest, diagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { observedKey } from "../metrics/registry.ts";
import {
  PLAN_FORMAT,
  PLAN_VERSION,
  type Agent,
  type Criterion,
  type Distribution,
  type Observed,
  type Persona,
  type Plan,
  type Profile,
  type SourceRange,
} from "../plan/schema.ts";
import { LineIndex } from "../text/line-index.ts";
import { SBX_VERSION } from "../version.ts";
import { child, children, get, isSet, textOf, type CBlock } from "./check.ts";
import { checkCriterion, type SelectionScope } from "./criteria.ts";
import { degenerateScenario } from "./degenerate.ts";
import { LIMITS, limitText } from "./limits.ts";
import type { ModelContext } from "./model.ts";
import { lookup, type Decl } from "./program.ts";
import type { SymbolDef } from "./symbols.ts";

export interface LowerContext extends ModelContext {
  /** Checked models of top-level declarations (personas, policies, price tables, observables), by kind and name as seen from a file. */
  readonly checkedDecl: (decl: Decl) => CBlock | null;
  readonly lineIndex: (file: string) => LineIndex;
}

const num = (b: CBlock, name: string): number => get(b, name) as number;
const bool = (b: CBlock, name: string): boolean => get(b, name) as boolean;
const str = (b: CBlock, name: string): string => get(b, name) as string;

/** A block that may be absent: its values are then the registry defaults. */
function sub(parent: CBlock, kind: string): CBlock {
  const found = child(parent, kind);
  if (found) return found;
  const spec = parent.spec.blocks.find((b) => b.kind === kind)!;
  return { model: null as never, spec, kind, name: null, path: kind, values: new Map(), blocks: [] };
}

function present(parent: CBlock, kind: string): boolean {
  const b = child(parent, kind);
  return b !== undefined && get(b, "enabled") !== false;
}

export function lowerScenario(ctx: LowerContext, scenario: CBlock, decl: Decl): Plan | null {
  if (scenario.model.incomplete) return null;
  const errorsBefore = ctx.diagnostics.filter((d) => d.severity === "error").length;
  const profile = str(scenario, "profile") as Profile;
  const population = lowerPopulation(ctx, scenario, decl);
  // Without its agents, nothing else about the scenario can be checked (selections, edges) without false alarms.
  if (population.refused) return null;
  const groupSymbols = new Map<string, SymbolDef | null>();
  for (const g of population.groups) groupSymbols.set(g.name, g.symbol);
  const scope: SelectionScope = {
    kinds: new Set(population.groups.map((g) => g.kind)),
    groups: groupSymbols,
    agents: new Set(population.agents.map((a) => a.id)),
  };
  const criteria = lowerCriteria(ctx, scenario, scope);
  const network = lowerNetwork(ctx, scenario, scope.agents);
  const llm = lowerLlm(ctx, scenario, population.agents);
  const mode = str(scenario, "mode");
  const llmAgents = population.agents.filter((a) => a.kind === "llm").length;
  const hasLlm = llmAgents > 0;
  if (hasLlm && mode === "sync") {
    const attr = scenario.model.attrs.get("mode");
    ctx.diagnostics.push(diagnostic("SBX3014", { count: llmAgents }, attr?.file ?? decl.module, attr?.expr.span ?? decl.node.name!.span));
  }

  const maxActions = num(scenario, "max_actions_per_step");
  if (population.agents.length > maxActions && isSet(scenario, "max_actions_per_step") === false && population.agents.length > 20) {
    ctx.diagnostics.push(
      diagnostic(
        "SBX3013",
        { what: `max_actions_per_step is ${maxActions} but the population has ${population.agents.length} agents`, why: "agents late in the schedule lose their turn once that many actions succeed in a step; set max_actions_per_step to at least the population" },
        decl.module,
        decl.node.name!.span,
      ),
    );
  }

  degenerateScenario(ctx, scenario, population.agents.length);
  if (ctx.diagnostics.filter((d) => d.severity === "error").length > errorsBefore) return null;

  const payoff = sub(scenario, "payoff");
  const proxy = sub(scenario, "proxy");
  const weights = sub(proxy, "weights");
  const limits = sub(scenario, "rate_limits");
  const feed = sub(scenario, "feed");
  const tasks = sub(scenario, "tasks");
  const outputs = sub(scenario, "outputs");

  const plan: Plan = {
    format: PLAN_FORMAT,
    planVersion: PLAN_VERSION,
    scenario: { name: decl.name, description: str(scenario, "description"), motif: str(scenario, "motif") },
    profile,
    simulation: {
      seed: num(scenario, "seed"),
      epochs: num(scenario, "epochs"),
      stepsPerEpoch: num(scenario, "steps"),
      schedule: str(scenario, "schedule") as Plan["simulation"]["schedule"],
      maxActionsPerStep: maxActions,
      mode: mode === "auto" ? (hasLlm ? "async" : "sync") : (mode as "sync" | "async"),
    },
    payoff: {
      sPlus: num(payoff, "s_plus"),
      sMinus: num(payoff, "s_minus"),
      h: num(payoff, "harm"),
      theta: num(payoff, "theta"),
      rhoA: num(payoff, "rho_a"),
      rhoB: num(payoff, "rho_b"),
      wRep: num(payoff, "w_rep"),
    },
    proxy: {
      weights: {
        taskProgress: num(weights, "task_progress"),
        rework: num(weights, "rework"),
        verifier: num(weights, "verifier"),
        engagement: num(weights, "engagement"),
      },
      sigmoidK: num(proxy, "sigmoid_k"),
      reworkDecay: num(proxy, "rework_decay"),
      rejectionDecay: num(proxy, "rejection_decay"),
      misuseDecay: num(proxy, "misuse_decay"),
    },
    rateLimits: {
      postsPerEpoch: num(limits, "posts_per_epoch"),
      interactionsPerStep: num(limits, "interactions_per_step"),
      votesPerEpoch: num(limits, "votes_per_epoch"),
      tasksPerEpoch: num(limits, "tasks_per_epoch"),
      advertised: bool(limits, "advertised"),
    },
    feed: { replyWeight: num(feed, "reply_weight"), visiblePosts: num(feed, "visible_posts"), maxContentLength: num(feed, "max_content_length") },
    agents: population.agents,
    groups: population.groups.map((g) => ({ name: g.name, kind: g.kind, agentIds: g.agentIds })),
    network,
    governance: lowerGovernance(scenario),
    tasks: {
      perEpoch: present(scenario, "tasks") ? num(tasks, "per_epoch") : 0,
      bounty: num(tasks, "bounty"),
      difficulty: str(tasks, "difficulty") as Plan["tasks"]["difficulty"],
      minReputation: num(tasks, "min_reputation"),
      deadlineEpochs: num(tasks, "deadline"),
      proposalTtlSteps: present(scenario, "tasks") ? num(tasks, "proposal_ttl") : 0,
    },
    llm,
    criteria: { seeds: criteria.seeds, items: criteria.items },
    observe: criteria.observe,
    outputs: { eventLog: get(outputs, "event_log") as string | null, metricsCsv: get(outputs, "metrics_csv") as string | null },
    provenance: {
      sbxVersion: SBX_VERSION,
      sources: [...new Set([decl.module, ...criteria.sourceFiles])],
      criteria: criteria.ranges,
    },
  };
  // The schema is enforced where plans leave the compiler (written, run, sent to a worker), not on every keystroke.
  return plan;
}

// ---- population ----------------------------------------------------------------------

interface LoweredGroup {
  readonly name: string;
  readonly kind: string;
  readonly agentIds: string[];
  readonly symbol: SymbolDef | null;
}

function lowerPopulation(ctx: LowerContext, scenario: CBlock, decl: Decl): { agents: Agent[]; groups: LoweredGroup[]; refused?: true } {
  const population = child(scenario, "population");
  const agents: Agent[] = [];
  const groups: LoweredGroup[] = [];
  if (!population || population.blocks.length === 0) {
    ctx.diagnostics.push(diagnostic("SBX3005", { context: `scenario '${decl.name}'`, what: "a population with at least one agent, e.g. `population { honest = 3 }`" }, decl.module, decl.node.name!.span));
    return { agents, groups };
  }
  // Counted before any agent is made: a count typed one keystroke at a time must never exhaust memory.
  const total = population.blocks.reduce((sum, g) => sum + num(g, "count"), 0);
  const counted = population.blocks.every((g) => g.values.has("count"));
  const span = population.model.node?.type.span ?? decl.node.name!.span;
  if (total > LIMITS.agents) {
    ctx.diagnostics.push(diagnostic("SBX3016", { count: limitText(total), limit: limitText(LIMITS.agents) }, population.model.file, span));
    return { agents, groups, refused: true };
  }
  // Allowed (the sandbox runs such scenarios, and sweeps may vary a group down to 0), but never silent.
  if (total === 0 && counted) ctx.diagnostics.push(diagnostic("SBX3015", { scenario: decl.name }, population.model.file, span));
  const counters = new Map<string, number>();
  for (const group of population.blocks) {
    const kind = group.kind;
    const name = group.name ?? kind;
    const count = num(group, "count");
    const ids: string[] = [];
    const idPrefix = kind;
    for (let i = 0; i < count; i++) {
      const k = (counters.get(idPrefix) ?? 0) + 1;
      counters.set(idPrefix, k);
      const id = `${idPrefix}_${k}`;
      ids.push(id);
      const agent = lowerAgent(ctx, group, id, name);
      if (agent) agents.push(agent);
    }
    const nameSpan = group.model.node?.name?.span ?? group.model.node?.type.span ?? group.model.attrs.get("count")?.nameSpan ?? null;
    const symbol = nameSpan ? ctx.symbols.define({ kind: "group", name, file: group.model.file, nameSpan, span: group.model.node?.span ?? nameSpan, container: decl.name }) : null;
    groups.push({ name, kind, agentIds: ids, symbol });
  }
  return { agents, groups };
}

function lowerAgent(ctx: LowerContext, g: CBlock, id: string, group: string): Agent | null {
  switch (g.kind) {
    case "honest":
      return {
        id,
        kind: "honest",
        group,
        params: {
          acceptanceThreshold: num(g, "acceptance_threshold"),
          trustWeight: num(g, "trust_weight"),
          postProbability: num(g, "post_probability"),
          voteProbability: num(g, "vote_probability"),
          interactProbability: num(g, "interact_probability"),
        },
      };
    case "opportunistic":
      return {
        id,
        kind: "opportunistic",
        group,
        params: { riskTolerance: 0.6, postProbability: num(g, "post_probability"), voteProbability: num(g, "vote_probability"), freeRideProbability: num(g, "free_ride_probability") },
      } as Agent;
    case "deceptive":
      return {
        id,
        kind: "deceptive",
        group,
        params: {
          trustBuildingPhase: num(g, "trust_building_phase"),
          exploitationThreshold: num(g, "exploitation_threshold"),
          facadeProbability: num(g, "facade_probability"),
          postProbability: num(g, "post_probability"),
        },
      };
    case "adversarial":
      return {
        id,
        kind: "adversarial",
        group,
        params: { targetHonest: bool(g, "target_honest"), postProbability: num(g, "post_probability"), attackProbability: num(g, "attack_probability"), attackCooldown: num(g, "attack_cooldown") },
      };
    case "llm": {
      const persona = lowerPersona(ctx, g);
      if (!persona) return null;
      return {
        id,
        kind: "llm",
        group,
        params: {
          provider: str(g, "provider") as "anthropic" | "openai" | "ollama",
          model: str(g, "model"),
          persona,
          systemPrompt: get(g, "system_prompt") as string | null,
          temperature: num(g, "temperature"),
          maxTokens: num(g, "max_tokens"),
          timeoutSeconds: num(g, "timeout"),
          maxRetries: num(g, "max_retries"),
          fallback: str(g, "fallback") as "noop",
          costTracking: bool(g, "cost_tracking"),
        },
      };
    }
    default: {
      const policyDecl = g.model.policy;
      const policy = policyDecl ? ctx.checkedDecl(policyDecl) : null;
      if (!policyDecl || !policy) return null;
      const actions = sub(policy, "actions");
      const observables = lowerObservables(sub(policy, "observables"));
      return {
        id,
        kind: "stochastic",
        group,
        params: {
          policy: policyDecl.name,
          actions: {
            post: num(actions, "post"),
            reply: num(actions, "reply"),
            vote: num(actions, "vote"),
            propose: num(actions, "propose"),
            claimTask: num(actions, "claim_task"),
            noop: num(actions, "noop"),
          },
          acceptProbability: num(policy, "accept"),
          proposeType: str(policy, "propose_type") as "collaboration",
          target: str(policy, "target") as "random",
          upvoteProbability: num(policy, "upvote"),
          observables,
          transfer: num(policy, "transfer"),
        },
      };
    }
  }
}

export function lowerObservables(b: CBlock): { taskProgress: Distribution; rework: Distribution; rejections: Distribution; misuse: Distribution; engagement: Distribution } {
  const d = (name: string) => get(b, name) as Distribution;
  return { taskProgress: d("task_progress"), rework: d("rework"), rejections: d("rejections"), misuse: d("misuse"), engagement: d("engagement") };
}

function lowerPersona(ctx: LowerContext, g: CBlock): Persona | null {
  const name = str(g, "persona");
  const file = g.model.attrs.get("persona")?.file ?? g.model.file;
  const module = ctx.program.modules.get(file);
  const decl = module ? lookup(ctx.program, module, "persona", name) : undefined;
  const persona = decl ? ctx.checkedDecl(decl) : null;
  if (!persona) return null;
  const traits = child(persona, "traits");
  return {
    name,
    prompt: str(persona, "prompt"),
    traits: traits
      ? {
          openness: num(traits, "openness"),
          conscientiousness: num(traits, "conscientiousness"),
          extraversion: num(traits, "extraversion"),
          agreeableness: num(traits, "agreeableness"),
          neuroticism: num(traits, "neuroticism"),
        }
      : null,
  };
}

// ---- network, governance, llm --------------------------------------------------------------

function lowerNetwork(ctx: LowerContext, scenario: CBlock, agentIds: ReadonlySet<string>): Plan["network"] {
  if (!present(scenario, "network")) return null;
  const n = child(scenario, "network")!;
  const dynamic = child(n, "dynamic");
  const d = sub(n, "dynamic");
  const edges = get(n, "edges") as [string, string, number][];
  const edgesAttr = n.model.attrs.get("edges");
  for (const [a, b] of edges) {
    for (const id of [a, b]) {
      if (agentIds.has(id)) continue;
      const suggestion = closest(id, agentIds);
      ctx.diagnostics.push(diagnostic("SBX2006", { what: "agent", name: id, suggestion }, edgesAttr?.file ?? n.model.file, edgesAttr?.expr.span ?? n.model.node!.type.span));
    }
  }
  return {
    topology: str(n, "topology") as NonNullable<Plan["network"]>["topology"],
    edgeProbability: num(n, "edge_probability"),
    kNeighbors: num(n, "k_neighbors"),
    rewireProbability: num(n, "rewire_probability"),
    mEdges: num(n, "m_edges"),
    edges,
    dynamic: dynamic !== undefined && get(dynamic, "enabled") !== false,
    strengthenRate: num(d, "strengthen_rate"),
    decayRate: num(d, "decay_rate"),
    minEdgeWeight: num(d, "min_weight"),
    maxEdgeWeight: num(d, "max_weight"),
    disconnectBelowReputation: get(n, "disconnect_below_reputation") as number | null,
    exactPathLengthUpTo: num(n, "exact_path_length_up_to"),
    pathLengthSamples: num(n, "path_length_samples"),
  };
}

function lowerGovernance(scenario: CBlock): Plan["governance"] {
  const g = sub(scenario, "governance");
  const lever = (kind: string) => sub(g, kind);
  const on = (kind: string) => present(g, kind);
  const tax = lever("transaction_tax");
  const decay = lever("reputation_decay");
  const votes = lever("vote_normalization");
  const bandwidth = lever("bandwidth");
  const staking = lever("staking");
  const breaker = lever("circuit_breaker");
  const audit = lever("audit");
  const collusion = lever("collusion");
  return {
    transactionTax: { rate: on("transaction_tax") ? num(tax, "rate") : 0, split: num(tax, "split") },
    reputationDecay: { rate: on("reputation_decay") ? num(decay, "rate") : 1 },
    voteNormalization: { enabled: on("vote_normalization"), maxWeightPerAgent: num(votes, "max_weight") },
    bandwidth: { enabled: on("bandwidth"), cap: num(bandwidth, "cap") },
    staking: { enabled: on("staking"), minStake: num(staking, "min_stake"), slashRate: num(staking, "slash_rate") },
    circuitBreaker: {
      enabled: on("circuit_breaker"),
      toxicityThreshold: num(breaker, "toxicity"),
      violations: num(breaker, "violations"),
      freezeEpochs: num(breaker, "freeze"),
      window: num(breaker, "window"),
      violationDecay: num(breaker, "violation_decay"),
    },
    audit: { enabled: on("audit"), probability: num(audit, "probability"), penaltyMultiplier: num(audit, "penalty_multiplier"), thresholdP: num(audit, "threshold_p") },
    collusion: {
      enabled: on("collusion"),
      frequencyThreshold: num(collusion, "frequency_threshold"),
      correlationThreshold: num(collusion, "correlation_threshold"),
      minInteractions: num(collusion, "min_interactions"),
      scoreThreshold: num(collusion, "score_threshold"),
      penaltyMultiplier: num(collusion, "penalty_multiplier"),
      realtimePenalty: bool(collusion, "realtime_penalty"),
      realtimeRate: num(collusion, "realtime_rate"),
      clearHistoryOnEpoch: bool(collusion, "clear_history_on_epoch"),
    },
  };
}

function lowerLlm(ctx: LowerContext, scenario: CBlock, agents: readonly Agent[]): Plan["llm"] {
  const llm = sub(scenario, "llm");
  const concurrency = sub(llm, "concurrency");
  const prices = child(llm, "prices") ?? standardPrices(ctx);
  const table: Record<string, { inputPerMTok: number; outputPerMTok: number }> = {};
  for (const model of prices ? children(prices, "model") : []) {
    table[model.name!] = { inputPerMTok: num(model, "input"), outputPerMTok: num(model, "output") };
  }
  const budget = get(llm, "budget") as number | null;
  const warned = new Set<string>();
  for (const a of agents) {
    if (a.kind !== "llm" || a.params.provider === "ollama" || table[a.params.model] || warned.has(a.params.model)) continue;
    warned.add(a.params.model);
    const node = scenario.model.node;
    ctx.diagnostics.push(diagnostic("SBX3010", { model: a.params.model }, scenario.model.file, node?.name?.span ?? node?.type.span ?? { start: 0, end: 0 }));
  }
  return {
    budgetUsd: budget,
    prices: table,
    concurrency: { anthropic: num(concurrency, "anthropic"), openai: num(concurrency, "openai"), ollama: num(concurrency, "ollama") },
  };
}

function standardPrices(ctx: LowerContext): CBlock | null {
  const decl = ctx.program.prelude?.declarations.find((d) => d.kind === "prices" && d.name === "reference");
  return decl ? ctx.checkedDecl(decl) : null;
}

// ---- criteria --------------------------------------------------------------------------------

function lowerCriteria(
  ctx: LowerContext,
  scenario: CBlock,
  scope: SelectionScope,
): { seeds: number[]; items: Criterion[]; observe: Observed[]; ranges: Record<string, SourceRange>; sourceFiles: string[] } {
  const expect = child(scenario, "expect");
  const observe = new Map<string, Observed>();
  const items: Criterion[] = [];
  const ranges: Record<string, SourceRange> = {};
  const sourceFiles: string[] = [];
  if (!expect) return { seeds: [], items, observe: [], ranges, sourceFiles };
  const usedIds = new Set<string>();
  for (const statement of expect.model.statements) {
    if (statement.node.kind !== "Statement") continue;
    const node = statement.node;
    const text = textOf(ctx, statement.file);
    const checked = checkCriterion({ file: statement.file, text, diagnostics: ctx.diagnostics, scope, symbols: ctx.symbols, observe }, node);
    if (!checked) continue;
    // Printed canonically, so reformatting the file (`sbx fmt`) leaves the plan and its hash unchanged.
    const source = printExpression(node.expr, text);
    const label = node.label?.text ?? source;
    let id = node.label?.text ?? `c${items.length + 1}`;
    while (usedIds.has(id)) id = `${id}_`;
    usedIds.add(id);
    items.push({ id, label, expr: checked.expr, overSeeds: checked.overSeeds });
    ranges[id] = sourceRange(ctx, statement.file, node.span);
    sourceFiles.push(statement.file);
  }
  const sorted = [...observe.values()].sort((a, b) => (observedKey(a.metric, a.select) < observedKey(b.metric, b.select) ? -1 : 1));
  return { seeds: get(expect, "seeds") as number[], items, observe: sorted, ranges, sourceFiles };
}

function sourceRange(ctx: LowerContext, file: string, span: A.Span): SourceRange {
  const index = ctx.lineIndex(file);
  const start = index.lineColumn(span.start);
  const end = index.lineColumn(span.end);
  return { file, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

export type { Diagnostic };
