// The `sbx` executable.
import { main } from "./main.ts";

// A reader that stops early (`sbx run x.sbx | head -1`) closes the pipe: stop quietly, as Unix tools do
// (128 + SIGPIPE), instead of an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(141);
    throw e;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 2;
  },
);
