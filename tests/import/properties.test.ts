/**
 * Whatever the YAML, the importer either writes .sbx that compiles or refuses
 * with diagnostics: it never throws, never writes output the compiler rejects
 * (SBX4003), and every diagnostic points inside the file.
 */
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { importAndVerify, keysAt, type CheckedImport } from "../../src/import/index.ts";
import { host, ROOT } from "./helpers.ts";

const FILE = `${ROOT}/tests/import/in-memory/property.yaml`;

function checkInvariants(text: string): CheckedImport {
  const r = importAndVerify(text, FILE, host);
  for (const d of r.diagnostics) {
    expect(d.file).toBe(FILE);
    if (!d.span) continue; // about the YAML as a whole
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.start).toBeLessThanOrEqual(d.span.end);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
  }
  expect(r.diagnostics.filter((d) => d.code === "SBX4003").map((d) => d.message)).toEqual([]);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (r.sbx === null) expect(errors.length).toBeGreaterThan(0);
  else {
    expect(errors).toEqual([]);
    expect(r.plan).not.toBeNull();
  }
  return r;
}

/** Runs per property (FC_RUNS scales it: FC_RUNS=40 for a longer hunt). */
const RUNS = runs(120);

// ---- generators -------------------------------------------------------------------------

const garbageKey = fc.oneof(fc.constantFrom("random_audit_rate", "seedd", "Agents", "k", "", "<<x", "1"), fc.string({ maxLength: 8 }));

/** Values of every shape, leaning toward the plausible ones. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.double({ min: -2, max: 30, noNaN: true }) },
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, 0.05, 0.5, 1, 2, 10, 0.999) },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom("small_world", "ring", "Complete", "scale_free", "custom", "anthropic", "OpenAI", "ollama", "open", "Strategic", "honest", "5%", "yes", "import") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.array(fc.integer(), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }) },
);

/** A mapping over the keys valid at `level`, with now and then a key that is not. */
function section(level: string, values: fc.Arbitrary<unknown> = anyValue): fc.Arbitrary<Record<string, unknown>> {
  const keys = keysAt(level);
  return fc
    .tuple(
      fc.subarray(keys, { maxLength: Math.min(keys.length, 8) }).chain((chosen) => fc.tuple(...chosen.map((k) => values.map((v) => [k, v] as const)))),
      fc.option(fc.tuple(garbageKey, anyValue), { freq: 6 }),
    )
    .map(([pairs, extra]) => Object.fromEntries(extra ? [...pairs, extra] : pairs));
}

const llm = section("agents[].llm");
const agent = fc.record(
  {
    type: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("honest", "opportunistic", "deceptive", "adversarial", "llm") }, { weight: 1, arbitrary: anyValue }),
    count: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: anyValue }),
    llm: fc.oneof(llm, anyValue),
    role: fc.constantFrom("worker", "verifier"),
    zzz: anyValue,
  },
  { requiredKeys: [] },
);

const networkSection = fc.tuple(section("network"), fc.option(section("network.params"), { freq: 2 })).map(([n, params]) => (params ? { ...n, params } : n));

const scenario = fc.record(
  {
    scenario_id: fc.oneof(fc.constantFrom("baseline", "my study", "import", "open", "reference", ""), anyValue),
    description: fc.oneof(fc.string({ maxLength: 20 }), anyValue),
    motif: fc.string({ maxLength: 10 }),
    agents: fc.oneof({ weight: 8, arbitrary: fc.array(agent, { minLength: 1, maxLength: 4 }) }, { weight: 1, arbitrary: anyValue }),
    governance: fc.oneof({ weight: 5, arbitrary: section("governance") }, { weight: 1, arbitrary: anyValue }),
    payoff: section("payoff"),
    rate_limits: section("rate_limits"),
    network: fc.oneof({ weight: 4, arbitrary: networkSection }, { weight: 1, arbitrary: anyValue }),
    simulation: section("simulation", fc.oneof(fc.integer({ min: -2, max: 20 }), anyValue)),
    outputs: section("outputs", fc.oneof(fc.constantFrom("logs/e.jsonl", "m.csv"), anyValue)),
    success_criteria: section("success_criteria", fc.oneof(fc.double({ min: -5, max: 50, noNaN: true }), anyValue)),
    bogus: anyValue,
  },
  { requiredKeys: [] },
);

// ---- valid scenarios: every value within what the sandbox (and sbx) accept -------------------------

const prob = fc.double({ min: 0, max: 1, noNaN: true });
const nonNeg = fc.double({ min: 0, max: 50, noNaN: true });
const real = fc.double({ min: -50, max: 50, noNaN: true });
const nat = fc.integer({ min: 0, max: 30 });
const pos = fc.integer({ min: 1, max: 10 });
const bool = fc.boolean();
const word = fc.string({ maxLength: 12 });

/** A valid value per key, for the keys that take a plain value. */
const VALID: Record<string, fc.Arbitrary<unknown>> = {
  scenario_id: fc.oneof(word, fc.integer()),
  description: word,
  motif: word,
  "agents[].count": fc.integer({ min: 0, max: 4 }),
  "agents[].role": word,
  "agents[].roles": fc.array(word, { maxLength: 2 }),
  "agents[].config": fc.dictionary(word, nat, { maxKeys: 2 }),
  "agents[].llm.provider": fc.constantFrom("anthropic", "OpenAI", "ollama"),
  "agents[].llm.model": fc.constantFrom("claude-sonnet-4-20250514", "gpt-4o-mini", "llama3"),
  "agents[].llm.api_key": word,
  "agents[].llm.base_url": fc.constantFrom("http://localhost:11434", null),
  "agents[].llm.temperature": prob,
  "agents[].llm.max_tokens": pos,
  "agents[].llm.timeout": pos,
  "agents[].llm.max_retries": nat,
  "agents[].llm.persona": fc.constantFrom("honest", "Strategic", "adversarial", "open"),
  "agents[].llm.system_prompt": fc.oneof(word, fc.constant("two\nlines \"quoted\"")),
  "agents[].llm.cost_tracking": bool,
  "agents[].llm.retry_base_delay": nonNeg,
  "payoff.s_plus": nonNeg,
  "payoff.s_minus": nonNeg,
  "payoff.h": nonNeg,
  "payoff.theta": prob,
  "payoff.rho_a": nonNeg,
  "payoff.rho_b": nonNeg,
  "payoff.w_rep": real,
  "payoff.sigmoid_k": nonNeg,
  "rate_limits.posts_per_epoch": nat,
  "rate_limits.interactions_per_step": nat,
  "rate_limits.votes_per_epoch": nat,
  "rate_limits.tasks_per_epoch": nat,
  "network.enabled": bool,
  "network.topology": fc.constantFrom("complete", "ring", "star", "random_erdos_renyi", "Small_World", "scale_free", "custom"),
  "network.params.edge_probability": prob,
  "network.params.k": fc.integer({ min: 2, max: 8 }),
  "network.params.k_neighbors": fc.integer({ min: 2, max: 8 }),
  "network.params.p": prob,
  "network.params.rewire_probability": prob,
  "network.params.m": pos,
  "network.params.m_edges": pos,
  "network.edge_probability": prob,
  "network.k_neighbors": fc.integer({ min: 2, max: 8 }),
  "network.rewire_probability": prob,
  "network.m_edges": pos,
  "network.dynamic": bool,
  "network.edge_strengthen_rate": nonNeg,
  "network.edge_decay_rate": prob,
  "network.min_edge_weight": nonNeg,
  "network.max_edge_weight": nonNeg,
  "network.reputation_disconnect_threshold": fc.oneof(real, fc.constant(null)),
  "simulation.n_epochs": nat,
  "simulation.steps_per_epoch": nat,
  // sbx refuses negative seeds (numpy's SeedSequence does too); the refusal is covered by the goldens.
  "simulation.seed": fc.oneof(fc.nat(), fc.constant(null)),
  "outputs.event_log": fc.oneof(word, fc.constant(null)),
  "outputs.metrics_csv": fc.oneof(word, fc.constant(null)),
  "governance.transaction_tax_rate": prob,
  "governance.transaction_tax": prob,
  "governance.transaction_tax_split": prob,
  "governance.reputation_decay_rate": prob,
  "governance.reputation_decay": prob,
  "governance.vote_normalization_enabled": bool,
  "governance.max_vote_weight_per_agent": fc.double({ min: 0.01, max: 20, noNaN: true }),
  "governance.bandwidth_cap": nat,
  "governance.staking_enabled": bool,
  "governance.min_stake_to_participate": nonNeg,
  "governance.stake_slash_rate": prob,
  "governance.circuit_breaker_enabled": bool,
  "governance.freeze_threshold_toxicity": prob,
  "governance.freeze_threshold_violations": pos,
  "governance.freeze_duration_epochs": pos,
  "governance.audit_enabled": bool,
  "governance.audit_probability": prob,
  "governance.audit_penalty_multiplier": nonNeg,
  "governance.audit_threshold_p": prob,
  "governance.collusion_detection_enabled": bool,
  "governance.collusion_frequency_threshold": fc.double({ min: 0.01, max: 5, noNaN: true }),
  "governance.collusion_correlation_threshold": prob,
  "governance.collusion_min_interactions": pos,
  "governance.collusion_score_threshold": prob,
  "governance.collusion_penalty_multiplier": nonNeg,
  "governance.collusion_realtime_penalty": bool,
  "governance.collusion_realtime_rate": nonNeg,
  "governance.collusion_clear_history_on_epoch": bool,
};

function validSection(level: string): fc.Arbitrary<Record<string, unknown>> {
  const keys = keysAt(level).filter((k) => VALID[level ? `${level}.${k}` : k]);
  return fc.subarray(keys).chain((chosen) => fc.tuple(...chosen.map((k) => VALID[level ? `${level}.${k}` : k]!.map((v) => [k, v] as const))).map((pairs) => Object.fromEntries(pairs)));
}

const validAgent = fc
  .tuple(fc.constantFrom("honest", "opportunistic", "deceptive", "adversarial", "llm"), validSection("agents[]"), validSection("agents[].llm"))
  .map(([type, rest, llm]) => (type === "llm" ? { type, ...rest, llm } : { type, ...rest }));

const validScenario = fc
  .record(
    {
      top: validSection(""),
      agents: fc.array(validAgent, { minLength: 1, maxLength: 4 }),
      governance: validSection("governance"),
      payoff: validSection("payoff"),
      rate_limits: validSection("rate_limits"),
      network: fc.tuple(validSection("network"), fc.option(validSection("network.params"))).map(([n, params]) => (params ? { ...n, params } : n)),
      simulation: validSection("simulation"),
      outputs: validSection("outputs"),
      success_criteria: fc.subarray(keysAt("success_criteria")).chain((keys) => fc.tuple(...keys.map((k) => real.map((v) => [k, v] as const))).map((pairs) => Object.fromEntries(pairs))),
    },
    { requiredKeys: ["top", "agents"] },
  )
  .map(({ top, ...sections }) => ({ ...top, ...sections }));

/** Damage a valid text: cut it, or splice in characters that YAML gives meaning to. */
const damaged = fc
  .tuple(scenario.map((s) => stringify(s)), fc.nat(), fc.nat(), fc.constantFrom("", ":", "- ", "  ", "\t", "[", "{", '"', "&a ", "*a", "<<: ", "\n", "#", "---\n", "? ", "|\n"))
  .map(([text, at, len, insert]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(Math.min(text.length, i + (len % 6)));
  });

describe("import properties", () => {
  it("generated scenarios with wrong keys and values mixed in: compile or refuse, never throw, diagnostics inside the file", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        checkInvariants(stringify(s));
      }),
      { numRuns: RUNS },
    );
  });

  it("damaged YAML and garbage text: the same guarantees", () => {
    fc.assert(
      fc.property(fc.oneof(damaged, fc.string({ maxLength: 80 }), fc.string({ unit: "binary", maxLength: 40 })), (text) => {
        checkInvariants(text);
      }),
      { numRuns: RUNS },
    );
  });

  it("valid scenarios, every key of the schema in play: always converted", () => {
    fc.assert(
      fc.property(validScenario, (s) => {
        const r = checkInvariants(stringify(s));
        expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
        expect(r.sbx).not.toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});
