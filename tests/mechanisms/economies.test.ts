/**
 * The whitepaper's six mechanisms together — auctions, missions and
 * negotiation with incoherence, boundaries and identity — over generated
 * scenarios in both profiles and both modes: replay is lossless, and the
 * economy is accounted for (profile sbx): resources plus the public pool are
 * what agents started with, what accepted interactions created, and mission
 * rewards less contribution costs; auctions and markets move no resources.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../support/property-runs.ts";
import { eventsOf, expectLosslessReplay, planOf, run, series } from "../whitepaper/support.ts";

const scenario = fc.record({
  profile: fc.constantFrom("sbx", "swarm-0.1"),
  seed: fc.integer({ min: 0, max: 5000 }),
  mode: fc.constantFrom("sync", "async"),
  others: fc.boolean(),
  distribution: fc.constantFrom("equal", "proportional", "shapley"),
  clearing: fc.constantFrom("batch", "continuous"),
  breaker: fc.boolean(),
});

describe("the six whitepaper mechanisms together", () => {
  it("replay is lossless and value is accounted for", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = run(
          planOf(`scenario s { profile = "${s.profile}"  seed = ${s.seed}  epochs = 3  steps = 3  mode = ${s.mode}  max_actions_per_step = 40
            population { honest = 3  opportunistic = 2  adversarial = 1  ${s.others ? "sybil { count = 1  identities = 2 }" : ""} }
            ${s.others ? "identity { creation_cost = 2 }  boundary { permeability = 50%  contagion_rate = 50% }  incoherence { replays = 3 }" : ""}
            auction { resource compute { supply = 30 } resource data { supply = 10 } }
            missions { mission m { distribution = ${s.distribution}  deadline = 1 epochs  objective total_count { target = 2 } } }
            negotiation { ticks = 4  market x { clearing = ${s.clearing} } }
            governance { ${s.breaker ? "circuit_breaker { toxicity = 35%  violations = 1 }" : ""} } }`),
        );
        expectLosslessReplay(r);
        expect(eventsOf(r, "auction_cleared").length).toBe(3);
        expect(eventsOf(r, "market_ticked").length).toBe(3 * 3 * 4);
        if (s.profile === "sbx") {
          const pool = (series(r, "governance.pool").at(-1) ?? 0) as number;
          const resources = r.result.agents.reduce((a, x) => a + x.resources, 0);
          const created = r.xs.filter((x) => x.accepted).reduce((a, x) => a + x.payoffA + x.payoffB + x.cA + x.cB, 0);
          const rewards = eventsOf(r, "mission_settled").reduce((a, e) => a + e.rewards.reduce((b, [, x]) => b + x, 0), 0);
          const costs = eventsOf(r, "mission_contributed").reduce((a, e) => a + e.cost, 0);
          const expected = 100 * r.result.agents.length + created + rewards - costs;
          expect(Math.abs(resources + pool - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
        }
      }),
      { numRuns: runs(16) },
    );
  });
});
