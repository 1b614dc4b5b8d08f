/**
 * The town's invariants, on towns drawn at random: holdings never go below
 * 0; an encounter has two or three members, all in its room; the placebo's
 * derangement leaves nobody its own traits; the temperament is monotone in
 * every trait; replay rebuilds every town metric.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, resultJson, runWithEvents, toJsonl } from "../../src/engine/index.ts";
import { ENVIRONMENTS, TOWN_ACTIONS, type Temperament, type Town } from "../../src/mechanisms/town/language.ts";
import { TRAITS, type Traits } from "../../src/mechanisms/personas/language.ts";
import { derangement } from "../../src/mechanisms/personas/sampling.ts";
import { meetProbability, propensity } from "../../src/mechanisms/town/temperament.ts";
import { SbxStream } from "../../src/kernel/rng/streams.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileTown, runChecking, smallTownText } from "./support.ts";

const base = compileTown(smallTownText({ residents: 9 }));

const traitsArb = fc.record(Object.fromEntries(TRAITS.map((t) => [t, fc.double({ min: -1, max: 1, noNaN: true })])) as Record<keyof Traits, fc.Arbitrary<number>>);

/** A town plan drawn at random: environment, economy, room sizes, rules, encounters, personas and seed. */
const townArb = fc
  .record({
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    environment: fc.constantFrom(...ENVIRONMENTS),
    difficulty: fc.integer({ min: 1, max: 4 }),
    startCredits: fc.integer({ min: 0, max: 4 }),
    workPay: fc.integer({ min: 1, max: 3 }),
    giftAmount: fc.integer({ min: 1, max: 5 }),
    stealAmount: fc.integer({ min: 1, max: 6 }),
    fine: fc.integer({ min: 0, max: 6 }),
    stressBelow: fc.integer({ min: 0, max: 5 }),
    maxEvents: fc.integer({ min: 0, max: 6 }),
    // The rooms hold the nine residents (the compiler refuses towns they cannot: SBX3202).
    capacities: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 })).filter(([a, b, c]) => a + b + c >= 9),
    ruleCost: fc.integer({ min: 0, max: 4 }),
    ruleAction: fc.constantFrom(...TOWN_ACTIONS),
    ruleActive: fc.boolean(),
    placebo: fc.boolean(),
    lhs: fc.boolean(),
    traits: fc.array(traitsArb, { minLength: 9, maxLength: 9 }),
  })
  .map((r): Plan => {
    const town = base.town as Town;
    return {
      ...base,
      simulation: { ...base.simulation, seed: r.seed },
      agents: base.agents.map((a, i) => ({ ...a, params: { persona: { ...(a.params as { persona: { name: string; prompt: string } }).persona, traits: r.traits[i]! } } })) as Plan["agents"],
      personas: { ...base.personas!, placebo: r.placebo, sampling: r.lhs ? "latin_hypercube" : "independent" },
      town: {
        ...town,
        environment: r.environment,
        difficulty: r.difficulty,
        startCredits: r.startCredits,
        workPay: r.workPay,
        giftAmount: r.giftAmount,
        stealAmount: r.stealAmount,
        fine: r.fine,
        stressBelow: r.stressBelow,
        maxEvents: r.maxEvents,
        rooms: town.rooms.map((room, k) => ({ ...room, capacity: r.capacities[k]! })),
        rules: [{ ...town.rules[0]!, action: r.ruleAction, cost: r.ruleCost, active: r.ruleActive }],
      },
    };
  });

describe("town invariants", () => {
  it("holdings never go below 0: credits, rooms' paid work and tokens", () => {
    fc.assert(
      fc.property(townArb, (plan) => {
        runChecking(plan, (s) => {
          for (let i = 0; i < s.n; i++) if (s.credits[i]! < 0) throw new Error(`${s.ids[i]} holds ${s.credits[i]} credits`);
          for (let k = 0; k < s.rooms.length; k++) {
            if (s.purse[k]! < 0 || s.tokens[k]! < 0) throw new Error(`room ${s.rooms[k]!.name}: purse ${s.purse[k]}, tokens ${s.tokens[k]}`);
            if (s.occupancy[k]! > s.rooms[k]!.capacity) throw new Error(`room ${s.rooms[k]!.name} holds ${s.occupancy[k]} > ${s.rooms[k]!.capacity}`);
          }
        });
      }),
      { numRuns: 40 },
    );
  });

  it("an encounter has two or three members when formed, never more than three, all in its room, at most max_events a tick", () => {
    fc.assert(
      fc.property(townArb, (plan) => {
        let formed = 0;
        runChecking(plan, (s, e) => {
          if (e.type === "encounters_formed") {
            formed += e.groups.length;
            expect(e.groups.length).toBeLessThanOrEqual(plan.town!.maxEvents);
            for (const g of e.groups) {
              expect(g.members.length).toBeGreaterThanOrEqual(2);
              expect(new Set(g.members).size).toBe(g.members.length);
            }
          }
          for (const g of s.groups) {
            expect(g.members.length).toBeLessThanOrEqual(3);
            for (const i of g.members) expect(s.room[i], `${s.ids[i]} in encounter at ${s.rooms[g.room]!.name}`).toBe(g.room);
          }
        });
        return formed >= 0;
      }),
      { numRuns: 40 },
    );
  });

  it("the derangement leaves nobody its own label, and is a permutation", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.string(), (n, key) => {
        const p = derangement(n, new SbxStream(key));
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        p.forEach((v, i) => expect(v).not.toBe(i));
      }),
      { numRuns: 200 },
    );
    expect(() => derangement(1, new SbxStream("x"))).toThrow(RangeError);
  });

  it("the placebo gives every agent another agent's traits to act on, and keeps its own as its label", () => {
    const plan = compileTown(smallTownText({ personas: "personas { jitter = 0.3  placebo = true }" }));
    const { events } = runWithEvents(plan);
    const sampled = events.filter((e) => e.type === "persona_sampled");
    expect(sampled).toHaveLength(9);
    const labels = new Map(sampled.map((e) => [e.agent, JSON.stringify(e.traits)]));
    for (const e of sampled) {
      expect(e.drives).toBeDefined();
      expect(JSON.stringify(e.drives)).not.toBe(JSON.stringify(e.traits));
      expect([...labels.values()]).toContain(JSON.stringify(e.drives));
    }
  });

  it("the temperament is monotone in each trait: every action's propensity and the chance to meet move with their coefficient's sign", () => {
    const coefficients = fc.record({ base: fc.double({ min: -3, max: 3, noNaN: true }), ...Object.fromEntries(TRAITS.map((t) => [t, fc.double({ min: -3, max: 3, noNaN: true })])) }) as fc.Arbitrary<Temperament["talk"]>;
    const temperamentArb = fc.record({
      ...(Object.fromEntries([...TOWN_ACTIONS, "meet"].map((a) => [a, coefficients])) as Record<keyof Temperament, fc.Arbitrary<Temperament["talk"]>>),
      stress: fc.double({ min: 0, max: 3, noNaN: true }),
      crowds: fc.constant(1),
      novelty: fc.constant(1),
    }) as fc.Arbitrary<Temperament>;
    fc.assert(
      fc.property(temperamentArb, traitsArb, fc.constantFrom(...TRAITS), fc.double({ min: 0.001, max: 2, noNaN: true }), fc.boolean(), (temperament, traits, trait, step, stressed) => {
        const higher = { ...traits, [trait]: Math.min(1, traits[trait] + step) };
        for (const action of TOWN_ACTIONS) {
          const c = temperament[action][trait];
          const [lo, hi] = [propensity(temperament, action, traits, stressed), propensity(temperament, action, higher, stressed)];
          if (c > 0) expect(hi).toBeGreaterThanOrEqual(lo);
          if (c < 0) expect(hi).toBeLessThanOrEqual(lo);
          if (c === 0) expect(hi).toBe(lo);
        }
        const c = temperament.meet[trait];
        const [lo, hi] = [meetProbability(temperament, traits, stressed), meetProbability(temperament, higher, stressed)];
        if (c > 0) expect(hi).toBeGreaterThanOrEqual(lo);
        if (c < 0) expect(hi).toBeLessThanOrEqual(lo);
      }),
      { numRuns: 300 },
    );
  });

  it("replay rebuilds every town metric, the town's summary and its history from the log", () => {
    fc.assert(
      fc.property(townArb, (plan) => {
        const { result, events } = runWithEvents(plan);
        const { result: replayed } = reconstruct(fromJsonl(toJsonl(events)));
        for (const [a, b] of result.epochs.map((e, k) => [e, replayed.epochs[k]!] as const)) {
          for (const [m, v] of Object.entries(a.metrics)) if (m.startsWith("town.")) expect(b.metrics[m], `${m} epoch ${a.epoch}`).toBe(v);
        }
        expect(resultJson(replayed)).toBe(resultJson(result));
      }),
      { numRuns: 25 },
    );
  });
});
