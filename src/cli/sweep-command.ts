/**
 * `sbx sweep FILE [--sweep NAME] [--out DIR] [--jobs N] [--set path=value] [--restart]`
 *
 * Runs a sweep's cells × seeds on the worker pool and writes runs.csv (one
 * row per run, flushed as it finishes), cells.csv and summary.json (per
 * cell: mean, standard deviation and 95% Student-t interval of every
 * per-run summary) and sweep.json (what was swept). Run again on the same
 * --out, it skips the runs already there; if the sweep's plans changed it
 * refuses to mix results unless --restart. Exit 0 done, 1 compile errors,
 * 2 usage, I/O or a run that failed (rerun to retry it), 130 interrupted.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { compileSweep, type SweepPlan } from "../compiler/sweep.ts";
import { hasErrors, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { validatePlan } from "../plan/validate.ts";
import { compilationSource, missingFiles, parseOverrides } from "./compile-command.ts";
import { ensureDir, isFileError, isFileSystemError, osReason, shownPath, writeFileAtomic } from "../platform/files.ts";
import { absolute, nodeHost } from "../platform/node-host.ts";
import { agentSteps, jobsFor, openPool, parseJobs } from "./pool.ts";
import { hasLlmAgents } from "../platform/llm/keys.ts";
import { condenseNotes, displayPath, renderDiagnostics } from "./render-diagnostics.ts";
import { withSeed, type RunFailure } from "./run-outcome.ts";
import {
  canonicalRows,
  cellsCsv,
  cellSummaries,
  finishedRunRow,
  finishedRuns,
  isDone,
  readRunsFile,
  runsCsv,
  RunsLedger,
  summaryDocument,
  sweepDocument,
  sweepLayout,
  writeJson,
  type CellSummary,
  type SweepLayout,
  type SweepOutline,
  type SweepRun,
} from "./sweep-files.ts";
import { EXIT, type Terminal } from "./terminal.ts";
import { formatValue } from "./verdicts.ts";

export interface SweepCommandOptions {
  readonly sweep?: string;
  readonly out?: string;
  readonly jobs?: string;
  readonly set?: readonly string[];
  readonly restart?: boolean;
  /** No notes. */
  readonly quiet?: boolean;
}

/** Exit code of a sweep stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const EXIT_INTERRUPTED = 130;

export async function sweepCommand(file: string, options: SweepCommandOptions, term: Terminal): Promise<number> {
  const prepared = prepareSweep(file, options, term);
  if ("exit" in prepared) return prepared.exit;
  const { path, sweep, seeds, layout, runs, jobs } = prepared;
  const out = options.out ?? join("out", sweep.name);
  const files = sweepFiles(out);
  let ledger: RunsLedger;
  let skipped: number;
  try {
    ensureDir(out);
    if (options.restart) for (const f of Object.values(files)) rmSync(f, { force: true });
    const existing = readRunsFile(files.runs);
    const finished = existing ? finishedRuns(layout, runs, existing) : { done: new Set<string>(), problem: null };
    if (finished.problem !== null) {
      term.err(
        `sbx: ${term.color.red("error[SBX5002]")}: ${files.runs} holds results of a different sweep: ${finished.problem}.\n` +
          `  Mixing them would average different plans. Rerun with --restart to discard them, or choose another --out.\n`,
      );
      return EXIT.usage;
    }
    skipped = runs.filter((r) => isDone(finished.done, r)).length;
    writeJson(files.sweep, sweepDocument(sweep, layout, displayPath(path), options.set ?? []));
    ledger = new RunsLedger(files.runs, layout.header, existing);
    const pending = runs.filter((r) => !isDone(finished.done, r));
    const threads = Math.min(jobsFor(jobs, pending.map((r) => r.plan)), pending.length);
    term.err(
      `${term.color.bold(sweep.name)} of ${sweep.scenario}: ${sweep.cells.length} cell${sweep.cells.length === 1 ? "" : "s"} × ${seeds.length} seed${seeds.length === 1 ? "" : "s"} = ${runs.length} runs` +
        `${pending.length ? `, ${threads === 1 ? "in-process" : `${threads} at a time`}` : ""} → ${out}\n`,
    );
    if (skipped) term.err(`resuming: skipped ${skipped} of ${runs.length} runs already in ${files.runs}${pending.length ? `; ${pending.length} to go` : ""}\n`);
    const outcome = await runPending(pending, layout, ledger, threads, term);
    await ledger.close();
    return finish(sweep, seeds, layout, files, runs.length, outcome, term);
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    const path = isFileError(e) ? e.path : ((e as NodeJS.ErrnoException).path ?? out);
    term.err(`sbx: ${term.color.red("error[SBX5009]")}: cannot write ${shownPath(path)}: ${osReason(e)} (the sweep's files go in ${out})\n`);
    return EXIT.usage;
  }
}

/** A compiled sweep, ready to run: its plans checked, its runs listed in canonical order. */
export interface PreparedSweep {
  readonly path: string;
  readonly sweep: SweepPlan;
  /** The sweep's seeds, each once. */
  readonly seeds: readonly number[];
  readonly layout: SweepLayout;
  readonly runs: readonly SweepRun[];
  /** --jobs, or null for the default. */
  readonly jobs: number | null;
}

/** Compiles the sweep and lists its runs, or reports why it cannot run (the exit code). Shared by local and queued sweeps. */
export function prepareSweep(file: string, options: Pick<SweepCommandOptions, "sweep" | "jobs" | "set" | "quiet">, term: Terminal): PreparedSweep | { exit: number } {
  const path = absolute(file);
  const jobs = parseJobs(options.jobs);
  const { overrides, problems } = parseOverrides(options.set);
  const usage = [
    ...missingFiles([path]),
    ...problems.map((p) => unplacedDiagnostic("SBX5003", { override: p, detail: "expected path=value" })),
    ...("problem" in jobs ? [unplacedDiagnostic("SBX5002", { detail: jobs.problem })] : []),
  ];
  if (usage.length || !("jobs" in jobs)) {
    term.err(renderDiagnostics(usage, () => undefined, term));
    return { exit: EXIT.usage };
  }

  const compiled = compileSweep(nodeHost(), path, options.sweep, { overrides });
  const diagnostics = unique(compiled.diagnostics);
  term.err(renderDiagnostics(condenseNotes(diagnostics, { quiet: options.quiet === true }), compilationSource(compiled.compilation), term));
  const sweep = compiled.sweep;
  if (hasErrors(diagnostics) || !sweep) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    if (!errors.length) term.err(`sbx: ${term.color.red("error[SBX5002]")}: ${displayPath(path)} declares no sweep to run\n`);
    return { exit: errors.every((d) => d.code === "SBX5002") ? EXIT.usage : EXIT.errors };
  }
  const broken = sweep.cells.map((c) => ({ c, problems: validatePlan(c.plan).problems })).find((x) => x.problems);
  if (broken) {
    term.err(`sbx: ${term.color.red("error[SBX4003]")}: the plan of cell ${broken.c.index} breaks its schema: ${broken.problems!.join("; ")}\n`);
    return { exit: EXIT.usage };
  }

  const seeds = [...new Set(sweep.seeds)];
  if (seeds.length < sweep.seeds.length) term.err(`note: the sweep lists some seeds more than once; each runs once per cell\n`);
  const layout = sweepLayout(sweep);
  const runs: SweepRun[] = sweep.cells.flatMap((cell) =>
    seeds.map((seed, order) => ({ cell, order, seed, plan: withSeed(cell.plan, seed) })),
  );
  return { path, sweep, seeds, layout, runs, jobs: jobs.jobs };
}

interface Outcome {
  readonly failures: readonly { readonly run: SweepRun; readonly failure: RunFailure }[];
  readonly interrupted: boolean;
}

/** The longest run (agent-steps) this thread takes on itself: a second or so of the engine's time. */
const RUN_HERE_AGENT_STEPS = 500_000;

/**
 * Whether this thread runs batches too (src/cli/pool.ts sharedPool), which
 * saves one thread's warm-up: only while every run is short, because a run
 * here holds back a Ctrl-C and the rows the threads have finished until it
 * ends, and one of a long sweep's runs can take minutes.
 */
export function runsHereToo(pending: readonly SweepRun[]): boolean {
  return pending.every((r) => agentSteps([r.plan]) <= RUN_HERE_AGENT_STEPS);
}

/** Runs on the pool; each finished run becomes a durable row before anything else happens. */
async function runPending(pending: readonly SweepRun[], layout: SweepLayout, ledger: RunsLedger, jobs: number, term: Terminal): Promise<Outcome> {
  if (!pending.length) return { failures: [], interrupted: false };
  const pool = openPool(jobs, pending.length, { mainThread: runsHereToo(pending) });
  const failures: { run: SweepRun; failure: RunFailure }[] = [];
  let interrupted = false;
  const bar = term.isTTY ? new (await import("cli-progress")).SingleBar({ format: " {bar} {value}/{total} runs  {eta_formatted}", stream: process.stderr, clearOnComplete: true, hideCursor: true }) : null;
  // Ctrl-C: stop starting runs, keep the finished ones, write the summaries of what is done. A second one quits at once.
  const onSignal = (): void => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    void pool.close();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  bar?.start(pending.length, 0);
  const failed = (run: SweepRun, failure: RunFailure): void => {
    if (failure.kind === "cancelled") return;
    failures.push({ run, failure });
    // The engine cannot run this scenario's agents: no other run can succeed either.
    if (failure.kind === "unsupported") void pool.close();
  };
  try {
    await Promise.all(
      rowBatches(pending).map((batch) => {
        const first = batch[0]!;
        if (hasLlmAgents(first.plan)) {
          // LLM agents answer asynchronously: each run on its own, its outcome back here.
          return pool.run(first.plan).then((reply) => {
            if (reply.ok) ledger.append(finishedRunRow(layout, first, reply.run)); else failed(first, reply.failure);
            bar?.increment();
          });
        }
        // Several runs of a cell per message, each back as its finished row: the threads render
        // the rows, so no run's per-epoch results cross to this thread (src/cli/sweep-rows.ts).
        const { index, arm, coords, planHash } = first.cell;
        return pool.rows({ layout, cell: { index, arm, coords, planHash }, plan: first.cell.plan, seeds: batch.map((r) => r.seed) }).then((replies) => {
          replies.forEach((reply, i) => {
            if (reply.ok) ledger.appendLine(reply.line); else failed(batch[i]!, reply.failure);
          });
          bar?.increment(batch.length);
        });
      }),
    );
  } finally {
    bar?.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await pool.close();
  }
  return { failures, interrupted };
}

/**
 * How much work (agent-steps) one message to a thread carries at least: short
 * runs go several to a message, so a thread is not idle while its next run is
 * posted; long ones go one at a time, so the threads finish together.
 */
const ROWS_TASK_AGENT_STEPS = 10_000;

/**
 * Pending runs in batches of consecutive runs of one cell (one run per batch
 * when the plans have LLM agents), the cells taking turns: a runner meets
 * every cell's code paths (a tax, a breaker) in its first runs, before V8
 * optimises the engine for the first cell's alone and then has to discard
 * and recompile that code as each new cell arrives (a quarter fewer
 * deoptimisations on the tax sweep, `node --trace-deopt`). The files do not
 * depend on the order: they are written in canonical order at the end.
 */
export function rowBatches(pending: readonly SweepRun[]): SweepRun[][] {
  const cells: SweepRun[][][] = [];
  let batch: SweepRun[] = [];
  let work = 0;
  const close = (): void => {
    if (!batch.length) return;
    const last = cells.at(-1);
    if (last && last[0]![0]!.cell === batch[0]!.cell) last.push(batch); else cells.push([batch]);
    batch = [];
    work = 0;
  };
  for (const run of pending) {
    if (batch.length && (batch[0]!.cell !== run.cell || work >= ROWS_TASK_AGENT_STEPS || hasLlmAgents(run.plan))) close();
    batch.push(run);
    work += agentSteps([run.plan]);
  }
  close();
  const batches: SweepRun[][] = [];
  const turns = Math.max(0, ...cells.map((c) => c.length));
  for (let turn = 0; turn < turns; turn++) for (const c of cells) if (turn < c.length) batches.push(c[turn]!);
  return batches;
}

function finish(sweep: SweepPlan, seeds: readonly number[], layout: SweepLayout, files: SweepFiles, planned: number, outcome: Outcome, term: Terminal): number {
  const rows = writeSweepFiles(sweep, seeds, layout, files, planned, readRunsFile(files.runs)?.rows ?? [], term);
  const unsupported = outcome.failures.find((f) => f.failure.kind === "unsupported");
  if (unsupported) {
    term.err(`sbx: ${term.color.red("error")}: the sweep cannot run: ${unsupported.failure.message}\n`);
    return EXIT.usage;
  }
  for (const { run, failure } of outcome.failures.slice(0, 5)) {
    term.err(`sbx: ${term.color.red("error[SBX4003]")}: internal error while running cell ${run.cell.index} with seed ${run.seed}: ${failure.message}\n`);
    if (process.env["SBX_DEBUG"] && failure.stack) term.err(`${failure.stack}\n`);
  }
  if (outcome.failures.length > 5) term.err(`sbx: … and ${outcome.failures.length - 5} more failed runs\n`);
  if (outcome.interrupted) {
    term.err(`interrupted: run the same command again to resume from the ${rows} finished runs\n`);
    return EXIT_INTERRUPTED;
  }
  if (outcome.failures.length) {
    term.err(`${outcome.failures.length} run${outcome.failures.length === 1 ? "" : "s"} failed; run the same command again to retry ${outcome.failures.length === 1 ? "it" : "them"}\n`);
    return EXIT.usage;
  }
  return EXIT.ok;
}

export interface SweepFiles {
  readonly runs: string;
  readonly cells: string;
  readonly summary: string;
  readonly sweep: string;
}

export function sweepFiles(out: string): SweepFiles {
  return { runs: join(out, "runs.csv"), cells: join(out, "cells.csv"), summary: join(out, "summary.json"), sweep: join(out, "sweep.json") };
}

/**
 * The sweep's files from its finished rows, in canonical order whoever ran
 * them (this process, its threads, or workers of a queue): runs.csv,
 * cells.csv and summary.json; then the cells at a glance on stdout. Returns
 * the number of rows.
 */
export function writeSweepFiles(sweep: SweepOutline, seeds: readonly number[], layout: SweepLayout, files: SweepFiles, planned: number, finished: readonly string[][], term: Terminal): number {
  const rows = canonicalRows(layout, seeds, finished);
  writeFileAtomic(files.runs, runsCsv(layout, rows));
  const cells = cellSummaries(sweep, layout, rows);
  writeFileAtomic(files.cells, cellsCsv(layout, cells));
  writeJson(files.summary, summaryDocument(sweep, layout, cells, planned));
  if (rows.length) term.out(renderCells(sweep, layout, cells, term));
  term.err(`${rows.length} of ${planned} runs in ${files.runs}; wrote ${files.cells}, ${files.summary} and ${files.sweep}\n`);
  return rows.length;
}

/** The cells at a glance: toxicity and welfare per epoch with their 95% intervals. */
function renderCells(sweep: SweepOutline, layout: SweepLayout, cells: readonly CellSummary[], term: Terminal): string {
  const stat = (c: CellSummary, m: string): string => {
    const s = c.metrics[m];
    if (!s || s.mean === null) return "—";
    return s.ci ? `${formatValue(s.mean)} [${formatValue(s.ci.lower)}, ${formatValue(s.ci.upper)}]` : formatValue(s.mean);
  };
  const columns: { head: string; get: (c: CellSummary) => string }[] = [
    { head: "cell", get: (c) => String(c.index) },
    ...(sweep.arms.length ? [{ head: "arm", get: (c: CellSummary) => c.arm ?? "" }] : []),
    ...layout.parameters.map((p) => ({ head: p.split(".").slice(-2).join("."), get: (c: CellSummary) => String(c.coords[p] ?? "") })),
    { head: "n", get: (c) => String(c.n) },
    { head: "mean toxicity (95% CI)", get: (c) => stat(c, "mean_toxicity") },
    { head: "welfare/epoch (95% CI)", get: (c) => stat(c, "welfare_per_epoch") },
  ];
  const table = [columns.map((c) => c.head), ...cells.map((cell) => columns.map((c) => c.get(cell)))];
  const widths = columns.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return `${term.color.bold(line(table[0]!))}\n${table.slice(1).map(line).join("\n")}\n`;
}

function unique(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.file ?? ""}\u0000${d.span?.start ?? -1}\u0000${d.code}\u0000${d.message}`;
    return !seen.has(key) && (seen.add(key), true);
  });
}
