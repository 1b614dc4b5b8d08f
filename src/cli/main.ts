/**
 * The `sbx` command line. Each subcommand returns an exit code:
 * 0 ok, 1 errors in the input, 2 usage / I/O / internal, 3 a criterion failed.
 */
import { Command, CommanderError, Option } from "commander";
import { SBX_VERSION } from "../version.ts";
import { loadCommands } from "./load-commands.ts";
import { EXIT, processTerminal, type Terminal } from "./terminal.ts";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function buildProgram(term: Terminal, setExit: (code: number) => void): Command {
  const program = new Command("sbx")
    .description("Scenario language and toolchain for multi-agent AI-safety simulations")
    .version(SBX_VERSION, "-V, --version")
    .showHelpAfterError("(run `sbx help` for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => term.out(s),
      writeErr: (s) => term.err(s),
      outputError: (s, write) => write(`sbx: ${term.color.red("error[SBX5002]")}: ${s.replace(/^error: /, "")}`),
    });

  program
    .command("compile")
    .description("check .sbx files and lower their scenarios to execution plans")
    .argument("<files...>", ".sbx files")
    .option("-o, --out <file>", "write the scenario's plan as JSON")
    .option("--json", "print one JSON document (diagnostics and plans) on stdout")
    .option("-s, --scenario <name>", "the scenario to compile when a file declares several")
    .option("--set <path=value>", "override a setting, type-checked like source (repeatable)", collect, [])
    .option("-q, --quiet", "print no notes (settings with no effect in the profile, …); warnings and errors still print")
    .action(async (files: string[], opts) => {
      const { compileCommand } = await loadCommands();
      setExit(await compileCommand(files, opts, term));
    });

  program
    .command("run")
    .description("compile and run a scenario; print a per-epoch table, a summary and its criteria verdicts")
    .argument("<file>", "an .sbx file, or a plan.json written by `sbx compile --out`")
    .option("-s, --scenario <name>", "the scenario to run when the file declares several")
    .option("--seed <n>", "override the scenario's seed")
    .option("--epochs <n>", "override the number of epochs")
    .option("--profile <name>", "run with this profile (sbx or swarm-0.1), whatever the scenario says")
    .option("--set <path=value>", "override a setting, type-checked like source (repeatable)", collect, [])
    .option("--json", "print one JSON document on stdout")
    .option("-o, --out <dir>", "write events.jsonl, metrics.csv, agents.csv, summary.json and report.html")
    .option("--no-outputs", "skip the files the scenario's outputs block names (event_log, metrics_csv)")
    .option("--dry-run", "answer LLM agents with the offline responder: no network, no API key")
    .option("--record <cassette>", "record every LLM request and response to a cassette (JSONL)")
    .option("--replay <cassette>", "answer LLM agents from a recorded cassette, with no network")
    .option("-q, --quiet", "print no notes (settings with no effect in the profile, …); warnings and errors still print")
    .option("--live", "stream a town's ticks: encounters, actions and utterances (truncated; colour unless NO_COLOR)")
    .option("--full-messages", "with --live: print utterances whole")
    .action(async (file: string, opts) => {
      const { runCommand } = await loadCommands();
      setExit(await runCommand(file, opts, term));
    });

  program
    .command("check")
    .description("run every scenario's criteria over their seeds and report each verdict (for CI: exit 3 when one fails)")
    .argument("<paths...>", ".sbx files or directories (searched recursively)")
    .addOption(new Option("--format <format>", "how to report").choices(["text", "json", "junit", "github"]).default("text"))
    .option("-j, --jobs <n>", "runs at a time on worker threads; 1 runs in-process (default: one per core, or in-process when the runs are too small to repay starting threads)")
    .option("--profile <name>", "check with this profile (sbx or swarm-0.1), whatever the scenarios say")
    .option("--set <path=value>", "override a setting in every scenario, type-checked like source (repeatable)", collect, [])
    .option("--dry-run", "answer LLM agents with the offline responder (no network, no API key)")
    .option("--require-llm", "fail (exit 3) when a scenario cannot be run, e.g. an LLM provider's key is missing; the default when CI=true")
    .option("--no-require-llm", "report scenarios that cannot be run without failing, even when CI=true")
    .option("-q, --quiet", "print no notes (settings with no effect in the profile, …); warnings and errors still print")
    .action(async (paths: string[], opts) => {
      const { checkCommand } = await loadCommands();
      setExit(await checkCommand(paths, opts, term));
    });

  program
    .command("sweep")
    .description("run a sweep's cells × seeds in parallel; write runs.csv, cells.csv, summary.json and sweep.json (resumable); with --queue, on workers anywhere")
    .argument("[file]", "an .sbx file declaring the sweep")
    .option("--sweep <name>", "the sweep to run when the file declares several")
    .option("-o, --out <dir>", "where to write (default: out/<sweep name>); rerun on the same directory to resume")
    .option("-j, --jobs <n>", "runs at a time on worker threads; 1 runs in-process (default: one per core, or in-process when the runs are too small to repay starting threads)")
    .option("--set <path=value>", "override a setting of the swept scenario, type-checked like source (repeatable)", collect, [])
    .option("--restart", "discard the runs already in --out instead of resuming (with --queue: replace the sweep queued under the name)")
    .option("--queue <url>", "run on `sbx worker`s through this Redis (redis://host:6379/0, rediss:// for TLS; password from SBX_REDIS_PASSWORD or SBX_REDIS_PASSWORD_FILE)")
    .option("--name <name>", "with --queue: the sweep's name in the queue (default: the sweep's)")
    .option("--batch <n>", "with --queue: runs per job (default: enough for a few tenths of a second of work; 1 for LLM agents)")
    .option("--budget <usd>", "with --queue: the most the sweep may spend on LLM calls, across all workers")
    .option("--detach", "with --queue: queue the sweep and exit; gather it later with --collect")
    .option("--collect <name>", "with --queue: follow a queued sweep and write its files (no FILE)")
    .option("--forget", "with --collect: remove the sweep from the queue once its files are written")
    .option("-q, --quiet", "print no notes (settings with no effect in the profile, …); warnings and errors still print")
    .action(async (file: string | undefined, opts) => {
      if (opts.queue !== undefined || opts.collect !== undefined) {
        const { queueSweepCommand } = await loadCommands();
        setExit(await queueSweepCommand(file, opts, term));
        return;
      }
      for (const flag of ["name", "batch", "budget", "detach", "forget"] as const) {
        if (opts[flag] !== undefined) {
          term.err(`sbx: ${term.color.red("error[SBX5002]")}: --${flag} applies to queued sweeps (--queue URL)\n`);
          setExit(EXIT.usage);
          return;
        }
      }
      if (file === undefined) {
        term.err(`sbx: ${term.color.red("error[SBX5002]")}: missing FILE: the .sbx file declaring the sweep\n`);
        setExit(EXIT.usage);
        return;
      }
      const { sweepCommand } = await loadCommands();
      setExit(await sweepCommand(file, opts, term));
    });

  program
    .command("worker")
    .description("run the jobs of sweeps queued with `sbx sweep --queue` (docs/distributed.md)")
    .option("--queue <url>", "the Redis holding the queue (default: SBX_QUEUE_URL); password from SBX_REDIS_PASSWORD or SBX_REDIS_PASSWORD_FILE")
    .option("-c, --concurrency <n>", "jobs at a time, each on a worker thread (default: one per core)")
    .option("--stall-seconds <s>", "how long a job may go without a sign of life from its worker before another takes it over", "30")
    .option("-v, --verbose", "print a line as each job starts and ends")
    .action(async (opts) => {
      const { workerCommand } = await loadCommands();
      setExit(await workerCommand(opts, term));
    });

  program
    .command("replay")
    .description("recompute a run's metrics and criteria verdicts from its event log; print them as `sbx run` does")
    .argument("<events>", "an events.jsonl written by `sbx run --out`")
    .option("--json", "print the same JSON document as `sbx run --json`")
    .action(async (file: string, opts) => {
      const { replayCommand } = await loadCommands();
      setExit(await replayCommand(file, opts, term));
    });

  program
    .command("import")
    .description("convert a sandbox scenario YAML to .sbx (printed, or written with --out)")
    .argument("<file>", "a scenario .yaml of the Distributional AGI Safety Sandbox")
    .option("-o, --out <file>", "write the .sbx there instead of printing it")
    .addOption(new Option("--profile <profile>", "the profile the .sbx selects").choices(["swarm-0.1", "sbx"]).default("swarm-0.1"))
    .option("--json", "print one JSON document (diagnostics and the .sbx) on stdout")
    .action(async (file: string, opts) => {
      const { importCommand } = await loadCommands();
      setExit(await importCommand(file, opts, term));
    });

  program
    .command("explain")
    .description("explain a diagnostic code (or `metrics` for the metric registry)")
    .argument("[code]", "e.g. SBX2002")
    .action(async (code?: string) => {
      const { explainCommand } = await loadCommands();
      setExit(await explainCommand(code, term));
    });

  program
    .command("schema")
    .description("print the execution plan's JSON Schema")
    .addOption(new Option("-o, --out <file>", "write it to a file"))
    .action(async (opts: { out?: string }) => {
      const { schemaCommand } = await loadCommands();
      setExit(await schemaCommand(opts.out, term));
    });

  program
    .command("fmt")
    .description("format .sbx files in place in the canonical layout")
    .argument("<files...>", ".sbx files")
    .option("--check", "write nothing; list the files that would change and exit 1 if any")
    .action(async (files: string[], opts: { check?: boolean }) => {
      const { fmtCommand } = await loadCommands();
      setExit(await fmtCommand(files, opts, term));
    });

  program
    .command("lsp")
    .description("run the sbx language server (for editors)")
    .option("--stdio", "talk LSP over standard input and output (the default)")
    .action(async () => {
      const { lspCommand } = await loadCommands();
      setExit(await lspCommand());
    });

  program
    .command("playground")
    .description("serve the playground (write, check and run scenarios in a browser) on this machine")
    .option("-p, --port <n>", "the port to serve on (0: any free port)", "8480")
    .option("--open", "open it in the desktop's browser")
    .action(async (opts: { port?: string; open?: boolean }) => {
      const { playgroundCommand } = await loadCommands();
      setExit(await playgroundCommand(opts, term));
    });

  return program;
}

export async function main(argv: readonly string[], term: Terminal = processTerminal()): Promise<number> {
  let exit: number = EXIT.ok;
  const program = buildProgram(term, (code) => (exit = code));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      return EXIT.usage;
    }
    const { isFileError, osReason, shownPath } = await import("../platform/files.ts");
    if (isFileError(e)) {
      term.err(`sbx: ${term.color.red("error[SBX5009]")}: cannot write ${shownPath(e.path)}: ${osReason(e)}\n`);
      return EXIT.usage;
    }
    // The detail of an error that already says it is internal is not prefixed twice.
    const detail = (e instanceof Error ? e.message : String(e)).replace(/^internal error( while running)?: /i, "");
    term.err(`sbx: ${term.color.red("error[SBX4003]")}: internal error: ${detail}\n`);
    if (process.env["SBX_DEBUG"]) term.err(`${(e as Error).stack ?? ""}\n`);
    return EXIT.usage;
  }
}
