/** Semi-permeable boundaries: flows, contagion, policies and the leakage detector. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, ReplayError, runPlanAsync, toJsonl, type InteractionRecord, type SimEvent } from "../../src/engine/index.ts";
import type { Policy } from "../../src/kernel/policy.ts";
import { adaptivePermeability, crossingProbability } from "../../src/mechanisms/boundaries/index.ts";
import type { Boundary } from "../../src/mechanisms/boundaries/language.ts";
import { scan } from "../../src/mechanisms/boundaries/leakage.ts";
import { syntheticPayload } from "../../src/mechanisms/boundaries/payload.ts";
import { SbxStream } from "../../src/kernel/rng/streams.ts";
import { eventsOf, expectLosslessReplay, planOf, run, series, total } from "./support.ts";

const boundary = (more: Partial<Boundary>): Boundary => ({
  name: null,
  inside: null,
  permeability: 0.5,
  adaptive: true,
  threatSensitivity: 1,
  informationDecay: 0.1,
  contagionRate: 0.05,
  amplification: 1.5,
  leakage: true,
  policies: "all",
  rateLimit: null,
  contentFilter: null,
  sensitivity: null,
  ...more,
});

describe("the boundary's rules", () => {
  it("crosses with probability π·(0.5 + 0.5p); adaptive π = base·clip(1 − threat·sensitivity)·(0.5 + 0.5·trust)", () => {
    expect(crossingProbability(0.8, 0.5)).toBeCloseTo(0.6, 12);
    expect(crossingProbability(0, 1)).toBe(0);
    const b = boundary({ permeability: 0.8 });
    expect(adaptivePermeability(b, 0.25, 0.6)).toBeCloseTo(0.8 * 0.75 * 0.8, 12);
    expect(adaptivePermeability(b, 2, 1)).toBe(0); // a threat beyond 1/sensitivity seals it
    expect(adaptivePermeability({ ...b, adaptive: false }, 0.9, 0)).toBe(0.8);
  });

  it("detects PII, credentials and code the way the reference's default patterns do", () => {
    expect(scan("nothing to see here").classes).toEqual([]);
    expect(scan("write to jane.doe@example.org or call 555-123-4567").classes).toEqual(["pii"]);
    const s = scan('config: api_key="sk-123"; def run(x):');
    expect(s.classes).toEqual(["credential", "code"]);
    expect(s.severity).toBe(0.95);
    expect(scan("this is confidential").classes).toEqual(["keyword"]);
    expect(scan("confidential: password = hunter2").classes).toEqual(["credential"]); // keywords count only when nothing else matched
  });

  it("gives scripted agents synthetic payloads the detector finds, more often for adversaries", () => {
    const rng = new SbxStream("payload-test");
    const found = (kind: string) => Array.from({ length: 2000 }, (_, i) => scan(syntheticPayload(kind, rng, i)).classes.length > 0).filter(Boolean).length;
    const honest = found("honest");
    const adversarial = found("adversarial");
    expect(honest).toBeGreaterThan(0);
    expect(adversarial).toBeGreaterThan(3 * honest);
  });
});

const POPULATION = "population { honest = 3  opportunistic = 1  adversarial = 2 }";

describe("boundaries in a run", () => {
  it("a sealed boundary (π = 0) lets nothing cross, whatever else it is set to", () => {
    let flows = 0;
    const config = fc.record({
      seed: fc.integer({ min: 0, max: 1000 }),
      adaptive: fc.boolean(),
      contagion: fc.constantFrom(0.05, 0.5, 1),
      amplification: fc.constantFrom(0, 1.5, 10),
      leakage: fc.boolean(),
      policies: fc.constantFrom("all", "any"),
      rateLimit: fc.boolean(),
      inside: fc.constantFrom(null, "adversarial", "honest"),
      mode: fc.constantFrom("sync", "async"),
    });
    fc.assert(
      fc.property(config, (c) => {
        const r = run(
          planOf(`scenario s { seed = ${c.seed}  epochs = 3  steps = 6  mode = ${c.mode}  ${POPULATION}
            boundary { ${c.inside ? `inside = "${c.inside}"` : ""}  permeability = 0%  adaptive = ${c.adaptive}  contagion_rate = ${c.contagion}
              amplification = ${c.amplification}  leakage = ${c.leakage}  policies = "${c.policies}"  ${c.rateLimit ? "rate_limit { crossings = 1 }" : ""} } }`),
        );
        flows += total(series(r, "boundary.flows"));
        expect(eventsOf(r, "boundary_flow").some((e) => e.crossed)).toBe(false);
        expect(eventsOf(r, "boundary_spillover").some((e) => e.crossed)).toBe(false);
        for (const m of ["boundary.crossings", "boundary.spillovers", "boundary.contagion_harm", "boundary.value_out", "boundary.leakage_events"]) {
          expect(total(series(r, m)), m).toBe(0);
        }
      }),
      { numRuns: 30 },
    );
    expect(flows).toBeGreaterThan(0); // there was something to stop
  });

  it("lets more harm out the more permeable it is, and replays losslessly", () => {
    const harm = (pi: number) => {
      const r = run(planOf(`scenario s { seed = 5  epochs = 6  steps = 8  ${POPULATION}  boundary { permeability = ${pi}  adaptive = false  contagion_rate = 100% } }`));
      expectLosslessReplay(r);
      return total(series(r, "boundary.contagion_harm"));
    };
    const low = harm(0.1);
    const high = harm(1);
    expect(high).toBeGreaterThan(low);
  });

  it("applies its policies: a rate limit, a content filter, a sensitivity ceiling, all or any of them", () => {
    const flowsOf = (policies: string) =>
      eventsOf(run(planOf(`scenario s { seed = 11  epochs = 4  steps = 8  population { honest = 2  adversarial = 4 }  boundary { inside = "adversarial"  permeability = 100%  ${policies} } }`)), "boundary_flow");
    // Rate limit: at most one flow per agent per epoch gets past it.
    const limited = flowsOf("rate_limit { crossings = 1 }");
    const passed = new Map<string, number>();
    for (const f of limited) if (!f.denied.includes("rate_limit")) passed.set(`${f.agent}@${f.epoch}`, (passed.get(`${f.agent}@${f.epoch}`) ?? 0) + 1);
    expect(Math.max(...passed.values())).toBe(1);
    expect(limited.some((f) => f.denied.includes("rate_limit") && !f.crossed)).toBe(true);
    // Content filter and sensitivity: credentials never get out.
    const filtered = flowsOf(`content_filter { pattern = "api[_-]?key" }`);
    expect(filtered.some((f) => f.leaks.includes("credential"))).toBe(true);
    expect(filtered.filter((f) => f.leaks.includes("credential")).every((f) => f.denied.includes("content_filter") && !f.crossed)).toBe(true);
    const ceiling = flowsOf("sensitivity { max = 50% }");
    expect(ceiling.filter((f) => f.leaks.includes("credential") || f.leaks.includes("pii")).every((f) => f.denied.includes("sensitivity") && !f.crossed)).toBe(true);
    expect(ceiling.filter((f) => f.leaks.length === 0).every((f) => f.denied.length === 0)).toBe(true);
    // "any": one allowing policy is enough; "all": one denying policy is enough.
    const both = (combine: string) => flowsOf(`policies = "${combine}"  content_filter { pattern = "api[_-]?key" }  sensitivity { max = 100% }`);
    expect(both("any").some((f) => f.denied.includes("content_filter") && f.crossed)).toBe(true);
    expect(both("all").some((f) => f.denied.includes("content_filter") && f.crossed)).toBe(false);
  });

  it("never logs what the detector matched: scripted payloads", () => {
    const r = run(planOf(`scenario s { seed = 2  epochs = 5  steps = 8  population { honest = 2  adversarial = 4 }  boundary { permeability = 100% } }`));
    const leaks = eventsOf(r, "boundary_flow").filter((f) => f.leaks.length > 0);
    expect(leaks.some((f) => f.leaks.includes("credential"))).toBe(true);
    const log = toJsonl(r.events);
    for (const secret of ["api_key", "@example.org", "def handler_"]) expect(log).not.toContain(secret);
  });

  it("scans LLM agents' real utterances, and never logs what it matched", async () => {
    const plan = planOf(`scenario s { seed = 3  epochs = 2  steps = 4  population { honest = 2  llm = 1 }  boundary { inside = "llm"  permeability = 100% } }`);
    let n = 0;
    const talker: Policy = {
      act: () => ({ kind: "noop" }),
      actAsync: async () => ({ kind: "propose", counterparty: "honest_1", type: "collaboration", content: n++ % 2 ? "here is my work" : "my password = hunter2, reach me at kim@corp.example", transfer: 0 }),
      acceptAsync: async () => true,
      accept: () => true,
      onOutcome: () => {},
    };
    const events: SimEvent[] = [];
    const xs: InteractionRecord[] = [];
    await runPlanAsync(plan, { policyFor: (a) => (a.kind === "llm" ? talker : undefined), events: (e) => events.push(e), onInteraction: (x) => xs.push(x) });
    const flows = events.filter((e): e is Extract<SimEvent, { type: "boundary_flow" }> => e.type === "boundary_flow");
    expect(flows.length).toBeGreaterThan(0);
    expect(flows.some((f) => f.leaks.join() === "pii,credential")).toBe(true);
    expect(flows.some((f) => f.leaks.length === 0)).toBe(true);
    const log = toJsonl(events);
    for (const secret of ["hunter2", "kim@corp.example", "password"]) expect(log).not.toContain(secret);
  });

  it("catches a tampered flow in replay", () => {
    const r = run(planOf(`scenario s { seed = 5  epochs = 3  steps = 8  ${POPULATION}  boundary { permeability = 60% } }`));
    expectLosslessReplay(r);
    const tampered = r.events.map((e) => (e.type === "boundary_flow" ? { ...e, permeability: 1 } : e));
    expect(() => reconstruct(fromJsonl(toJsonl(tampered)))).toThrow(ReplayError);
  });
});
