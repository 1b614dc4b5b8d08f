// The pool's worker entry when sbx runs from its TypeScript sources (`npx tsx src/cli/bin.ts …`):
// Node 20 does not hand tsx's loader on to worker threads, so the thread registers it itself.
// The bundle never uses this file; its workers load dist/pool-worker.mjs.
import { register } from "tsx/esm/api";

register();
const { default: runTask } = await import("./run-worker.ts");
export default runTask;
