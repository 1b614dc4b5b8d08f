/**
 * `sbx run FILE [--scenario NAME] [--seed N] [--epochs N] [--profile NAME] [--set path=value] [--json] [--out DIR]`
 *
 * Compiles (exit 1 on errors, as `sbx compile` does), runs, prints a
 * per-epoch table and a summary — or one JSON document with --json — and
 * judges the scenario's criteria on this run (exit 3 when one fails).
 */
import { SingleBar } from "cli-progress";
import { compile, type Override } from "../compiler/index.ts";
import { evaluateCriteria, type Verdict } from "../criteria/evaluate.ts";
import { diagnostic, hasErrors, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { runPlan, type EpochRecord, type RunOptions, type RunResult, type SimEvent } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";
import { validatePlan } from "../plan/validate.ts";
import { chooseScenario, compilationSource, missingFiles, parseOverrides } from "./compile-command.ts";
import { absolute, nodeHost } from "../platform/node-host.ts";
import { renderDiagnostics } from "./render-diagnostics.ts";
import { runDocument, runTotals, byKind } from "../report/summary.ts";
import { DeclaredOutputs, RunWriter } from "./run-writer.ts";
import { prepareLlmRun, renderLlmUsage, reportLlmOutcome } from "./llm-run.ts";
import { runWithLlm } from "../platform/llm/host.ts";
import { hasLlmAgents } from "../platform/llm/keys.ts";
import { EXIT, type Terminal } from "./terminal.ts";
import { renderVerdicts } from "./verdicts.ts";

export interface RunCommandOptions {
  readonly scenario?: string;
  readonly seed?: string;
  readonly epochs?: string;
  readonly profile?: string;
  readonly set?: readonly string[];
  readonly json?: boolean;
  readonly out?: string;
  /** False (`--no-outputs`) skips the files the scenario's `outputs` block names. */
  readonly outputs?: boolean;
  /** LLM agents: answer with the offline responder, record to / replay from a cassette. */
  readonly dryRun?: boolean;
  readonly record?: string;
  readonly replay?: string;
}

/** --seed, --epochs and --profile are overrides like any other, checked like source. */
export function commandOverrides(options: { seed?: string; epochs?: string; profile?: string; set?: readonly string[] }): { overrides: Override[]; problems: string[] } {
  const { overrides, problems } = parseOverrides(options.set);
  if (options.seed !== undefined) overrides.push({ path: "seed", value: options.seed, origin: "--seed" });
  if (options.epochs !== undefined) overrides.push({ path: "epochs", value: options.epochs, origin: "--epochs" });
  if (options.profile !== undefined) overrides.push({ path: "profile", value: JSON.stringify(options.profile), origin: "--profile" });
  return { overrides, problems };
}

/** Compile one scenario of a file, with overrides, to a validated plan — or diagnostics and an exit code. */
export function compileForRun(
  file: string,
  options: { scenario?: string; seed?: string; epochs?: string; profile?: string; set?: readonly string[] },
): { plan: Plan; planHash: string; diagnostics: readonly Diagnostic[]; source: (f: string) => string | undefined } | { exit: number; diagnostics: readonly Diagnostic[]; source: (f: string) => string | undefined } {
  const path = absolute(file);
  const missing = missingFiles([path]);
  const { overrides, problems } = commandOverrides(options);
  if (missing.length || problems.length) {
    return { exit: EXIT.usage, diagnostics: [...missing, ...problems.map((p) => diagnostic("SBX5003", { override: p, detail: "expected path=value" }, "<--set>", { start: 0, end: 0 }))], source: () => undefined };
  }
  const result = compile(nodeHost(), [path], { overrides, ...(options.scenario !== undefined ? { scenario: options.scenario } : {}) });
  const source = (f: string) => compilationSource(result)(f) ?? undefined;
  const diagnostics = [...result.diagnostics];
  if (hasErrors(diagnostics)) return { exit: EXIT.errors, diagnostics, source };
  const chosen = chooseScenario(result, options.scenario);
  if (chosen.problem) return { exit: chosen.problem.code === "SBX2018" ? EXIT.usage : EXIT.errors, diagnostics: [...diagnostics, chosen.problem], source };
  const checked = validatePlan(chosen.scenario!.plan);
  if (!checked.plan) {
    const d = diagnostic("SBX4003", { detail: `the plan breaks its schema: ${checked.problems.join("; ")}` }, chosen.scenario!.file, chosen.scenario!.decl.node.name!.span);
    return { exit: EXIT.usage, diagnostics: [...diagnostics, d], source };
  }
  return { plan: checked.plan, planHash: chosen.scenario!.planHash!, diagnostics, source };
}

const fmt = (v: number | null | undefined, digits = 4): string => (typeof v === "number" ? v.toFixed(digits) : "—");

export const TABLE = [
  { head: "epoch", width: 5, get: (e: EpochRecord) => String(e.epoch) },
  { head: "inter", width: 6, get: (e: EpochRecord) => String(e.metrics["interactions"] ?? 0) },
  { head: "acc", width: 5, get: (e: EpochRecord) => String(e.metrics["accepted"] ?? 0) },
  { head: "toxicity", width: 9, get: (e: EpochRecord) => fmt(e.metrics["toxicity"]) },
  { head: "q-gap", width: 8, get: (e: EpochRecord) => fmt(e.metrics["quality_gap"]) },
  { head: "avg π", width: 8, get: (e: EpochRecord) => fmt(e.metrics["avg_payoff"]) },
  { head: "welfare", width: 9, get: (e: EpochRecord) => fmt(e.metrics["welfare"], 3) },
  { head: "frozen", width: 6, get: (e: EpochRecord) => String(e.agents.filter((a) => a.frozen).length) },
];

/** The line above the table: what runs, with which seed, profile and plan. Shared with `sbx replay`. */
export function runHeadline(plan: Plan, planHash: string, term: Terminal): string {
  return `${term.color.bold(plan.scenario.name)}  seed ${plan.simulation.seed}  profile ${plan.profile}  ${plan.agents.length} agents  ${plan.simulation.epochs}×${plan.simulation.stepsPerEpoch}  ${planHash.slice(0, 19)}\n\n`;
}

export function tableRow(cells: string[]): string {
  return `${cells.map((c, i) => c.padStart(TABLE[i]!.width)).join("  ")}\n`;
}

export async function runCommand(file: string, options: RunCommandOptions, term: Terminal): Promise<number> {
  const compiled = compileForRun(file, options);
  const notes = renderDiagnostics(compiled.diagnostics, compiled.source, term);
  if ("exit" in compiled) {
    term.err(notes);
    return compiled.exit;
  }
  if (!options.json) term.err(notes);
  const { plan, planHash } = compiled;
  // LLM agents: keys are checked (and cassettes read) before anything runs or is written.
  const llm = prepareLlmRun(plan, options, term);
  if ("exit" in llm) return llm.exit;
  const host = llm.host;
  // LLM agents decide asynchronously; everything else runs as it always has.
  const execute = async (o: RunOptions): Promise<RunResult> => (host ? runWithLlm(plan, host, o) : runPlan(plan, o));
  const writer = options.out ? new RunWriter(options.out, plan, planHash) : null;
  const declared = options.outputs === false ? null : new DeclaredOutputs(plan);
  const human = !options.json;
  const bar = term.isTTY && human ? new SingleBar({ format: " {bar} epoch {value}/{total}  {eta_formatted}", stream: process.stderr, clearOnComplete: true, hideCursor: true }) : null;
  if (human) {
    term.out(runHeadline(plan, planHash, term));
    term.out(tableRow(TABLE.map((c) => c.head)));
  }
  bar?.start(plan.simulation.epochs, 0);
  // Freeze and release events, and perturbations, kept for the report's exact intervals.
  const intervalEvents: SimEvent[] = [];
  let result: RunResult;
  try {
    result = await execute({
      ...(writer || declared?.paths.length
        ? {
            events: (e: SimEvent) => {
              writer?.event(e);
              declared?.event(e);
              if (e.type === "agent_frozen" || e.type === "agent_unfrozen" || e.type === "perturbation_started" || e.type === "perturbation_healed") intervalEvents.push(e);
            },
          }
        : {}),
      onEpoch: (record) => {
        writer?.epoch(record);
        declared?.epoch(record);
        if (human) {
          bar?.stop();
          term.out(tableRow(TABLE.map((c) => c.get(record))));
          bar?.start(plan.simulation.epochs, record.epoch + 1);
        }
      },
    });
  } catch (e) {
    bar?.stop();
    writer?.abort();
    declared?.close();
    term.err(`sbx: ${term.color.red("error[SBX4003]")}: internal error while running: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  bar?.stop();
  declared?.close();
  const verdicts = evaluateCriteria(plan, [result]);
  const llmReport = host && hasLlmAgents(plan) ? host.report() : null;
  const llmExit = host ? reportLlmOutcome(llmReport, host.cassetteMisses, term) : EXIT.ok;
  if (writer) writer.finish(result, verdicts, await reportHtml(plan, result, verdicts, intervalEvents, term));
  if (options.json) {
    term.out(`${JSON.stringify({ ...runDocument(plan, result, verdicts), ...(llmReport ? { llm: llmReport } : {}) }, null, 2)}\n`);
  } else {
    term.out(`\n${renderSummary(plan, result)}`);
    if (llmReport) term.out(`\n${renderLlmUsage(llmReport)}`);
    if (verdicts.length) term.out(`\n${renderVerdicts(verdicts, term)}`);
    if (writer) term.out(`\nwrote ${options.out}/{events.jsonl, metrics.csv, agents.csv, summary.json${writer.wroteReport ? ", report.html" : ""}}\n`);
    if (declared?.paths.length) term.out(`${writer ? "" : "\n"}wrote ${declared.paths.join(", ")} (the scenario's outputs)\n`);
  }
  if (llmExit !== EXIT.ok) return llmExit;
  return verdicts.some((v) => v.status !== "pass") ? EXIT.criteriaFailed : EXIT.ok;
}

/**
 * The run's report.html. Loaded only for --out (Vega is large); a failure to
 * draw it is reported but never costs the run its other files.
 */
async function reportHtml(plan: Plan, result: RunResult, verdicts: readonly Verdict[], intervalEvents: readonly SimEvent[], term: Terminal): Promise<string | null> {
  try {
    const { freezeIntervals, renderReport, shockIntervals } = await import("../report/index.ts");
    return await renderReport({ plan, result, verdicts, freezes: freezeIntervals(intervalEvents), shocks: shockIntervals(intervalEvents, plan.simulation.stepsPerEpoch) });
  } catch (e) {
    term.err(`sbx: ${term.color.yellow("warning")}: report.html not written: ${(e as Error).message}\n`);
    return null;
  }
}

export function renderSummary(plan: Plan, result: RunResult): string {
  const t = runTotals(result);
  const lines = [
    `epochs ${t.epochs}   interactions ${t.interactions} (${t.accepted} accepted)   mean toxicity ${fmt(t.meanToxicity)}   welfare/epoch ${fmt(t.welfarePerEpoch, 3)}`,
    "",
    `${"kind".padEnd(16)}${"agents".padStart(7)}${"payoff".padStart(11)}${"per agent".padStart(11)}${"reputation".padStart(12)}${"frozen".padStart(8)}`,
    ...byKind(result.agents, plan).map(
      (k) => `${k.kind.padEnd(16)}${String(k.agents).padStart(7)}${k.totalPayoff.toFixed(3).padStart(11)}${k.meanPayoff.toFixed(3).padStart(11)}${k.meanReputation.toFixed(3).padStart(12)}${String(k.frozen).padStart(8)}`,
    ),
  ];
  if (t.frozenAgents.length) lines.push("", `frozen at the end: ${t.frozenAgents.join(", ")}`);
  return `${lines.join("\n")}\n`;
}
