/**
 * One knob for every property test's budget: FC_RUNS scales them all
 * (FC_RUNS=10 runs ten times as many cases, FC_RUNS=0.1 a tenth; default 1).
 * Each property states its budget as `runs(n)`; properties that state none
 * get `runs(100)` from the global configuration.
 */
const raw = process.env["FC_RUNS"];
const scale = raw === undefined || raw === "" ? 1 : Number(raw);
if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`FC_RUNS must be a positive number, got '${raw}'`);

export const FC_SCALE = scale;

/** `n` cases, scaled by FC_RUNS (at least one). */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * FC_SCALE));
}
