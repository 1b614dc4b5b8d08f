import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AgentSet } from "../../src/kernel/agent-set.ts";

describe("AgentSet", () => {
  it("answers like a set of numbers, before and after it turns into a bitmap", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5000), fc.boolean()), { maxLength: 600 }), fc.array(fc.nat(6000), { maxLength: 50 }), (ops, probes) => {
        const set = new AgentSet();
        const naive = new Set<number>();
        for (const [agent, on] of ops) {
          if (on) {
            set.add(agent);
            naive.add(agent);
          } else {
            set.delete(agent);
            naive.delete(agent);
          }
          expect(set.has(agent)).toBe(on);
        }
        for (const agent of [...probes, ...naive]) expect(set.has(agent)).toBe(naive.has(agent));
      }),
    );
  });

  it("keeps every member when a dense set grows past its bitmap", () => {
    const set = new AgentSet();
    for (let a = 0; a < 200; a++) set.add(a);
    set.add(100_000);
    for (let a = 0; a < 200; a++) expect(set.has(a)).toBe(true);
    expect(set.has(100_000)).toBe(true);
    expect(set.has(99_999)).toBe(false);
    expect(set.has(200)).toBe(false);
  });
});
