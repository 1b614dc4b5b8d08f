/**
 * A port of CPython 3.11's `random.Random` (MT19937), draw for draw.
 *
 * Seeding follows `random.seed(int)`: |seed| split into 32-bit little-endian
 * words and fed to `init_by_array`. Derived functions follow Lib/random.py.
 */
import type { Rng } from "./types.ts";

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 4294967296;

/** The state init_genrand(19650218) leaves, which init_by_array starts from. */
let GENRAND_19650218: Uint32Array | null = null;
/** The state the last seed left (init_by_array's result, mti = N). */
let lastSeed: number | bigint | null = null;
let lastSeedState: Uint32Array | null = null;

export class PyRandom implements Rng {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;
  private gaussNext: number | null = null;

  constructor(seed: number | bigint) {
    this.seed(seed);
  }

  /** `random.seed(n)` for an integer n. */
  seed(seed: number | bigint): void {
    // A run seeds two generators alike (the shared one and the audit's), and a process often runs one
    // seed after another: the last seed's state is kept and copied.
    if (seed === lastSeed && lastSeedState !== null) {
      this.mt.set(lastSeedState);
      this.mti = N;
      this.gaussNext = null;
      return;
    }
    let n = BigInt(seed);
    if (n < 0n) n = -n;
    const key: number[] = [];
    if (n === 0n) key.push(0);
    while (n > 0n) {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    }
    this.initByArray(key);
    this.gaussNext = null;
    lastSeed = seed;
    lastSeedState = this.mt.slice();
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.mti = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    // init_by_array starts from init_genrand(19650218), the same state for every seed: computed once
    // (a run seeds one generator per agent).
    if (GENRAND_19650218 === null) {
      this.initGenrand(19650218);
      GENRAND_19650218 = mt.slice();
    } else mt.set(GENRAND_19650218);
    this.mti = N;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1];
      mt[i] = ((mt[i] ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.mti = 0;
  }

  /** One tempered 32-bit output. */
  u32(): number {
    if (this.mti >= N) this.twist();
    let y = this.mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: 53 bits from two outputs. */
  random(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `getrandbits(k)` for 0 < k ≤ 53 (the engine never needs more). */
  getrandbits(k: number): number {
    if (k <= 0) throw new RangeError("getrandbits needs k > 0");
    if (k <= 32) return this.u32() >>> (32 - k);
    if (k > 53) throw new RangeError("getrandbits supports k ≤ 53");
    // Words fill from the least significant end; the last word is truncated.
    const low = this.u32();
    const high = this.u32() >>> (64 - k);
    return high * TWO_POW_32 + low;
  }

  /** `_randbelow(n)`: rejection on `bit_length(n)` bits; draws even for n = 1. */
  below(n: number): number {
    if (!(n >= 1)) throw new RangeError(`randbelow needs n ≥ 1, got ${n}`);
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  randint(a: number, b: number): number {
    return a + this.below(b - a + 1);
  }

  choice<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError("Cannot choose from an empty sequence");
    return xs[this.below(xs.length)];
  }

  shuffle<T>(xs: T[]): void {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
  }

  /**
   * `gauss(mu, sigma)`: Box–Muller with a cached second value. Uses V8's
   * cos/sin/log, which agree with glibc on every checked value but are not
   * guaranteed to everywhere (only test fixtures use gauss).
   */
  gauss(mu = 0, sigma = 1): number {
    let z = this.gaussNext;
    this.gaussNext = null;
    if (z === null) {
      const x2pi = this.random() * (2 * Math.PI);
      const g2rad = Math.sqrt(-2.0 * Math.log(1.0 - this.random()));
      z = Math.cos(x2pi) * g2rad;
      this.gaussNext = Math.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }
}

export function bitLength(n: number): number {
  if (n < TWO_POW_32) return 32 - Math.clz32(n);
  let k = 32;
  while (2 ** k <= n) k++;
  return k;
}
