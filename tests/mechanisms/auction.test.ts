/**
 * Dworkin-style auctions (src/mechanisms/auction): allocations never exceed
 * the supply, the envy check reports exactly the envious pairs, the
 * tâtonnement follows the reference's update, and replay rebuilds (and
 * checks) every auction.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, ReplayError, runWithEvents, toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { runAuction, type AuctionRules } from "../../src/mechanisms/auction/dworkin.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";
import { runs } from "../support/property-runs.ts";

const REFERENCE: AuctionRules = { endowment: 100, maxRounds: 50, rate: 0.1, tolerance: 0.01, envyTolerance: 0.05 };

const market = fc.record({
  bidders: fc.integer({ min: 1, max: 24 }),
  resources: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer(),
  supply: fc.array(fc.double({ min: 0.1, max: 2000, noNaN: true }), { minLength: 5, maxLength: 5 }),
  endowment: fc.double({ min: 1, max: 500, noNaN: true }),
  rate: fc.double({ min: 0.01, max: 1, noNaN: true }),
  maxRounds: fc.integer({ min: 1, max: 60 }),
  envyTolerance: fc.constantFrom(0, 0.05, 1),
});

/** Valuations from a small LCG, so a counterexample is reproducible from its seed. */
function valuations(n: number, r: number, seed: number): number[][] {
  let x = seed >>> 0;
  const next = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => Array.from({ length: r }, next));
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

function plan(text: string): Plan {
  const c = compileText(text);
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return c.scenarios[0].plan!;
}

const SCENARIO = (seed: number, extra = "") => `scenario s {
  seed = ${seed}
  epochs = 4
  steps = 2
  population { honest = 5   opportunistic = 3   adversarial = 2 }
  auction {
    ${extra}
    resource compute { supply = 60 }
    resource data    { supply = 100 }
  }
}`;

describe("auction", () => {
  it("never allocates more than the supply of any resource, and no bidder spends more than its endowment", () => {
    fc.assert(
      fc.property(market, (m) => {
        const supply = m.supply.slice(0, m.resources);
        const rules = { ...REFERENCE, endowment: m.endowment, rate: m.rate, maxRounds: m.maxRounds, envyTolerance: m.envyTolerance };
        const o = runAuction(valuations(m.bidders, m.resources, m.seed), supply, rules);
        for (let r = 0; r < supply.length; r++) {
          const allocated = o.allocations.reduce((s, q) => s + q[r], 0);
          expect(allocated).toBeLessThanOrEqual(supply[r] * (1 + 1e-12));
        }
        for (const q of o.allocations) for (const x of q) expect(x).toBeGreaterThanOrEqual(0);
        for (const spent of o.paid) expect(spent).toBeLessThanOrEqual(m.endowment * (1 + 1e-12));
        for (const p of o.prices) expect(p).toBeGreaterThanOrEqual(0.01);
        expect(o.rounds).toBeLessThanOrEqual(m.maxRounds);
      }),
      { numRuns: runs(200) },
    );
  });

  it("reports exactly the envious pairs: i could afford j's bundle and values it more than its own by more than the tolerance", () => {
    fc.assert(
      fc.property(market, (m) => {
        const supply = m.supply.slice(0, m.resources);
        const v = valuations(m.bidders, m.resources, m.seed);
        const rules = { ...REFERENCE, envyTolerance: m.envyTolerance };
        const o = runAuction(v, supply, rules);
        const expected: [number, number][] = [];
        for (let i = 0; i < v.length; i++) {
          for (let j = 0; j < v.length; j++) {
            if (i === j || dot(o.prices, o.allocations[j]) > rules.endowment + rules.envyTolerance) continue;
            if (dot(v[i], o.allocations[j]) - dot(v[i], o.allocations[i]) > rules.envyTolerance) expected.push([i, j]);
          }
        }
        expect(o.violations.map((x) => [x.envious, x.envied])).toEqual(expected);
        for (const x of o.violations) expect(x.gap).toBeCloseTo(dot(v[x.envious], o.allocations[x.envied]) - o.utilities[x.envious], 9);
      }),
      { numRuns: runs(150) },
    );
  });

  it("clears at once when demands meet the supply, and moves prices by the reference's rule otherwise", () => {
    // Each bidder wants one resource only; at price 1 each affords exactly the supply.
    const clear = runAuction([[1, 0], [0, 1]], [100, 100], REFERENCE);
    expect(clear).toMatchObject({ rounds: 1, converged: true, maxExcess: 0, prices: [1, 1], allocations: [[100, 0], [0, 100]], violations: [] });
    // Two bidders want compute (supply 100) with 100 tokens each: excess 100 at price 1,
    // so the first round moves its price to 1·(1 + 0.1·100/100) = 1.1; data's supply is unwanted
    // and its price falls to 1·(1 + 0.1·(0 − 50)/50) = 0.9.
    const one = runAuction([[1, 0], [1, 0]], [100, 50], { ...REFERENCE, maxRounds: 1 });
    expect(one.prices[0]).toBeCloseTo(1.1, 12);
    expect(one.prices[1]).toBeCloseTo(0.9, 12);
    expect(one).toMatchObject({ rounds: 1, converged: false, maxExcess: 100 });
    // At 1.1 each demands 100/1.1 units of compute, 181.8 in all: scaled to the supply, half each.
    expect(one.allocations.map((q) => q[0])).toEqual([50, 50]);
  });

  it("runs every epoch among the agents not frozen, and replay rebuilds every auction metric", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom("", "every = 2 epochs", 'bidders = ["honest", "adversarial"]'), (seed, extra) => {
        // A strict circuit breaker freezes agents now and then.
        const text = SCENARIO(seed, extra).replace("  auction {", "  governance { circuit_breaker { toxicity = 0.35   violations = 1   freeze = 2 epochs } }\n  auction {");
        const { result, events } = runWithEvents(plan(text));
        const cleared = events.filter((e): e is Extract<SimEvent, { type: "auction_cleared" }> => e.type === "auction_cleared");
        const frozen = new Set<string>();
        for (const e of events) {
          if (e.type === "agent_frozen") frozen.add(e.agent);
          if (e.type === "agent_unfrozen") frozen.delete(e.agent);
          if (e.type === "auction_cleared") {
            for (const id of e.bidders) expect(frozen.has(id)).toBe(false);
            expect(e.bidders.length + [...frozen].filter((id) => !extra.startsWith("bidders") || /^(honest|adversarial)_/.test(id)).length).toBe(extra.startsWith("bidders") ? 7 : 10);
          }
        }
        expect(cleared.map((e) => e.epoch)).toEqual(extra.startsWith("every") ? [0, 2] : [0, 1, 2, 3]);
        if (extra.startsWith("bidders")) for (const e of cleared) expect(e.bidders.every((id) => /^(honest|adversarial)_/.test(id))).toBe(true);
        expect(reconstruct(fromJsonl(toJsonl(events))).result).toEqual(result);
        for (const epoch of result.epochs) {
          const auctioned = cleared.find((e) => e.epoch === epoch.epoch);
          expect(epoch.metrics["auction.envy_violations"]).toBe(auctioned ? auctioned.violations.length : null);
          if (auctioned) expect(epoch.metrics["auction.allocated"] as number).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
      { numRuns: runs(8) },
    );
  });

  it("replay rejects a log whose auction does not follow from its valuations", () => {
    const { events } = runWithEvents(plan(SCENARIO(3)));
    const tampered = fromJsonl(toJsonl(events));
    const e = tampered.find((x): x is Extract<SimEvent, { type: "auction_cleared" }> => x.type === "auction_cleared")!;
    e.prices[0] *= 1.01;
    expect(() => reconstruct(tampered)).toThrow(ReplayError);
  });

  it("is inert unless written: no event, undefined metrics, the other mechanisms' draws unchanged", () => {
    const text = SCENARIO(5);
    const without = text.replace(/auction \{[\s\S]*?\n  \}\n/, "");
    const a = runWithEvents(plan(text));
    const b = runWithEvents(plan(without));
    expect(b.events.some((e) => e.type === "auction_cleared")).toBe(false);
    expect(b.result.epochs.every((e) => !("auction.rounds" in e.metrics))).toBe(true);
    const rest = (events: SimEvent[]) => events.filter((e) => e.type !== "auction_cleared" && e.type !== "epoch_completed" && e.type !== "run_started");
    expect(rest(a.events)).toEqual(rest(b.events));
  });
});
