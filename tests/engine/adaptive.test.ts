/**
 * Adaptive agents: each rule as docs/agents.md states it, and runs that
 * replay exactly.
 */
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, resultJson, runWithEvents, toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { semanticsFor } from "../../src/kernel/semantics.ts";
import { Population } from "../../src/kernel/population.ts";
import type { PolicyContext } from "../../src/kernel/policy.ts";
import { AdaptiveAdversaryPolicy, CautiousReciprocatorPolicy, ThresholdDancerPolicy, type Result } from "../../src/mechanisms/adaptive-agents/policies.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";

function planOf(text: string): Plan {
  const c = compileText(text);
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return c.scenarios[0]!.plan!;
}

const ctx = (): PolicyContext => ({ semantics: semanticsFor("sbx"), population: new Population([{ id: "a", kind: "adaptive_adversary", group: "a" }]), report: () => {} });
const attack = (over: Partial<Result> = {}): Result => ({ conduct: "adversarial", counterparty: "honest_1", accepted: true, p: 0.4, audited: false, fined: false, froze: false, ...over });

describe("the adaptive adversary's rule", () => {
  it("raises its attack rate by `increase` after an undetected attack, halves it when fined, quarters it when frozen", () => {
    const a = new AdaptiveAdversaryPolicy("a", { attackRate: 0.5, increase: 0.05, backoff: 0.5, margin: 0.1, explore: 0 }, ctx());
    expect(a.learn(attack())).toEqual({ attackRate: 0.55, cause: "undetected" });
    expect(a.learn(attack({ audited: true, fined: true }))).toEqual({ attackRate: 0.275, cause: "fined" });
    expect(a.learn(attack({ froze: true }))).toEqual({ attackRate: 0.06875, cause: "frozen" });
    // A rejected attack teaches it nothing about detection; cover neither.
    expect(a.learn(attack({ accepted: false }))).toBeNull();
    expect(a.learn(attack({ conduct: "honest", p: 0.7 }))).toBeNull();
    expect(a.attackRate).toBe(0.06875);
  });

  it("never attacks past the circuit breaker: one more attack must keep its window under the threshold minus the margin", () => {
    const d = new ThresholdDancerPolicy("d", { margin: 0.05, threshold: 0.7 }, ctx());
    d.configure({ threshold: 0.6, window: 4, acceptedOnly: true, resets: true });
    const allows = () => (d as unknown as { breakerAllows(t: number, m: number): boolean }).breakerAllows(0.6, 0.05);
    // Expected attack toxicity starts at 0.6: on an empty window 0.6 is not under 0.55.
    expect(allows()).toBe(false);
    d.learn(attack({ conduct: "honest", p: 0.8 })); // toxicity 0.2
    expect(allows()).toBe(true); // (0.2 + 0.6) / 2 = 0.4
    d.learn(attack({ p: 0.35 })); // toxicity 0.65, and the expected attack toxicity becomes 0.65
    expect(allows()).toBe(true); // (0.2 + 0.65 + 0.65) / 3 = 0.5
    d.learn(attack({ p: 0.35 }));
    expect(allows()).toBe(true); // (0.2 + 0.65 + 0.65 + 0.65) / 4 = 0.5375
    d.learn(attack({ p: 0.35 }));
    expect(allows()).toBe(false); // the window is full: (0.65 · 3 + 0.65) / 4 = 0.65
    d.released();
    expect(allows()).toBe(false); // an empty window again (profile sbx), and 0.65 alone is over 0.55
  });
});

describe("the cautious reciprocator's rule", () => {
  it("mirrors each partner's last behaviour toward it", () => {
    const r = new CautiousReciprocatorPolicy("r", { trustFirst: 0, cooperateAbove: 0.5, proposeProbability: 1 }, ctx());
    const view = { rng: { random: () => 0.99 } } as never;
    const proposal = (from: string) => ({ id: 1, initiator: from, counterparty: "r", type: "trade", content: "", transfer: 0, epoch: 0, step: 0 }) as const;
    expect(r.accept(proposal("x"), view)).toBe(false); // a stranger, trust_first = 0
    r.onOutcome({ initiator: "x", counterparty: "r", accepted: true, p: 0.7 });
    expect(r.accept(proposal("x"), view)).toBe(true); // x cooperated
    r.onOutcome({ initiator: "x", counterparty: "r", accepted: true, p: 0.3 });
    expect(r.accept(proposal("x"), view)).toBe(false); // x's last interaction harmed it
    r.onOutcome({ initiator: "r", counterparty: "x", accepted: true, p: 0.6 });
    expect(r.accept(proposal("x"), view)).toBe(true); // x accepted its proposal
  });
});

describe("adaptive agents in a run", () => {
  const plan = planOf(`scenario s {
    seed = 4  epochs = 12  steps = 8
    population { honest = 5  adaptive_adversary = 1  threshold_dancer = 1  cautious_reciprocator = 2 }
    governance { audit { probability = 50% } circuit_breaker { toxicity = 0.5  window = 6 } }
  }`);
  const { result, events } = runWithEvents(plan);

  it("log every attack and every change of attack rate, and replay rebuilds the adversary metrics", () => {
    const attacks = events.filter((e) => e.type === "attack_completed");
    expect(attacks.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === "adversary_adapted")).toBe(true);
    const total = result.epochs.reduce((s, e) => s + (e.metrics["adversary.attacks"] as number), 0);
    expect(total).toBe(attacks.length);
    expect(resultJson(reconstruct(fromJsonl(toJsonl(events))).result)).toBe(resultJson(result));
  });

  it("attack with adversarial conduct and cover with honest conduct", () => {
    const attackIds = new Set(events.flatMap((e) => (e.type === "attack_completed" ? [e.interaction] : [])));
    const byDancer = events.flatMap((e) => (e.type === "interaction_completed" && e.interaction.initiator === "threshold_dancer_1" ? [e.interaction] : []));
    expect(byDancer.some((x) => attackIds.has(x.id)) && byDancer.some((x) => !attackIds.has(x.id))).toBe(true);
    for (const x of byDancer) {
      if (attackIds.has(x.id)) expect(x.observables.taskProgress).toBeLessThan(0.2);
      else expect(x.observables.taskProgress).toBeGreaterThanOrEqual(0.3);
    }
  });

  it("keep the threshold dancer unfrozen under a breaker it knows", () => {
    const frozen = events.filter((e): e is Extract<SimEvent, { type: "agent_frozen" }> => e.type === "agent_frozen" && e.agent === "threshold_dancer_1");
    expect(frozen).toEqual([]);
  });
});
