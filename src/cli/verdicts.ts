/** Criteria verdicts for people: one line per criterion with the observed value, the bound and, over seeds, the interval. */
import type { Verdict } from "../criteria/evaluate.ts";
import { formatValue } from "../criteria/format.ts";
import type { Terminal } from "./terminal.ts";

export { formatValue };

export function verdictDetail(v: Verdict): string {
  const parts: string[] = [];
  if (v.observed !== null && v.comparator && v.bound !== null) {
    const stat = v.seeds.length > 1 ? `mean ${formatValue(v.observed)}` : formatValue(v.observed);
    parts.push(`${stat} ${v.status === "pass" ? v.comparator : negate(v.comparator)} ${formatValue(v.bound)}`);
  } else if (v.observed !== null) {
    parts.push(`observed ${formatValue(v.observed)}`);
  }
  if (v.interval) parts.push(`${Math.round(v.interval.level * 100)}% CI [${formatValue(v.interval.lower)}, ${formatValue(v.interval.upper)}]`);
  if (v.seeds.length > 1) parts.push(`${v.passedSeeds}/${v.seeds.length} seeds passed`);
  if (v.reason) parts.push(v.reason);
  return parts.join("; ");
}

function negate(cmp: string): string {
  return { "<": "≥", "<=": ">", ">": "≤", ">=": "<", "==": "≠", "!=": "=" }[cmp] ?? cmp;
}

export function renderVerdicts(verdicts: readonly Verdict[], term: Terminal): string {
  const c = term.color;
  const word = { pass: c.green("PASS"), fail: c.red("FAIL"), undefined: c.yellow("UNDEF") } as const;
  return `${verdicts.map((v) => `${word[v.status]}  ${v.label}${verdictDetail(v) ? c.dim(`  (${verdictDetail(v)})`) : ""}`).join("\n")}\n`;
}
