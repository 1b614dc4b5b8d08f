/**
 * The pool's worker thread (bundled as dist/run-worker.mjs): receives a
 * validated plan, returns a compact outcome. Exceptions are caught in
 * `executeTask`, so a failing run never takes the worker down.
 *
 * The same file is the thread of `sbx run --out` (src/cli/run-thread.ts),
 * which it recognises by its worker data.
 */
import { isMainThread, workerData } from "node:worker_threads";
import type { Plan } from "../plan/schema.ts";
import { executeTask, type ExecuteOptions, type RunReply } from "./run-outcome.ts";
import { runRows, type RowReply, type RowsTask } from "./sweep-rows.ts";

/** One run, or (for a queued sweep's job) several runs of a cell straight to their rows. */
export type RunTask = { readonly plan: Plan; readonly options?: ExecuteOptions } | { readonly rows: RowsTask };

export default function runTask(task: RunTask): RunReply | Promise<RunReply> | RowReply[] {
  return "rows" in task ? runRows(task.rows) : executeTask(task.plan, task.options);
}

if (!isMainThread && (workerData as { sbxRunThread?: unknown } | null)?.sbxRunThread) {
  const { serveRunThread } = await import("./run-thread.ts");
  serveRunThread();
}
