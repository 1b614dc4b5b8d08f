import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LedgerStore, TrustLedger } from "../../src/mechanisms/scripted-agents/trust.ts";
import { NO_ENTRIES, NO_MEMBERS } from "../../src/mechanisms/scripted-agents/empty.ts";
import { runWithEvents } from "../../src/engine/index.ts";
import { compileText } from "../support/compiler.ts";
import type { Plan } from "../../src/plan/schema.ts";

function planOf(source: string): Plan {
  const result = compileText(source);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.scenarios[0]!.plan!;
}

/** The ledger as it was (keyed by id string, one entry object per partner): the behaviour the numbered one must keep. */
class IdLedger {
  private readonly sums = new Map<string, { partner: string; sum: number; n: number }>();
  add(partner: string, p: number): void {
    const e = this.sums.get(partner);
    if (e) {
      e.sum += p;
      e.n += 1;
    } else this.sums.set(partner, { partner, sum: 0 + p, n: 1 });
  }
  trust(partner: string, fallback = 0.5): number {
    const e = this.sums.get(partner);
    return e ? e.sum / e.n : fallback;
  }
  has(partner: string): boolean {
    return this.sums.has(partner);
  }
  entries(): { partner: string; trust: number }[] {
    return [...this.sums.values()].map((e) => ({ partner: e.partner, trust: e.sum / e.n }));
  }
}

// Agents are numbers 0..n−1 with ids "a<k>"; −1 stands for a partner that is not an agent (id "ghost<k>").
// More agents than a ledger scans (trust.ts SCAN), so ledgers also find entries by the index, which
// several ledgers share with their blocks' store, as a run's do.
const AGENTS = 50;
const LEDGERS = 3;
const partner = fc.integer({ min: -1, max: AGENTS - 1 });
const p = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1, -0, 0.1, 0.2, 0.7));

/** The numbered ledger answers as the id-keyed one, for every agent and in entry order. */
function expectSameLedger(byNumber: TrustLedger, byId: IdLedger, agents: number, fallback: number): void {
  for (let k = 0; k < agents; k++) {
    expect(byNumber.has(k)).toBe(byId.has(`a${k}`));
    expect(Object.is(byNumber.trust(k), byId.trust(`a${k}`))).toBe(true);
    expect(Object.is(byNumber.trust(k, fallback), byId.trust(`a${k}`, fallback))).toBe(true);
  }
  // Not an agent: never recorded, so the fallback (nothing ever asks the id ledger about such a partner).
  expect(byNumber.has(-1)).toBe(false);
  expect(byNumber.trust(-1, fallback)).toBe(fallback);
  // The entries, in first-interaction order, are the id ledger's agent entries with the same floats.
  const entries = byId.entries().filter((e) => e.partner.startsWith("a"));
  expect(byNumber.size).toBe(entries.length);
  entries.forEach((e, k) => {
    expect(`a${byNumber.partnerAt(k)}`).toBe(e.partner);
    expect(Object.is(byNumber.trustAt(k), e.trust)).toBe(true);
  });
}

describe("TrustLedger (by registration number)", () => {
  it("gives the id-keyed ledger's trust, membership and entry order for every agent", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(LEDGERS - 1), partner, p, fc.nat(3)), { maxLength: 1000, size: "large" }), fc.double({ min: 0, max: 1, noNaN: true }), (ops, fallback) => {
        const store = new LedgerStore();
        const byNumber = Array.from({ length: LEDGERS }, () => new TrustLedger(store));
        const byId = Array.from({ length: LEDGERS }, () => new IdLedger());
        for (const [ledger, who, value, ghost] of ops) {
          byNumber[ledger]!.add(who, value);
          byId[ledger]!.add(who < 0 ? `ghost${ghost}` : `a${who}`, value);
        }
        for (let l = 0; l < LEDGERS; l++) expectSameLedger(byNumber[l]!, byId[l]!, AGENTS, fallback);
      }),
    );
  });

  it("keeps every ledger's entries apart while the shared index grows", () => {
    // 4 ledgers × 400 partners, interleaved: 1,600 indexed entries, past the index's first 1,024 slots kept half full.
    const agents = 400;
    const store = new LedgerStore();
    const byNumber = Array.from({ length: 4 }, () => new TrustLedger(store));
    const byId = Array.from({ length: 4 }, () => new IdLedger());
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < agents; k++) {
        // Partners in a different order per ledger (steps prime to 400), so one ledger's entry k is not another's.
        for (let l = 0; l < 4; l++) {
          const who = (k * [1, 3, 7, 9][l]! + l) % agents;
          const value = ((who * 7 + l * 13 + round * 5) % 11) / 10;
          byNumber[l]!.add(who, value);
          byId[l]!.add(`a${who}`, value);
        }
      }
    }
    for (let l = 0; l < 4; l++) expectSameLedger(byNumber[l]!, byId[l]!, agents, 0.25);
  });

  it("keeps a block given up for a larger one apart from the ledger that takes it next", () => {
    // Ledger 0 outgrows its first block (trust.ts FIRST_BLOCK, 4 entries) before ledger 1 has one: ledger 1
    // takes the block given up, and both go on growing (past SCAN and into blocks given up by the other).
    const store = new LedgerStore();
    const byNumber = [new TrustLedger(store), new TrustLedger(store)];
    const byId = [new IdLedger(), new IdLedger()];
    const add = (l: number, who: number, value: number) => {
      byNumber[l]!.add(who, value);
      byId[l]!.add(`a${who}`, value);
    };
    for (let k = 0; k < 5; k++) add(0, k, k / 10);
    for (let k = 0; k < 3; k++) add(1, 20 - k, 0.3 + k / 10);
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 40; k++) add(round % 2, (k * 7 + round) % 47, ((k + round) % 9) / 8);
      for (let k = 0; k < 47; k++) add(1 - (round % 2), (k * 5 + 2) % 47, (k % 5) / 4);
    }
    for (let l = 0; l < 2; l++) expectSameLedger(byNumber[l]!, byId[l]!, 47, 0.25);
  });
});

describe("scripted policies' shared empty collections", () => {
  it("are never written: every policy writes to collections of its own, in both profiles, with and without a network", () => {
    let exploited = 0;
    let networkedAdversaries = 0;
    for (const profile of ["swarm-0.1", "sbx"]) {
      for (const network of ["", "network { topology = small_world  k_neighbors = 4  rewire_probability = 0.2 }"]) {
        const plan = planOf(`scenario s { profile = "${profile}"  seed = 3  epochs = 4  steps = 8  max_actions_per_step = 40
          population { honest = 8  opportunistic = 4  deceptive { count = 4  trust_building_phase = 1  exploitation_threshold = 0.3 }  adversarial = 4 }  ${network} }`);
        const { events } = runWithEvents(plan);
        exploited += events.filter((e) => e.type === "exploitation_started").length;
        if (network) networkedAdversaries += events.filter((e) => e.type === "interaction_proposed" && e.initiator.startsWith("adversarial")).length;
        expect(NO_MEMBERS.size, `${profile} ${network}`).toBe(0);
        expect(NO_ENTRIES.size, `${profile} ${network}`).toBe(0);
      }
    }
    // The runs reached the writes: deceptive agents turned on partners (sbx), adversaries proposed with a network.
    expect(exploited).toBeGreaterThan(0);
    expect(networkedAdversaries).toBeGreaterThan(0);
  });
});
