/**
 * The bundle's loader for the subcommands: dist/sbx-core.cjs (commands.ts
 * and every dependency, one CommonJS file), compiled with the V8 code cache
 * that src/build.mjs writes next to it after a training run.
 *
 * Why: on Node 20 parsing and compiling the core's JavaScript was the largest
 * part of a short command's time, and Node 20 has no module compile cache
 * (module.enableCompileCache arrived in Node 22). A script compiled through
 * `vm.Script` with `cachedData` skips parsing and reuses the bytecode of
 * every function the training run compiled. When V8 rejects the cache (another
 * Node version or V8 flags) the core is simply compiled from source.
 *
 * src/build.mjs substitutes this module for load-commands.ts when it bundles
 * dist/sbx.mjs; it is never used from source.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Script } from "node:vm";

export type Commands = typeof import("./commands.ts");

/** Set by src/build.mjs for its training run: write the code cache when the process exits. */
export const WRITE_CODE_CACHE_ENV = "SBX_WRITE_CODE_CACHE";

let loaded: Promise<Commands> | undefined;

export function loadCommands(): Promise<Commands> {
  loaded ??= new Promise<Commands>((resolve) => resolve(loadCore()));
  return loaded;
}

function loadCore(): Commands {
  const dir = dirname(fileURLToPath(import.meta.url));
  const file = join(dir, "sbx-core.cjs");
  const cacheFile = `${file}.cache`;
  // ASCII (src/build.mjs escapes the rest): read as Latin-1, the same text without UTF-8 decoding.
  const source = readFileSync(file, "latin1");
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet (or unreadable): compile from source.
  }
  // The CommonJS wrapper, on the first line so positions in the core stay as esbuild wrote them.
  const script = new Script(`(function (exports, require, module, __filename, __dirname, __sbxImportMetaUrl) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as Commands };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper(module.exports, createRequire(file), module, file, dir, pathToFileURL(file).href);
  if (process.env[WRITE_CODE_CACHE_ENV] === "1") {
    // After the command ran, the cache holds the bytecode of every function it compiled.
    process.once("exit", () => {
      const temp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, cacheFile);
    });
  }
  return module.exports;
}
