/** Persona sampling: base ± jitter, per-trait ranges, Latin-hypercube strata, cohort bands; nothing without the block. */
import { describe, expect, it } from "vitest";
import { runWithEvents } from "../../src/engine/index.ts";
import { TRAITS, type Personas } from "../../src/mechanisms/personas/language.ts";
import { band, cohortsOf, sampleGroup } from "../../src/mechanisms/personas/sampling.ts";
import { SbxStream } from "../../src/kernel/rng/streams.ts";
import { compileTown, smallTownText } from "./support.ts";

const settings = (over: Partial<Personas> = {}): Personas => ({
  jitter: 0.2,
  sampling: "independent",
  ranges: { openness: null, conscientiousness: null, extraversion: null, agreeableness: null, neuroticism: null },
  cohorts: { low: -0.5, high: 0.5 },
  placebo: false,
  ...over,
});
const base = { openness: 0.1, conscientiousness: -0.3, extraversion: 0.95, agreeableness: 0, neuroticism: -0.9 };

describe("persona sampling", () => {
  it("draws each trait within the persona's value ± jitter, clamped to [−1, 1]", () => {
    const drawn = sampleGroup(settings(), Array.from({ length: 200 }, () => base), new SbxStream("jitter"));
    for (const t of drawn) {
      for (const k of TRAITS) {
        expect(t[k]).toBeGreaterThanOrEqual(Math.max(-1, base[k] - 0.2));
        expect(t[k]).toBeLessThanOrEqual(Math.min(1, base[k] + 0.2));
      }
    }
    expect(drawn.some((t) => t.extraversion === 1)).toBe(true);
    expect(new Set(drawn.map((t) => t.openness)).size).toBe(200);
  });

  it("draws a trait with a declared range from its range, whatever the persona says", () => {
    const drawn = sampleGroup(settings({ ranges: { ...settings().ranges, agreeableness: { dist: "uniform", low: -1, high: -0.6 }, openness: { dist: "constant", value: 0.3 } } }), Array.from({ length: 100 }, () => base), new SbxStream("ranges"));
    expect(drawn.every((t) => t.agreeableness >= -1 && t.agreeableness <= -0.6 && t.openness === 0.3)).toBe(true);
  });

  it("Latin hypercube: each trait's interval cut in n strata, every stratum used exactly once", () => {
    const n = 37;
    const flat = { openness: 0, conscientiousness: 0, extraversion: 0, agreeableness: 0, neuroticism: 0 };
    const drawn = sampleGroup(settings({ sampling: "latin_hypercube", jitter: 0.8 }), Array.from({ length: n }, () => flat), new SbxStream("lhs"));
    for (const k of TRAITS) {
      const strata = drawn.map((t) => Math.floor(((t[k] + 0.8) / 1.6) * n)).sort((a, b) => a - b);
      expect(strata).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const independent = sampleGroup(settings({ jitter: 0.8 }), Array.from({ length: n }, () => flat), new SbxStream("lhs"));
    expect(new Set(independent.map((t) => Math.floor(((t.openness + 0.8) / 1.6) * n))).size).toBeLessThan(n);
  });

  it("sorts agents into cohort bands, at the bands' edges included", () => {
    expect(band(-0.5)).toBe("low");
    expect(band(0.5)).toBe("high");
    expect(band(0.49)).toBe("mid");
    expect(band(0.3, { low: -0.2, high: 0.3 })).toBe("high");
    expect(cohortsOf(base)).toEqual(["E:high", "N:low"]);
  });

  it("logs every agent's drawn traits at the start when the scenario samples, and nothing when it does not", () => {
    const sampled = runWithEvents(compileTown(smallTownText({ epochs: 1, steps: 1 }))).events.filter((e) => e.type === "persona_sampled");
    expect(sampled.map((e) => e.agent)).toEqual(Array.from({ length: 9 }, (_, i) => `resident_${i + 1}`));
    expect(sampled.every((e) => e.drives === undefined)).toBe(true);
    const plain = runWithEvents(compileTown(smallTownText({ epochs: 1, steps: 1, personas: "" })));
    expect(plain.events.some((e) => e.type === "persona_sampled")).toBe(false);
    expect(plain.result.town!.agents[0]!.traits).toEqual({ openness: 0, conscientiousness: 0.4, extraversion: 0, agreeableness: 0.5, neuroticism: 0 });
  });
});
