/**
 * The pool's worker thread in the bundle (dist/pool-worker.mjs): `runTask`
 * from the subcommands' core, loaded as `sbx` loads it, with V8's code cache
 * (load-commands.bundle.ts, which src/build.mjs substitutes for
 * load-commands.ts here too). Loading dist/run-worker.mjs and its chunks
 * instead, each thread parsed its modules and compiled every engine function
 * its first run met: 0.10 s of CPU to load against 0.015 s, and a thread of a
 * 5-epoch tax sweep used 0.32 s of CPU where it now uses 0.26 (issue 12).
 */
import { loadCommands } from "./load-commands.ts";

export default (await loadCommands()).runTask;
