import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { nodeHost } from "../../src/platform/node-host.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { isCheckedPlan, validatePlan, validateWhole } from "../../src/plan/validate.ts";
import { InvalidPlanError, runPlan } from "../../src/engine/index.ts";
import { compileText } from "../support/compiler.ts";
import { runs } from "../support/property-runs.ts";

const ROOT = join(import.meta.dirname, "../..");

/** The same outcome as zod's parse of the whole plan: the same plan, key for key and in order, or the same problems. */
function expectAsWhole(value: unknown): void {
  const fast = validatePlan(value);
  const whole = validateWhole(value);
  expect(fast.problems).toEqual(whole.problems);
  expect(JSON.stringify(fast.plan)).toBe(JSON.stringify(whole.plan));
  expect(fast.plan).toEqual(whole.plan);
}

function planOf(source: string): Plan {
  const result = compileText(source);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.scenarios[0]!.plan!;
}

describe("validatePlan", () => {
  it("gives every shipped scenario's plan as zod's parse of the whole plan gives it", () => {
    const files = readdirSync(join(ROOT, "scenarios")).filter((f) => f.endsWith(".sbx"));
    let plans = 0;
    for (const f of files) {
      for (const s of compile(nodeHost(), [join(ROOT, "scenarios", f)], {}).scenarios) {
        if (!s.plan) continue;
        expectAsWhole(s.plan);
        plans++;
      }
    }
    expect(plans).toBeGreaterThanOrEqual(10);
  });

  it("checks like agents by comparison: their params shared, the plan otherwise zod's", () => {
    const plan = planOf(`scenario s { population { honest = 300  opportunistic = 200  deceptive { count = 50  trust_building_phase = 2 }  adversarial = 50  sybil { count = 5  identities = 3 } } }`);
    expectAsWhole(plan);
    const checked = validatePlan(plan).plan!;
    const honest = checked.agents.filter((a) => a.kind === "honest");
    expect(honest.length).toBe(300);
    expect(honest.every((a) => a.params === honest[0]!.params)).toBe(true);
    // A copy, as zod's parse gives: the plan handed in is not the plan given back.
    expect(honest[0]!.params).not.toBe(plan.agents[0]!.params);
  });

  it("checks agents whose params are equal copies by comparison too, and parses the first that differs", () => {
    const plan = planOf(`scenario s { population { honest = 4  opportunistic = 3 } }`);
    const copies = { ...plan, agents: plan.agents.map((a) => ({ ...a, params: { ...a.params } })) };
    copies.agents[2] = { ...copies.agents[2]!, params: { ...copies.agents[2]!.params, acceptanceThreshold: 0.9 } } as (typeof copies.agents)[number];
    expectAsWhole(copies);
    const agents = validatePlan(copies).plan!.agents;
    expect(agents[1]!.params).toBe(agents[0]!.params);
    expect(agents[2]!.params).not.toBe(agents[1]!.params);
    expect((agents[2]!.params as Record<string, unknown>)["acceptanceThreshold"]).toBe(0.9);
    expect(agents[3]!.params).not.toBe(agents[2]!.params);
    expect(agents[5]!.params).toBe(agents[4]!.params);
    expect(agents[6]!.params).toBe(agents[4]!.params);
    // Keys in another order are parsed (zod's output is the same either way).
    const reordered = { ...copies, agents: copies.agents.map((a, i) => (i === 1 ? { ...a, params: Object.fromEntries(Object.entries(a.params).reverse()) } : a)) };
    expectAsWhole(reordered);
    expect(validatePlan(reordered).plan!.agents[1]!.params).not.toBe(validatePlan(reordered).plan!.agents[0]!.params);
  });

  it("fails as zod's parse of the whole plan fails, and passes as it passes, whatever is wrong with which agent", () => {
    const plan = planOf(`scenario s { population { honest = 6  opportunistic = 5  deceptive = 4  adversarial = 3  sybil { count = 2  identities = 2 } } }`);
    const n = plan.agents.length;
    type Change = (a: Record<string, unknown>) => unknown;
    const changes: Change[] = [
      (a) => ({ ...a }),
      (a) => ({ ...a, params: { ...(a["params"] as object) } }),
      (a) => ({ ...a, extra: 1 }),
      (a) => ({ kind: a["kind"], id: a["id"], params: a["params"], group: a["group"] }),
      (a) => ({ id: a["id"], kind: a["kind"], params: a["params"], team: a["group"] }),
      (a) => ({ ...a, id: 7 }),
      (a) => ({ ...a, group: null }),
      (a) => ({ ...a, kind: "honest" }),
      (a) => ({ ...a, kind: "nobody" }),
      (a) => ({ ...a, params: { ...(a["params"] as object), postProbability: 2 } }),
      // Consecutive agents with 0 and −0: equal to ===, not the same params.
      (a) => ({ ...a, params: { ...(a["params"] as object), postProbability: 0 } }),
      (a) => ({ ...a, params: { ...(a["params"] as object), postProbability: -0 } }),
      (a) => ({ ...a, params: Object.fromEntries(Object.entries(a["params"] as object).reverse()) }),
      (a) => ({ ...a, params: { ...(a["params"] as object), unknown: true } }),
      (a) => ({ ...a, params: null }),
      (a) => ({ ...a, id: undefined }),
      (a) => {
        const { group: _group, ...rest } = a;
        return rest;
      },
      (a) => Object.assign(Object.create({ inherited: 1 }), a),
      () => null,
      () => "agent",
      (a) => [a],
    ];
    const elsewhere: ((p: Record<string, unknown>) => void)[] = [
      () => {},
      (p) => ((p["simulation"] as Record<string, unknown>)["epochs"] = -1),
      (p) => (p["agents"] = {}),
      (p) => delete p["groups"],
      (p) => (p["unknown"] = 1),
    ];
    const edited = (edits: readonly (readonly [number, number])[]): Record<string, unknown> => {
      const agents = [...plan.agents] as unknown as Record<string, unknown>[];
      // A change applies to an agent that is still an object (another change may have made it null or a string).
      for (const [at, change] of edits) if (typeof agents[at] === "object" && agents[at] !== null) agents[at] = changes[change]!(agents[at]!) as Record<string, unknown>;
      return { ...plan, agents, simulation: { ...plan.simulation } };
    };
    // Every change to every agent, alone: most agents are like the one before them.
    for (let at = 0; at < n; at++) for (let change = 0; change < changes.length; change++) expectAsWhole(edited([[at, change]]));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(n - 1), fc.nat(changes.length - 1)), { maxLength: 4 }), fc.nat(elsewhere.length - 1), (edits, other) => {
        const value = edited(edits);
        elsewhere[other]!(value);
        expectAsWhole(value);
      }),
      { numRuns: runs(300) },
    );
    for (const v of [null, [], "plan", 3, { agents: [] }, { ...plan, agents: null }]) expectAsWhole(v);
  });

  it("marks the plans it gives, and only those: the engine parses any other plan, a copy of a checked one too", () => {
    const plan = planOf(`scenario s { epochs = 2  steps = 2  population { honest = 3  adversarial = 1 } }`);
    const checked = validatePlan(plan).plan!;
    expect(isCheckedPlan(checked)).toBe(true);
    expect(isCheckedPlan(plan)).toBe(false);
    expect(isCheckedPlan(validateWhole(plan).plan!)).toBe(false);
    // A checked plan runs as its unchecked source runs.
    expect(JSON.stringify(runPlan(checked))).toBe(JSON.stringify(runPlan(plan)));
    const broken = { ...checked, simulation: { ...checked.simulation, epochs: -1 } };
    expect(isCheckedPlan(broken)).toBe(false);
    expect(() => runPlan(broken)).toThrow(InvalidPlanError);
  });
});
