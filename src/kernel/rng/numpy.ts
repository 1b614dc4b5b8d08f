/**
 * A port of numpy's `default_rng(seed)`: SeedSequence → PCG64 → Generator.
 *
 * Only the draws the network generators need are ported: `random()`, scalar
 * uniform `choice(seq)` (Lemire on buffered 32-bit draws) and
 * `choice(n, size, replace=False, p)`. PCG64's 128-bit state is kept as eight
 * 16-bit limbs so every partial product stays exact in a double.
 */
import type { TopologyRng } from "./types.ts";

const MASK32 = 0xffffffff;

// ---------------------------------------------------------------- SeedSequence

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const POOL_SIZE = 4;

/** The seed's 32-bit little-endian words, as numpy coerces a non-negative int. */
export function entropyWords(seed: number | bigint): number[] {
  let n = BigInt(seed);
  if (n < 0n) throw new RangeError("numpy SeedSequence needs a non-negative seed");
  const words: number[] = [];
  if (n === 0n) words.push(0);
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return words;
}

/** `SeedSequence(seed).generate_state(nWords, uint32)`. */
export function seedSequenceState(seed: number | bigint, nWords: number): number[] {
  const entropy = entropyWords(seed);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> 16)) >>> 0;
  };
  const pool = new Array<number>(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  const out: number[] = [];
  let hb = INIT_B;
  for (let i = 0; i < nWords; i++) {
    let dv = (pool[i % POOL_SIZE] ^ hb) >>> 0;
    hb = Math.imul(hb, MULT_B) >>> 0;
    dv = Math.imul(dv, hb) >>> 0;
    out.push((dv ^ (dv >>> 16)) >>> 0);
  }
  return out;
}

// ---------------------------------------------------------------------- PCG64

/** 0x2360ED051FC65DA44385DF649FCCF645 as little-endian 16-bit limbs. */
const PCG_MULT = [0xf645, 0x9fcc, 0xdf64, 0x4385, 0x5da4, 0x1fc6, 0xed05, 0x2360];

function limbsFromWords(hi64: [number, number], lo64: [number, number]): number[] {
  // Each pair is [high32, low32].
  return [
    lo64[1] & 0xffff, lo64[1] >>> 16, lo64[0] & 0xffff, lo64[0] >>> 16,
    hi64[1] & 0xffff, hi64[1] >>> 16, hi64[0] & 0xffff, hi64[0] >>> 16,
  ];
}

export class Pcg64 {
  private readonly state = new Array<number>(8).fill(0);
  private readonly inc: number[];
  private readonly scratch = new Array<number>(8).fill(0);
  private hasUint32 = false;
  private uinteger = 0;
  /** The last output's halves (set by `next64`). */
  hi = 0;
  lo = 0;

  constructor(seed: number | bigint) {
    const w = seedSequenceState(seed, 8);
    // generate_state(4, uint64): little-endian pairs of 32-bit words.
    const u64 = (k: number): [number, number] => [w[2 * k + 1], w[2 * k]];
    const initState = limbsFromWords(u64(0), u64(1));
    const initSeq = limbsFromWords(u64(2), u64(3));
    // inc = (initseq << 1) | 1
    const inc = new Array<number>(8);
    let carry = 1;
    for (let i = 0; i < 8; i++) {
      const v = initSeq[i] * 2 + carry;
      inc[i] = v & 0xffff;
      carry = v >>> 16;
    }
    this.inc = inc;
    this.step();
    let c = 0;
    for (let i = 0; i < 8; i++) {
      const v = this.state[i] + initState[i] + c;
      this.state[i] = v & 0xffff;
      c = v >>> 16;
    }
    this.step();
  }

  private step(): void {
    const s = this.state;
    const out = this.scratch;
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      let acc = carry + this.inc[k];
      for (let i = 0; i <= k; i++) acc += s[i] * PCG_MULT[k - i];
      out[k] = acc % 65536;
      carry = Math.floor(acc / 65536);
    }
    for (let k = 0; k < 8; k++) s[k] = out[k];
  }

  /** Advance and produce one 64-bit output, left in `hi`/`lo`. */
  next64(): void {
    this.step();
    const s = this.state;
    const xh = (((s[7] << 16) | s[6]) ^ ((s[3] << 16) | s[2])) >>> 0;
    const xl = (((s[5] << 16) | s[4]) ^ ((s[1] << 16) | s[0])) >>> 0;
    const rot = s[7] >>> 10;
    if (rot === 0) {
      this.hi = xh;
      this.lo = xl;
    } else if (rot < 32) {
      this.hi = ((xh >>> rot) | (xl << (32 - rot))) >>> 0;
      this.lo = ((xl >>> rot) | (xh << (32 - rot))) >>> 0;
    } else if (rot === 32) {
      this.hi = xl;
      this.lo = xh;
    } else {
      const r = rot - 32;
      this.hi = ((xl >>> r) | (xh << (32 - r))) >>> 0;
      this.lo = ((xh >>> r) | (xl << (32 - r))) >>> 0;
    }
  }

  /** The next raw output as a bigint (tests and diagnostics). */
  nextRaw(): bigint {
    this.next64();
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** `next_double`: the top 53 bits. */
  nextDouble(): number {
    this.next64();
    return (this.hi * 2097152 + (this.lo >>> 11)) / 9007199254740992;
  }

  /** `next_uint32`: low half of a fresh output, high half buffered for the next call. */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger;
    }
    this.next64();
    this.hasUint32 = true;
    this.uinteger = this.hi;
    return this.lo;
  }
}

// ------------------------------------------------------------------ Generator

/** `numpy.random.default_rng(seed)`, restricted to the draws the engine uses. */
export class NumpyGenerator implements TopologyRng {
  private readonly bitgen: Pcg64;

  constructor(seed: number | bigint) {
    this.bitgen = new Pcg64(seed);
  }

  random(): number {
    return this.bitgen.nextDouble();
  }

  /** `integers(0, n)`: Lemire's bounded draw on 32-bit outputs (no draw when n = 1). */
  below(n: number): number {
    if (!(n >= 1)) throw new RangeError(`choice needs a non-empty population, got ${n}`);
    const rng = n - 1;
    if (rng === 0) return 0;
    if (rng > MASK32) throw new RangeError("populations above 2^32 are not supported");
    if (rng === MASK32) return this.bitgen.nextUint32();
    const excl = rng + 1;
    let [high, leftover] = mul32(this.bitgen.nextUint32(), excl);
    if (leftover < excl) {
      const threshold = (MASK32 - rng) % excl;
      while (leftover < threshold) [high, leftover] = mul32(this.bitgen.nextUint32(), excl);
    }
    return high;
  }

  choice<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }

  /** `choice(len(p), size, replace=False, p=p)`: returns the chosen indices in draw order. */
  choiceWeightedNoReplace(p: readonly number[], size: number): number[] {
    return weightedSampleNoReplace(this, p, size);
  }
}

/** The 64-bit product a·b of two 32-bit values, as [high32, low32]. */
function mul32(a: number, b: number): [number, number] {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const lowFull = aLo * b; // < 2^48
  const highFull = aHi * b; // < 2^48
  // a·b = highFull·2^16 + lowFull
  const lowPart = (highFull % 65536) * 65536 + lowFull; // < 2^49
  const lo = lowPart % 4294967296;
  const hi = Math.floor(highFull / 65536) + Math.floor(lowPart / 4294967296);
  return [hi, lo];
}

/**
 * numpy's weighted sampling without replacement: draw the missing count of
 * uniforms, zero the found weights, renormalised cumulative sums,
 * `searchsorted(side="right")`, keep first occurrences in draw order; repeat.
 */
export function weightedSampleNoReplace(rng: { random(): number }, weights: readonly number[], size: number): number[] {
  const p = weights.slice();
  const nonZero = p.filter((x) => x > 0).length;
  if (nonZero < size) throw new RangeError("Fewer non-zero entries in p than size");
  const found: number[] = [];
  const cdf = new Array<number>(p.length);
  while (found.length < size) {
    const need = size - found.length;
    const xs: number[] = [];
    for (let i = 0; i < need; i++) xs.push(rng.random());
    for (const idx of found) p[idx] = 0;
    let acc = 0;
    for (let i = 0; i < p.length; i++) {
      acc += p[i];
      cdf[i] = acc;
    }
    const last = cdf[p.length - 1];
    for (let i = 0; i < p.length; i++) cdf[i] /= last;
    const seen = new Set<number>();
    for (const x of xs) {
      const idx = searchSortedRight(cdf, x);
      if (!seen.has(idx)) {
        seen.add(idx);
        found.push(idx);
      }
    }
  }
  return found;
}

function searchSortedRight(cdf: readonly number[], x: number): number {
  let lo = 0;
  let hi = cdf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
