/** The plan handed to the run's thread packed (src/cli/run-plan-transfer.ts) comes back as the very plan packed. */
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileForRun } from "../../src/cli/run-command.ts";
import { packAgents, packPlan, packStrings, unpackAgents, unpackPlan, unpackStrings } from "../../src/cli/run-plan-transfer.ts";
import { canonicalJson } from "../../src/plan/hash.ts";
import { ROOT } from "../support/golden.ts";

/** A structured clone, as postMessage makes. */
const sent = <T>(v: T): T => structuredClone(v);

/** Equal with key order (JSON.stringify writes keys in order) and -0/NaN told apart, own objects for each agent. */
function same(a: unknown, b: unknown): void {
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  expect(b).toStrictEqual(a);
}

const counted = fc.tuple(fc.constantFrom("honest_", "a", "x9_", "", "agent-"), fc.nat({ max: 1200 }), fc.nat({ max: 6 })).map(([prefix, first, n]) => Array.from({ length: n }, (_, k) => `${prefix}${first + k}`));
const oddIds = fc.array(fc.oneof(fc.string(), fc.constantFrom("a01", "a1", "a2", "007", "0", "1", "x", "9007199254740993", "b-1")), { maxLength: 4 });
const ids = fc.array(fc.oneof(counted, oddIds), { maxLength: 8 }).map((parts) => parts.flat());

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 0, Number.NaN, null, true, false, undefined), fc.string()),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b", "policy", "x"), tie("node"), { maxKeys: 3 })),
})).node;

describe("the plan handed to the run's thread", () => {
  it("gives back any list of strings exactly", () => {
    fc.assert(
      fc.property(ids, (list) => {
        const packed = packStrings(list);
        if (packed) expect(unpackStrings(sent(packed))).toEqual(list);
      }),
      { numRuns: 500 },
    );
  });

  it("packs counted ids into runs, and refuses what would not shrink", () => {
    const list = Array.from({ length: 1000 }, (_, i) => `honest_${i + 1}`).concat(Array.from({ length: 500 }, (_, i) => `deceptive_${i + 1}`));
    const packed = packStrings(list)!;
    expect(packed.texts).toEqual(["honest_", "deceptive_"]);
    expect(packed.counts).toEqual([1000, 500]);
    expect(unpackStrings(packed)).toEqual(list);
    // Leading zeros, or numbers that skip, are not counted runs.
    expect(unpackStrings(packStrings(["a01", "a02", "a1", "a3", "a4"])!)).toEqual(["a01", "a02", "a1", "a3", "a4"]);
    expect(packStrings(Array.from({ length: 400 }, (_, i) => `n${i * 2}`))).toBeNull();
    expect(packStrings(["a", 1])).toBeNull();
  });

  it("gives back any agents exactly: key order, values to the bit, each with its own objects", () => {
    const agent = fc.tuple(fc.constantFrom("honest", "deceptive"), value, fc.boolean()).map(([kind, params, idFirst]) => (idFirst ? { id: "", kind, group: kind, params } : { kind, id: "", group: kind, params }));
    const population = fc.array(fc.tuple(agent, fc.integer({ min: 1, max: 5 })), { maxLength: 6 });
    fc.assert(
      fc.property(population, ids, (groups, names) => {
        const agents: Record<string, unknown>[] = [];
        for (const [a, n] of groups) for (let k = 0; k < n; k++) agents.push(structuredClone(a));
        agents.forEach((a, i) => (a["id"] = names[i] ?? `agent_${i}`));
        const packed = packAgents(agents);
        if (!packed) return;
        const back = unpackAgents(sent(packed));
        same(agents, back);
        for (let i = 1; i < back.length; i++) if (typeof back[i]!["params"] === "object" && back[i]!["params"] !== null) expect(back[i]!["params"]).not.toBe(back[i - 1]!["params"]);
      }),
      { numRuns: 500 },
    );
  });

  it("sends a compiled population as a few runs, and the plan comes back the same, canonical text and all", () => {
    const compiled = compileForRun(join(ROOT, "scenarios/status_game.sbx"), { set: ["population.honest.count=300"] });
    if ("exit" in compiled) throw new Error(`status_game does not compile: ${compiled.diagnostics.map((d) => d.message).join("; ")}`);
    const packed = packPlan(compiled.plan);
    expect(packed.agents).not.toBeNull();
    expect(packed.agents!.templates.length).toBeLessThan(compiled.plan.agents.length / 4);
    const back = unpackPlan(sent(packed));
    same(compiled.plan, back);
    expect(canonicalJson(back)).toBe(canonicalJson(compiled.plan));
  });

  it("sends agents that differ beyond their ids, or share objects, as they are", () => {
    const params = { p: 1 };
    const shared = [
      { id: "a_1", kind: "k", group: "g", params },
      { id: "a_2", kind: "k", group: "g", params },
    ];
    const back = unpackAgents(packAgents(shared) ?? { templates: [], counts: [], ids: { texts: [], firsts: [], counts: [] } });
    // Either sent as they are (not packed), or packed: never two agents given one object that were not.
    expect(packAgents(shared)?.templates.length ?? 2).toBe(2);
    if (back.length) same(shared, back);
    const differing = Array.from({ length: 40 }, (_, i) => ({ id: `a_${i + 1}`, kind: "k", group: "g", params: { p: i } }));
    expect(packAgents(differing)).toBeNull();
    const keyOrder = [
      { id: "a_1", kind: "k", group: "g" },
      { kind: "k", id: "a_2", group: "g" },
    ];
    same(keyOrder, unpackAgents(packAgents(keyOrder)!));
  });
});
