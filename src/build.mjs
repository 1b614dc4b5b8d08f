// Bundles the TypeScript sources into dist/ with esbuild. Runs on `npm install` (prepare) and before tests.
import { build } from "esbuild";
import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** dist name → source entry. Entries that do not exist yet are skipped. */
const entries = {
  sbx: "src/cli/bin.ts",
  "run-worker": "src/cli/run-worker.ts",
  "lsp-worker": "lsp/server/analysis-worker.ts",
  bench: "bench/engine.ts",
  "bench-compile": "bench/compile.ts",
  "bench-sweep": "bench/sweep.ts",
  "bench-lsp": "bench/lsp.ts",
  "bench-llm": "bench/llm.ts",
  "bench-distributed": "bench/distributed.ts",
};

const entryPoints = Object.fromEntries(
  Object.entries(entries).filter(([, src]) => existsSync(new URL(src, `file://${root}/`))),
);

// Chunk names carry content hashes: drop the previous build's so stale chunks never accumulate.
rmSync(new URL("dist/chunks", `file://${root}/`), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints,
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
