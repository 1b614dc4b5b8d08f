import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OrderIndex } from "../../src/kernel/order-index.ts";

describe("OrderIndex", () => {
  it("answers rank, k-th and k-th-excluding like a sorted list", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.array(fc.tuple(fc.nat(59), fc.boolean()), { maxLength: 120 }), fc.array(fc.nat(59), { maxLength: 8 }), (n, ops, ex) => {
        const idx = new OrderIndex(n);
        const naive = new Set<number>();
        for (const [i, on] of ops) {
          if (i >= n) continue;
          idx.set(i, on);
          if (on) naive.add(i);
          else naive.delete(i);
        }
        const members = [...naive].sort((a, b) => a - b);
        expect(idx.size).toBe(members.length);
        members.forEach((m, k) => {
          expect(idx.kth(k)).toBe(m);
          expect(idx.rank(m)).toBe(k);
          expect(idx.has(m)).toBe(true);
        });
        const excluded = [...new Set(ex.filter((e) => naive.has(e)))].sort((a, b) => a - b);
        const rest = members.filter((m) => !excluded.includes(m));
        rest.forEach((m, k) => expect(idx.kthExcluding(k, excluded)).toBe(m));
        // One more member skipped without copying the list (a turn's agent itself).
        if (rest.length > 0) {
          const extra = rest[(ex[0] ?? 0) % rest.length];
          const restWithout = rest.filter((m) => m !== extra);
          restWithout.forEach((m, k) => expect(idx.kthExcluding(k, excluded, extra)).toBe(m));
        }
      }),
    );
  });
});
