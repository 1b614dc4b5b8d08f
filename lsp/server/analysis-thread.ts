/** `sbx lsp`'s analyzer thread: a Node worker thread (see analysis-client.ts). */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { StartThread } from "./analysis-client.ts";
import type { FromAnalyzer } from "./analysis-port.ts";

/**
 * The analyzer thread's heap limit: a compile that runs out of memory ends
 * that thread (and is reported), never the language server.
 */
const WORKER_HEAP_MB = Number(process.env["SBX_LSP_HEAP_MB"]) || 4096;

/** Start analyzer threads from `entry` (see `analyzerEntry`). */
export function workerThread(entry: string): StartThread {
  return (events) => {
    const worker = new Worker(entry, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.on("message", (m: FromAnalyzer) => events.message(m));
    worker.on("error", (e) => events.error(e.message));
    worker.on("exit", (code) => events.exit(code));
    worker.unref();
    return { post: (m) => worker.postMessage(m), terminate: () => worker.terminate() };
  };
}

/** The analyzer thread's entry: the bundle's dist/lsp-worker.mjs, or a tsx bootstrap when running from sources. */
export function analyzerEntry(packageRoot: string): string | null {
  const here = fileURLToPath(import.meta.url);
  const entry = here.endsWith(".ts") ? join(dirname(here), "analysis-worker-source.mjs") : join(packageRoot, "dist", "lsp-worker.mjs");
  return existsSync(entry) ? entry : null;
}
