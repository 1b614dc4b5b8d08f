/**
 * The pool's worker thread when sbx runs from its sources (the bundle's
 * threads load dist/pool-worker.mjs): receives a validated plan, returns a
 * compact outcome. Exceptions are caught in `executeTask`, so a failing run
 * never takes the worker down.
 *
 * From source the same file is also the thread of `sbx run --out`
 * (src/cli/run-thread.ts), which it recognises by its worker data.
 */
import { isMainThread, workerData } from "node:worker_threads";

export { runTask as default } from "./pool.ts";

if (!isMainThread && (workerData as { sbxRunThread?: unknown } | null)?.sbxRunThread) {
  const { serveRunThread } = await import("./run-thread.ts");
  serveRunThread();
}
