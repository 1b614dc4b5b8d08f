/** The analyzer's thread (bundled as dist/lsp-worker.mjs): see analysis-port.ts. */
import { parentPort } from "node:worker_threads";
import { serveAnalyzer, type ToAnalyzer } from "./analysis-port.ts";
import { nodeFiles } from "./node-files.ts";

if (parentPort) {
  const port = parentPort;
  const receive = serveAnalyzer((message) => port.postMessage(message), nodeFiles);
  port.on("message", (message: ToAnalyzer) => receive(message));
}
