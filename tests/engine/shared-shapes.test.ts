/**
 * Successive runs in one process give V8 objects of the same hidden classes:
 * views share one prototype, questions one class. (Built per run, they made
 * the hot code deoptimise and compile again at every run's start: the cost
 * that kept a sweep on two cores from scaling, see docs/performance.md.)
 */
import { describe, expect, it } from "vitest";
import { World } from "../../src/kernel/world.ts";
import { MECHANISMS } from "../../src/mechanisms/index.ts";
import { testPlan } from "../support/reference-plans.ts";

function world(seed: number): World {
  return new World(testPlan({ profile: "sbx", seed, agents: [["honest", 2], ["adversarial", 1]] }), MECHANISMS);
}

describe("shapes shared between runs", () => {
  it("views of two runs share their prototype, and each answers from its own run", () => {
    const a = world(1);
    const b = world(2);
    const va = a.view(a.population.slots[0]!);
    const vb = b.view(b.population.slots[0]!);
    expect(Object.getPrototypeOf(va)).toBe(Object.getPrototypeOf(vb));
    // The members still read their own run's state.
    expect(va.self).toBe(a.population.slots[0]);
    expect(vb.self).toBe(b.population.slots[0]);
    expect(va.canPost).toBe(true);
    expect(vb.visibleCount()).toBe(b.population.size - 1);
  });

  it("questions of two runs are of one class", () => {
    const classes = [1, 2].map((seed) => {
      const w = world(seed);
      const [x, y] = w.population.slots;
      expect(w.execute(x!, { kind: "propose", counterparty: y!.id, type: "collaboration", content: "", transfer: 0 })).toBe(true);
      const questions = w.hooks("questions").flatMap((ask) => [...ask()]);
      expect(questions.length).toBe(1);
      return questions[0]!.constructor;
    });
    expect(classes[0]).toBe(classes[1]);
  });
});
