/**
 * An epoch's metrics row (src/engine/epoch-metrics.ts): copied from the row
 * of the epoch before while the same metrics have values, rebuilt when the
 * set changes, and in either case the metrics with values, in mechanism order.
 */
import { describe, expect, it } from "vitest";
import { computeEpochMetrics, selectionResolver } from "../../src/engine/epoch-metrics.ts";
import type { MechanismDef } from "../../src/kernel/mechanism.ts";
import { series } from "../../src/kernel/metric.ts";
import type { World } from "../../src/kernel/world.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { testPlan } from "../support/reference-plans.ts";

/** Metric `b` has a value only while `state.b` is a number (undefined: it takes no part in that epoch). */
function fakeWorld(state: { a: number; b: number | undefined; c: number | null }): World & { plan: Plan } {
  const metric = (name: "a" | "b" | "c") => series<unknown>("test", "none", "flow", name, "count", name, name, () => state[name]);
  const first = { name: "first", doc: "", plan: [], agents: {}, create: () => ({}), metrics: [metric("a"), metric("b")] } as MechanismDef;
  const second = { name: "second", doc: "", plan: [], agents: {}, create: () => ({}), metrics: [metric("c")] } as MechanismDef;
  const plan = testPlan({ profile: "sbx", seed: 1, agents: [["honest", 1]] });
  return { plan, mechanisms: [first, second], get: () => ({}) } as unknown as World & { plan: Plan };
}

describe("epoch metrics rows", () => {
  it("hold the metrics with values, in mechanism order, as the set changes from epoch to epoch", () => {
    const state: { a: number; b: number | undefined; c: number | null } = { a: 1, b: 2, c: 3 };
    const w = fakeWorld(state);
    const selections = selectionResolver(w.plan);
    const rows = [];
    for (const [a, b, c] of [[1, 2, 3], [4, undefined, 5], [6, 7, null], [8, 9, 10]] as const) {
      Object.assign(state, { a, b, c });
      rows.push(computeEpochMetrics(w, selections).metrics);
    }
    expect(rows.map((r) => JSON.stringify(r))).toEqual(['{"a":1,"b":2,"c":3}', '{"a":4,"c":5}', '{"a":6,"b":7,"c":null}', '{"a":8,"b":9,"c":10}']);
    // Each epoch's row is its own object, not the template it was copied from.
    expect(rows[2]).not.toBe(rows[3]);
  });
});
