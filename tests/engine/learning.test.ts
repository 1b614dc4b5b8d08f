/**
 * Learning agents: the rules against their theory (distributions stay
 * distributions, Hedge's regret bound), and whole runs against their event
 * logs (replay rebuilds every learner update and every metric, and refuses a
 * log whose learner state was edited).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, ReplayError, resultJson, runWithEvents, toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { initialState, probabilities, reward, RULES, sample, update, type LearnerState, type RuleParams } from "../../src/mechanisms/learning-agents/rules.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";

function planOf(text: string): Plan {
  const c = compileText(text);
  const errors = c.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => d.message)).toEqual([]);
  return c.scenarios[0]!.plan!;
}

const paramsArb: fc.Arbitrary<RuleParams> = fc.record({
  rule: fc.constantFrom(...RULES),
  learningRate: fc.double({ min: 0.001, max: 5, noNaN: true }),
  exploration: fc.double({ min: 0, max: 1, noNaN: true }),
  temperature: fc.double({ min: 0.01, max: 5, noNaN: true }),
  discount: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe("learning rules", () => {
  it("keep every learner's strategy weights a probability distribution, whatever the feedback", () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ played: fc.nat(), reward: fc.double({ min: 0, max: 1, noNaN: true }), rewards: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), situation: fc.integer({ min: 0, max: 1 }) }), { maxLength: 60 }),
        (params, k, feedback) => {
          let state: LearnerState = initialState(params, k);
          for (const f of feedback) {
            const ps = probabilities(params, state, k);
            expect(ps).toHaveLength(k);
            for (const p of ps) expect(p >= 0 && p <= 1 && Number.isFinite(p)).toBe(true);
            expect(Math.abs(ps.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
            const played = sample(ps, f.reward === 1 ? 0.999 : f.reward);
            expect(ps[played]).toBeGreaterThan(0);
            state = update(params, state, { ...f, played, rewards: f.rewards.slice(0, k) });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keep Hedge's regret against the best fixed strategy within ln K / η + η·T / 8 on any fixed reward sequence", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 150 }),
        (k, eta, sequence) => {
          const params: RuleParams = { rule: "hedge", learningRate: eta, exploration: 0, temperature: 1, discount: 0 };
          let state = initialState(params, k);
          let expected = 0;
          const totals = new Array<number>(k).fill(0);
          for (const row of sequence) {
            const rewards = row.slice(0, k);
            const ps = probabilities(params, state, k);
            expected += ps.reduce((s, p, i) => s + p * rewards[i]!, 0);
            rewards.forEach((r, i) => (totals[i] += r));
            state = update(params, state, { played: 0, reward: rewards[0]!, rewards, situation: 0 });
          }
          const regret = Math.max(...totals) - expected;
          expect(regret).toBeLessThanOrEqual(Math.log(k) / eta + (eta * sequence.length) / 8 + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("learns: Hedge puts almost all weight on a strategy that always pays more", () => {
    const params: RuleParams = { rule: "hedge", learningRate: 0.5, exploration: 0, temperature: 1, discount: 0 };
    let state = initialState(params, 3);
    for (let t = 0; t < 60; t++) state = update(params, state, { played: 0, reward: 0.2, rewards: [0.2, 0.9, 0.5], situation: 0 });
    expect(probabilities(params, state, 3)[1]).toBeGreaterThan(0.99);
  });

  it("map an epoch's payoff to a reward in [0, 1]", () => {
    expect(reward(0, 10)).toBe(0.5);
    expect(reward(10, 10)).toBe(1);
    expect(reward(-25, 10)).toBe(0);
    expect(reward(5, 10)).toBe(0.75);
  });
});

const LEARNERS = `
scenario learners {
  seed = 5
  epochs = 6
  steps = 6
  population {
    honest = 3
    learner hedgers { count = 3  rule = hedge  learning_rate = 0.8  imitation = 50% }
    learner bandits { count = 2  rule = exp3  exploration = 20%  honest {}  adversarial { attack_probability = 90% } }
    learner qs { count = 2  rule = q_learning  temperature = 0.2 }
    learner copycats { count = 2  rule = replicator  imitation = 100% }
  }
  governance { audit { probability = 30%  threshold_p = 0.6 } circuit_breaker { toxicity = 0.5 } }
}`;

describe("learning agents in a run", () => {
  it("log every strategy choice, update and imitation, and replay rebuilds them and every metric exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom("sbx", "swarm-0.1"), (seed, profile) => {
        const base = planOf(LEARNERS);
        const plan = { ...base, profile: profile as Plan["profile"], simulation: { ...base.simulation, seed } };
        const { result, events } = runWithEvents(plan);
        const count = (type: SimEvent["type"]) => events.filter((e) => e.type === type).length;
        expect(count("strategy_chosen")).toBe(9 * 6);
        expect(count("learner_updated")).toBe(9 * 6);
        expect(count("strategy_payoffs")).toBe(6);
        const again = reconstruct(fromJsonl(toJsonl(events)));
        expect(resultJson(again.result)).toBe(resultJson(result));
        for (const e of result.epochs) expect(e.metrics["regret"]).not.toBeNull();
      }),
      { numRuns: 8 },
    );
  });

  it("refuse a log whose learner state was edited: replay recomputes each update", () => {
    const { events } = runWithEvents(planOf(LEARNERS));
    const text = toJsonl(events);
    const tampered = text.replace(/("type":"learner_updated".*?"logWeights":\[)(-?[0-9.e-]+)/, (_, head: string, w: string) => `${head}${Number(w) + 0.25}`);
    expect(tampered).not.toBe(text);
    expect(() => reconstruct(fromJsonl(tampered))).toThrow(ReplayError);
    expect(() => reconstruct(fromJsonl(tampered))).toThrow(/update replays as|probabilities replay as/);
  });

  it("draw a replicator's first strategy uniformly and keep it while nobody is imitated", () => {
    const c = compileText(`scenario s {
      seed = 8  epochs = 5  steps = 4
      population { honest = 2  learner copycats { count = 8  rule = replicator } }
    }`);
    expect(c.diagnostics.map((d) => d.code)).toEqual(["SBX3306"]);
    const { events } = runWithEvents(c.scenarios[0]!.plan!);
    const chosen = events.filter((e): e is Extract<SimEvent, { type: "strategy_chosen" }> => e.type === "strategy_chosen");
    const first = chosen.filter((e) => e.epoch === 0);
    for (const e of first) expect(e.probabilities).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(new Set(first.map((e) => e.strategy)).size).toBeGreaterThan(1);
    for (const e of chosen.filter((x) => x.epoch > 0)) {
      expect(e.strategy).toBe(first.find((f) => f.agent === e.agent)!.strategy);
      expect(Math.max(...e.probabilities)).toBe(1);
    }
  });

  it("play only the strategies written, and behave as the strategy drawn (its interactions look like it)", () => {
    const plan = planOf(`scenario s {
      seed = 2  epochs = 8  steps = 8
      population { honest = 4  learner { count = 4  adversarial { attack_probability = 100% } } }
    }`);
    const { events } = runWithEvents(plan);
    const chosen = events.filter((e): e is Extract<SimEvent, { type: "strategy_chosen" }> => e.type === "strategy_chosen");
    expect(new Set(chosen.map((e) => e.strategy))).toEqual(new Set(["adversarial"]));
    // Adversarial conduct: task progress drawn from [−0.3, 0.2), never an honest agent's [0.3, 0.8).
    const byLearners = events.flatMap((e) => (e.type === "interaction_completed" && e.interaction.initiator.startsWith("learner") ? [e.interaction] : []));
    expect(byLearners.length).toBeGreaterThan(0);
    for (const x of byLearners) expect(x.observables.taskProgress).toBeLessThan(0.2);
  });
});
