/**
 * The language server's Web Worker: the same server `sbx lsp` runs
 * (lsp/server), speaking LSP over this worker's messages, on the bundled
 * standard library and scenarios.
 */
import files from "sbx:bundled-files";
import { startBrowserServer } from "../../lsp/server/browser.ts";
import { STDLIB_DIR, VirtualFiles } from "./files.ts";

startBrowserServer(self as never, new VirtualFiles(files), STDLIB_DIR);
