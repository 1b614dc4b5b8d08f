/**
 * Criteria verdicts as text, for every output (terminal, JUnit, GitHub,
 * report.html): both sides of a comparison (`72.8 ≥ 3.117` for a failed
 * `a < b`), over seeds the interval and how many seeds passed, and the seeds
 * that failed with their values.
 */
import type { SeedVerdict, Verdict } from "./evaluate.ts";

/** A criterion's value as verdicts print it: whole numbers as they are, others to four significant digits. */
export function formatValue(v: number | null): string {
  if (v === null) return "undefined";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString();
}

const HOLDS: Record<string, (l: number, r: number) => boolean> = {
  "<": (l, r) => l < r,
  "<=": (l, r) => l <= r,
  ">": (l, r) => l > r,
  ">=": (l, r) => l >= r,
  "==": (l, r) => l === r,
  "!=": (l, r) => l !== r,
};

function negate(cmp: string): string {
  return { "<": "≥", "<=": ">", ">": "≤", ">=": "<", "==": "≠", "!=": "=" }[cmp] ?? cmp;
}

/**
 * `left cmp right` as a true statement: the comparator as written when it
 * holds, its negation when it does not (`0.433 ≥ 0.3` for a failed `< 0.3`).
 */
function comparison(left: number, cmp: string, right: number, leftText = formatValue(left), rightText = formatValue(right), passed?: boolean): string | null {
  const holds = HOLDS[cmp]?.(left, right);
  if (holds === undefined) return null;
  // Seed means can compare one way while the seeds did another (one seed failing among passing ones): then only set them side by side.
  if (passed !== undefined && passed !== holds) return `${leftText} vs ${rightText}`;
  return `${leftText} ${holds ? cmp : negate(cmp)} ${rightText}`;
}

/** One seed's two sides, e.g. `8.52 ≥ 1.831`, or why it is undefined. */
export function seedComparison(s: SeedVerdict, comparator: string | null): string {
  if (s.status === "undefined") return `undefined${s.reason ? `: ${s.reason}` : ""}`;
  if (comparator && s.left !== null && s.right !== null) return comparison(s.left, comparator, s.right) ?? s.status;
  return s.observed !== null ? `observed ${formatValue(s.observed)}` : s.status;
}

/** Both sides of the verdict's comparison, `72.8 ≥ 3.117` (seed means over several seeds), or the observed value alone. */
export function comparisonText(v: Verdict): string | null {
  const multi = v.seeds.length > 1;
  if (v.comparator && v.left !== null && v.right !== null) {
    // Over several seeds each side is a seed mean, unless it is the same on every seed (a constant).
    const side = (value: number, key: "left" | "right") => (multi && !v.seeds.every((s) => s[key] === value) ? `mean ${formatValue(value)}` : formatValue(value));
    const text = comparison(v.left, v.comparator, v.right, side(v.left, "left"), side(v.right, "right"), multi ? v.status === "pass" : undefined);
    if (text) return text;
  }
  return v.observed !== null ? `${multi ? "mean " : "observed "}${formatValue(v.observed)}` : null;
}

export function verdictDetail(v: Verdict): string {
  const parts: string[] = [];
  const multi = v.seeds.length > 1;
  const text = comparisonText(v);
  if (text) parts.push(text);
  if (v.interval) parts.push(`${Math.round(v.interval.level * 100)}% CI [${formatValue(v.interval.lower)}, ${formatValue(v.interval.upper)}]`);
  if (multi) parts.push(`${v.passedSeeds}/${v.seeds.length} seeds passed`);
  // Over several seeds the reasons are each seed's, listed with the failing seeds (failingSeeds).
  if (v.reason && !multi) parts.push(v.reason);
  return parts.join("; ");
}

/**
 * The seeds on which a per-run criterion failed or was undefined, each with
 * its values (`seed 3: 0.5 ≥ 0.35`); seeds that failed for the same reason
 * share a line (`seeds 1, 2, 4: undefined: …`).
 */
export function failingSeeds(v: Verdict): string[] {
  if (v.seeds.length < 2 || v.status === "pass") return [];
  const byText = new Map<string, number[]>();
  for (const s of v.seeds) {
    if (s.status === "pass") continue;
    const text = seedComparison(s, v.comparator);
    byText.set(text, [...(byText.get(text) ?? []), s.seed]);
  }
  return [...byText].map(([text, seeds]) => `seed${seeds.length > 1 ? "s" : ""} ${formatSeeds(seeds)}: ${text}`);
}

/** Failing seeds on one line, for messages (JUnit, GitHub annotations): the first few, then how many more. */
export function failingSeedsInline(v: Verdict, shown = 5): string {
  const seeds = failingSeeds(v);
  if (!seeds.length) return "";
  const more = seeds.length > shown ? `; and ${seeds.length - shown} more` : "";
  return `; ${v.status === "fail" ? "failed on " : ""}${seeds.slice(0, shown).join("; ")}${more}`;
}

/** `42`, `1..5`, `3, 7, 11`: the seeds a scenario was judged over. */
export function formatSeeds(seeds: readonly number[]): string {
  if (seeds.length > 2 && seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1)) return `${seeds[0]}..${seeds[seeds.length - 1]}`;
  return seeds.join(", ");
}

