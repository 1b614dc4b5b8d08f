/**
 * `npm run study:town [-- OUT [FILE]]`: the persona town's study matrix as a
 * table. Runs `sbx sweep scenarios/town/study.sbx` (or FILE's sweep;
 * resumable, into out/town-study unless given another directory) and prints
 * every arm's mean and 95% Student-t interval over the seeds for each town
 * metric, as Markdown.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sweepCommand } from "../src/cli/sweep-command.ts";
import { processTerminal } from "../src/cli/terminal.ts";

const out = process.argv[2] ?? "out/town-study";
const file = process.argv[3] ?? join(import.meta.dirname, "../scenarios/town/study.sbx");
const term = processTerminal();
const code = await sweepCommand(file, { out }, { ...term, out: () => undefined });
if (code !== 0) process.exit(code);

interface Summary {
  readonly level: number;
  readonly cells: readonly { arm: string | null; n: number; metrics: Record<string, { mean: number | null; ci: { lower: number; upper: number } | null }> }[];
}
const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;
const columns = Object.keys(summary.cells[0]!.metrics).filter((m) => m.includes("town."));
const cell = (m: { mean: number | null; ci: { lower: number; upper: number } | null } | undefined): string =>
  m?.mean == null ? "—" : `${m.mean.toFixed(3)} [${m.ci ? `${m.ci.lower.toFixed(3)}, ${m.ci.upper.toFixed(3)}` : "—"}]`;
const lines = [
  `| arm | n | ${columns.map((c) => c.replace(/^(mean|final|sum)_town\./, "")).join(" | ")} |`,
  `|---|---|${columns.map(() => "---").join("|")}|`,
  ...summary.cells.map((c) => `| ${c.arm ?? ""} | ${c.n} | ${columns.map((m) => cell(c.metrics[m])).join(" | ")} |`),
];
term.out(`Mean over seeds [${Math.round(summary.level * 100)}% interval]; per run: the mean over ticks, persona adherence at the end.\n\n${lines.join("\n")}\n`);
