/**
 * Every subcommand, loaded by main.ts only once a command is chosen, so
 * `sbx --version`, `sbx help` and usage errors load none of the compiler. The
 * bundle builds this module into dist/sbx-core.cjs and loads it with V8's
 * code cache (see load-commands.bundle.ts); from source it is an ordinary
 * dynamic import (load-commands.ts).
 *
 * Each command's modules are imported when it runs, so a command initialises
 * only what it uses (`sbx compile` never sets up the engine, `sbx run` never
 * the language server).
 */
import { EXIT, type Terminal } from "./terminal.ts";

type CheckCommand = typeof import("./check-command.ts").checkCommand;
type CompileCommand = typeof import("./compile-command.ts").compileCommand;
type ExplainCommand = typeof import("./explain-command.ts").explainCommand;
type FmtCommand = typeof import("./fmt-command.ts").fmtCommand;
type ImportCommand = typeof import("./import-command.ts").importCommand;
type ReplayCommand = typeof import("./replay-command.ts").replayCommand;
type RunCommand = typeof import("./run-command.ts").runCommand;
type SweepCommand = typeof import("./sweep-command.ts").sweepCommand;
type QueueSweepCommand = typeof import("./queue-command.ts").queueSweepCommand;
type WorkerCommand = typeof import("./worker-command.ts").workerCommand;
type PlaygroundCommand = typeof import("./playground-command.ts").playgroundCommand;
type RunTask = typeof import("./pool.ts").runTask;

export const checkCommand = async (...args: Parameters<CheckCommand>): Promise<number> => (await import("./check-command.ts")).checkCommand(...args);
export const compileCommand = async (...args: Parameters<CompileCommand>): Promise<number> => (await import("./compile-command.ts")).compileCommand(...args);
export const explainCommand = async (...args: Parameters<ExplainCommand>): Promise<number> => (await import("./explain-command.ts")).explainCommand(...args);
export const fmtCommand = async (...args: Parameters<FmtCommand>): Promise<number> => (await import("./fmt-command.ts")).fmtCommand(...args);
export const importCommand = async (...args: Parameters<ImportCommand>): Promise<number> => (await import("./import-command.ts")).importCommand(...args);
export const replayCommand = async (...args: Parameters<ReplayCommand>): Promise<number> => (await import("./replay-command.ts")).replayCommand(...args);
export const runCommand = async (...args: Parameters<RunCommand>): Promise<number> => (await import("./run-command.ts")).runCommand(...args);
export const sweepCommand = async (...args: Parameters<SweepCommand>): Promise<number> => (await import("./sweep-command.ts")).sweepCommand(...args);
export const queueSweepCommand = async (...args: Parameters<QueueSweepCommand>): Promise<number> => (await import("./queue-command.ts")).queueSweepCommand(...args);
export const workerCommand = async (...args: Parameters<WorkerCommand>): Promise<number> => (await import("./worker-command.ts")).workerCommand(...args);
export const playgroundCommand = async (...args: Parameters<PlaygroundCommand>): Promise<number> => (await import("./playground-command.ts")).playgroundCommand(...args);

/** What a pool's worker thread runs: dist/pool-worker.mjs loads the core, with its code cache, for it. */
export const runTask = async (...args: Parameters<RunTask>): Promise<Awaited<ReturnType<RunTask>>> => (await import("./pool.ts")).runTask(...args);

/** What the thread of `sbx run --out` runs: dist/pool-worker.mjs too, so its engine starts from the code cache. */
export const serveRunThread = async (): Promise<void> => (await import("./run-thread.ts")).serveRunThread();

export async function lspCommand(): Promise<number> {
  return (await import("./lsp-command.ts")).lspCommand();
}

/** `sbx schema`: the plan's JSON Schema, printed or written to a file. */
export async function schemaCommand(out: string | undefined, term: Terminal): Promise<number> {
  const [{ planJsonSchema }, { writeFileAtomic }] = await Promise.all([import("../plan/schema.ts"), import("../platform/files.ts")]);
  const text = `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
  if (out) writeFileAtomic(out, text);
  else term.out(text);
  return EXIT.ok;
}
