/**
 * Runs of one sweep cell, straight to their runs.csv lines: what a queued
 * sweep's worker does per job (src/cli/worker-command.ts). Done in one go on
 * a worker thread, so a job of many short runs costs one message each way,
 * and only the lines — not the runs' per-epoch results — cross back.
 */
import type { Plan } from "../plan/schema.ts";
import { executeRun, withSeed, type RunFailure } from "./run-outcome.ts";
import { csvLine } from "./run-writer.ts";
import { finishedRunRow, type SweepLayout, type SweepOutline, type SweepRun } from "./sweep-files.ts";

export interface RowsTask {
  readonly layout: SweepLayout;
  readonly cell: SweepOutline["cells"][number];
  /** The cell's plan; each run takes one of `seeds`. */
  readonly plan: Plan;
  readonly seeds: readonly number[];
}

export type RowReply = { readonly seed: number; readonly ok: true; readonly line: string } | { readonly seed: number; readonly ok: false; readonly failure: RunFailure };

/** The row of a finished run: the same bytes a local sweep writes for it. */
export function rowLine(layout: SweepLayout, cell: RowsTask["cell"], cellPlan: Plan, seed: number, outcome: Parameters<typeof finishedRunRow>[2]): string {
  const run: SweepRun = { cell: { ...cell, plan: cellPlan }, order: 0, seed, plan: withSeed(cellPlan, seed) };
  return csvLine(finishedRunRow(layout, run, outcome));
}

/** Each seed's run of the cell and its row, or why it failed. Plans without LLM agents only (those answer asynchronously). */
export function runRows(task: RowsTask): RowReply[] {
  return task.seeds.map((seed): RowReply => {
    const reply = executeRun(withSeed(task.plan, seed));
    return reply.ok ? { seed, ok: true, line: rowLine(task.layout, task.cell, task.plan, seed, reply.run) } : { seed, ok: false, failure: reply.failure };
  });
}
