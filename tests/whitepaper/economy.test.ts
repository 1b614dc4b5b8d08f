/**
 * The three mechanisms together, over generated scenarios in both profiles:
 * replay is lossless, and the economy is conserved — creation costs,
 * detection fines and ensemble surcharges only move value into the public
 * pool (profile sbx).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectLosslessReplay, planOf, run, series } from "./support.ts";

const scenario = fc.record({
  profile: fc.constantFrom("sbx", "swarm-0.1"),
  seed: fc.integer({ min: 0, max: 5000 }),
  mode: fc.constantFrom("sync", "async"),
  sybils: fc.integer({ min: 0, max: 2 }),
  identities: fc.integer({ min: 1, max: 3 }),
  cost: fc.constantFrom(0, 4),
  personhood: fc.boolean(),
  detection: fc.constantFrom(null, 0.5, 0.9),
  realtime: fc.boolean(),
  ensemble: fc.boolean(),
  incoherence: fc.boolean(),
  permeability: fc.constantFrom(0, 0.4, 1),
  adaptive: fc.boolean(),
});

describe("incoherence, boundaries and identity together", () => {
  it("replay is lossless and value is conserved", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const governance = [
          s.detection === null ? "" : `sybil_detection { threshold = ${s.detection}  realtime_penalty = ${s.realtime} }`,
          s.ensemble ? `self_ensemble { samples = 3  group = "honest" }` : "",
        ].join("  ");
        const r = run(
          planOf(`scenario s { profile = "${s.profile}"  seed = ${s.seed}  epochs = 3  steps = 5  mode = ${s.mode}  max_actions_per_step = 40
            population { honest = 3  adversarial = 1  ${s.sybils ? `sybil { count = ${s.sybils}  identities = ${s.identities} }` : ""} }
            identity { creation_cost = ${s.cost}  proof_of_personhood = ${s.personhood} }
            boundary { permeability = ${s.permeability}  adaptive = ${s.adaptive}  contagion_rate = 50% }
            ${s.incoherence ? "incoherence { replays = 3 }" : ""}
            governance { ${governance} } }`),
        );
        expectLosslessReplay(r);
        const pool = (series(r, "governance.pool").at(-1) ?? 0) as number;
        const resources = r.result.agents.reduce((a, x) => a + x.resources, 0);
        const n = r.result.agents.length;
        if (s.profile === "sbx") {
          const created = r.xs.filter((x) => x.accepted).reduce((a, x) => a + x.payoffA + x.payoffB + x.cA + x.cB, 0);
          expect(Math.abs(resources + pool - (100 * n + created))).toBeLessThan(1e-9 * Math.max(1, Math.abs(created) + 100 * n));
        } else {
          expect(pool).toBe(0);
        }
      }),
      { numRuns: 30 },
    );
  });
});
