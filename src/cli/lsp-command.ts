/** `sbx lsp --stdio`: the language server, for editors. It talks LSP on stdin/stdout, so nothing else may print there. */
import { runStdioServer } from "../../lsp/server/node.ts";
import { EXIT } from "./terminal.ts";

export async function lspCommand(): Promise<number> {
  await runStdioServer();
  return EXIT.ok;
}
