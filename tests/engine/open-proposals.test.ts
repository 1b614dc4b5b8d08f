import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OpenProposals, type Placed } from "../../src/mechanisms/interactions/open-proposals.ts";

describe("OpenProposals", () => {
  it("answers as a Map by id in insertion order, across squeezes and ids never opened", () => {
    // Each op opens the next proposal (skipping `gap` ids, as interactions recorded elsewhere do) or closes the k-th open one.
    const op = fc.oneof(fc.record({ open: fc.nat(2) }), fc.record({ close: fc.nat(), twice: fc.boolean() }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000, size: "large" }), (ops) => {
        const table = new OpenProposals<Placed>();
        const model = new Map<number, Placed>();
        const closed: Placed[] = [];
        let id = 0;
        for (const o of ops) {
          if ("open" in o) {
            id += 1 + o.open;
            const p: Placed = { id, place: -1 };
            table.add(p);
            model.set(id, p);
          } else if (model.size > 0) {
            const p = [...model.values()][o.close % model.size]!;
            table.delete(p);
            model.delete(p.id);
            closed.push(p);
            if (o.twice) table.delete(p);
          }
        }
        expect(table.size).toBe(model.size);
        expect(table.values()).toEqual([...model.values()]);
        for (let k = 0; k <= id + 1; k++) expect(table.get(k)).toBe(model.get(k));
        for (const p of closed) expect(p.place).toBe(-1);
      }),
    );
  });

  it("squeezes its holes out once they outnumber the open proposals", () => {
    const table = new OpenProposals<Placed>();
    const all = Array.from({ length: 1000 }, (_, k) => ({ id: 2 * k + 1, place: -1 }));
    for (const p of all) table.add(p);
    for (const p of all.slice(0, 900)) table.delete(p);
    // The places left are the open proposals' own: 100, not 1,000.
    expect(Math.max(...all.slice(900).map((p) => p.place))).toBeLessThan(200);
    expect(table.get(1801)).toBe(all[900]);
    expect(table.get(1799)).toBeUndefined();
    expect(table.values()).toEqual(all.slice(900));
  });
});
