// The analyzer thread's entry when sbx runs from its TypeScript sources (`npx tsx src/cli/bin.ts lsp --stdio`):
// Node 20 does not hand tsx's loader on to worker threads, so the thread registers it itself.
// The bundle never uses this file; it starts dist/lsp-worker.mjs.
import { register } from "tsx/esm/api";

register();
await import("./analysis-worker.ts");
