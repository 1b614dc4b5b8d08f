// Bundles the TypeScript sources into dist/ with esbuild. Runs on `npm install` (prepare) and before tests.
//
// Start-up time is most of a short command's time, so the `sbx` executable is built for it
// (`npm run bench:startup`):
//   dist/sbx.mjs             the command line (main.ts and commander): enough for --version, help and
//                            usage errors, which never load the compiler;
//   dist/sbx-core.cjs        the subcommands with their dependencies, in one CommonJS file that
//                            src/cli/load-commands.bundle.ts compiles with V8's code cache;
//   dist/sbx-core.cjs.cache  that cache, written by a training run of `sbx run` at the end of the build;
//   dist/sbx-*.cjs           what only some runs need, required on demand (ON_DEMAND below);
//   dist/pool-worker.mjs     the worker threads of `sbx sweep`, `check`, `worker` and `run --out`: the core
//                            again, with the same code cache.
// Dependencies are bundled: resolving and loading hundreds of files from node_modules through Node's
// module loaders cost more than everything else a short command does.
//
// The language server's analysis thread and the benchmarks are ES modules sharing chunks.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

/** dist name → source entry, as ES modules sharing chunks. Entries that do not exist yet are skipped. */
const entries = {
  "lsp-worker": "lsp/server/analysis-worker.ts",
  bench: "bench/engine.ts",
  "bench-compile": "bench/compile.ts",
  "bench-sweep": "bench/sweep.ts",
  "bench-lsp": "bench/lsp.ts",
  "bench-llm": "bench/llm.ts",
  "bench-startup": "bench/startup.ts",
  "bench-distributed": "bench/distributed.ts",
};

const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(join(root, src))));

// Chunk names carry content hashes: drop the previous build's so stale chunks never accumulate.
rmSync(join(dist, "chunks"), { recursive: true, force: true });
// The code cache belongs to the core it was made from.
rmSync(join(dist, "sbx-core.cjs.cache"), { force: true });

/**
 * Vega's optional node-canvas (vega-canvas imports it with a top-level await, which CommonJS cannot
 * hold): the report measures text by Vega's estimate and draws SVG, never on a canvas
 * (src/report/svg.ts), so the bundle takes vega-canvas's canvas-less build and the charts never
 * depend on whether `canvas` happens to be installed.
 */
const noNodeCanvas = {
  name: "sbx-no-node-canvas",
  setup(b) {
    b.onResolve({ filter: /^vega-canvas$/ }, () => ({ path: join(root, "node_modules/vega-canvas/build/vega-canvas.browser.js") }));
  },
};

/**
 * zod's namespaces `z.locales` and `z.core.locales` carry its error messages in 50 languages, 400 KB
 * of the core that sbx never uses (every zod message it shows is English, the default): the
 * bundles keep English only.
 */
const zodEnglishOnly = {
  name: "sbx-zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](core|classic)$/.test(args.resolveDir) ? { path: join(args.resolveDir, "../locales/index.js"), namespace: "sbx-zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "sbx-zod-locales" }, (args) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: dirname(args.path), loader: "js" }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  // tinypool starts its workers from its own files, found next to its module: it stays in node_modules.
  external: ["tinypool"],
  sourcemap: "linked",
  logLevel: "warning",
  plugins: [noNodeCanvas, zodEnglishOnly],
};

// Bundled CommonJS packages call require() for Node's built-ins; an ES module has none of its own.
const esmRequire = 'import { createRequire as __sbxCreateRequire } from "node:module";\nconst require = __sbxCreateRequire(import.meta.url);';

/**
 * Modules the core reaches only through a dynamic import and that carry large dependencies: each is
 * its own bundle, required when first imported, so the core (and its code cache) stays small. They
 * are self-contained, so the few small modules they share with the core (the metric registry,
 * formatting helpers) are duplicated; none of those keeps state.
 */
const ON_DEMAND = {
  "sbx-report": "src/report/index.ts", // Vega and Vega-Lite, for report.html
  "sbx-import": "src/cli/import-command.ts", // the YAML parser
  "sbx-plan-file": "src/cli/plan-file.ts", // the YAML parser, locating problems in a plan.json
  "sbx-lsp": "src/cli/lsp-command.ts", // the language server
  "sbx-queue": "src/cli/queue-command.ts", // BullMQ and ioredis, for queued sweeps
  "sbx-worker": "src/cli/worker-command.ts",
  "sbx-llm-anthropic": "src/platform/llm/providers/anthropic.ts", // the LLM providers' SDKs
  "sbx-llm-openai": "src/platform/llm/providers/openai.ts",
  "sbx-llm-ollama": "src/platform/llm/providers/ollama.ts",
};

const onDemand = {
  name: "sbx-on-demand",
  setup(b) {
    const bundleOf = new Map(Object.entries(ON_DEMAND).map(([name, src]) => [join(root, src), `./${name}.cjs`]));
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== "dynamic-import") return undefined;
      const bundle = bundleOf.get(join(args.resolveDir, args.path));
      return bundle ? { path: bundle, external: true } : undefined;
    });
  },
};

/**
 * CommonJS packages whose export is one function, needed by few runs: in the core they are
 * initialised on their first call instead of at load. The Student-t quantile (criteria over several
 * seeds) pulls in dozens of @stdlib modules and `debug`, with its tty and net.
 */
const LAZY_FUNCTIONS = ["@stdlib/stats-base-dists-t-quantile"];

const lazyFunctions = {
  name: "sbx-lazy-functions",
  setup(b) {
    const names = new Set(LAZY_FUNCTIONS);
    b.onResolve({ filter: /^@/ }, (args) => (names.has(args.path) && args.namespace !== "sbx-lazy" ? { path: args.path, namespace: "sbx-lazy" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "sbx-lazy" }, (args) => ({
      contents: `let f; module.exports = function (...args) { return (f ??= require(${JSON.stringify(args.path)}))(...args); };`,
      resolveDir: root,
      loader: "js",
    }));
  },
};

/**
 * Modules that cost milliseconds to load and that most commands never call: required when one of their
 * exports is first read. Node built-ins: commander loads child_process (with net and dgram) for
 * executable subcommands, which sbx has none of; seedrandom loads crypto to seed itself from entropy,
 * which sbx never asks of it (every stream is seeded); worker_threads serves only runs with --out, check
 * and sweep. Packages: graphology (a town's social graph) builds the hundreds of methods of its classes
 * as it loads, 4 ms of every `sbx run`. The export names are the module's own, read here at build time.
 */
const LAZY_MODULES = ["node:child_process", "node:crypto", "node:worker_threads", "graphology"];

const lazyModules = {
  name: "sbx-lazy-modules",
  setup(b) {
    const bare = (name) => name.replace(/^node:/, "");
    const lazy = new Map(LAZY_MODULES.map((id) => [bare(id), id]));
    b.onResolve({ filter: /^(node:)?[a-z_]+$/ }, (args) => (lazy.has(bare(args.path)) && args.namespace !== "sbx-lazy-module" ? { path: bare(args.path), namespace: "sbx-lazy-module" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "sbx-lazy-module" }, async (args) => {
      const id = lazy.get(args.path);
      // A package is required as the file an import of it would bundle, so the code is the same, only run later.
      const file = id.startsWith("node:") ? id : (await b.resolve(id, { kind: "import-statement", resolveDir: root, namespace: "sbx-lazy-module" })).path;
      const names = Object.keys(await import(id)).filter((n) => n !== "default").sort();
      return {
        contents: `let m;\nconst load = () => (m ??= require(${JSON.stringify(file)}));\nfor (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });\n`,
        loader: "js",
        resolveDir: root,
      };
    });
  },
};

/** For dist/sbx.mjs and dist/pool-worker.mjs: the subcommands come from the core, with its code cache, instead of imports. */
const bundledCommandLoader = {
  name: "sbx-bundled-command-loader",
  setup(b) {
    b.onResolve({ filter: /^\.\/load-commands\.ts$/ }, () => ({ path: join(root, "src/cli/load-commands.bundle.ts") }));
  },
};

const [launcher] = await Promise.all([
  build({
    ...common,
    entryPoints: { sbx: "src/cli/bin.ts" },
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
    format: "esm",
    banner: { js: `#!/usr/bin/env node\n${esmRequire}` },
    plugins: [noNodeCanvas, zodEnglishOnly, lazyModules, bundledCommandLoader],
    metafile: true,
  }),
  build({
    ...common,
    entryPoints: { "pool-worker": "src/cli/pool-worker.bundle.ts" },
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
    format: "esm",
    plugins: [bundledCommandLoader],
  }),
  build({
    ...common,
    entryPoints: { "sbx-core": "src/cli/commands.ts" },
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    // import() becomes require(): the core is run by vm.Script, which has no module loader of its own.
    supported: { "dynamic-import": false },
    plugins: [noNodeCanvas, zodEnglishOnly, lazyModules, onDemand, lazyFunctions],
    // The loader passes the core's own URL (node-host.ts finds the package root from it).
    define: { "import.meta.url": "__sbxImportMetaUrl" },
  }),
  build({
    ...common,
    entryPoints: ON_DEMAND,
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    supported: { "dynamic-import": false },
    plugins: [noNodeCanvas, zodEnglishOnly, lazyFunctions],
    // Plain CommonJS, loaded by require(): import.meta.url is the bundle's own file.
    define: { "import.meta.url": "__sbxImportMetaUrl" },
    banner: { js: 'const __sbxImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  }),
  build({
    ...common,
    entryPoints,
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
    splitting: true,
    format: "esm",
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: `#!/usr/bin/env node\n${esmRequire}` },
  }),
]);

/**
 * The core in ASCII: esbuild escapes what is not ASCII in code, but keeps the comments it carries
 * over as written, and one em dash in a comment made V8 hold the whole 3 MB source as UTF-16,
 * decoded from UTF-8 on every start. With those escaped too, the loader reads the core as Latin-1
 * (load-commands.bundle.ts): the same text, without decoding. Only comments change, and only within
 * their own lines (esbuild puts no code after a comment on its line), so the source map stays right.
 */
function asciiOnly(file) {
  const text = readFileSync(file, "utf8");
  const ascii = text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (ascii !== text) writeFileSync(file, ascii);
}
asciiOnly(join(dist, "sbx-core.cjs"));

// `sbx --version` and `sbx help` must not load the compiler: the launcher holds only the command line.
const heavy = Object.keys(launcher.metafile.inputs).filter((f) => /^(language|src\/(compiler|engine|kernel|mechanisms|spec|plan|registry|metrics|report|llm|platform\/llm))\//.test(f));
if (heavy.length) throw new Error(`dist/sbx.mjs must not bundle the compiler or engine, but it includes ${heavy.join(", ")}`);

// The training run: the code cache keeps the bytecode of everything `sbx run --out` compiles, with the
// engine on the main thread (as every run without --out has it) and the scenario's declared outputs.
// Its scenario (build-training.sbx) turns every lever on, a network too, so a run of any of them starts
// with their bytecode ready.
const scratch = mkdtempSync(join(tmpdir(), "sbx-build-"));
try {
  const training = spawnSync(process.execPath, [join(dist, "sbx.mjs"), "run", join(root, "src/build-training.sbx"), "--out", join(scratch, "out")], {
    cwd: scratch,
    env: { ...process.env, SBX_WRITE_CODE_CACHE: "1", NO_COLOR: "1" },
    encoding: "utf8",
  });
  if ((training.status !== 0 && training.status !== 3) || !existsSync(join(dist, "sbx-core.cjs.cache"))) {
    throw new Error(`the build's training run of dist/sbx.mjs failed (exit ${training.status}):\n${training.stderr}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
