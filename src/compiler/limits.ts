/**
 * The compiler's limits, in one place. Each has its own diagnostic and is
 * documented in language/REFERENCE.md ("Limits"). They exist so that no
 * input — typed in an editor one keystroke at a time, or generated — can make
 * the compiler or the language server allocate without bound: everything the
 * compiler expands (a population into agents, a seed range into seeds, a
 * sweep into cells) is counted before it is expanded.
 */

export const LIMITS = {
  /**
   * Agents in a scenario's population, all groups together (SBX3016). High
   * enough for the million-agent runs sbx aims at; the plan still lists every
   * agent, so this also bounds the plan's size.
   */
  agents: 1_000_000,
  /** Seeds a criterion's `seeds`, a sweep's `seeds` or its `replicates` may name (SBX3017): each is a whole run. */
  seeds: 10_000,
  /** Cells of a sweep: its arms × the points of its design (SBX3018). Each cell is a compiled plan. */
  sweepCells: 10_000,
  /** Values one `vary` range may expand to (SBX3018). */
  varyValues: 10_000,
  /**
   * The largest magnitude of any number (SBX2108): 2^53 − 1, the largest
   * integer a double holds exactly. Whole numbers beyond it cannot be carried
   * by the plan, and sums and products of numbers below it stay finite.
   */
  magnitude: Number.MAX_SAFE_INTEGER,
} as const;

/** `1,000,000`: limits as people read them. */
export function limitText(n: number): string {
  return n === Number.MAX_SAFE_INTEGER ? "2^53 − 1 (9007199254740991)" : n.toLocaleString("en-US");
}
