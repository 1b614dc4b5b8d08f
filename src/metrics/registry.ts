/**
 * The metric registry: every metric a criterion, a report or a sweep can name.
 *
 * Definitions are plain data so the compiler, the language server and the
 * reference docs can read them without the engine. The engine computes each
 * one (src/engine/metrics) and a test keeps the two key sets equal.
 */

/** `series`: one value per epoch. `scalar`: one value per run. */
export type MetricShape = "series" | "scalar";
/** What a selection `metric[name]` filters: interactions by their initiator, or agents. */
export type MetricSelect = "initiator" | "agent" | "none";
/** `flow`: counted within the epoch. `stock`: a level observed at the end of the epoch. */
export type MetricFlow = "flow" | "stock";

export interface MetricDef {
  readonly name: string;
  readonly doc: string;
  readonly formula: string;
  readonly unit: string;
  readonly shape: MetricShape;
  readonly select: MetricSelect;
  readonly flow: MetricFlow;
  readonly category: "interactions" | "payoff" | "calibration" | "feed" | "agents" | "network" | "governance" | "collusion" | "llm" | "tasks" | "run";
  /** The value can be undefined (no labelled interactions, no network, ...). */
  readonly optional?: boolean;
}

const series = (
  category: MetricDef["category"],
  select: MetricSelect,
  flow: MetricFlow,
  name: string,
  unit: string,
  doc: string,
  formula: string,
  optional = false,
): MetricDef => ({ name, doc, formula, unit, shape: "series", select, flow, category, optional });

const I = "initiator" as const;
const A = "agent" as const;
const N = "none" as const;

export const METRICS: readonly MetricDef[] = [
  // Interaction quality (over the epoch's completed interactions, accepted and rejected).
  series("interactions", I, "flow", "interactions", "count", "Interactions completed this epoch, accepted or rejected.", "|xs|"),
  series("interactions", I, "flow", "accepted", "count", "Interactions accepted this epoch.", "|acc|"),
  series("interactions", I, "flow", "rejected", "count", "Interactions rejected this epoch.", "|xs| − |acc|"),
  series("interactions", I, "flow", "acceptance_rate", "ratio", "Share of completed interactions that were accepted (0 when none).", "|acc| / |xs|"),
  series("interactions", I, "flow", "toxicity", "probability", "Expected harm among accepted interactions: the soft toxicity rate (0 when none accepted).", "E[1 − p | accepted]"),
  series("interactions", I, "flow", "toxicity_all", "probability", "Expected harm over all completed interactions, accepted or not.", "E[1 − p]"),
  series("interactions", I, "flow", "hard_toxicity", "ratio", "Share of accepted interactions whose p is below 0.5.", "|{acc : p < 0.5}| / |acc|"),
  series("interactions", I, "flow", "quality_gap", "probability", "Selection effect: negative means adverse selection (0 when either group is empty).", "E[p | accepted] − E[p | rejected]"),
  series("interactions", I, "flow", "average_quality", "probability", "Mean p over all completed interactions.", "E[p]"),
  series("interactions", I, "flow", "spread", "payoff", "Price of selection: surplus scale times how far acceptance lowers quality.", "(s_plus + s_minus)·(E[p] − E[p | accepted])"),
  series("interactions", I, "flow", "uncertain_fraction", "ratio", "Share of interactions with p strictly within 0.5 ± 0.2.", "|{0.3 < p < 0.7}| / |xs|"),
  series("interactions", I, "flow", "high_quality_acceptance", "ratio", "Acceptance rate among interactions with p ≥ 0.5.", "|acc ∩ {p ≥ 0.5}| / |{p ≥ 0.5}|"),
  series("interactions", I, "flow", "low_quality_acceptance", "ratio", "Acceptance rate among interactions with p < 0.5.", "|acc ∩ {p < 0.5}| / |{p < 0.5}|"),
  series("interactions", N, "flow", "proposals_expired", "count", "Proposals withdrawn unanswered after the proposal TTL this epoch (profile sbx).", "|expired proposals|"),
  series("interactions", I, "flow", "quality_variance", "probability²", "Population variance of p over all completed interactions (0 for fewer than 2).", "Var[p]"),
  // Payoff and welfare.
  series("payoff", I, "flow", "welfare", "payoff", "Total welfare: the sum of both parties' payoffs over accepted interactions.", "Σ_acc (π_a + π_b)"),
  series("payoff", I, "flow", "social_surplus", "payoff", "Surplus net of expected harm over accepted interactions.", "Σ_acc (S_soft − E_soft)"),
  series("payoff", I, "flow", "avg_payoff", "payoff", "Mean initiator payoff over accepted interactions.", "E[π_a | accepted]"),
  series("payoff", I, "flow", "avg_counterparty_payoff", "payoff", "Mean counterparty payoff over accepted interactions.", "E[π_b | accepted]"),
  series("payoff", I, "flow", "conditional_loss_initiator", "payoff", "Selection effect on the initiator's payoff (negative under adverse selection).", "E[π_a | accepted] − E[π_a]"),
  series("payoff", I, "flow", "conditional_loss_counterparty", "payoff", "Selection effect on the counterparty's payoff.", "E[π_b | accepted] − E[π_b]"),
  series("payoff", I, "flow", "payoff_variance_initiator", "payoff²", "Population variance of π_a over all completed interactions.", "Var[π_a]"),
  series("payoff", I, "flow", "payoff_variance_counterparty", "payoff²", "Population variance of π_b over all completed interactions.", "Var[π_b]"),
  series("payoff", I, "flow", "governance_cost", "payoff", "Governance costs charged to both parties this epoch.", "Σ (c_a + c_b)"),
  series("payoff", I, "flow", "transfers", "payoff", "Total absolute transfer offered in completed interactions.", "Σ |τ|"),
  // Calibration: only interactions with a ground-truth label count.
  series("calibration", I, "flow", "brier", "probability²", "Brier score over labelled interactions.", "E[(p − v)²], v = (gt + 1)/2", true),
  series("calibration", I, "flow", "log_loss", "nats", "Log loss over labelled interactions, p clamped to [1e-15, 1 − 1e-15].", "−E[v·ln p + (1 − v)·ln(1 − p)]", true),
  series("calibration", I, "flow", "calibration_error", "probability", "Mean predicted p minus the observed share of positives.", "E[p] − P(gt = +1)", true),
  series("calibration", I, "flow", "ece", "probability", "Expected calibration error over 10 equal-width bins.", "Σ_bins (n_b/n)·|E_b[p] − P_b(gt = +1)|", true),
  series("calibration", I, "flow", "auc", "probability", "Discrimination AUC of p between positive and negative labels.", "(concordant + ties/2) / (n_pos·n_neg)", true),
  // Feed.
  series("feed", N, "flow", "posts", "count", "Posts and replies created this epoch.", "|new posts|"),
  series("feed", N, "flow", "votes", "count", "Votes cast this epoch.", "|new votes|"),
  series("feed", N, "stock", "total_posts", "count", "Posts and replies since the run started (in profile swarm-0.1, 0 in epochs without interactions, as the reference reports).", "|posts|"),
  series("feed", N, "stock", "total_votes", "count", "Distinct (voter, post) votes since the run started (same swarm-0.1 quirk as total_posts).", "|votes|"),
  // Agents (levels at the end of each epoch).
  series("agents", A, "stock", "payoff", "payoff", "Total payoff accumulated by the selected agents.", "Σ_agents total_payoff"),
  series("agents", A, "stock", "mean_payoff", "payoff", "Mean accumulated payoff per selected agent.", "mean_agents total_payoff"),
  series("agents", A, "stock", "reputation", "reputation", "Mean reputation of the selected agents.", "mean_agents reputation"),
  series("agents", A, "stock", "resources", "resources", "Total resources held by the selected agents.", "Σ_agents resources"),
  series("agents", A, "stock", "frozen", "count", "Selected agents frozen at the end of the epoch.", "|{agents : frozen}|"),
  series("agents", N, "stock", "exploiting", "count", "Agents in an exploitation phase: deceptive agents that have turned on at least one partner (profile sbx; never reached in swarm-0.1).", "|{agents : exploiting}|"),
  // Network.
  series("network", N, "stock", "network.edges", "count", "Undirected edges in the network.", "Σ degree / 2", true),
  series("network", N, "stock", "network.avg_degree", "count", "Mean number of neighbours per agent.", "Σ degree / n", true),
  series("network", N, "stock", "network.avg_clustering", "ratio", "Mean local clustering coefficient.", "mean_i links(N(i)) / C(deg i, 2)", true),
  series("network", N, "stock", "network.avg_path_length", "hops", "Mean shortest-path length over reachable pairs.", "mean_{i<j reachable} d(i, j)", true),
  series("network", N, "stock", "network.connected", "bool", "1 when every agent can reach every other, else 0.", "[components = 1]", true),
  series("network", N, "stock", "network.components", "count", "Connected components.", "|components|", true),
  series("network", N, "stock", "network.density", "ratio", "Edges over possible edges.", "edges / C(n, 2)", true),
  series("network", N, "flow", "network.pruned", "count", "Edges pruned by decay at the end of the epoch.", "|{e : w·(1 − decay) < min_weight}|", true),
  // Governance.
  series("governance", N, "flow", "governance.audits", "count", "Interactions audited this epoch.", "|audited|"),
  series("governance", N, "flow", "governance.audit_penalty", "payoff", "Audit penalties charged this epoch.", "Σ (threshold − p)·multiplier"),
  series("governance", N, "flow", "governance.tax", "payoff", "Transaction tax charged this epoch.", "Σ rate·|τ|"),
  series("governance", N, "flow", "governance.freezes", "count", "Circuit-breaker freezes triggered this epoch.", "|freeze events|"),
  series("governance", N, "flow", "governance.blocked", "count", "Agent turns refused by staking this epoch.", "|refused turns|"),
  series("governance", N, "flow", "governance.slashed", "resources", "Stake slashed this epoch (profile sbx: on circuit-breaker violations and failed audits).", "Σ resources·slash_rate"),
  series("governance", N, "flow", "governance.capped", "count", "Accepted interactions refused by the bandwidth cap this epoch (profile sbx).", "|{acc : a party at its cap}|"),
  series("governance", N, "stock", "governance.pool", "resources", "The public pool: taxes, audit penalties, collusion charges and slashed stakes collected since the run started (profile sbx; always 0 in swarm-0.1, which collects nothing).", "Σ charges"),
  // Collusion detection.
  series("collusion", N, "stock", "collusion.flagged_pairs", "count", "Agent pairs flagged by the last collusion analysis.", "|{pairs : score ≥ threshold}|"),
  series("collusion", N, "stock", "collusion.ecosystem_risk", "ratio", "Ecosystem collusion risk from the last analysis.", "min(1, .3·flagged/C(n,2) + .3·grouped/n + .4·max group score)"),
  series("collusion", N, "flow", "collusion.penalty", "payoff", "Collusion penalties (reputation and real-time costs) applied this epoch.", "Σ risk·multiplier + Σ realtime cost"),
  // LLM agents.
  series("llm", N, "flow", "llm.requests", "count", "Model calls made this epoch.", "|calls|"),
  series("llm", N, "flow", "llm.failures", "count", "Model calls that failed or returned an unusable answer this epoch.", "|failed calls|"),
  series("llm", N, "flow", "llm.fallbacks", "count", "Decisions taken by the fallback instead of the model this epoch.", "|fallbacks|"),
  series("llm", N, "flow", "llm.tokens_in", "tokens", "Prompt tokens sent this epoch.", "Σ input tokens"),
  series("llm", N, "flow", "llm.tokens_out", "tokens", "Completion tokens received this epoch.", "Σ output tokens"),
  series("llm", N, "flow", "llm.cost_usd", "USD", "Model cost this epoch at the scenario's prices.", "Σ in/1e6·price_in + out/1e6·price_out"),
  // Tasks.
  series("tasks", N, "flow", "tasks.created", "count", "Tasks posted this epoch.", "|new tasks|"),
  series("tasks", N, "flow", "tasks.completed", "count", "Tasks verified and paid this epoch.", "|completed tasks|"),
  series("tasks", N, "flow", "tasks.bounty_paid", "resources", "Bounties paid this epoch.", "Σ bounty"),
  // Run-level scalars.
  { name: "epochs_completed", doc: "Epochs the run completed.", formula: "|epochs|", unit: "count", shape: "scalar", select: "none", flow: "stock", category: "run" },
  { name: "agents", doc: "Agents in the selection (all agents when unselected).", formula: "|agents|", unit: "count", shape: "scalar", select: "agent", flow: "stock", category: "run" },
];

export const METRIC_BY_NAME: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((m) => [m.name, m]));

export function metricDef(name: string): MetricDef | undefined {
  return METRIC_BY_NAME.get(name);
}

/** The key under which the engine records a selected metric, e.g. `payoff[kind:adversarial]`. */
export function observedKey(metric: string, select: { by: string; name: string }): string {
  return `${metric}[${select.by}:${select.name}]`;
}
