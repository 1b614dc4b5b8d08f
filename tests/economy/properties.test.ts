/**
 * Properties of any economy plan (fast-check): tokens are conserved — the
 * supply moves only by genesis, mints and destructions, each in an event;
 * dividends never exceed fees; collateral is never spent twice; a contract's
 * state machine never skips a state; and replay rebuilds every metric.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconstruct, runWithEvents, type SimEvent } from "../../src/engine/index.ts";
import { TERMINAL, TRANSITIONS, type Status } from "../../src/mechanisms/contracts/state.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { planOf, supplyChange } from "./support.ts";

const BASE = planOf(`
import "std/economy" { baseline, coordination_push }
scenario s {
  seed = 1   epochs = 20   steps = 1   mode = async   max_actions_per_step = 40
  population {
    firm a extends baseline { count = 4 }
    firm b extends coordination_push { count = 4 }
    honest h { count = 2 }
  }
  economy extends baseline { market b {} }
}`);

/** A probability in hundredths within [lo, hi] (fc.double would crowd the edges, where firms never propose). */
const probability = (lo = 0, hi = 1) => fc.integer({ min: Math.round(lo * 100), max: Math.round(hi * 100) }).map((x) => x / 100);
const count = (max: number) => fc.integer({ min: 0, max });

/** A plan of the base's shape with random rules, firm behaviour, sizes and clock. */
const plans: fc.Arbitrary<Plan> = fc
  .record({
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    epochs: fc.integer({ min: 1, max: 25 }),
    steps: fc.integer({ min: 1, max: 2 }),
    firmsA: fc.integer({ min: 0, max: 5 }),
    firmsB: fc.integer({ min: 0, max: 5 }),
    honest: count(2),
    separate: fc.boolean(),
    genesis: fc.integer({ min: 0, max: 1500 }),
    threshold: fc.integer({ min: 0, max: 150 }),
    rate: probability(0, 4),
    interest: probability(0, 0.1),
    cores: count(5),
    jobPay: fc.integer({ min: 0, max: 100 }),
    reward: fc.integer({ min: 0, max: 30 }),
    lotteryThreshold: fc.integer({ min: 0, max: 40 }),
    slimcoin: fc.boolean(),
    bonus: fc.integer({ min: 0, max: 60 }),
    window: count(4),
    slashBoth: fc.boolean(),
    unstakeDelay: count(6),
    firm: fc.record({ sign: probability(), arbitratorSign: probability(), confirm: probability(), dispute: probability(0, 0.5), propose: probability(0.1, 0.5), mine: probability(0, 0.5), stake: probability(0, 0.2), burn: probability(0, 0.2) }),
  })
  .map((r) => {
    const firm = (group: string, n: number, offset: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `firm_${offset + i + 1}`, kind: "firm" as const, group, params: { ...(BASE.agents.find((a) => a.group === group)!.params as object), ...r.firm } }));
    const honest = BASE.agents.find((a) => a.kind === "honest")!;
    const agents = [...firm("a", r.firmsA, 0), ...firm("b", r.firmsB, r.firmsA), ...Array.from({ length: r.honest }, (_, i) => ({ ...honest, id: `honest_${i + 1}` }))] as Plan["agents"];
    const e = BASE.economy!;
    return {
      ...BASE,
      simulation: { ...BASE.simulation, seed: r.seed, epochs: r.epochs, stepsPerEpoch: r.steps },
      agents,
      groups: [
        { name: "a", kind: "firm", agentIds: agents.filter((a) => a.group === "a").map((a) => a.id) },
        { name: "b", kind: "firm", agentIds: agents.filter((a) => a.group === "b").map((a) => a.id) },
        { name: "h", kind: "honest", agentIds: agents.filter((a) => a.group === "h").map((a) => a.id) },
      ],
      economy: {
        ...e,
        genesis: r.genesis,
        commonsThreshold: r.threshold,
        inferenceRate: r.rate,
        interestRate: r.interest,
        cores: r.cores,
        jobPay: r.jobPay,
        lottery: { ...e.lottery, reward: r.reward, threshold: r.lotteryThreshold, slimcoin: r.slimcoin, unstakeDelay: r.unstakeDelay },
        contracts: { signingBonus: r.bonus, confirmationWindow: r.window, slashBothOnTimeout: r.slashBoth },
        markets: r.separate ? { b: { inferenceRate: r.rate / 2, cores: Math.max(1, r.cores - 1) } } : {},
      },
    } as Plan;
  });

const RUNS = { numRuns: 30 };

describe("economy properties", () => {
  it("tokens are conserved: each epoch's supply is genesis plus mints minus destructions, all in events", () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const { result, events } = runWithEvents(plan);
        let expected = 0;
        let epoch = 0;
        for (const e of events) {
          expected += supplyChange(e);
          if (e.type === "epoch_completed") {
            const supply = e.metrics["economy.supply"] as number;
            expect(Math.abs(supply - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected)));
            epoch++;
          }
        }
        expect(epoch).toBe(result.epochsCompleted);
      }),
      RUNS,
    );
  });

  it("dividends never exceed fees, per turn and per epoch", () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const { result, events } = runWithEvents(plan);
        for (const e of events) if (e.type === "dividends_paid") expect(e.payouts.reduce((a, p) => a + p.amount, 0)).toBeLessThanOrEqual(e.fees);
        for (const ep of result.epochs) expect(ep.metrics["economy.dividends"] as number).toBeLessThanOrEqual(ep.metrics["economy.fees"] as number);
      }),
      RUNS,
    );
  });

  it("collateral is never double-spent: escrow per contract and party never goes below 0, and a finished contract holds none", () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const { events } = runWithEvents(plan);
        const escrow = new Map<string, number>();
        const status = new Map<number, Status>();
        const key = (id: number, agent: string) => `${id}/${agent}`;
        for (const e of events) {
          if (e.type !== "contract_proposed" && e.type !== "contract_changed") continue;
          for (const f of e.flows) {
            const k = key(e.id, f.agent);
            const held = (escrow.get(k) ?? 0) + f.escrow;
            expect(held).toBeGreaterThan(-1e-9);
            escrow.set(k, held);
          }
          // Nothing is created: what leaves escrow goes to a balance or is destroyed.
          const sum = e.flows.reduce((a, f) => a + f.balance + f.escrow, 0) + (e.type === "contract_changed" ? e.destroyed : 0);
          expect(Math.abs(sum)).toBeLessThan(1e-9);
          status.set(e.id, e.type === "contract_proposed" ? "proposed" : e.to);
        }
        for (const [id, s] of status) {
          if (!TERMINAL.has(s)) continue;
          for (const [k, v] of escrow) if (k.startsWith(`${id}/`)) expect(Math.abs(v)).toBeLessThan(1e-9);
        }
      }),
      RUNS,
    );
  });

  it("a contract's state machine never skips a state", () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const { events } = runWithEvents(plan);
        const status = new Map<number, Status>();
        for (const e of events) {
          if (e.type === "contract_proposed") {
            expect(status.has(e.id)).toBe(false);
            status.set(e.id, "proposed");
          }
          if (e.type === "contract_changed") {
            expect(e.from).toBe(status.get(e.id));
            expect(TRANSITIONS[e.from]).toContain(e.to);
            status.set(e.id, e.to);
          }
        }
      }),
      RUNS,
    );
  });

  it("replay rebuilds every economy metric", () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const { result, events } = runWithEvents(plan);
        const rebuilt = reconstruct(events as SimEvent[]).result;
        expect(rebuilt.epochs.map((e) => e.metrics)).toEqual(result.epochs.map((e) => e.metrics));
      }),
      { numRuns: 15 },
    );
  });
});
