/**
 * High-frequency negotiation (src/mechanisms/negotiation): the order book
 * never crosses after clearing, cancels and priorities follow the rules,
 * the flash-crash detector finds drops from the rolling maximum and halts
 * the market, and replay reruns every market from the logged orders.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, ReplayError, runWithEvents, toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { Market, type LoggedOrder, type MarketRules } from "../../src/mechanisms/negotiation/market.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";
import { runs } from "../support/property-runs.ts";

const RULES: MarketRules = { tickMs: 100, clearing: "batch", batchInterval: 5, speedPriority: true, halt: 20, crashDrop: 0.1, window: 10, recovery: 0.95 };

const order = fc.tuple(
  fc.constantFrom("a", "b", "c", "d"),
  fc.constantFrom("bid", "ask", "ask", "bid", "cancel") as fc.Arbitrary<LoggedOrder[1]>,
  fc.double({ min: 0.3, max: 1.7, noNaN: true }),
  fc.integer({ min: 1, max: 5 }),
  fc.double({ min: 0, max: 250, noNaN: true }),
) as fc.Arbitrary<LoggedOrder>;

const flow = fc.record({
  clearing: fc.constantFrom("batch" as const, "continuous" as const),
  batchInterval: fc.integer({ min: 1, max: 7 }),
  speedPriority: fc.boolean(),
  halt: fc.integer({ min: 1, max: 8 }),
  ticks: fc.array(fc.array(order, { maxLength: 6 }), { minLength: 1, maxLength: 60 }),
});

function plan(text: string): Plan {
  const c = compileText(text);
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return c.scenarios[0].plan!;
}

const SCENARIO = (seed: number) => `scenario s {
  seed = ${seed}
  epochs = 3
  steps = 4
  population {
    honest value { count = 4 }
    opportunistic momentum { count = 2 }
    adversarial = 1
    deceptive = 1
  }
  negotiation {
    dump_probability = 10%
    market batched { clearing = batch   traders = ["value", "momentum", "adversarial"] }
    market matched { clearing = continuous   speed_priority = false }
  }
}`;

describe("negotiation", () => {
  it("the order book never crosses after clearing, and every trade is at a price both sides accepted", () => {
    fc.assert(
      fc.property(flow, (f) => {
        const m = new Market({ ...RULES, clearing: f.clearing, batchInterval: f.batchInterval, speedPriority: f.speedPriority, halt: f.halt });
        const sent = new Map<string, { side: string; price: number }[]>();
        f.ticks.forEach((orders, t) => {
          for (const [agent, side, price] of orders) if (side !== "cancel") (sent.get(agent) ?? sent.set(agent, []).get(agent)!).push({ side, price });
          const r = m.tick(t, orders);
          const cleared = f.clearing === "continuous" || (t + 1) % f.batchInterval === 0;
          if (cleared && !r.halted) expect(m.crossed()).toBe(false);
          for (const trade of r.trades) {
            expect(trade.qty).toBeGreaterThan(0);
            // A buyer sent some bid at or above the price, a seller some ask at or below it.
            expect(sent.get(trade.buyer)!.some((o) => o.side === "bid" && o.price >= trade.price - 1e-12)).toBe(true);
            expect(sent.get(trade.seller)!.some((o) => o.side === "ask" && o.price <= trade.price + 1e-12)).toBe(true);
          }
          if (r.halted) expect(r.trades).toEqual([]);
          for (let i = 1; i < m.bids.length; i++) expect(m.bids[i - 1].price).toBeGreaterThanOrEqual(m.bids[i].price);
          for (let i = 1; i < m.asks.length; i++) expect(m.asks[i - 1].price).toBeLessThanOrEqual(m.asks[i].price);
        });
      }),
      { numRuns: runs(200) },
    );
  });

  it("matches continuously at the resting price, speed first; batches at the midpoint every N ticks", () => {
    const c = new Market({ ...RULES, clearing: "continuous" });
    c.tick(0, [["slow", "ask", 1.0, 1, 50], ["fast", "ask", 1.0, 1, 5], ["buyer", "bid", 1.2, 1, 90]]);
    // Arrivals by latency: fast's ask, slow's ask, then the bid, which takes the first-arrived ask at its price.
    expect(c.price).toBe(1.0);
    expect(c.asks.map((o) => o.agent)).toEqual(["slow"]);
    const noSpeed = new Market({ ...RULES, clearing: "continuous", speedPriority: false });
    noSpeed.tick(0, [["slow", "ask", 1.0, 1, 50], ["fast", "ask", 1.0, 1, 5], ["buyer", "bid", 1.2, 1, 90]]);
    expect(noSpeed.asks.map((o) => o.agent)).toEqual(["fast"]);

    const b = new Market({ ...RULES, batchInterval: 3 });
    expect(b.tick(0, [["s", "ask", 0.9, 1, 1], ["x", "bid", 1.1, 1, 1]]).trades).toEqual([]);
    expect(b.crossed()).toBe(true);
    expect(b.tick(1, []).trades).toEqual([]);
    expect(b.tick(2, []).trades).toEqual([{ buyer: "x", seller: "s", price: 1.0, qty: 1 }]);
    expect(b.crossed()).toBe(false);
  });

  it("a cancel removes only the orders its sender sent before it; a late order arrives in a later tick", () => {
    const m = new Market({ ...RULES, clearing: "continuous" });
    m.tick(0, [["a", "bid", 0.9, 1, 1], ["a", "cancel", 0, 0, 50], ["a", "bid", 0.8, 1, 10], ["b", "bid", 0.85, 1, 2]]);
    expect(m.bids.map((o) => [o.agent, o.price])).toEqual([["b", 0.85], ["a", 0.8]]);
    m.tick(1, [["c", "ask", 0.5, 1, 150]]);
    expect(m.price).toBe(1.0); // not arrived yet
    m.tick(2, []);
    expect(m.price).toBe(0.85);
  });

  it("detects a drop of crash_drop from the rolling maximum, halts the market, and reports the recovery", () => {
    const m = new Market({ ...RULES, clearing: "continuous", halt: 3, window: 4 });
    const at = (t: number, price: number) => m.tick(t, [["s", "ask", price, 1, 1], ["b", "bid", price, 1, 2]]);
    expect(at(0, 1.0).crash).toBeNull();
    expect(at(1, 0.95).crash).toBeNull();
    const crash = at(2, 0.85).crash!;
    expect(crash.tick).toBe(2);
    expect(crash.drop).toBeCloseTo(0.15, 12);
    expect(crash.severity).toBeCloseTo(1.5, 12);
    // Halted for ticks 3, 4, 5: nothing arrives, nothing trades.
    for (const t of [3, 4, 5]) {
      const r = at(t, 0.99);
      expect(r.halted).toBe(true);
      expect(r.trades).toEqual([]);
      expect(r.rejected).toBe(2);
    }
    const back = at(6, 0.96);
    expect(back.halted).toBe(false);
    expect(back.recoveredAfter).toBe(4);
  });

  it("every trader follows its kind, frozen agents and halted markets send nothing, and replay reruns both markets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        // A strict circuit breaker freezes agents now and then; frozen agents send no orders.
        const text = SCENARIO(seed).replace("  negotiation {", "  governance { circuit_breaker { toxicity = 0.35   violations = 1   freeze = 2 epochs } }\n  negotiation {");
        const { result, events } = runWithEvents(plan(text));
        const frozen = new Set<string>();
        let frozenSeen = 0;
        for (const e of events) {
          if (e.type === "agent_frozen") frozen.add(e.agent);
          if (e.type === "agent_unfrozen") frozen.delete(e.agent);
          if (e.type === "market_ticked") {
            frozenSeen += frozen.size;
            for (const [agent] of e.orders) expect(frozen.has(agent)).toBe(false);
          }
        }
        expect(frozenSeen).toBeGreaterThan(0);
        const ticked = events.filter((e): e is Extract<SimEvent, { type: "market_ticked" }> => e.type === "market_ticked");
        expect(ticked.length).toBe(2 * 3 * 4 * 10);
        for (const e of ticked) {
          for (const [agent, side, , qty] of e.orders) {
            if (e.market === "batched") expect(agent).not.toMatch(/^deceptive_/);
            if (agent.startsWith("deceptive")) expect(qty).toBe(side === "cancel" ? 0 : 1);
            if (agent.startsWith("adversarial") && qty > 1) expect(side).toBe("ask");
          }
        }
        const halts = events.filter((e): e is Extract<SimEvent, { type: "flash_crash" }> => e.type === "flash_crash");
        for (const h of halts) {
          for (const e of ticked) if (e.market === h.market && e.tick > h.tick && e.tick < h.haltUntil) expect(e.orders).toEqual([]);
        }
        expect(reconstruct(fromJsonl(toJsonl(events))).result).toEqual(result);
        const crashes = result.epochs.reduce((s, e) => s + (e.metrics["negotiation.crashes"] as number), 0);
        expect(crashes).toBe(halts.length);
      }),
      { numRuns: runs(6) },
    );
  });

  it("replay rejects a logged crash the market did not have", () => {
    const { events } = runWithEvents(plan(SCENARIO(11)));
    const tampered = fromJsonl(toJsonl(events));
    const i = tampered.findIndex((e) => e.type === "flash_crash");
    expect(i).toBeGreaterThan(0);
    (tampered[i] as Extract<SimEvent, { type: "flash_crash" }>).drop += 0.01;
    expect(() => reconstruct(tampered)).toThrow(ReplayError);
  });

  it("is inert unless written", () => {
    const text = SCENARIO(5);
    const without = text.replace(/  negotiation \{[\s\S]*\n  \}\n/, "");
    const a = runWithEvents(plan(text));
    const b = runWithEvents(plan(without));
    expect(b.events.some((e) => e.type === "market_ticked")).toBe(false);
    expect(b.result.epochs.every((e) => !("negotiation.trades" in e.metrics))).toBe(true);
    // Its own stream: the rest of the run is untouched.
    const rest = (events: SimEvent[]) => events.filter((e) => !["market_ticked", "flash_crash", "crash_recovered", "epoch_completed", "run_started"].includes(e.type));
    expect(rest(a.events)).toEqual(rest(b.events));
  });
});
