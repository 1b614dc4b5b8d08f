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

export interface RunTask {
  readonly plan: Plan;
  readonly options?: ExecuteOptions;
}

export default function runTask(task: RunTask): RunReply | Promise<RunReply> {
  return executeTask(task.plan, task.options);
}

if (!isMainThread && (workerData as { sbxRunThread?: unknown } | null)?.sbxRunThread) {
  const { serveRunThread } = await import("./run-thread.ts");
  serveRunThread();
}
