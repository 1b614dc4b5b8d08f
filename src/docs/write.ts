// `npm run docs`: regenerate the reference pages from the registries.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../platform/node-host.ts";
import { diagnosticsMarkdown, metricsMarkdown, schemaMarkdown, type Example } from "./generate.ts";

/** The first golden case named after each code (compile cases first, then command-line cases), as its example. */
export function goldenExamples(root: string): Map<string, Example> {
  const examples = new Map<string, Example>();
  const dir = join(root, "tests/golden/compile");
  if (!existsSync(dir)) return examples;
  for (const name of readdirSync(dir).sort()) {
    const match = /^sbx(\d{4})/.exec(name);
    if (!match) continue;
    const code = `SBX${match[1]}`;
    if (examples.has(code)) continue;
    const input = readFileSync(join(dir, name, "input.sbx"), "utf8");
    const output = readFileSync(join(dir, name, "expected.diagnostics.txt"), "utf8");
    examples.set(code, { input, output, language: "sbx" });
  }
  // Codes the command line reports: the command and what it printed.
  const cli = join(root, "tests/golden/cli");
  if (!existsSync(cli)) return examples;
  for (const name of readdirSync(cli).sort()) {
    const match = /^sbx(\d{4})/.exec(name);
    if (!match || examples.has(`SBX${match[1]}`)) continue;
    const args = JSON.parse(readFileSync(join(cli, name, "args.json"), "utf8")) as string[];
    const output = ["expected.stderr", "expected.stdout"].map((f) => readFileSync(join(cli, name, f), "utf8")).join("");
    examples.set(`SBX${match[1]}`, { input: `$ sbx ${args.join(" ")}`, output, language: "sh" });
  }
  return examples;
}

export function generatedDocs(root: string): Record<string, string> {
  return {
    "language/SCHEMA.md": schemaMarkdown(),
    "docs/metrics.md": metricsMarkdown(),
    "docs/diagnostics.md": diagnosticsMarkdown(goldenExamples(root)),
  };
}

if (process.argv[1]?.endsWith("write.ts")) {
  for (const [file, text] of Object.entries(generatedDocs(PACKAGE_ROOT))) {
    writeFileSync(join(PACKAGE_ROOT, file), text);
    console.log(`wrote ${file}`);
  }
}
