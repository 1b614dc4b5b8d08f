/** Summary statistics of a sweep cell's runs: mean, sample standard deviation and a Student-t interval of the mean. */
import { confidenceInterval, mean, stdev } from "../criteria/evaluate.ts";

export interface MetricSummary {
  /** Runs with a value (undefined metrics, e.g. no network, are left out). */
  readonly n: number;
  readonly mean: number | null;
  /** Sample standard deviation (n − 1); null below two values. */
  readonly sd: number | null;
  /** Student-t interval of the mean at `level`; null below two values. */
  readonly ci: { readonly level: number; readonly lower: number; readonly upper: number } | null;
}

export function summarizeValues(values: readonly (number | null)[], level = 0.95): MetricSummary {
  const xs = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (!xs.length) return { n: 0, mean: null, sd: null, ci: null };
  return { n: xs.length, mean: mean(xs), sd: xs.length > 1 ? stdev(xs) : null, ci: confidenceInterval(xs, level) };
}
