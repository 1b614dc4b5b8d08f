import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { TrustLedger } from "../../src/mechanisms/scripted-agents/trust.ts";

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
const AGENTS = 12;
const partner = fc.integer({ min: -1, max: AGENTS - 1 });
const p = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 1, -0, 0.1, 0.2, 0.7));

describe("TrustLedger (by registration number)", () => {
  it("gives the id-keyed ledger's trust, membership and entry order for every agent", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(partner, p, fc.nat(3)), { maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (ops, fallback) => {
        const byNumber = new TrustLedger();
        const byId = new IdLedger();
        for (const [who, value, ghost] of ops) {
          byNumber.add(who, value);
          byId.add(who < 0 ? `ghost${ghost}` : `a${who}`, value);
        }
        for (let k = 0; k < AGENTS; k++) {
          expect(byNumber.has(k)).toBe(byId.has(`a${k}`));
          expect(Object.is(byNumber.trust(k), byId.trust(`a${k}`))).toBe(true);
          expect(Object.is(byNumber.trust(k, fallback), byId.trust(`a${k}`, fallback))).toBe(true);
        }
        // Not an agent: never recorded, so the fallback (nothing ever asks the id ledger about such a partner).
        expect(byNumber.has(-1)).toBe(false);
        expect(byNumber.trust(-1, fallback)).toBe(fallback);
        // The entries, in first-interaction order, are the id ledger's agent entries with the same floats.
        const agents = byId.entries().filter((e) => e.partner.startsWith("a"));
        expect(byNumber.size).toBe(agents.length);
        agents.forEach((e, k) => {
          expect(`a${byNumber.partnerAt(k)}`).toBe(e.partner);
          expect(Object.is(byNumber.trustAt(k), e.trust)).toBe(true);
        });
      }),
    );
  });
});
