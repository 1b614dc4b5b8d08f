/** The plan handed to the run's thread packed (src/cli/run-plan-transfer.ts) comes back as the very plan packed. */
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileForRun } from "../../src/cli/run-command.ts";
import { packAgents, packPlan, packStrings, shareLikeAgents, unpackAgents, unpackPlan, unpackStrings } from "../../src/cli/run-plan-transfer.ts";
import { canonicalJson } from "../../src/plan/hash.ts";
import { ROOT } from "../support/golden.ts";

/** A structured clone, as postMessage makes. */
const sent = <T>(v: T): T => structuredClone(v);

/** Equal with key order (JSON.stringify writes keys in order) and -0/NaN told apart. */
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

  it("gives back any agents exactly: key order, values to the bit, the agents of a run sharing their template's objects", () => {
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
        // Within a run, one params object; between runs, never one.
        let at = 0;
        packed.counts.forEach((count, r) => {
          const params = back[at]!["params"];
          for (let k = 1; k < count; k++) expect(back[at + k]!["params"]).toBe(params);
          if (r > 0 && typeof params === "object" && params !== null) expect(params).not.toBe(back[at - 1]!["params"]);
          at += count;
        });
        // The sender's agents given the same sharing pack the same, and come back the same.
        const shared = structuredClone(agents);
        shareLikeAgents(shared);
        same(agents, shared);
        const again = packAgents(shared);
        expect(again?.counts).toEqual(packed.counts);
        same(agents, unpackAgents(sent(again!)));
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
    // The main thread's plan made to share as the thread's does: the same text, a few params objects.
    const text = JSON.stringify(compiled.plan);
    shareLikeAgents(compiled.plan.agents);
    expect(JSON.stringify(compiled.plan)).toBe(text);
    expect(new Set(compiled.plan.agents.map((a) => a.params)).size).toBe(packed.agents!.templates.length);
    same(compiled.plan, unpackPlan(sent(packPlan(compiled.plan))));
  });

  it("shares nothing between agents that differ beyond their ids", () => {
    const agents = [
      { id: "a_1", kind: "k", params: { p: 1 } },
      { id: "a_2", kind: "k", params: { p: 1 } },
      { id: "a_3", kind: "k", params: { p: 2 } },
      { id: "a_4", kind: "j", params: { p: 2 } },
      { kind: "j", id: "a_5", params: { p: 2 } },
    ];
    const text = JSON.stringify(agents);
    shareLikeAgents(agents);
    expect(JSON.stringify(agents)).toBe(text);
    expect(agents[1]!.params).toBe(agents[0]!.params);
    expect(new Set(agents.map((a) => a.params)).size).toBe(4);
  });

  it("sends agents that differ beyond their ids as they are; agents that share their params pack", () => {
    const params = { p: 1 };
    const shared = [
      { id: "a_1", kind: "k", group: "g", params },
      { id: "a_2", kind: "k", group: "g", params },
    ];
    const packed = packAgents(shared)!;
    expect(packed.templates.length).toBe(1);
    const back = unpackAgents(sent(packed));
    same(shared, back);
    expect(back[1]!["params"]).toBe(back[0]!["params"]);
    // Shared deeper down, an object does not make two agents alike: each is its own run, sent as it is.
    const inner = { q: 1 };
    const deep = [
      { id: "a_1", params: { x: inner } },
      { id: "a_2", params: { x: inner } },
    ];
    expect(packAgents(deep)!.templates.length).toBe(2);
    same(deep, unpackAgents(sent(packAgents(deep)!)));
    const differing = Array.from({ length: 40 }, (_, i) => ({ id: `a_${i + 1}`, kind: "k", group: "g", params: { p: i } }));
    expect(packAgents(differing)).toBeNull();
    const keyOrder = [
      { id: "a_1", kind: "k", group: "g" },
      { kind: "k", id: "a_2", group: "g" },
    ];
    same(keyOrder, unpackAgents(packAgents(keyOrder)!));
  });
});
