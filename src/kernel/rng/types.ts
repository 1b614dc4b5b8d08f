/**
 * The one random-number interface the engine uses.
 *
 * Each method states its draw semantics precisely because the swarm-0.1
 * profile must consume the reference's generators draw for draw.
 */
export interface Rng {
  /** A double in [0, 1). */
  random(): number;
  /** `a + (b − a)·random()`, evaluated in that order. */
  uniform(a: number, b: number): number;
  /** An integer in [a, b], both inclusive. */
  randint(a: number, b: number): number;
  /** An index in [0, n) for `choice` over a sequence of length n (n ≥ 1). */
  below(n: number): number;
  /** In-place Fisher–Yates shuffle, from the last element down. */
  shuffle<T>(xs: T[]): void;
}

/** What topology generators need: numpy's `Generator` semantics (or an equivalent). */
export interface TopologyRng {
  /** A double in [0, 1). */
  random(): number;
  /** Uniform index in [0, n) as `Generator.choice(seq)` draws it (no draw when n = 1 for numpy). */
  below(n: number): number;
}
