/**
 * The transparency lever (docs/extending.md's worked example): a counterparty
 * that sees an interaction's p below the threshold declines it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconstruct, runWithEvents, toJsonl, fromJsonl, type InteractionRecord, type SimEvent } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { testPlan } from "../support/reference-plans.ts";

function plan(r: { seed: number; profile: Plan["profile"]; share: number; threshold: number | null; honest: number; opportunistic: number; adversarial: number }): Plan {
  const p = testPlan({ profile: r.profile, seed: r.seed, epochs: 3, steps: 6, agents: [["honest", r.honest], ["opportunistic", r.opportunistic], ["adversarial", r.adversarial]] });
  if (r.threshold !== null) p.governance.transparency = { enabled: true, share: r.share, threshold: r.threshold };
  return p;
}

const arb = fc.record({
  seed: fc.integer({ min: 0, max: 10_000 }),
  profile: fc.constantFrom("sbx" as const, "swarm-0.1" as const),
  share: fc.constantFrom(0, 0.5, 1),
  threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  honest: fc.integer({ min: 1, max: 4 }),
  opportunistic: fc.integer({ min: 0, max: 3 }),
  adversarial: fc.integer({ min: 0, max: 2 }),
});

function run(p: Plan) {
  const xs: InteractionRecord[] = [];
  const { result, events } = runWithEvents(p, { onInteraction: (x) => xs.push(x) });
  return { result, events, xs, screened: events.filter((e): e is Extract<SimEvent, { type: "interaction_screened" }> => e.type === "interaction_screened") };
}

describe("transparency", () => {
  it("seen in full, no accepted interaction is worse than the threshold; every decline was seen below it", () => {
    fc.assert(
      fc.property(arb, (r) => {
        const { xs, screened } = run(plan({ ...r, share: 1 }));
        for (const x of xs) if (x.accepted) expect(x.p).toBeGreaterThanOrEqual(r.threshold);
        const byId = new Map(xs.map((x) => [x.id, x]));
        for (const s of screened) {
          expect(s.declined).toBe(s.p < r.threshold);
          const x = byId.get(s.id)!;
          // A declined interaction is a rejection, logged with the p its counterparty saw (engagement capped as for any rejection).
          if (s.declined) expect(x.accepted).toBe(false);
          else expect(x.p).toBe(s.p);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("seen by nobody, it changes no interaction; replay rebuilds its metrics", () => {
    fc.assert(
      fc.property(arb, (r) => {
        const none = run(plan({ ...r, threshold: null }));
        const blind = run(plan({ ...r, share: 0 }));
        expect(blind.xs).toEqual(none.xs);
        const partial = run(plan({ ...r, share: 0.5 }));
        expect(reconstruct(fromJsonl(toJsonl(partial.events))).result).toEqual(partial.result);
        const declined = partial.result.epochs.reduce((s, e) => s + (e.metrics["governance.declined"] as number), 0);
        expect(declined).toBe(partial.screened.filter((s) => s.declined).length);
      }),
      { numRuns: 20 },
    );
  });

  it("reverses adverse selection where it bites: accepted interactions are better than declined ones", () => {
    const p = plan({ seed: 11, profile: "sbx", share: 1, threshold: 0.55, honest: 3, opportunistic: 3, adversarial: 2 });
    const { result, screened } = run(p);
    expect(screened.some((s) => s.declined)).toBe(true);
    for (const e of result.epochs) if ((e.metrics["governance.declined"] as number) > 0) expect(e.metrics.quality_gap as number).toBeGreaterThan(0);
  });
});
