/**
 * Criteria verdicts on the terminal: one line per criterion (its text from
 * src/criteria/format.ts), and the criteria over seeds that one run leaves
 * to `sbx check`.
 */
import { messageOf } from "../diagnostics/catalogue.ts";
import { evaluateCriteria, type RunOutcome, type Verdict } from "../criteria/evaluate.ts";
import type { Criterion, Plan } from "../plan/schema.ts";
import { displayPath } from "./render-diagnostics.ts";
import { formatSeeds, verdictDetail } from "../criteria/format.ts";
import type { Terminal } from "./terminal.ts";

export { comparisonText, failingSeeds, failingSeedsInline, formatSeeds, formatValue, seedComparison, verdictDetail } from "../criteria/format.ts";

export function renderVerdicts(verdicts: readonly Verdict[], term: Terminal, overSeeds: readonly Criterion[] = [], seeds: readonly number[] = []): string {
  const c = term.color;
  const word = { pass: c.green("PASS"), fail: c.red("FAIL"), undefined: c.yellow("UNDEF") } as const;
  const lines = verdicts.map((v) => `${word[v.status]}  ${v.label}${verdictDetail(v) ? c.dim(`  (${verdictDetail(v)})`) : ""}`);
  for (const k of overSeeds) lines.push(`${c.dim("-   ")}  ${k.label}${c.dim(`  (over seeds${seeds.length ? ` ${formatSeeds(seeds)}` : ""}: judged by sbx check, not by one run)`)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * The verdicts one run can give (`sbx run`, `sbx replay`): its per-run
 * criteria. Criteria over seeds need the runs of every seed they name, so
 * they are left to `sbx check` and listed apart.
 */
export function runVerdicts(plan: Pick<Plan, "criteria" | "agents">, run: RunOutcome): { verdicts: Verdict[]; overSeeds: Criterion[] } {
  const items = plan.criteria.items;
  const perRun = items.filter((c) => !c.overSeeds);
  // No criteria, no work: evaluating indexes every agent (seconds at a million agents).
  const verdicts = perRun.length ? evaluateCriteria({ agents: plan.agents, criteria: { ...plan.criteria, items: perRun } }, [run]) : [];
  return { verdicts, overSeeds: items.filter((c) => c.overSeeds) };
}

/** SBX4008 notes, at each criterion over seeds, saying that `sbx check` judges it. */
export function overSeedsNotes(plan: Plan, overSeeds: readonly Criterion[], term: Terminal): string {
  const seeds = formatSeeds(plan.criteria.seeds.length ? plan.criteria.seeds : [plan.simulation.seed]);
  return overSeeds
    .map((k) => {
      const at = plan.provenance.criteria[k.id];
      const where = at ? `${displayPath(at.file)}:${at.line}:${at.column}: ` : "sbx: ";
      return `${where}${term.color.cyan("note[SBX4008]")}: ${messageOf("SBX4008", { label: k.label, seeds })}\n`;
    })
    .join("");
}
