/**
 * The sandbox's scenario YAML schema (swarm-0.1.md §10.1, §13), key by key,
 * with the .sbx construct each key becomes. It is plain data: the importer
 * reads it to tell known keys from unknown ones (and to suggest the nearest),
 * and the mapping table in docs/ is rendered from it.
 */

/** How the sandbox treated a key, and so how `sbx import` reports it. */
export type Handling =
  /** Read and applied by the sandbox; carried over exactly. */
  | "applied"
  /** A section (mapping or list) holding further keys. */
  | "section"
  /** A legacy alias or a lower-precedence spelling: applied only when the preferred key is absent. */
  | "alias"
  /** Accepted but never applied by the sandbox (SBX5005); sbx gives it a meaning, said in `note`. */
  | "inert"
  /** Read by the sandbox but with no place in a .sbx file (SBX5008); `note` says why. */
  | "not-carried"
  /** A success criterion the sandbox's runner evaluated. */
  | "criterion"
  /** A success criterion the sandbox stored but never evaluated (SBX5005); sbx evaluates it. */
  | "criterion-unevaluated";

export interface YamlKey {
  /** Dotted path; `agents[]` stands for every list item. */
  readonly path: string;
  /** The sandbox's default, as text for the docs. */
  readonly default: string;
  /** The .sbx construct the key becomes. */
  readonly sbx: string;
  readonly handling: Handling;
  readonly note?: string;
}

const k = (path: string, def: string, sbx: string, handling: Handling = "applied", note?: string): YamlKey => ({ path, default: def, sbx, handling, ...(note ? { note } : {}) });

export const YAML_KEYS: readonly YamlKey[] = [
  // ---- top level ---------------------------------------------------------------------------
  k("scenario_id", '"unnamed"', "`scenario NAME { … }` (quoted when not a plain name)"),
  k("description", '""', "`description`"),
  k("motif", '""', "`motif`"),
  k("agents", "[]", "`population { … }`", "section"),
  k("governance", "{}", "`governance { … }` (one lever block per lever that acts or keeps non-default values)", "section"),
  k("payoff", "{}", "`payoff { … }`", "section"),
  k("rate_limits", "{}", "`rate_limits { … }`", "section"),
  k("network", "{} (no network)", "`network { … }`; absent, empty or `enabled: false` → no network block", "section"),
  k("simulation", "{}", "`seed`, `epochs`, `steps` of the scenario", "section"),
  k("outputs", "{}", "`outputs { … }`", "section"),
  k("success_criteria", "{}", "`expect { … }`, one labelled criterion per key", "section"),

  // ---- agents[i] -------------------------------------------------------------------------------
  k("agents[].type", '"honest"', "the group's kind: `honest`, `opportunistic`, `deceptive`, `adversarial`, `llm`"),
  k("agents[].count", "1", "`kind = N`, or `count = N` in a group block"),
  k("agents[].llm", "{}", "the settings of an `llm` group (ignored for scripted kinds, as the sandbox did)", "section"),
  k("agents[].role", "—", "dropped", "inert", "roles were never wired into any agent; sbx has none"),
  k("agents[].roles", "—", "dropped", "inert", "roles were never wired into any agent; sbx has none"),
  k("agents[].config", "—", "dropped", "inert", "scripted agents always got default parameters; set them on the group in .sbx instead"),

  // ---- agents[i].llm (§9.1) ------------------------------------------------------------------------
  k("agents[].llm.provider", "anthropic", "`provider` (lower-cased)"),
  k("agents[].llm.model", '"claude-sonnet-4-20250514"', "`model`"),
  k("agents[].llm.api_key", "none", "not carried over", "not-carried", "sbx never stores API keys in scenarios; it reads ANTHROPIC_API_KEY / OPENAI_API_KEY from the environment"),
  k("agents[].llm.base_url", "none", "not carried over", "not-carried", "sbx has no per-agent endpoint setting"),
  k("agents[].llm.temperature", "0.7", "`temperature`"),
  k("agents[].llm.max_tokens", "512", "`max_tokens`"),
  k("agents[].llm.timeout", "30.0", "`timeout = N seconds`"),
  k("agents[].llm.max_retries", "3", "`max_retries`"),
  k("agents[].llm.persona", "open", "`persona` (lower-cased; the prelude's personas), and the group's name when several llm groups exist"),
  k("agents[].llm.system_prompt", "none", "`system_prompt`"),
  k("agents[].llm.cost_tracking", "true", "`cost_tracking`"),
  k("agents[].llm.retry_base_delay", "1.0", "dropped", "inert", "the loader never read it (the delay stayed 1.0)"),

  // ---- governance (§8.1, §13) -------------------------------------------------------------------------
  k("governance.transaction_tax_rate", "0.0", "`transaction_tax { rate }`"),
  k("governance.transaction_tax", "—", "`transaction_tax { rate }`", "alias", "legacy alias of transaction_tax_rate, which wins when both are given"),
  k("governance.transaction_tax_split", "0.5", "`transaction_tax { split }`"),
  k("governance.reputation_decay_rate", "1.0", "`reputation_decay { rate }`"),
  k("governance.reputation_decay", "—", "`reputation_decay { rate }`", "alias", "legacy alias of reputation_decay_rate, which wins when both are given"),
  k("governance.vote_normalization_enabled", "false", "`vote_normalization { }` (present) or `enabled = false`", "inert", "vote weights act in profile sbx; swarm-0.1 keeps them inert"),
  k("governance.max_vote_weight_per_agent", "10.0", "`vote_normalization { max_weight }`", "inert", "vote weights act in profile sbx; swarm-0.1 keeps them inert"),
  k("governance.bandwidth_cap", "10", "`bandwidth { cap }`", "inert", "the cap acts in profile sbx; swarm-0.1 keeps it inert"),
  k("governance.staking_enabled", "false", "`staking { }` (present) or `enabled = false`"),
  k("governance.min_stake_to_participate", "0.0", "`staking { min_stake }`"),
  k("governance.stake_slash_rate", "0.1", "`staking { slash_rate }`", "inert", "slashing acts in profile sbx; swarm-0.1 never slashes"),
  k("governance.circuit_breaker_enabled", "false", "`circuit_breaker { }` (present) or `enabled = false`"),
  k("governance.freeze_threshold_toxicity", "0.7", "`circuit_breaker { toxicity }`"),
  k("governance.freeze_threshold_violations", "3", "`circuit_breaker { violations }`"),
  k("governance.freeze_duration_epochs", "2", "`circuit_breaker { freeze = N epochs }`"),
  k("governance.audit_enabled", "false", "`audit { }` (present) or `enabled = false`"),
  k("governance.audit_probability", "0.1", "`audit { probability }`"),
  k("governance.audit_penalty_multiplier", "2.0", "`audit { penalty_multiplier }`"),
  k("governance.audit_threshold_p", "0.5", "`audit { threshold_p }`"),
  k("governance.collusion_detection_enabled", "false", "`collusion { }` (present) or `enabled = false`"),
  k("governance.collusion_frequency_threshold", "2.0", "`collusion { frequency_threshold }`"),
  k("governance.collusion_correlation_threshold", "0.7", "`collusion { correlation_threshold }`"),
  k("governance.collusion_min_interactions", "3", "`collusion { min_interactions }`"),
  k("governance.collusion_score_threshold", "0.5", "`collusion { score_threshold }`"),
  k("governance.collusion_penalty_multiplier", "1.0", "`collusion { penalty_multiplier }`"),
  k("governance.collusion_realtime_penalty", "false", "`collusion { realtime_penalty }`"),
  k("governance.collusion_realtime_rate", "0.1", "`collusion { realtime_rate }`"),
  k("governance.collusion_clear_history_on_epoch", "false", "`collusion { clear_history_on_epoch }`"),

  // ---- payoff (§3.1) -------------------------------------------------------------------------------------
  k("payoff.s_plus", "2.0", "`payoff { s_plus }`"),
  k("payoff.s_minus", "1.0", "`payoff { s_minus }`"),
  k("payoff.h", "2.0", "`payoff { harm }`"),
  k("payoff.theta", "0.5", "`payoff { theta }`"),
  k("payoff.rho_a", "0.0", "`payoff { rho_a }`"),
  k("payoff.rho_b", "0.0", "`payoff { rho_b }`"),
  k("payoff.w_rep", "1.0", "`payoff { w_rep }`"),
  k("payoff.sigmoid_k", "2.0", "`proxy { sigmoid_k }`", "inert", "the loader never read it; the proxy's k acts in profile sbx, swarm-0.1 keeps the default proxy"),

  // ---- rate_limits (§6.1) -------------------------------------------------------------------------------
  k("rate_limits.posts_per_epoch", "10", "`rate_limits { posts_per_epoch }`"),
  k("rate_limits.interactions_per_step", "5", "`rate_limits { interactions_per_step }`"),
  k("rate_limits.votes_per_epoch", "50", "`rate_limits { votes_per_epoch }`"),
  k("rate_limits.tasks_per_epoch", "3", "`rate_limits { tasks_per_epoch }`"),

  // ---- network (§6.4) ------------------------------------------------------------------------------------
  k("network.enabled", "true when the section is non-empty", "`false` → no network block"),
  k("network.topology", "complete", "`network { topology }` (lower-cased)"),
  k("network.params", "{}", "the topology's parameters; they take precedence over the top-level spellings", "section"),
  k("network.params.edge_probability", "—", "`network { edge_probability }`"),
  k("network.params.k", "—", "`network { k_neighbors }`"),
  k("network.params.k_neighbors", "—", "`network { k_neighbors }`", "alias", "used when params.k is absent"),
  k("network.params.p", "—", "`network { rewire_probability }`"),
  k("network.params.rewire_probability", "—", "`network { rewire_probability }`", "alias", "used when params.p is absent"),
  k("network.params.m", "—", "`network { m_edges }`"),
  k("network.params.m_edges", "—", "`network { m_edges }`", "alias", "used when params.m is absent"),
  k("network.edge_probability", "0.5", "`network { edge_probability }`", "alias", "used when params.edge_probability is absent"),
  k("network.k_neighbors", "4", "`network { k_neighbors }`", "alias", "used when params.k and params.k_neighbors are absent"),
  k("network.rewire_probability", "0.1", "`network { rewire_probability }`", "alias", "used when params.p and params.rewire_probability are absent"),
  k("network.m_edges", "2", "`network { m_edges }`", "alias", "used when params.m and params.m_edges are absent"),
  k("network.dynamic", "false", "`network { dynamic { … } }` (present) or `enabled = false`"),
  k("network.edge_strengthen_rate", "0.1", "`dynamic { strengthen_rate }`"),
  k("network.edge_decay_rate", "0.05", "`dynamic { decay_rate }`"),
  k("network.min_edge_weight", "0.1", "`dynamic { min_weight }`"),
  k("network.max_edge_weight", "1.0", "`dynamic { max_weight }`"),
  k("network.reputation_disconnect_threshold", "none", "`network { disconnect_below_reputation }`", "inert", "disconnection acts in profile sbx; swarm-0.1 never disconnects anyone"),

  // ---- simulation (§7.1) ---------------------------------------------------------------------------------
  k("simulation.n_epochs", "10", "`epochs`"),
  k("simulation.steps_per_epoch", "10", "`steps`"),
  k("simulation.seed", "none (unseeded)", "`seed` (sbx runs are always seeded: 42 when absent)"),

  // ---- outputs -------------------------------------------------------------------------------------------
  k("outputs.event_log", "none", "`outputs { event_log }`"),
  k("outputs.metrics_csv", "none", "`outputs { metrics_csv }`", "inert", "the sandbox never wrote it; sbx writes the per-epoch metrics there"),

  // ---- success_criteria (§10.1, §13) ---------------------------------------------------------------------------
  k("success_criteria.min_epochs", "—", "`min_epochs: epochs_completed >= v`", "criterion"),
  k("success_criteria.min_agents", "—", "`min_agents: agents >= v`", "criterion"),
  k("success_criteria.toxicity_threshold", "—", "`toxicity_threshold: mean(toxicity) <= v`", "criterion"),
  k("success_criteria.max_toxicity", "—", "`max_toxicity: max(toxicity) <= v`", "criterion-unevaluated"),
  k("success_criteria.min_welfare", "—", "`min_welfare: mean(welfare) >= v`", "criterion-unevaluated"),
  k("success_criteria.max_llm_cost_usd", "—", "`max_llm_cost_usd: sum(llm.cost_usd) <= v`", "criterion-unevaluated"),
  k("success_criteria.min_connected_components", "—", "`min_connected_components: min(network.components) >= v`", "criterion-unevaluated"),
  k("success_criteria.max_avg_path_length", "—", "`max_avg_path_length: max(network.avg_path_length) <= v`", "criterion-unevaluated"),
  k("success_criteria.min_flagged_pairs", "—", "`min_flagged_pairs: max(collusion.flagged_pairs) >= v`", "criterion-unevaluated"),
  k("success_criteria.max_ecosystem_collusion_risk", "—", "`max_ecosystem_collusion_risk: max(collusion.ecosystem_risk) <= v`", "criterion-unevaluated"),
  k("success_criteria.min_penalty_total", "—", "`min_penalty_total: sum(collusion.penalty) >= v`", "criterion-unevaluated"),
];

/** The criterion each success_criteria key becomes: `aggregate(metric) cmp v`. */
export interface CriterionMapping {
  readonly key: string;
  /** The left-hand side, as .sbx source. */
  readonly lhs: string;
  readonly cmp: ">=" | "<=";
  /** Whether the sandbox's runner evaluated it. */
  readonly evaluated: boolean;
}

const crit = (key: string, lhs: string, cmp: ">=" | "<=", evaluated: boolean): CriterionMapping => ({ key, lhs, cmp, evaluated });

export const CRITERIA: readonly CriterionMapping[] = [
  crit("min_epochs", "epochs_completed", ">=", true),
  crit("min_agents", "agents", ">=", true),
  crit("toxicity_threshold", "mean(toxicity)", "<=", true),
  crit("max_toxicity", "max(toxicity)", "<=", false),
  crit("min_welfare", "mean(welfare)", ">=", false),
  crit("max_llm_cost_usd", "sum(llm.cost_usd)", "<=", false),
  crit("min_connected_components", "min(network.components)", ">=", false),
  crit("max_avg_path_length", "max(network.avg_path_length)", "<=", false),
  crit("min_flagged_pairs", "max(collusion.flagged_pairs)", ">=", false),
  crit("max_ecosystem_collusion_risk", "max(collusion.ecosystem_risk)", "<=", false),
  crit("min_penalty_total", "sum(collusion.penalty)", ">=", false),
];

/** The keys valid directly under `level` ("" for the top level, "agents[]", "governance", …). */
export function keysAt(level: string): string[] {
  const prefix = level === "" ? "" : `${level}.`;
  return YAML_KEYS.filter((key) => key.path.startsWith(prefix) && !key.path.slice(prefix.length).includes(".")).map((key) => key.path.slice(prefix.length));
}

export function yamlKey(path: string): YamlKey | undefined {
  return YAML_KEYS.find((key) => key.path === path);
}
