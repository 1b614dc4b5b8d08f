/** How each part of the sandbox's schema maps to .sbx, checked through the compiled plan. */
import { describe, expect, it } from "vitest";
import { groupNames, importAndVerify, importYaml, numberText, stringText, type CheckedImport, type VerifyOptions } from "../../src/import/index.ts";
import { memoryHost } from "../../src/compiler/host.ts";
import { LineIndex } from "../../src/text/line-index.ts";
import { host, ROOT } from "./helpers.ts";

/** Never read from disk: the importer takes text, and the compiler sees the output in memory. */
const FILE = `${ROOT}/tests/import/in-memory/case.yaml`;
const AGENTS = "agents:\n  - type: honest\n    count: 2\n";

function run(yaml: string, options: VerifyOptions = {}): CheckedImport {
  return importAndVerify(yaml, FILE, host, options);
}

const codes = (r: { diagnostics: readonly { code: string }[] }): string[] => r.diagnostics.map((d) => d.code);
const at = (yaml: string, offset: number): string => {
  const { line, column } = new LineIndex(yaml).lineColumn(offset);
  return `${line}:${column}`;
};

describe("numbers and strings", () => {
  it("keeps the YAML's spelling of a number when it is valid .sbx", () => {
    expect(numberText(2, "2.0")).toBe("2.0");
    expect(numberText(-2, "-2.0")).toBe("-2.0");
    expect(numberText(1000, "1_000")).toBe("1000");
    expect(numberText(0.5, ".5")).toBe("0.5");
    expect(numberText(1e21, "1e21")).toBe("1e21");
    expect(numberText(16, "0x10")).toBe("16");
  });

  it("writes rates as exact percentages, or as decimals when a percentage would not be exact", () => {
    expect(numberText(0.05, "0.05", true)).toBe("5%");
    expect(numberText(0.15, "0.15", true)).toBe("15%");
    expect(numberText(0.125, "0.125", true)).toBe("12.5%");
    expect(numberText(1e-9, "1e-9", true)).toBe("1e-9");
    for (const v of [0.07, 0.29, 0.57, 0.1 + 0.2, 1 / 3]) {
      const text = numberText(v, String(v), true);
      expect(text.endsWith("%") ? Number(text.slice(0, -1)) / 100 : Number(text)).toBe(v);
    }
  });

  it("escapes strings so they read back the same", () => {
    expect(stringText('say "hi"\n\tback\\slash')).toBe('"say \\"hi\\"\\n\\tback\\\\slash"');
    expect(stringText("bell\u0007")).toBe('"bell\\u{7}"');
  });
});

describe("population", () => {
  it("names groups by kind, repeated LLM groups by persona, other repeats with a suffix", () => {
    expect(groupNames([{ kind: "honest", persona: "open" }, { kind: "llm", persona: "open" }])).toEqual(["honest", "llm"]);
    expect(
      groupNames([
        { kind: "llm", persona: "open" },
        { kind: "llm", persona: "strategic" },
        { kind: "llm", persona: "open" },
        { kind: "llm", persona: "honest" },
        { kind: "honest", persona: "open" },
        { kind: "honest", persona: "open" },
      ]),
    ).toEqual(["open", "strategic", "open2", "llm_honest", "honest", "honest2"]);
  });

  it("keeps the reference's ids: a counter per type across the whole list", () => {
    const r = run("agents:\n  - type: honest\n  - type: deceptive\n    count: 2\n  - type: honest\n    count: 2\n");
    expect(r.plan?.agents.map((a) => a.id)).toEqual(["honest_1", "deceptive_1", "deceptive_2", "honest_2", "honest_3"]);
    expect(r.plan?.groups.map((g) => g.name)).toEqual(["honest", "deceptive", "honest2"]);
  });

  it("reads llm settings, lower-casing provider and persona as the loader did", () => {
    const r = run("agents:\n  - type: llm\n    llm:\n      provider: OpenAI\n      model: gpt-4o\n      persona: Strategic\n      timeout: 20\n      max_retries: 1\n      system_prompt: |\n        Line one\n        Line two\n");
    expect(codes(r)).toEqual([]);
    const agent = r.plan?.agents[0];
    expect(agent?.kind === "llm" && agent.params).toMatchObject({ provider: "openai", model: "gpt-4o", timeoutSeconds: 20, maxRetries: 1, systemPrompt: "Line one\nLine two\n" });
    expect(agent?.kind === "llm" && agent.params.persona.name).toBe("strategic");
  });

  it("carries no API key or endpoint over, and says so", () => {
    const yaml = "agents:\n  - type: llm\n    llm:\n      api_key: sk-secret\n      base_url: http://proxy:8080\n      retry_base_delay: 2.0\n";
    const r = run(yaml);
    expect(codes(r)).toEqual(["SBX5008", "SBX5008", "SBX5005"]);
    expect(r.sbx).not.toContain("sk-secret");
    expect(r.diagnostics[0]!.message).toContain("ANTHROPIC_API_KEY");
  });

  it("drops what scripted agents never read, with a warning", () => {
    const r = run("agents:\n  - type: honest\n    role: verifier\n    config: {acceptance_threshold: 0.9}\n    llm: {model: gpt-4o}\n");
    expect(codes(r)).toEqual(["SBX5005", "SBX5005", "SBX5005"]);
    expect(r.plan?.agents[0]).toMatchObject({ kind: "honest", params: { acceptanceThreshold: 0.4 } });
  });

  it("refuses an empty population and unknown agent types", () => {
    expect(codes(run("scenario_id: x\n"))).toEqual(["SBX3005"]);
    expect(codes(run("agents: []\n"))).toEqual(["SBX3005"]);
    const r = run("agents:\n  - type: Honest\n");
    expect(codes(r)).toEqual(["SBX2013"]);
    expect(r.diagnostics[0]!.message).toContain("did you mean 'honest'");
  });
});

describe("governance", () => {
  it("lets the canonical key win over its legacy alias, and warns about the alias", () => {
    const yaml = `${AGENTS}governance:\n  transaction_tax: 0.2\n  transaction_tax_rate: 0.1\n  reputation_decay: 0.9\n`;
    const r = run(yaml);
    expect(r.plan?.governance.transactionTax.rate).toBe(0.1);
    expect(r.plan?.governance.reputationDecay.rate).toBe(0.9);
    expect(codes(r)).toEqual(["SBX5005"]);
    expect(at(yaml, r.diagnostics[0]!.span!.start)).toBe("5:3");
  });

  it("writes a switched-off lever only to keep values that differ from the defaults", () => {
    const r = run(`${AGENTS}governance:\n  circuit_breaker_enabled: false\n  freeze_threshold_toxicity: 0.5\n  freeze_threshold_violations: 3\n  audit_enabled: false\n  audit_probability: 0.1\n`);
    expect(r.sbx).toMatch(/circuit_breaker \{ enabled = false {3}toxicity = 0\.5 \}/);
    expect(r.sbx).not.toContain("audit");
    expect(r.plan?.governance.circuitBreaker).toMatchObject({ enabled: false, toxicityThreshold: 0.5, violations: 3 });
  });

  it("turns the bandwidth lever on wherever the YAML names a cap, and keeps it inert in swarm-0.1", () => {
    const r = run(`${AGENTS}governance:\n  bandwidth_cap: 10\n`);
    expect(r.plan?.governance.bandwidth).toEqual({ enabled: true, cap: 10 });
    expect(r.diagnostics[0]!.message).toContain("inert in this file's profile swarm-0.1");
    const sbx = run(`${AGENTS}governance:\n  bandwidth_cap: 10\n`, { profile: "sbx" });
    expect(sbx.plan?.profile).toBe("sbx");
    expect(sbx.diagnostics[0]!.message).toContain("sbx applies it as governance.bandwidth.cap in profile sbx");
  });

  it("maps the collusion keys of the next commit", () => {
    const r = run(`${AGENTS}governance:\n  collusion_detection_enabled: true\n  collusion_frequency_threshold: 1.5\n  collusion_min_interactions: 4\n  collusion_clear_history_on_epoch: true\n`);
    expect(codes(r)).toEqual([]);
    expect(r.plan?.governance.collusion).toMatchObject({ enabled: true, frequencyThreshold: 1.5, minInteractions: 4, clearHistoryOnEpoch: true });
  });

  it("checks values against the sandbox's validation, at the YAML value", () => {
    const yaml = `${AGENTS}governance:\n  audit_probability: 1.5\n  freeze_threshold_violations: 0\n  staking_enabled: "yes"\n  freeze_duration_epochs: 2.5\n`;
    const r = run(yaml);
    expect(r.sbx).toBeNull();
    expect(r.diagnostics.map((d) => `${d.code}@${at(yaml, d.span!.start)}`)).toEqual(["SBX3001@5:22", "SBX3001@6:32", "SBX2101@7:20", "SBX2103@8:27"]);
  });

  it("moves the compiler's advice to the YAML key it is about", () => {
    const yaml = `${AGENTS}governance:\n  reputation_decay_rate: 0.5\n`;
    const r = run(yaml);
    expect(codes(r)).toEqual(["SBX3002"]);
    expect(at(yaml, r.diagnostics[0]!.span!.start)).toBe("5:3");
    expect(r.sbx).not.toBeNull();
  });
});

describe("network", () => {
  it("applies the loader's precedence: params.k, params.k_neighbors, then k_neighbors", () => {
    const yaml = `${AGENTS}network:\n  topology: Small_World\n  k_neighbors: 6\n  rewire_probability: 0.3\n  params:\n    k_neighbors: 8\n    k: 2\n`;
    const r = run(yaml);
    expect(r.plan?.network).toMatchObject({ topology: "small_world", kNeighbors: 2, rewireProbability: 0.3 });
    // Two agents with k = 2: the small world is a complete graph, and the compiler says so (SBX3021).
    expect(codes(r).filter((c) => c === "SBX3021")).toHaveLength(1);
    const own = r.diagnostics.filter((d) => d.code !== "SBX3021");
    expect(own.map((d) => d.message.match(/'([^']+)'/)![1])).toEqual(["network.k_neighbors", "network.params.k_neighbors"]);
  });

  it("has no network when the section is empty or switched off, and keeps static edges' rates", () => {
    expect(run(`${AGENTS}network: {}\n`).plan?.network).toBeNull();
    expect(run(`${AGENTS}network:\n  enabled: false\n  topology: ring\n`).plan?.network).toBeNull();
    const r = run(`${AGENTS}network:\n  topology: ring\n  dynamic: false\n  edge_decay_rate: 0.2\n  min_edge_weight: 0.1\n`);
    expect(r.plan?.network).toMatchObject({ topology: "ring", dynamic: false, decayRate: 0.2, minEdgeWeight: 0.1 });
    expect(r.sbx).toMatch(/dynamic \{ enabled = false {3}decay_rate = 0\.2 \}/);
  });

  it("keeps the disconnect threshold, inert in swarm-0.1", () => {
    const r = run(`${AGENTS}network:\n  topology: ring\n  reputation_disconnect_threshold: -2.0\n`);
    expect(r.plan?.network?.disconnectBelowReputation).toBe(-2);
    expect(codes(r)).toEqual(["SBX5005"]);
  });

  it("passes the compiler's warning about parameters the topology ignores back to the YAML", () => {
    const yaml = `${AGENTS}network:\n  topology: ring\n  params:\n    k: 4\n`;
    const r = run(yaml);
    expect(codes(r)).toEqual(["SBX3006"]);
    expect(at(yaml, r.diagnostics[0]!.span!.start)).toBe("7:5");
  });
});

describe("the rest of the schema", () => {
  it("maps simulation, payoff (h → harm), sigmoid_k → proxy, rate limits and outputs", () => {
    const r = run(`${AGENTS}simulation: {n_epochs: 3, steps_per_epoch: 4, seed: 7}\npayoff: {h: 3.5, theta: 0.4, sigmoid_k: 3.0}\nrate_limits: {votes_per_epoch: 9}\noutputs: {event_log: e.jsonl}\n`);
    expect(r.plan?.simulation).toMatchObject({ seed: 7, epochs: 3, stepsPerEpoch: 4 });
    expect(r.plan?.payoff).toMatchObject({ h: 3.5, theta: 0.4 });
    expect(r.plan?.proxy.sigmoidK).toBe(3);
    expect(r.plan?.rateLimits).toMatchObject({ votesPerEpoch: 9, postsPerEpoch: 10 });
    expect(r.plan?.outputs).toEqual({ eventLog: "e.jsonl", metricsCsv: null });
    expect(codes(r)).toEqual(["SBX5005"]);
  });

  it("seeds an unseeded scenario, and says so in the output", () => {
    const r = run(AGENTS);
    expect(r.plan?.simulation.seed).toBe(42);
    expect(r.sbx).toContain("sbx runs are always seeded");
  });

  it("maps every success criterion to a labelled typed criterion, warning about those never evaluated", () => {
    const yaml = `${AGENTS}success_criteria:\n  min_epochs: 10\n  min_agents: 2\n  toxicity_threshold: 0.4\n  max_toxicity: 0.5\n  min_welfare: -5\n  max_llm_cost_usd: 1\n  min_connected_components: 1\n  max_avg_path_length: 3.5\n  min_flagged_pairs: 0\n  max_ecosystem_collusion_risk: 0.7\n  min_penalty_total: 2.5\n`;
    const r = run(yaml);
    expect(r.sbx).not.toBeNull();
    expect(r.plan?.criteria.items.map((c) => c.id)).toEqual([
      "min_epochs",
      "min_agents",
      "toxicity_threshold",
      "max_toxicity",
      "min_welfare",
      "max_llm_cost_usd",
      "min_connected_components",
      "max_avg_path_length",
      "min_flagged_pairs",
      "max_ecosystem_collusion_risk",
      "min_penalty_total",
    ]);
    expect(r.sbx).toContain("min_welfare:                  mean(welfare) >= -5");
    expect(codes(r).filter((c) => c === "SBX5005")).toHaveLength(8);
  });

  it("names a scenario whose id is no plain name with a string", () => {
    expect(run(`scenario_id: my study-1\n${AGENTS}`).plan?.scenario.name).toBe("my study-1");
    expect(run(`scenario_id: import\n${AGENTS}`).plan?.scenario.name).toBe("import");
    expect(run(AGENTS).plan?.scenario.name).toBe("unnamed");
  });
});

describe("the output always compiles", () => {
  it("reports SBX4003 and withholds the output when the compiler rejects it", () => {
    // Without the standard library the prelude's personas are missing, so an llm group cannot compile.
    const bare = memoryHost({}, "/nonexistent-stdlib");
    const r = importAndVerify("agents:\n  - type: llm\n    llm: {persona: open}\n", FILE, bare);
    expect(r.sbx).toBeNull();
    expect(r.plan).toBeNull();
    expect(codes(r)).toContain("SBX4003");
    expect(r.diagnostics.find((d) => d.code === "SBX4003")!.message).toMatch(/sbx import wrote \.sbx that does not compile \(SBX2005: unknown persona 'open'/);
  });
});

describe("YAML as the sandbox read it", () => {
  it("reads YAML 1.1 booleans, merge keys and aliases, as PyYAML's safe_load does", () => {
    const yaml = `base: &lever\n  circuit_breaker_enabled: yes\n  freeze_threshold_toxicity: 0.6\n`;
    // `base` is not a key of the schema; put the anchor where the schema allows it instead.
    expect(codes(run(`${yaml}${AGENTS}`))).toEqual(["SBX5004"]);
    const r = run(`${AGENTS}governance:\n  <<: {circuit_breaker_enabled: yes, freeze_threshold_toxicity: 0.6}\n  freeze_threshold_toxicity: 0.65\nnetwork:\n  topology: ring\n  dynamic: on\n`);
    expect(codes(r)).toEqual([]);
    expect(r.plan?.governance.circuitBreaker).toMatchObject({ enabled: true, toxicityThreshold: 0.65 });
    expect(r.plan?.network?.dynamic).toBe(true);
  });

  it("refuses invalid YAML, duplicate keys, several documents and non-mappings", () => {
    expect(codes(importYaml("agents: [\n", "x.yaml"))).toContain("SBX5006");
    expect(codes(importYaml("seed: 1\nseed: 2\n", "x.yaml"))).toEqual(["SBX5006"]);
    expect(codes(importYaml("a: 1\n---\nb: 2\n", "x.yaml"))).toEqual(["SBX5006"]);
    expect(codes(importYaml("- 1\n- 2\n", "x.yaml"))).toEqual(["SBX5006"]);
    expect(codes(importYaml("", "x.yaml"))).toEqual(["SBX5006"]);
  });

  it("reports every unknown key in one pass, at any depth, with the nearest valid key", () => {
    const yaml = `scenario: x\n${AGENTS}    nmae: a\ngovernance:\n  random_audit_rate: 0.2\n  audit_probabilty: 0.3\nnetwork:\n  params: {kk: 2}\nsuccess_criteria: {max_toxicty: 1}\n`;
    const r = importYaml(yaml, "x.yaml");
    expect(r.sbx).toBeNull();
    expect(r.diagnostics.map((d) => `${at(yaml, d.span!.start)} ${d.message}`)).toEqual([
      "1:1 'scenario' is not a key of the sandbox's scenario schema (did you mean 'scenario_id'?)",
      "5:5 'agents[0].nmae' is not a key of the sandbox's scenario schema",
      "7:3 'governance.random_audit_rate' is not a key of the sandbox's scenario schema",
      "8:3 'governance.audit_probabilty' is not a key of the sandbox's scenario schema (did you mean 'audit_probability'?)",
      "10:12 'network.params.kk' is not a key of the sandbox's scenario schema (did you mean 'k'?)",
      "11:20 'success_criteria.max_toxicty' is not a key of the sandbox's scenario schema (did you mean 'max_toxicity'?)",
    ]);
  });

  it("carries YAML comments over: at the end of a multi-line block, above a one-line one", () => {
    const inside = run(`# A study.\n\n${AGENTS}network:\n  topology: ring\n  dynamic: true\n  # reputation_disconnect_threshold: -2.0\n`);
    expect(inside.sbx).toMatch(/^\/\/ yaml: A study\./m);
    expect(inside.sbx).toMatch(/ {4}dynamic \{\}\n {4}\/\/ yaml: reputation_disconnect_threshold: -2\.0\n {2}\}/);
    const above = run(`${AGENTS}network:\n  topology: ring\n  # reputation_disconnect_threshold: -2.0\n`);
    expect(above.sbx).toMatch(/ {2}\/\/ yaml: reputation_disconnect_threshold: -2\.0\n {2}network \{ topology = ring \}/);
  });
});
