/**
 * `sbx replay events.jsonl [--json]`
 *
 * Rebuilds a run from its event log — every epoch's metrics recomputed
 * from the logged state changes and checked against the values the run
 * recorded — judges the plan's criteria, and prints exactly what `sbx run`
 * printed (or its `--json` document). A log cut mid-run (a crash, a full
 * disk) replays its finished epochs and says so. Exit codes as `sbx run`:
 * 0, or 3 when a criterion fails; 2 when the file is not an sbx event log
 * (SBX5007), cannot be read, or does not replay.
 */
import { readFileSync } from "node:fs";
import { EVENT_FORMAT, EVENT_VERSION, replay, ReplayError, type RunResult, type SimEvent } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";
import { osReason } from "../platform/files.ts";
import { displayPath } from "./render-diagnostics.ts";
import { renderSummary, runHeadline, TABLE, tableRow } from "./run-command.ts";
import { hasLlmAgents } from "../platform/llm/keys.ts";
import { llmReport } from "../platform/llm/report.ts";
import { LlmFaultTally, renderLlmUsage, reportLlmOutcome } from "./llm-run.ts";
import { runDocument } from "../report/summary.ts";
import { EXIT, type Terminal } from "./terminal.ts";
import { renderVerdicts, runVerdicts } from "./verdicts.ts";

export interface ReplayCommandOptions {
  readonly json?: boolean;
}

type RunStarted = Extract<SimEvent, { type: "run_started" }>;

export interface EventLog {
  readonly header: RunStarted;
  /** Ready for `replay`: a log cut mid-run ends at its last finished epoch, closed by a synthetic run_completed. */
  readonly events: readonly SimEvent[];
  /** Set when the log ends before run_completed. */
  readonly cut: { readonly epochsCompleted: number; readonly epochsPlanned: number } | null;
}

/** Parse a JSONL event log, or say why it is not one. */
export function readEventLog(text: string): { log: EventLog; problem: null } | { log: null; problem: string } {
  const lines = text.split("\n");
  const events: SimEvent[] = [];
  let cutLine = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // The last line of an interrupted write may be cut short; anything earlier is damage.
      if (i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === "")) {
        cutLine = true;
        break;
      }
      return { log: null, problem: `line ${i + 1} is not JSON` };
    }
    if (value === null || typeof value !== "object" || typeof (value as { type?: unknown }).type !== "string") return { log: null, problem: `line ${i + 1} is not an sbx event` };
    events.push(value as SimEvent);
  }
  const header = events[0];
  if (!header) return { log: null, problem: cutLine ? "the file ends before its header (run_started) is complete" : "the file is empty" };
  if (header.type !== "run_started" || header.format !== EVENT_FORMAT) return { log: null, problem: `the first event is not an sbx run header (expected type run_started, format ${EVENT_FORMAT})` };
  if (header.version !== EVENT_VERSION) return { log: null, problem: `it is event log version ${String(header.version)}; this sbx reads version ${EVENT_VERSION}` };
  if (events.some((e) => e.type === "run_completed")) return { log: { header, events, cut: null }, problem: null };
  // Cut mid-run: keep every finished epoch, drop the unfinished one.
  const lastEpoch = events.map((e) => e.type).lastIndexOf("epoch_completed");
  const kept = lastEpoch >= 0 ? events.slice(0, lastEpoch + 1) : events.slice(0, 1);
  const epochsCompleted = kept.filter((e) => e.type === "epoch_completed").length;
  return {
    log: { header, events: [...kept, { type: "run_completed", epochsCompleted }], cut: { epochsCompleted, epochsPlanned: header.plan.simulation.epochs } },
    problem: null,
  };
}

export async function replayCommand(file: string, options: ReplayCommandOptions, term: Terminal): Promise<number> {
  const error = (code: string, message: string): number => {
    term.err(`${displayPath(file)}: ${term.color.red(`error[${code}]`)}: ${message}\n`);
    return EXIT.usage;
  };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return error("SBX5001", `cannot read ${displayPath(file)}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : osReason(e)}`);
  }
  const parsed = readEventLog(text);
  if (!parsed.log) return error("SBX5007", `invalid event log: ${parsed.problem}`);
  const { header, events, cut } = parsed.log;
  let result: RunResult;
  try {
    result = replay(events);
  } catch (e) {
    if (e instanceof ReplayError) return error("SBX5007", `invalid event log: it does not replay: ${e.message}`);
    return error("SBX4003", `internal error while replaying: ${(e as Error).message}`);
  }
  const plan = header.plan as Plan;
  const { verdicts, overSeeds } = runVerdicts(plan, result);
  // LLM agents: the usage report and budget warning, rebuilt from the logged calls.
  const usage = hasLlmAgents(plan) ? llmReport(plan, events) : null;
  if (usage) {
    reportLlmOutcome(usage, [], term);
    // The run's fault summary, rebuilt from the logged calls.
    const faults = new LlmFaultTally();
    for (const e of events) faults.observe(e);
    term.err(faults.render(term));
  }
  if (cut) {
    const unfinished = cut.epochsCompleted < cut.epochsPlanned ? `; epoch ${cut.epochsCompleted} and later were not finished` : "";
    term.err(`note: the log was cut before the run completed: replaying the ${cut.epochsCompleted} finished epoch${cut.epochsCompleted === 1 ? "" : "s"} of ${cut.epochsPlanned}${unfinished}\n`);
  }
  if (options.json) {
    const doc = { ...runDocument(plan, result, verdicts), ...(usage ? { llm: usage } : {}) };
    term.out(`${JSON.stringify(cut ? { ...doc, cut } : doc, null, 2)}\n`);
  } else {
    // The same layout as `sbx run`, line for line.
    term.out(runHeadline(plan, header.planHash, term));
    term.out(tableRow(TABLE.map((c) => c.head)));
    for (const record of result.epochs) term.out(tableRow(TABLE.map((c) => c.get(record))));
    term.out(`\n${renderSummary(plan, result)}`);
    if (usage) term.out(`\n${renderLlmUsage(usage)}`);
    if (verdicts.length || overSeeds.length) term.out(`\n${renderVerdicts(verdicts, term, overSeeds, plan.criteria.seeds)}`);
  }
  return verdicts.some((v) => v.status !== "pass") ? EXIT.criteriaFailed : EXIT.ok;
}
