/**
 * sbx's own random streams: one independent generator per concern, derived
 * from the root seed and the concern's name, so a draw added in one place
 * (an agent, the schedule, the audit) shifts no other stream.
 */
import seedrandom from "seedrandom";
import type { Rng, TopologyRng } from "./types.ts";

/** A stream on seedrandom's xor4096 generator (53-bit doubles). */
export class SbxStream implements Rng, TopologyRng {
  private readonly next: () => number;

  constructor(key: string) {
    const prng = seedrandom.xor4096(key);
    this.next = () => prng.double();
  }

  random(): number {
    return this.next();
  }

  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  randint(a: number, b: number): number {
    return a + this.below(b - a + 1);
  }

  below(n: number): number {
    if (!(n >= 1)) throw new RangeError(`below needs n ≥ 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  shuffle<T>(xs: T[]): void {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
  }
}

/** The stream key: versioned so a future change of derivation cannot silently alias old streams. */
export function streamKey(seed: number, concern: string): string {
  return `sbx/v1/${seed}/${concern}`;
}

/** Streams by concern for one root seed; asking twice for a concern returns the same stream. */
export function streamFactory(seed: number): (concern: string) => SbxStream {
  const streams = new Map<string, SbxStream>();
  return (concern) => {
    let s = streams.get(concern);
    if (!s) {
      s = new SbxStream(streamKey(seed, concern));
      streams.set(concern, s);
    }
    return s;
  };
}
