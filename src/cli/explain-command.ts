/**
 * `sbx explain SBXnnnn` prints what a diagnostic code means, with the example
 * docs/diagnostics.md shows for it (the code's golden case: the input and what
 * sbx reports); `sbx explain` lists every code; `sbx explain metrics` lists the
 * metric registry.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CATALOGUE, isCode } from "../diagnostics/catalogue.ts";
import { closest } from "../diagnostics/diagnostic.ts";
import { METRICS } from "../metrics/registry.ts";
import { PACKAGE_ROOT } from "../platform/node-host.ts";
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
  const example = documentedExample(code);
  if (example.length) {
    term.out(`\n${c.bold("Example")}\n`);
    for (const block of example) term.out(`\n${block.replace(/^/gm, "    ")}\n`);
  }
  return EXIT.ok;
}

/** The code blocks of the code's section in docs/diagnostics.md (an input and what sbx reports), or none. */
export function documentedExample(code: string, root = PACKAGE_ROOT): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, "docs/diagnostics.md"), "utf8");
  } catch {
    return [];
  }
  const start = text.indexOf(`\n## ${code}\n`);
  if (start < 0) return [];
  const end = text.indexOf("\n## ", start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```\w*\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}
