// `npm run build:playground`: the playground as a static site in dist/playground/ — the page, the language
// server's and the engine's Web Workers, everything bundled (no CDN, nothing fetched at run time). Any static
// host serves it; `sbx playground` serves it locally. Prints the bundle's size, gzipped, as JSON.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist", "playground");

/** The LLM providers' SDKs are never bundled: the playground calls no provider. */
const NEVER_BUNDLED = ["@anthropic-ai/sdk", "openai", "ollama"];

/** The standard library and the shipped scenarios as a module: virtual path → text (see playground/src/files.ts). */
function bundledFiles() {
  const files = {};
  for (const [dir, at] of [
    ["stdlib", "/sbx/stdlib"],
    ["scenarios", "/sbx/scenarios"],
  ]) {
    for (const name of readdirSync(join(root, dir)).sort()) if (name.endsWith(".sbx")) files[`${at}/${name}`] = readFileSync(join(root, dir, name), "utf8");
  }
  return files;
}

const virtualFiles = {
  name: "sbx-bundled-files",
  setup(b) {
    b.onResolve({ filter: /^sbx:bundled-files$/ }, () => ({ path: "bundled-files", namespace: "sbx" }));
    b.onLoad({ filter: /.*/, namespace: "sbx" }, () => ({ contents: `export default ${JSON.stringify(bundledFiles())};`, loader: "js" }));
  },
};

const refuseSdks = {
  name: "refuse-llm-sdks",
  setup(b) {
    const filter = new RegExp(`^(${NEVER_BUNDLED.map((n) => n.replace(/[/.-]/g, "\\$&")).join("|")})(/|$)`);
    b.onResolve({ filter }, (args) => ({ errors: [{ text: `${args.path} must not be bundled into the playground (imported by ${relative(root, args.importer)})` }] }));
  },
};

/** src/version.ts reads the version from package.json: the page gets the version, not the manifest. */
const versionOnly = {
  name: "package-version-only",
  setup(b) {
    const manifest = join(root, "package.json");
    b.onLoad({ filter: /package\.json$/ }, (args) => {
      if (args.path !== manifest) return undefined;
      const { name, version } = JSON.parse(readFileSync(manifest, "utf8"));
      return { contents: JSON.stringify({ name, version }), loader: "json" };
    });
  },
};

export async function buildPlayground({ quiet = false } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    metafile: true,
    entryPoints: {
      main: "playground/src/main.ts",
      "lsp-worker": "playground/src/lsp-worker.ts",
      "engine-worker": "playground/src/engine-worker.ts",
      "charts-worker": "playground/src/charts-worker.ts",
    },
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["chrome111", "firefox115", "safari16.4"],
    minify: true,
    sourcemap: false,
    chunkNames: "chunks/[name]-[hash]",
    plugins: [virtualFiles, refuseSdks, versionOnly],
    // Workers are started by URL relative to the page (new URL("lsp-worker.js", document.baseURI)): the entries sit beside index.html.
    logLevel: "warning",
    legalComments: "linked",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  copyFileSync(join(root, "playground", "style.css"), join(out, "style.css"));
  writeFileSync(join(out, "index.html"), withPreloads(readFileSync(join(root, "playground", "index.html"), "utf8"), result.metafile));
  const size = bundleSize();
  if (!quiet) console.log(JSON.stringify({ wrote: relative(root, out), ...size }));
  return size;
}

/**
 * The page's modules, announced up front (<link rel="modulepreload">) so the
 * browser fetches them in parallel instead of discovering them import by
 * import: main.js, the page (app.ts, which main.js imports at once) and every
 * chunk they import statically. Vega, sigma and the report stay lazy.
 */
function withPreloads(html, metafile) {
  const outputs = metafile.outputs;
  const key = (path) => relative(out, join(root, path)).replace(/\\/g, "/");
  const byEntry = (entry) => Object.keys(outputs).find((o) => outputs[o].entryPoint === entry);
  const wanted = new Set();
  const visit = (o) => {
    if (!o || wanted.has(o)) return;
    wanted.add(o);
    for (const i of outputs[o].imports) if (i.kind === "import-statement") visit(i.path);
  };
  visit(byEntry("playground/src/main.ts"));
  visit(byEntry("playground/src/app.ts"));
  const links = [...wanted].map((o) => `<link rel="modulepreload" href="${key(o)}">`).join("\n");
  if (!html.includes("<!-- modulepreload -->")) throw new Error("playground/index.html lacks its <!-- modulepreload --> marker");
  return html.replace("<!-- modulepreload -->", links);
}

/** Every file of the site, and their total, raw and gzipped (as a server sending them compressed would). */
export function bundleSize() {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(out);
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    const data = readFileSync(f);
    bytes += data.length;
    gzip += gzipSync(data, { level: 9 }).length;
  }
  return { files: files.length, bytes, gzipBytes: gzip };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildPlayground();
