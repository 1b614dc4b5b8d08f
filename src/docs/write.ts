// `npm run docs`: regenerate the reference pages from the registries.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../cli/node-host.ts";
import { diagnosticsMarkdown, metricsMarkdown, schemaMarkdown } from "./generate.ts";

/** The first golden compile case named after each code, as its example. */
export function goldenExamples(root: string): Map<string, { input: string; output: string }> {
  const examples = new Map<string, { input: string; output: string }>();
  const dir = join(root, "tests/golden/compile");
  if (!existsSync(dir)) return examples;
  for (const name of readdirSync(dir).sort()) {
    const match = /^sbx(\d{4})/.exec(name);
    if (!match) continue;
    const code = `SBX${match[1]}`;
    if (examples.has(code)) continue;
    const input = readFileSync(join(dir, name, "input.sbx"), "utf8");
    const output = readFileSync(join(dir, name, "expected.diagnostics.txt"), "utf8");
    examples.set(code, { input, output });
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
