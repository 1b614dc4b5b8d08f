/** `sbx lsp --stdio`: the language server over stdin/stdout, on the disk, compiling in a worker thread. */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { PACKAGE_ROOT, STDLIB_DIR } from "../../src/platform/node-host.ts";
import { analyzerEntry, workerThread } from "./analysis-thread.ts";
import { nodeFiles } from "./node-files.ts";
import { startServer } from "./server.ts";
import { SingleWriteMessageWriter } from "./stdio-writer.ts";

export interface ServerOptions {
  /** Milliseconds to wait after the last edit before recompiling for diagnostics. */
  readonly diagnosticsDelay?: number;
  readonly stdlibDir?: string;
  /** Compile in this thread instead of a worker thread. */
  readonly inProcess?: boolean;
}

/** Where a code is explained: its entry in docs/diagnostics.md in the installed package (headings slug to `#sbx2002`). */
export function diagnosticHref(code: string): string {
  return `${pathToFileURL(join(PACKAGE_ROOT, "docs", "diagnostics.md")).href}#${code.toLowerCase()}`;
}

/**
 * Serve until the client disconnects. Handing the library stdin itself (not
 * a message reader) makes it exit when stdin closes, even while the parent
 * process lives on. Messages go out through a writer that writes each in one
 * piece (stdio-writer.ts); the library takes a writer in place of a stream,
 * though its typings pair streams with streams.
 */
export function runStdioServer(options: ServerOptions = {}): Promise<void> {
  const writer = new SingleWriteMessageWriter(process.stdout) as unknown as NodeJS.WritableStream;
  const connection = createConnection(ProposedFeatures.all, process.stdin, writer);
  const entry = options.inProcess ? null : analyzerEntry(PACKAGE_ROOT);
  startServer(connection, {
    stdlibDir: options.stdlibDir ?? STDLIB_DIR,
    files: nodeFiles,
    startThread: entry ? workerThread(entry) : null,
    diagnosticHref,
    ...(options.diagnosticsDelay !== undefined ? { diagnosticsDelay: options.diagnosticsDelay } : {}),
  });
  return new Promise((resolve) => connection.onExit(() => resolve()));
}
