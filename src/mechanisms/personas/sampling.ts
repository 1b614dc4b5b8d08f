/**
 * Drawing each agent's Big-Five traits around its persona's, and the
 * placebo's derangement. Pure functions of a random stream, so a run's
 * traits follow from its seed alone.
 *
 * - independent: trait = U(lo, hi), where [lo, hi] is the trait's declared
 *   range, else persona ± jitter (the persona town's base + U(±jitter));
 * - latin_hypercube: across the n agents of a population group, each trait's
 *   [lo, hi] is cut into n equal strata and every stratum is used exactly
 *   once (a random permutation per trait), with a uniform draw inside it —
 *   the design the persona town documents but never built.
 * Every value is clamped to [−1, 1].
 */
import type { Rng } from "../../kernel/rng/types.ts";
import { DEFAULT_COHORTS, TRAITS, TRAIT_LETTER, type Personas, type Trait, type Traits } from "./language.ts";

export const ZERO_TRAITS: Traits = { openness: 0, conscientiousness: 0, extraversion: 0, agreeableness: 0, neuroticism: 0 };

const clamp = (x: number): number => (x < -1 ? -1 : x > 1 ? 1 : x);

/** The interval a trait is drawn from for an agent whose persona says `base`. */
export function traitInterval(settings: Personas, trait: Trait, base: number): [number, number] {
  const r = settings.ranges[trait];
  if (r?.dist === "constant") return [r.value, r.value];
  if (r) return [r.low, r.high];
  return [base - settings.jitter, base + settings.jitter];
}

/**
 * Traits for a group of agents sharing a persona (`bases[i]` is agent i's
 * persona traits; they are equal within a population group).
 */
export function sampleGroup(settings: Personas, bases: readonly Traits[], rng: Rng): Traits[] {
  const n = bases.length;
  const out: Record<Trait, number>[] = bases.map(() => ({ ...ZERO_TRAITS }));
  if (settings.sampling === "latin_hypercube") {
    for (const trait of TRAITS) {
      const strata = Array.from({ length: n }, (_, i) => i);
      rng.shuffle(strata);
      for (let i = 0; i < n; i++) {
        const [lo, hi] = traitInterval(settings, trait, bases[i]![trait]);
        out[i]![trait] = clamp(lo + ((strata[i]! + rng.random()) / n) * (hi - lo));
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (const trait of TRAITS) {
        const [lo, hi] = traitInterval(settings, trait, bases[i]![trait]);
        out[i]![trait] = clamp(lo + rng.random() * (hi - lo));
      }
    }
  }
  return out;
}

/**
 * A uniformly random derangement of 0..n−1 (no i maps to itself), n ≥ 2:
 * shuffle until no fixed point is left — about e ≈ 2.72 shuffles on average,
 * every derangement equally likely.
 */
export function derangement(n: number, rng: Rng): number[] {
  if (n < 2) throw new RangeError(`a derangement needs at least 2 elements, got ${n}`);
  const p = Array.from({ length: n }, (_, i) => i);
  for (;;) {
    rng.shuffle(p);
    if (p.every((v, i) => v !== i)) return p;
  }
}

export type Band = "low" | "mid" | "high";

export function band(value: number, cohorts: { low: number; high: number } = DEFAULT_COHORTS): Band {
  return value <= cohorts.low ? "low" : value >= cohorts.high ? "high" : "mid";
}

/** Every cohort key, `E:low` … `N:high`, in trait order. */
export const COHORT_KEYS: readonly string[] = TRAITS.flatMap((t) => [`${TRAIT_LETTER[t]}:low`, `${TRAIT_LETTER[t]}:high`]);

/** The cohorts an agent with these traits belongs to (`E:high`, `N:low`, …). */
export function cohortsOf(traits: Traits, cohorts: { low: number; high: number } = DEFAULT_COHORTS): string[] {
  const out: string[] = [];
  for (const t of TRAITS) {
    const b = band(traits[t], cohorts);
    if (b !== "mid") out.push(`${TRAIT_LETTER[t]}:${b}`);
  }
  return out;
}
