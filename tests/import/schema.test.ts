/**
 * The importer's schema against the sandbox's (docs/sandbox.md §10.1 and §13),
 * key by key, and the mapping table in docs/ against the importer's schema.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { CRITERIA, importYaml, mappingTable, YAML_KEYS } from "../../src/import/index.ts";
import { ROOT } from "./helpers.ts";

/** Every key §10.1 (and §13, §9.1, §8.1) names, written out from the spec as a checklist. */
const SPEC_KEYS = [
  "scenario_id", "description", "motif", "agents", "governance", "payoff", "rate_limits", "network", "simulation", "outputs", "success_criteria",
  "agents[].type", "agents[].count", "agents[].llm", "agents[].role", "agents[].config",
  "agents[].llm.provider", "agents[].llm.model", "agents[].llm.api_key", "agents[].llm.base_url", "agents[].llm.temperature", "agents[].llm.max_tokens",
  "agents[].llm.timeout", "agents[].llm.max_retries", "agents[].llm.persona", "agents[].llm.system_prompt", "agents[].llm.cost_tracking", "agents[].llm.retry_base_delay",
  "governance.transaction_tax_rate", "governance.transaction_tax", "governance.transaction_tax_split", "governance.reputation_decay_rate", "governance.reputation_decay",
  "governance.vote_normalization_enabled", "governance.max_vote_weight_per_agent", "governance.bandwidth_cap", "governance.staking_enabled",
  "governance.min_stake_to_participate", "governance.stake_slash_rate", "governance.circuit_breaker_enabled", "governance.freeze_threshold_toxicity",
  "governance.freeze_threshold_violations", "governance.freeze_duration_epochs", "governance.audit_enabled", "governance.audit_probability",
  "governance.audit_penalty_multiplier", "governance.audit_threshold_p",
  "governance.collusion_detection_enabled", "governance.collusion_frequency_threshold", "governance.collusion_correlation_threshold",
  "governance.collusion_min_interactions", "governance.collusion_score_threshold", "governance.collusion_penalty_multiplier",
  "governance.collusion_realtime_penalty", "governance.collusion_realtime_rate", "governance.collusion_clear_history_on_epoch",
  "payoff.s_plus", "payoff.s_minus", "payoff.h", "payoff.theta", "payoff.rho_a", "payoff.rho_b", "payoff.w_rep", "payoff.sigmoid_k",
  "rate_limits.posts_per_epoch", "rate_limits.interactions_per_step", "rate_limits.votes_per_epoch", "rate_limits.tasks_per_epoch",
  "network.enabled", "network.topology", "network.params", "network.params.edge_probability", "network.params.k", "network.params.k_neighbors",
  "network.params.p", "network.params.rewire_probability", "network.params.m", "network.params.m_edges", "network.edge_probability",
  "network.k_neighbors", "network.rewire_probability", "network.m_edges", "network.dynamic", "network.edge_strengthen_rate", "network.edge_decay_rate",
  "network.min_edge_weight", "network.max_edge_weight", "network.reputation_disconnect_threshold",
  "simulation.n_epochs", "simulation.steps_per_epoch", "simulation.seed",
  "outputs.event_log", "outputs.metrics_csv",
  "success_criteria.min_epochs", "success_criteria.min_agents", "success_criteria.toxicity_threshold", "success_criteria.max_toxicity",
  "success_criteria.min_welfare", "success_criteria.max_llm_cost_usd", "success_criteria.min_connected_components", "success_criteria.max_avg_path_length",
  "success_criteria.min_flagged_pairs", "success_criteria.max_ecosystem_collusion_risk", "success_criteria.min_penalty_total",
];

/** Keys §0.4 and §14 name as accepted but never applied, which must warn. */
const NEVER_APPLIED = [
  "governance.bandwidth_cap", "governance.vote_normalization_enabled", "governance.max_vote_weight_per_agent", "governance.stake_slash_rate",
  "network.reputation_disconnect_threshold", "payoff.sigmoid_k", "outputs.metrics_csv", "agents[].role", "agents[].config",
];

const TABLE_START = /<!-- mapping-table:begin[^>]*-->\n/;
const TABLE_END = "<!-- mapping-table:end -->";

describe("the importer's schema", () => {
  const paths = YAML_KEYS.map((k) => k.path);

  it("holds every key of the sandbox's schema, each once", () => {
    expect(paths.filter((p) => !SPEC_KEYS.includes(p) && p !== "agents[].roles")).toEqual([]);
    expect(SPEC_KEYS.filter((p) => !paths.includes(p))).toEqual([]);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("marks the keys the sandbox never applied", () => {
    for (const path of NEVER_APPLIED) expect(YAML_KEYS.find((k) => k.path === path)?.handling, path).toBe("inert");
    const unevaluated = CRITERIA.filter((c) => !c.evaluated).map((c) => `success_criteria.${c.key}`);
    expect(YAML_KEYS.filter((k) => k.handling === "criterion-unevaluated").map((k) => k.path)).toEqual(unevaluated);
  });

  it("accepts every key it lists, at its place", () => {
    // One YAML with every key (plain values are typical ones); no key may be refused.
    const yaml = stringify({
      scenario_id: "all", description: "d", motif: "m",
      agents: [
        { type: "llm", count: 1, role: "worker", roles: ["worker"], config: {},
          llm: { provider: "anthropic", model: "claude-sonnet-4-20250514", api_key: "k", base_url: "http://h", temperature: 0.5, max_tokens: 10, timeout: 5, max_retries: 1, persona: "open", system_prompt: "p", cost_tracking: true, retry_base_delay: 1 } },
      ],
      governance: Object.fromEntries(YAML_KEYS.filter((k) => k.path.startsWith("governance.")).map((k) => [k.path.slice(11), /enabled|realtime_penalty|clear_history/.test(k.path) ? true : /violations|epochs|min_interactions|bandwidth/.test(k.path) ? 2 : 0.5])),
      payoff: { s_plus: 1, s_minus: 1, h: 1, theta: 0.5, rho_a: 0, rho_b: 0, w_rep: 1, sigmoid_k: 2 },
      rate_limits: { posts_per_epoch: 1, interactions_per_step: 1, votes_per_epoch: 1, tasks_per_epoch: 1 },
      network: { enabled: true, topology: "small_world", params: { edge_probability: 0.5, k: 4, k_neighbors: 4, p: 0.1, rewire_probability: 0.1, m: 2, m_edges: 2 }, edge_probability: 0.5, k_neighbors: 4, rewire_probability: 0.1, m_edges: 2, dynamic: true, edge_strengthen_rate: 0.1, edge_decay_rate: 0.05, min_edge_weight: 0.1, max_edge_weight: 1, reputation_disconnect_threshold: -1 },
      simulation: { n_epochs: 1, steps_per_epoch: 1, seed: 1 },
      outputs: { event_log: "e", metrics_csv: "m" },
      success_criteria: Object.fromEntries(CRITERIA.map((c) => [c.key, 1])),
    });
    const result = importYaml(yaml, "all.yaml");
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
    expect(result.sbx).not.toBeNull();
  });

  it("is the table in docs/yaml-import.md", () => {
    const path = `${ROOT}/docs/yaml-import.md`;
    const doc = readFileSync(path, "utf8");
    const start = TABLE_START.exec(doc);
    const end = doc.indexOf(TABLE_END);
    expect(start && end > start.index).toBeTruthy();
    const from = start!.index + start![0].length;
    const expected = `${mappingTable()}\n`;
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(path, doc.slice(0, from) + expected + doc.slice(end));
    else expect(doc.slice(from, end)).toBe(expected);
    const written = readFileSync(path, "utf8");
    for (const key of SPEC_KEYS) expect(written).toContain(`| \`${key}\` |`);
  });
});
