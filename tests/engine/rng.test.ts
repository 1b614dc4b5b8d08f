import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PyRandom } from "../../src/kernel/rng/cpython.ts";
import { NumpyGenerator, Pcg64 } from "../../src/kernel/rng/numpy.ts";
import { streamFactory } from "../../src/kernel/rng/streams.ts";

/** Values generated with CPython 3.11.7 and numpy 2.4.6 (see tests/engine/fixtures/README.md). */
const fixture = JSON.parse(readFileSync(new URL("./fixtures/rng-check-values.json", import.meta.url), "utf8")) as {
  cpython: Array<{
    seed: number;
    random: number[];
    getrandbits: [number, number][];
    below: [number, number][];
    randint: [number, number, number][];
    uniform: [number, number, number][];
    shuffle10: number[];
    shuffle57: number[];
    choice: number[];
    gauss: number[];
    after: number;
  }>;
  numpy_cases: Array<{
    seed: string;
    raw: string[];
    random: number[];
    sequence: [string, number | null, number][];
    weighted: [number[], number, number[]][];
    after: number;
  }>;
};

describe("CPython random (MT19937)", () => {
  it("reproduces the §12.6 reference values", () => {
    const r = new PyRandom(42);
    expect([r.random(), r.random(), r.random()]).toEqual([0.6394267984578837, 0.025010755222666936, 0.27502931836911926]);
    const s = new PyRandom(42);
    expect(s.uniform(0.3, 0.8)).toBe(0.6197133992289419);
    expect(s.randint(0, 1)).toBe(0);
    expect(s.uniform(0.2, 0.6)).toBe(0.49662019990393313);
  });

  for (const c of fixture.cpython) {
    it(`matches CPython draw for draw, seed ${c.seed}`, () => {
      const r = new PyRandom(c.seed);
      expect(c.random.map(() => r.random())).toEqual(c.random);
      for (const [k, v] of c.getrandbits) expect(r.getrandbits(k)).toBe(v);
      for (const [n, v] of c.below) expect(r.below(n)).toBe(v);
      for (const [a, b, v] of c.randint) expect(r.randint(a, b)).toBe(v);
      for (const [a, b, v] of c.uniform) expect(r.uniform(a, b)).toBe(v);
      const xs = Array.from({ length: 10 }, (_, i) => i);
      r.shuffle(xs);
      expect(xs).toEqual(c.shuffle10);
      const ys = Array.from({ length: 57 }, (_, i) => i);
      r.shuffle(ys);
      expect(ys).toEqual(c.shuffle57);
      expect([1, 2, 5, 20, 1000].map((n) => r.choice(Array.from({ length: n }, (_, i) => i)))).toEqual(c.choice);
      // Box–Muller goes through log/cos/sin; V8's agree with glibc's on all of these.
      expect(c.gauss.map(() => r.gauss(0.75, 0.1))).toEqual(c.gauss);
      expect(r.random()).toBe(c.after);
    });
  }

  it("draws once even for a one-element choice (CPython's _randbelow(1))", () => {
    const a = new PyRandom(7);
    expect(a.choice(["only"])).toBe("only");
    const b = new PyRandom(7);
    b.u32();
    expect(a.random()).toBe(b.random());
  });
});

describe("numpy default_rng (SeedSequence + PCG64)", () => {
  it("reproduces the §12.6 reference values", () => {
    expect(new Pcg64(42).nextRaw()).toBe(0xc621fbcd16d92688n);
    expect(new Pcg64(0).nextRaw()).toBe(0xa30febcfd9c2825fn);
    expect(new Pcg64(1).nextRaw()).toBe(0x8306bdf37922e4ffn);
    expect(new Pcg64(123).nextRaw()).toBe(0xaeae9c9903f3e9cdn);
    expect(new Pcg64(456).nextRaw()).toBe(0x783c81785a56aa4cn);
    const g = new NumpyGenerator(42);
    expect([g.random(), g.random(), g.random()]).toEqual([0.7739560485559633, 0.4388784397520523, 0.8585979199113825]);
  });

  for (const c of fixture.numpy_cases) {
    it(`matches numpy draw for draw, seed ${c.seed}`, () => {
      const seed = BigInt(c.seed);
      const bits = new Pcg64(seed);
      expect(c.raw.map(() => "0x" + bits.nextRaw().toString(16))).toEqual(c.raw);
      const g = new NumpyGenerator(seed);
      expect(c.random.map(() => g.random())).toEqual(c.random);
      for (const [what, n, v] of c.sequence) {
        if (what === "choice") expect(g.below(n as number)).toBe(v);
        else expect(g.random()).toBe(v);
      }
      for (const [weights, size, picks] of c.weighted) {
        const total = weights.reduce((a, b) => a + b, 0);
        expect(g.choiceWeightedNoReplace(weights.map((w) => w / total), size)).toEqual(picks);
      }
      expect(g.random()).toBe(c.after);
    });
  }
});

describe("sbx streams", () => {
  it("gives each concern its own reproducible stream", () => {
    const a = streamFactory(42);
    const b = streamFactory(42);
    const xs = [a("agent:honest_1").random(), a("agent:honest_1").random(), a("schedule").random()];
    const ys = [b("agent:honest_1").random(), b("agent:honest_1").random(), b("schedule").random()];
    expect(xs).toEqual(ys);
    // Drawing in one stream leaves every other stream where it was.
    const c = streamFactory(42);
    for (let i = 0; i < 100; i++) c("observables").random();
    expect(c("schedule").random()).toBe(ys[2]);
    expect(streamFactory(43)("schedule").random()).not.toBe(ys[2]);
  });

  it("draws uniform indices and inclusive integers in range", () => {
    const r = streamFactory(1)("test");
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.below(5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    for (let i = 0; i < 1000; i++) {
      const v = r.randint(1, 3);
      expect(v >= 1 && v <= 3 && Number.isInteger(v)).toBe(true);
    }
  });
});
