/**
 * The pool's worker thread in the bundle (dist/pool-worker.mjs): `runTask`
 * from the subcommands' core, loaded as `sbx` loads it, with V8's code cache
 * (load-commands.bundle.ts, which src/build.mjs substitutes for
 * load-commands.ts here too). As an ES module of its own (dist/run-worker.mjs
 * and its chunks) each thread parsed and compiled the engine anew: about
 * 0.1 s of CPU before its first run, against 0.02 s from the cache, and its
 * first run compiled each engine function it met (issue 12).
 */
import { loadCommands } from "./load-commands.ts";

export default (await loadCommands()).runTask;
