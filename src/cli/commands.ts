/**
 * Every subcommand's implementation, loaded by main.ts only once a command
 * is chosen, so `sbx --version`, `sbx help` and usage errors load none of
 * the compiler. The bundle builds this module into dist/sbx-core.cjs and
 * loads it with V8's code cache (see load-commands.bundle.ts); from source it
 * is an ordinary dynamic import (load-commands.ts).
 *
 * `sbx lsp` and `sbx import` are loaded on demand: the language server and
 * the YAML parser are large and no other command needs them.
 */
import type { Terminal } from "./terminal.ts";
import type { ImportCommandOptions } from "./import-command.ts";

export { checkCommand } from "./check-command.ts";
export { compileCommand } from "./compile-command.ts";
export { explainCommand } from "./explain-command.ts";
export { writeFileAtomic } from "./files.ts";
export { fmtCommand } from "./fmt-command.ts";
export { replayCommand } from "./replay-command.ts";
export { runCommand } from "./run-command.ts";
export { sweepCommand } from "./sweep-command.ts";
export { planJsonSchema } from "../plan/schema.ts";

export async function importCommand(file: string, options: ImportCommandOptions, term: Terminal): Promise<number> {
  return (await import("./import-command.ts")).importCommand(file, options, term);
}

export async function lspCommand(): Promise<number> {
  return (await import("./lsp-command.ts")).lspCommand();
}
