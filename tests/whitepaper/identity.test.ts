/** Identity, Sybil entities and Sybil detection. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, ReplayError, toJsonl } from "../../src/engine/index.ts";
import { detectClusters, similarity, type Pattern } from "../../src/mechanisms/identity/detect.ts";
import { identity } from "../../src/mechanisms/identity/index.ts";
import { MECHANISMS } from "../../src/mechanisms/index.ts";
import { World } from "../../src/kernel/world.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { eventsOf, expectLosslessReplay, planOf, run, series, type Run } from "./support.ts";

const pattern = (entries: Record<string, number>): Pattern => new Map(Object.entries(entries));

describe("behavioural similarity", () => {
  it("is the mean of the Jaccard index of counterparty sets and the cosine of frequencies, leaving the pair itself out", () => {
    // Siblings that trade with each other and with the same outsiders, in the same proportions.
    expect(similarity("a", pattern({ b: 9, x: 2, y: 4 }), "b", pattern({ a: 9, x: 1, y: 2 }))).toBeCloseTo(1, 12);
    expect(similarity("a", pattern({ x: 3 }), "b", pattern({ y: 3 }))).toBe(0);
    // Same set, different proportions: Jaccard 1, cosine (1·3 + 3·1)/(√10·√10) = 0.6.
    expect(similarity("a", pattern({ x: 1, y: 3 }), "b", pattern({ x: 3, y: 1 }))).toBeCloseTo(0.8, 12);
    // Half the set shared, same weights: Jaccard 1/3, cosine 1/2.
    expect(similarity("a", pattern({ x: 1, y: 1 }), "b", pattern({ x: 1, z: 1 }))).toBeCloseTo((1 / 3 + 1 / 2) / 2, 12);
    expect(similarity("a", pattern({ b: 5 }), "b", pattern({ a: 5 }))).toBe(0); // only each other: nothing to compare
  });

  it("clusters linked identities transitively and reports them in registration order", () => {
    const patterns = new Map<string, Pattern>([
      ["s1", pattern({ x: 2, y: 2 })],
      ["s2", pattern({ x: 2, y: 2, z: 1 })],
      ["s3", pattern({ x: 1, y: 1, z: 1 })],
      ["h", pattern({ q: 4 })],
      ["idle", pattern({})],
    ]);
    expect(detectClusters(["h", "s3", "idle", "s1", "s2"], patterns, 0.8)).toEqual([["s3", "s1", "s2"]]);
    expect(detectClusters(["h", "s3", "s1", "s2"], patterns, 0.99)).toEqual([]);
  });

  it("is invariant to relabelling the agents", () => {
    const world = fc.integer({ min: 2, max: 9 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 60 }),
        relabel: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        threshold: fc.constantFrom(0.3, 0.5, 0.6, 0.8, 0.9, 1),
      }),
    );
    const canonical = (clusters: string[][]) => clusters.map((c) => [...c].sort()).sort((a, b) => (a.join() < b.join() ? -1 : 1));
    fc.assert(
      fc.property(world, ({ n, pairs, relabel, order, threshold }) => {
        const build = (name: (i: number) => string) => {
          const patterns = new Map<string, Map<string, number>>();
          const count = (a: string, b: string) => {
            const m = patterns.get(a) ?? new Map<string, number>();
            m.set(b, (m.get(b) ?? 0) + 1);
            patterns.set(a, m);
          };
          for (const [a, b] of pairs) {
            if (a === b) continue;
            count(name(a), name(b));
            count(name(b), name(a));
          }
          return patterns;
        };
        const original = detectClusters([...Array(n).keys()].map((i) => `agent_${i}`), build((i) => `agent_${i}`), threshold);
        const renamed = (i: number) => `x${relabel[i]}`;
        const relabelled = detectClusters(order.map(renamed), build(renamed), threshold);
        const back = new Map([...Array(n).keys()].map((i) => [renamed(i), `agent_${i}`]));
        expect(canonical(relabelled.map((c) => c.map((id) => back.get(id)!)))).toEqual(canonical(original));
      }),
      { numRuns: 300 },
    );
  });
});

const final = (r: Run, metric: string) => series(r, metric).at(-1) ?? null;

describe("identities in a run", () => {
  it("gives each Sybil entity its identities, charges every identity its creation cost into the pool, and vouches trust", () => {
    const plan = planOf(`scenario s { seed = 2  epochs = 3  steps = 5  population { honest = 2  sybil { count = 2  identities = 3 } }  identity { creation_cost = 7 } }`);
    expect(plan.agents.filter((a) => a.kind === "sybil").map((a) => [a.id, (a.params as { entity: number }).entity])).toEqual([
      ["sybil_1", 1], ["sybil_2", 1], ["sybil_3", 1], ["sybil_4", 2], ["sybil_5", 2], ["sybil_6", 2],
    ]);
    const r = run(plan);
    const registered = eventsOf(r, "identity_registered");
    expect(registered.map((e) => e.entity)).toEqual(["honest_1", "honest_2", "sybil#1", "sybil#1", "sybil#1", "sybil#2", "sybil#2", "sybil#2"]);
    const charges = eventsOf(r, "resources_changed").filter((e) => e.epoch === 0 && e.step === 0);
    expect(charges.map((e) => [e.delta, e.pool])).toEqual(Array(8).fill([-7, 7]));
    expect(final(r, "governance.pool")).toBeGreaterThanOrEqual(56);
    // Siblings collaborate with each other.
    const sibling = (a: string, b: string) => a.startsWith("sybil") && b.startsWith("sybil") && Math.ceil(Number(a.split("_")[1]) / 3) === Math.ceil(Number(b.split("_")[1]) / 3);
    expect(r.xs.some((x) => x.accepted && sibling(x.initiator, x.counterparty))).toBe(true);
    // Trust: 0.3 without personhood, plus 0.1 per live credential (at most 0.5).
    const trust = final(r, "identity.trust")!;
    expect(trust).toBeGreaterThanOrEqual(0.3);
    expect(trust).toBeLessThanOrEqual(0.8);
    expect(eventsOf(r, "credential_issued").length).toBeGreaterThan(0);
    expectLosslessReplay(r);
  });

  it("lets only each entity's verified identity act when proof of personhood is required", () => {
    const r = run(planOf(`scenario s { seed = 6  epochs = 3  steps = 6  population { honest = 3  sybil { count = 1  identities = 3 } }  identity { proof_of_personhood = true } }`));
    expect(eventsOf(r, "identity_registered").filter((e) => e.personhood).map((e) => e.agent)).toEqual(["honest_1", "honest_2", "honest_3", "sybil_1"]);
    const involved = new Set(r.xs.flatMap((x) => [x.initiator, x.counterparty]));
    expect(involved.has("sybil_1")).toBe(true);
    expect(involved.has("sybil_2") || involved.has("sybil_3")).toBe(false);
    expect(final(r, "identity.trust")).toBeGreaterThan(0.3);
  });

  it("scores detection against the ground truth, penalises and blocks clusters, and replays it", () => {
    const r = run(
      planOf(`scenario s { seed = 7  epochs = 8  steps = 8  max_actions_per_step = 40  population { honest = 6  sybil { count = 2  identities = 3 } }
        governance { sybil_detection { threshold = 60%  realtime_penalty = true } } }`),
    );
    const clusters = eventsOf(r, "sybil_clusters");
    expect(clusters.length).toBe(8);
    const last = clusters.at(-1)!.clusters;
    const flagged = last.flat();
    expect(flagged.length).toBeGreaterThan(0);
    const truth = flagged.filter((id) => id.startsWith("sybil")).length;
    expect(final(r, "sybil.detection_precision")).toBeCloseTo(truth / flagged.length, 12);
    expect(final(r, "sybil.detection_recall")).toBeCloseTo(truth / 6, 12);
    expect(final(r, "sybil.flagged")).toBe(flagged.length);
    // Blocked identities (in clusters larger than 1) take no part in anything after they are blocked.
    const blockedFrom = new Map<string, number>();
    for (const e of clusters) for (const c of e.clusters) for (const id of c) if (!blockedFrom.has(id)) blockedFrom.set(id, e.epoch);
    expect(r.xs.filter((x) => [x.initiator, x.counterparty].some((id) => blockedFrom.has(id) && x.epoch >= blockedFrom.get(id)!))).toEqual([]);
    expectLosslessReplay(r);
    const tampered = r.events.map((e) => (e.type === "sybil_clusters" && e.clusters.length ? { ...e, clusters: e.clusters.slice(1) } : e));
    expect(() => reconstruct(fromJsonl(toJsonl(tampered)))).toThrow(ReplayError);
  });

  it("reports what Sybils gain: entity payoffs, their share and the break-even creation cost", () => {
    const r = run(planOf(`scenario s { seed = 3  epochs = 4  steps = 6  population { honest = 4  sybil { count = 1  identities = 3 } }  identity { creation_cost = 5 }
      expect { final(sybil.entity_payoff[sybil]) > -1000  final(sybil.entity_payoff[honest]) > -1000 } }`));
    const agents = r.result.agents;
    const sybilNet = agents.filter((a) => a.kind === "sybil").reduce((s, a) => s + a.payoff - 5, 0);
    const honestNets = agents.filter((a) => a.kind === "honest").map((a) => a.payoff - 5);
    const honestMean = honestNets.reduce((a, b) => a + b, 0) / honestNets.length;
    const e = r.result.epochs.at(-1)!;
    expect(e.observed["sybil.entity_payoff[kind:sybil]"]).toBeCloseTo(sybilNet, 9);
    expect(e.observed["sybil.entity_payoff[kind:honest]"]).toBeCloseTo(honestMean, 9);
    // Break-even: the cost at which the Sybil entity's net equals a single identity's.
    const be = final(r, "sybil.break_even_cost")!;
    expect(sybilNet + 3 * 5 - 3 * be).toBeCloseTo(honestMean + 5 - be, 9);
    expect(final(r, "sybil.payoff_share")).toBeCloseTo(sybilNet / (sybilNet + honestNets.reduce((a, b) => a + b, 0)), 9);
  });

  it("knows each identity's entity, siblings and ground truth, an agent named like a Sybil entity included", () => {
    const entitiesOf = (plan: Plan) => {
      const w = new World(plan, MECHANISMS);
      const m = w.get(identity);
      return {
        members: [...m.members].map(([entity, list]) => [entity, list.map((s) => s.id)]),
        siblings: w.population.slots.map((s) => w.view(s).siblings().map((o) => o.id)),
        sybil: [...m.sybil],
        hasSybils: m.hasSybils,
      };
    };
    const plan = planOf(`scenario s { seed = 1  epochs = 1  steps = 1  population { honest = 2  sybil { count = 2  identities = 2 } } }`);
    expect(entitiesOf(plan)).toEqual({
      members: [["honest_1", ["honest_1"]], ["honest_2", ["honest_2"]], ["sybil#1", ["sybil_1", "sybil_2"]], ["sybil#2", ["sybil_3", "sybil_4"]]],
      siblings: [[], [], ["sybil_2"], ["sybil_1"], ["sybil_4"], ["sybil_3"]],
      sybil: [0, 0, 1, 1, 1, 1],
      hasSybils: true,
    });
    // A plan written by hand may name an agent like a Sybil entity: the agent is then one of its identities.
    const named = { ...plan, agents: plan.agents.map((a) => (a.id === "honest_2" ? { ...a, id: "sybil#2" } : a)) } as Plan;
    expect(entitiesOf(named)).toEqual({
      members: [["honest_1", ["honest_1"]], ["sybil#2", ["sybil#2", "sybil_3", "sybil_4"]], ["sybil#1", ["sybil_1", "sybil_2"]]],
      siblings: [[], ["sybil_3", "sybil_4"], ["sybil_2"], ["sybil_1"], ["sybil#2", "sybil_4"], ["sybil#2", "sybil_3"]],
      sybil: [0, 1, 1, 1, 1, 1],
      hasSybils: true,
    });
    expect(entitiesOf(planOf(`scenario s { seed = 1  epochs = 1  steps = 1  population { honest = 3 } }`))).toMatchObject({ siblings: [[], [], []], sybil: [0, 0, 0], hasSybils: false });
  });

  it("is inert unless written: no identity slice, no events, undefined metrics", () => {
    const plan = planOf(`scenario s { seed = 1  epochs = 2  steps = 3  population { honest = 3 } }`);
    expect("identity" in plan).toBe(false);
    expect("sybilDetection" in plan.governance).toBe(false);
    const r = run(plan);
    expect(r.events.some((e) => e.type === "identity_registered" || e.type === "sybil_clusters")).toBe(false);
    for (const m of ["identity.trust", "sybil.flagged", "sybil.break_even_cost", "sybil.entity_payoff"]) expect(series(r, m).every((v) => v === null), m).toBe(true);
  });
});
