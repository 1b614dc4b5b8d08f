/**
 * The package layers, bottom to top. A package may import only from packages
 * below it (and itself), so packages form a one-way graph: no folder-level
 * cycle can exist. tests/architecture/layers.test.ts runs this in `npm test`;
 * `npx depcruise src language lsp/server bench playground` runs it by hand.
 */
const LAYERS = [
  ["text", "^src/(text/|version\\.ts$)"],
  ["diagnostics", "^src/diagnostics/"],
  ["language", "^language/"],
  ["spec", "^src/spec/"],
  ["kernel", "^src/kernel/"],
  ["llm core", "^src/llm/"],
  ["mechanisms", "^src/mechanisms/"],
  ["compositions (plan, registry, metrics)", "^src/(plan|registry|metrics)/"],
  ["engine", "^src/engine/"],
  ["criteria", "^src/criteria/"],
  ["compiler", "^src/compiler/"],
  ["import", "^src/import/"],
  ["report", "^src/report/"],
  ["platform", "^src/platform/"],
  ["distributed", "^src/distributed/"],
  ["language server", "^lsp/server/"],
  ["cli", "^src/cli/"],
  ["docs", "^src/docs/"],
  ["bench", "^bench/"],
  ["playground", "^playground/"],
];

const above = (i) => LAYERS.slice(i + 1).map(([, path]) => `(${path})`).join("|");

/**
 * The packages that must run in a browser (the playground): no Node built-ins.
 * The language server is portable but for its Node entry (node.ts) and what
 * only `sbx lsp` uses (the disk, the worker thread); the playground but for
 * its build script.
 */
const PORTABLE =
  "^(language/|src/(text|diagnostics|spec|kernel|llm|mechanisms|plan|registry|metrics|engine|criteria|compiler|import|report)/|lsp/server/(?!(node|node-files|analysis-thread|analysis-worker)\\.ts$)|playground/src/)";

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map(([name, path], i) => ({
      name: `layer-${name.split(" ")[0]}`,
      comment: `${name} may import only from the packages below it (.dependency-cruiser.cjs lists the layers).`,
      severity: "error",
      from: { path },
      to: { path: above(i) },
    })),
    {
      name: "portable-core",
      comment: "The compiler, the engine and what they stand on run in a browser: no Node built-ins (Node code lives in src/platform).",
      severity: "error",
      from: { path: PORTABLE },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "lsp-library-in-lsp-only",
      comment: "Only the language server speaks LSP.",
      severity: "error",
      from: { pathNot: "^lsp/" },
      to: { path: "vscode-languageserver" },
    },
    {
      name: "no-file-cycles",
      comment: "Modules form a one-way graph too (a cycle closed only by a type-only import is no cycle at run time).",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".mts", ".js", ".mjs"] },
  },
};
