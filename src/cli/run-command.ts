/**
 * `sbx run FILE [--scenario NAME] [--seed N] [--epochs N] [--profile NAME] [--set path=value] [--json] [--out DIR]`
 *
 * Compiles (exit 1 on errors, as `sbx compile` does), runs, prints a
 * per-epoch table and a summary — or one JSON document with --json — and
 * judges the scenario's criteria on this run (exit 3 when one fails).
 */
import { messageOf } from "../diagnostics/catalogue.ts";
import { compile, type Override } from "../compiler/index.ts";
import type { Verdict } from "../criteria/evaluate.ts";
import { diagnostic, fileDiagnostic, hasErrors, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { runPlan, type EpochRecord, type RunResult, type SimEvent } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";
import { validatePlan } from "../plan/validate.ts";
import { chooseScenario, missingFiles, parseOverrides } from "./compile-command.ts";
import { absolute, nodeHost } from "../platform/node-host.ts";
import { condenseNotes, displayPath, renderDiagnostics } from "./render-diagnostics.ts";
import { fileError, FileError, isFileError, isFileSystemError, shownPath } from "../platform/files.ts";
import { shareLikeAgents } from "./run-plan-transfer.ts";
import { isIntervalEvent, startThread, threadsAvailable, type ThreadRun } from "./run-thread.ts";
import { runDocument, runTotals, byKind } from "../report/summary.ts";
import { DeclaredOutputs, RunWriter } from "./run-writer.ts";
import { LlmFaultTally, prepareLlmRun, renderLlmUsage, reportLlmOutcome } from "./llm-run.ts";
import { runWithLlm } from "../platform/llm/host.ts";
import { hasLlmAgents } from "../platform/llm/keys.ts";
import { EXIT, type Terminal } from "./terminal.ts";
import { overSeedsNotes, renderVerdicts, runVerdicts } from "./verdicts.ts";
import { renderTownSummary, townLive } from "./town-live.ts";

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
  /** Print no notes (SBX3003 and the like); warnings and errors still print. */
  readonly quiet?: boolean;
  /** Stream a town's ticks as they happen (`--live`), utterances whole with `--full-messages`. */
  readonly live?: boolean;
  readonly fullMessages?: boolean;
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
    return { exit: EXIT.usage, diagnostics: [...missing, ...problems.map((p) => unplacedDiagnostic("SBX5003", { override: p, detail: "expected path=value" }))], source: () => undefined };
  }
  const result = compile(nodeHost(), [path], { overrides, ...(options.scenario !== undefined ? { scenario: options.scenario } : {}) });
  // The sources only: the whole compilation (the AST, the plan as lowered, a million agents' worth) is not kept for the run.
  const modules = result.program.modules;
  const source = (f: string) => modules.get(f)?.text ?? undefined;
  const diagnostics = [...result.diagnostics];
  if (hasErrors(diagnostics)) return { exit: EXIT.errors, diagnostics, source };
  const chosen = chooseScenario(result, options.scenario);
  if (chosen.problem) return { exit: chosen.problem.code === "SBX2018" ? EXIT.usage : EXIT.errors, diagnostics: [...diagnostics, chosen.problem], source };
  const checked = validatePlan(chosen.scenario!.plan);
  if (!checked.plan) {
    const d = diagnostic("SBX4003", { detail: `the plan breaks its schema: ${checked.problems.join("; ")}` }, chosen.scenario!.file, chosen.scenario!.decl.node.name!.span);
    return { exit: EXIT.usage, diagnostics: [...diagnostics, d], source };
  }
  // Hashed when asked for (`sbx run --out` asks while its thread sets the run up); the compiled plan is let go then.
  let scenario: typeof chosen.scenario | null = chosen.scenario;
  let hash: string | null = null;
  return {
    plan: checked.plan,
    get planHash() {
      if (hash === null) {
        hash = scenario!.planHash!;
        scenario = null;
      }
      return hash;
    },
    diagnostics,
    source,
  };
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

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const EXIT_INTERRUPTED = 130;

type Prepared =
  | { readonly plan: Plan; readonly planHash: string; readonly diagnostics: readonly Diagnostic[]; readonly source: (f: string) => string | undefined }
  | { readonly exit: number; readonly diagnostics: readonly Diagnostic[]; readonly source: (f: string) => string | undefined };

/** The plan to run: an .sbx scenario compiled, or a compiled plan (.json) validated; a sandbox YAML is pointed to `sbx import`. */
async function prepareRun(file: string, options: RunCommandOptions): Promise<Prepared> {
  const path = absolute(file);
  const none = () => undefined;
  if (/\.ya?ml$/i.test(file)) {
    const base = file.replace(/\.ya?ml$/i, ".sbx");
    const hint = `it looks like a sandbox YAML scenario; convert it first with \`sbx import ${file} --out ${base}\`, then \`sbx run ${base}\``;
    return { exit: EXIT.usage, diagnostics: [fileDiagnostic("SBX5011", { path: displayPath(path), hint }, path)], source: none };
  }
  if (/\.json$/i.test(file)) {
    // Loaded only for plans: the YAML parser that locates JSON problems is not needed otherwise.
    const { loadPlanFile } = await import("./plan-file.ts");
    const unsupported = (["scenario", "profile"] as const).filter((k) => options[k] !== undefined).map((k) => `--${k}`);
    if (options.set?.length) unsupported.push("--set");
    if (unsupported.length) {
      const detail = `${unsupported.join(", ")} ${unsupported.length === 1 ? "applies" : "apply"} to .sbx scenarios; a plan is already compiled (only --seed and --epochs change it)`;
      return { exit: EXIT.usage, diagnostics: [unplacedDiagnostic("SBX5002", { detail })], source: none };
    }
    const loaded = loadPlanFile(path, { ...(options.seed !== undefined ? { seed: options.seed } : {}), ...(options.epochs !== undefined ? { epochs: options.epochs } : {}) });
    if ("problems" in loaded) return { exit: loaded.io || loaded.problems.some((d) => d.code === "SBX5010") ? EXIT.usage : EXIT.errors, diagnostics: loaded.problems, source: loaded.source };
    return loaded;
  }
  return compileForRun(file, options);
}

export async function runCommand(file: string, options: RunCommandOptions, term: Terminal): Promise<number> {
  const prepared = await prepareRun(file, options);
  const shown = condenseNotes(prepared.diagnostics, { quiet: options.quiet === true });
  const notes = renderDiagnostics(shown, prepared.source, term);
  if ("exit" in prepared) {
    term.err(notes);
    return prepared.exit;
  }
  const { plan } = prepared;
  const overSeedsCriteria = plan.criteria.items.filter((c) => c.overSeeds);
  if (!options.json) term.err(notes + (options.quiet ? "" : overSeedsNotes(plan, overSeedsCriteria, term)));
  // LLM agents: keys are checked (and cassettes read) before anything runs or is written.
  const llm = prepareLlmRun(plan, options, term);
  if ("exit" in llm) return llm.exit;
  const host = llm.host;
  const faults = host ? new LlmFaultTally() : null;
  const human = !options.json;
  const live = options.live && human ? townLive(plan, term, { full: options.fullMessages === true }) : null;
  // A run that writes files runs on its own thread (below), which starts now: it sets the run up (seconds at a
  // million agents) while this thread hashes the plan, checks it and opens the files.
  const pending = options.out && !host && !live && threadsAvailable() ? startThread(plan) : null;
  // Like agents share their params, as on the run's thread: a million agents' plan, held for the whole run, is half as large.
  // (A compiled plan's agents share them already: src/plan/validate.ts.)
  shareLikeAgents(plan.agents);
  const planHash = prepared.planHash;
  let writer: RunWriter | null = null;
  let declared: DeclaredOutputs | null = null;
  try {
    writer = options.out ? new RunWriter(options.out, plan, planHash) : null;
    declared = options.outputs === false ? null : new DeclaredOutputs(plan);
  } catch (e) {
    pending?.abandon();
    if (!isFileSystemError(e)) throw e;
    writer?.abort();
    return reportFileError(e, options.out ?? "", term);
  }
  // The progress bar's module is loaded only when there is a terminal to draw it on (and no town streaming to it).
  const bar = term.isTTY && human && !live ? new (await import("cli-progress")).SingleBar({ format: " {bar} epoch {value}/{total}  {eta_formatted}", stream: process.stderr, clearOnComplete: true, hideCursor: true }) : null;
  if (human) {
    term.out(runHeadline(plan, planHash, term));
    term.out(tableRow(TABLE.map((c) => c.head)));
  }
  bar?.start(plan.simulation.epochs, 0);
  // Freeze and release events, and perturbations, kept for the report's exact intervals.
  const intervalEvents: SimEvent[] = [];
  const epochDone = (record: EpochRecord): void => {
    writer?.epoch(record);
    declared?.epoch(record);
    if (human) {
      bar?.stop();
      term.out(tableRow(TABLE.map((c) => c.get(record))));
      bar?.start(plan.simulation.epochs, record.epoch + 1);
    }
  };
  const onEvent = (e: SimEvent): void => {
    live?.(e);
    writer?.event(e);
    declared?.event(e);
    faults?.observe(e);
    if (isIntervalEvent(e)) intervalEvents.push(e);
  };
  // Ctrl-C (or a termination signal) while files are being written: stop at the last finished epoch and say so in summary.json.
  // What is on disk is always a whole number of epochs: files are written only between epochs, on this thread.
  let thread: ThreadRun | null = null;
  const interrupt = (): void => {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    bar?.stop();
    void thread?.stop();
    declared?.interrupt();
    writer?.interrupt();
    const epochs = writer?.epochsWritten ?? 0;
    const message = messageOf("SBX4009", { epochs: `${epochs} of ${plan.simulation.epochs} epoch${plan.simulation.epochs === 1 ? "" : "s"}`, where: `${options.out}/ holds them; summary.json says "interrupted"` });
    term.err(`\nsbx: ${term.color.yellow("warning[SBX4009]")}: ${message}\n`);
    process.exit(EXIT_INTERRUPTED);
  };
  if (writer) {
    process.on("SIGINT", interrupt);
    process.on("SIGTERM", interrupt);
  }
  let result: RunResult;
  try {
    if (host) {
      result = await runWithLlm(plan, host, { events: onEvent, onEpoch: epochDone, planHash });
    } else if (pending) {
      // The engine's loop is synchronous: on its own thread, so this one can answer Ctrl-C (src/cli/run-thread.ts).
      thread = pending.run(planHash, {
        events: (events) => {
          writer?.eventsChunk(events);
          declared?.eventsChunk(events);
        },
        epoch: (record, intervals) => {
          for (const e of intervals) intervalEvents.push(e);
          epochDone(record);
        },
        end: (intervals) => {
          for (const e of intervals) intervalEvents.push(e);
        },
      });
      result = await thread.result;
    } else {
      result = runPlan(plan, { ...(writer || declared?.paths.length || live ? { events: onEvent } : {}), onEpoch: epochDone, planHash });
    }
  } catch (e) {
    bar?.stop();
    writer?.abort();
    declared?.close();
    if (isFileSystemError(e)) return reportFileError(e, options.out ?? "", term);
    term.err(`sbx: ${term.color.red("error[SBX4003]")}: ${messageOf("SBX4003", { detail: internalDetail(e) })}\n`);
    return EXIT.usage;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
  bar?.stop();
  declared?.close();
  const { verdicts, overSeeds } = runVerdicts(plan, result);
  const llmReport = host && hasLlmAgents(plan) ? host.report() : null;
  const llmExit = host ? reportLlmOutcome(llmReport, host.cassetteMisses, term) : EXIT.ok;
  if (faults) term.err(faults.render(term));
  // A report that cannot be drawn or written fails the run (exit 2), after every other file is written.
  let reportProblem: string | null = null;
  try {
    if (writer) reportProblem = writer.finish(result, verdicts, await reportHtml(plan, result, verdicts, intervalEvents));
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    return reportFileError(e, options.out ?? "", term);
  }
  if (options.json) {
    term.out(`${JSON.stringify({ ...runDocument(plan, result, verdicts), ...(llmReport ? { llm: llmReport } : {}) }, null, 2)}\n`);
  } else {
    term.out(`\n${renderSummary(plan, result)}`);
    if (result.town) term.out(`\n${renderTownSummary(result)}`);
    if (llmReport) term.out(`\n${renderLlmUsage(llmReport)}`);
    if (verdicts.length || overSeeds.length) term.out(`\n${renderVerdicts(verdicts, term, overSeeds, plan.criteria.seeds)}`);
    if (writer) term.out(`\nwrote ${options.out}/{events.jsonl, metrics.csv, agents.csv, summary.json${writer.wroteReport ? ", report.html" : ""}}\n`);
    if (declared?.paths.length) term.out(`${writer ? "" : "\n"}wrote ${declared.paths.join(", ")} (the scenario's outputs)\n`);
  }
  if (reportProblem !== null) {
    term.err(`sbx: ${term.color.red("error[SBX4050]")}: ${messageOf("SBX4050", { detail: reportProblem })}\n`);
    return EXIT.usage;
  }
  if (llmExit !== EXIT.ok) return llmExit;
  return verdicts.some((v) => v.status !== "pass") ? EXIT.criteriaFailed : EXIT.ok;
}

/** An internal error's message, without a second "internal error" in front of the catalogue's. */
export function internalDetail(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^internal error( while running)?: /i, "");
}

/** SBX5009: a file or folder sbx could not write, with the OS's reason (exit 2). */
export function reportFileError(e: unknown, fallbackPath: string, term: Terminal): number {
  const error = isFileError(e) ? e : fileError(fallbackPath, e);
  term.err(`sbx: ${term.color.red("error[SBX5009]")}: ${messageOf("SBX5009", { path: shownPath(error.path), reason: error.reason })}\n`);
  return EXIT.usage;
}

/**
 * The run's report.html, or why it could not be drawn. Loaded only for --out
 * (Vega is large); a failure never costs the run its other files.
 */
export async function reportHtml(plan: Plan, result: RunResult, verdicts: readonly Verdict[], intervalEvents: readonly SimEvent[]): Promise<{ html: string } | { problem: string }> {
  try {
    const { freezeIntervals, renderReport, shockIntervals } = await import("../report/index.ts");
    return { html: await renderReport({ plan, result, verdicts, freezes: freezeIntervals(intervalEvents), shocks: shockIntervals(intervalEvents, plan.simulation.stepsPerEpoch) }) };
  } catch (e) {
    return { problem: `it could not be drawn: ${(e as Error).message}` };
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
  if (t.frozenAgents.length) lines.push("", `frozen at the end: ${frozenList(t.frozenAgents)}`);
  return `${lines.join("\n")}\n`;
}

/** Frozen agents by name, up to a screenful; summary.json and agents.csv list them all. */
function frozenList(ids: readonly string[], limit = 20): string {
  return ids.length <= limit ? ids.join(", ") : `${ids.slice(0, limit).join(", ")} and ${ids.length - limit} more (agents.csv lists them all)`;
}
