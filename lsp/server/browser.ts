/**
 * The language server in a browser's Web Worker (the playground): LSP over
 * the worker's messages (vscode-languageserver/browser), files from a virtual
 * file system, and the analyzer in the same worker, between messages.
 */
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from "vscode-languageserver/browser";
import type { ServerFiles } from "./files.ts";
import { startServer } from "./server.ts";

/** What the worker's global scope offers a message transport (a `DedicatedWorkerGlobalScope`). */
type WorkerScope = ConstructorParameters<typeof BrowserMessageReader>[0];

/** Serve LSP on the worker's own messages, until the page goes away. */
export function startBrowserServer(scope: WorkerScope, files: ServerFiles, stdlibDir: string): void {
  const connection = createConnection(new BrowserMessageReader(scope), new BrowserMessageWriter(scope));
  startServer(connection, { stdlibDir, files, startThread: null });
}
