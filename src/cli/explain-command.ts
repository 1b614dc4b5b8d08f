/** `sbx explain SBXnnnn` prints what a diagnostic code means; `sbx explain metrics` lists the metric registry. */
import { CATALOGUE, isCode } from "../diagnostics/catalogue.ts";
import { closest } from "../diagnostics/diagnostic.ts";
import { METRICS } from "../metrics/registry.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export function explainCommand(topic: string | undefined, term: Terminal): number {
  const c = term.color;
  if (topic === undefined) {
    for (const [code, entry] of Object.entries(CATALOGUE)) term.out(`${code}  ${entry.severity.padEnd(7)}  ${entry.title}\n`);
    return EXIT.ok;
  }
  if (topic === "metrics") {
    for (const m of METRICS) term.out(`${m.name.padEnd(34)} ${m.shape === "series" ? "per epoch" : "per run  "}  ${m.doc}\n`);
    return EXIT.ok;
  }
  const code = topic.toUpperCase();
  if (!isCode(code)) {
    const suggestion = closest(code, Object.keys(CATALOGUE));
    term.err(`sbx: ${c.red("error[SBX5002]")}: unknown diagnostic code '${topic}'${suggestion ? ` (did you mean '${suggestion}'?)` : ""}\n`);
    return EXIT.usage;
  }
  const entry = CATALOGUE[code];
  term.out(`${c.bold(code)}: ${entry.title} (${entry.severity})\n\n${entry.explain}\n`);
  return EXIT.ok;
}
