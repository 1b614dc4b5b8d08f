/**
 * The bundle's worker thread (dist/pool-worker.mjs), for the pool and for
 * `sbx run --out`: the subcommands' core, loaded as `sbx` loads it, with V8's
 * code cache (load-commands.bundle.ts, which src/build.mjs substitutes for
 * load-commands.ts here too). Loading ES modules and their chunks instead,
 * each thread parsed its modules and compiled every engine function its first
 * run met: a pool thread took 0.10 s of CPU to load against 0.015 s, and a
 * thread of a 5-epoch tax sweep used 0.32 s of CPU where it now uses 0.26;
 * the first run of `sbx run --out` compiled 561 engine functions the cache
 * already holds (issue 12).
 */
import { isMainThread, workerData } from "node:worker_threads";
import { loadCommands } from "./load-commands.ts";

const core = await loadCommands();

export default core.runTask;

// The thread of `sbx run --out` (src/cli/run-thread.ts) is recognised by its worker data, as in run-worker.ts.
if (!isMainThread && (workerData as { sbxRunThread?: unknown } | null)?.sbxRunThread) await core.serveRunThread();
