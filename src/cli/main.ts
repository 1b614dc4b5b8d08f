/**
 * The `sbx` command line. Each subcommand returns an exit code:
 * 0 ok, 1 errors in the input, 2 usage / I/O / internal, 3 a criterion failed.
 */
import { Command, CommanderError, Option } from "commander";
import { writeFileAtomic } from "./files.ts";
import { planJsonSchema } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { compileCommand } from "./compile-command.ts";
import { explainCommand } from "./explain-command.ts";
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
    .action(async (files: string[], opts) => setExit(await compileCommand(files, opts, term)));

  program
    .command("explain")
    .description("explain a diagnostic code (or `metrics` for the metric registry)")
    .argument("[code]", "e.g. SBX2002")
    .action((code?: string) => setExit(explainCommand(code, term)));

  program
    .command("schema")
    .description("print the execution plan's JSON Schema")
    .addOption(new Option("-o, --out <file>", "write it to a file"))
    .action((opts: { out?: string }) => {
      const text = `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
      if (opts.out) writeFileAtomic(opts.out, text);
      else term.out(text);
      setExit(EXIT.ok);
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
    const detail = e instanceof Error ? e.message : String(e);
    term.err(`sbx: ${term.color.red("error[SBX4003]")}: internal error: ${detail}\n`);
    if (process.env["SBX_DEBUG"]) term.err(`${(e as Error).stack ?? ""}\n`);
    return EXIT.usage;
  }
}
