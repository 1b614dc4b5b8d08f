/**
 * The page's entry, kept tiny: the language server's worker starts loading at
 * once (it takes longest to be ready), then the page itself (app.ts).
 */
const lspWorker = new Worker(new URL("lsp-worker.js", document.baseURI), { type: "module", name: "sbx language server" });
const app = await import("./app.ts");
void app.startPlayground(lspWorker).catch((e: Error) => app.startFailed(e));
