/**
 * Packages form a one-way graph, layer by layer (.dependency-cruiser.cjs):
 * dependency-cruiser checks the real tree, and a planted cycle shows the
 * check would catch one.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/golden.ts";

const config = createRequire(import.meta.url)(join(ROOT, ".dependency-cruiser.cjs")) as { forbidden: unknown[]; options: Record<string, unknown> };

async function violations(baseDir: string, roots: string[]): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(baseDir);
  try {
    const { output } = await cruise(roots, { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true } as never);
    return (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}

describe("layers", () => {
  it("the tree keeps every layer rule: no upward import, no cycle, no Node built-in in the portable core", async () => {
    expect(await violations(ROOT, ["src", "language", "lsp/server", "bench", "playground"])).toEqual([]);
  }, 120_000);

  it("would catch a cycle between packages, and a Node built-in in the engine", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sbx-layers-"));
    mkdirSync(join(dir, "src/kernel"), { recursive: true });
    mkdirSync(join(dir, "src/engine"), { recursive: true });
    writeFileSync(join(dir, "src/kernel/world.ts"), 'import { run } from "../engine/run.ts";\nexport const world = () => run;\n');
    writeFileSync(join(dir, "src/engine/run.ts"), 'import { readFileSync } from "node:fs";\nimport { world } from "../kernel/world.ts";\nexport const run = () => [world, readFileSync];\n');
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true } }));
    const found = await violations(dir, ["src"]);
    expect(found).toContain("layer-kernel: src/kernel/world.ts → src/engine/run.ts");
    expect(found).toContain("portable-core: src/engine/run.ts → fs");
    expect(found.some((v) => v.startsWith("no-file-cycles:"))).toBe(true);
  }, 120_000);
});
