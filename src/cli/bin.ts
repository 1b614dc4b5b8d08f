// The `sbx` executable.
import { osReason } from "../platform/files.ts";
import { main } from "./main.ts";
import { processTerminal } from "./terminal.ts";

// A reader that stops early (`sbx run x.sbx | head -1`) closes the pipe: stop quietly, as Unix tools do
// (128 + SIGPIPE), instead of an unhandled EPIPE. Any other failure to write a standard stream (a full
// disk behind `> file`) is a file-system error like any other: its name and the OS reason, exit 2.
for (const [stream, name] of [
  [process.stdout, "standard output"],
  [process.stderr, "standard error"],
] as const) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(141);
    if (stream === process.stdout) {
      const term = processTerminal();
      try {
        term.err(`sbx: ${term.color.red("error[SBX5009]")}: cannot write ${name}: ${osReason(e)}\n`);
      } catch {
        // Standard error is gone as well: the exit code is all that is left to say it.
      }
    }
    process.exit(2);
  });
}

main(process.argv.slice(2)).then(exitOnceWritten, () => exitOnceWritten(2));

/**
 * The command has finished (every command returns only once its work is done, threads and files closed):
 * exit as soon as standard output and standard error have taken what was written to them. Left to itself,
 * Node would first let V8 finish its idle work, which after a run is a full collection of the heap the
 * compiler and the engine built: 20 ms, a tenth of `sbx run`'s time (`npm run bench:startup`).
 */
function exitOnceWritten(code: number): void {
  process.exitCode = code;
  // A stream that fails to take it reports that instead, through its error handler above.
  const written = (stream: NodeJS.WriteStream, then: () => void): void => void stream.write("", (error) => error || then());
  written(process.stdout, () => written(process.stderr, () => process.exit()));
}
