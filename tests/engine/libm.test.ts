import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { exp, fma, powInt } from "../../src/kernel/libm.ts";

/** Values from CPython 3.11.7's math.exp and `**` (glibc 2.36, FMA build); see fixtures/README.md. */
const fixture = JSON.parse(readFileSync(new URL("./fixtures/libm-check-values.json", import.meta.url), "utf8")) as {
  exp: [number, number][];
  pow: [number, number, number][];
};

describe("glibc exp port", () => {
  it("matches glibc bit for bit (V8's Math.exp differs on about 9% of these)", () => {
    const wrong = fixture.exp.filter(([x, y]) => exp(x) !== y);
    expect(wrong).toEqual([]);
    expect(fixture.exp.some(([x, y]) => Math.exp(x) !== y)).toBe(true);
  });

  it("stays within an ulp of Math.exp everywhere in the engine's range", () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), (x) => {
        const a = exp(x);
        const b = Math.exp(x);
        return Math.abs(a - b) <= Math.abs(b) * 2.3e-16;
      }),
    );
  });
});

describe("software fma", () => {
  it("rounds a·b + c once", () => {
    // (1 + 2^-52)(1 − 2^-52) = 1 − 2^-104: a separate multiply rounds it to 1.
    const e = 2 ** -52;
    expect(fma(1 + e, 1 - e, -1)).toBe(-(2 ** -104));
    expect((1 + e) * (1 - e) - 1).toBe(0);
  });

  it("agrees with exact rational arithmetic", () => {
    fc.assert(
      fc.property(normal(), normal(), normal(), (a, b, c) => fma(a, b, c) === exactFma(a, b, c)),
      { numRuns: runs(2000) },
    );
  });
});

describe("powInt", () => {
  it("matches the reference's decay^count values", () => {
    for (const [d, n, v] of fixture.pow) expect(powInt(d, n)).toBe(v);
  });
});

/** Doubles away from the subnormal range, where the emulation is documented exact. */
function normal() {
  return fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => x === 0 || Math.abs(x) > 1e-100);
}

/** a·b + c rounded once, through bigints. */
function exactFma(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  let m1 = ma * mb;
  const e1 = ea + eb;
  const e = Math.min(e1, ec);
  m1 <<= BigInt(e1 - e);
  const m2 = mc << BigInt(ec - e);
  return toDouble(m1 + m2, e);
}

function decompose(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const m = biased === 0 ? frac : frac | (1n << 52n);
  return [sign * m, (biased === 0 ? 1 : biased) - 1075];
}

function toDouble(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  const bits = a.toString(2).length;
  if (bits > 53) {
    const shift = bits - 53;
    let q = a >> BigInt(shift);
    const rem = a - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    a = q;
    e += shift;
  }
  const v = Number(a) * 2 ** e;
  return neg ? -v : v;
}
