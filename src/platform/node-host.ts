/** The CLI's file system: a compiler host over the disk, and where sbx is installed. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceHost } from "../compiler/host.ts";
import { osReason } from "./files.ts";

/** The package root, found by walking up from this module (the bundle lives in dist/, sources in src/). */
export const PACKAGE_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "sbx") return dir;
    dir = dirname(dir);
  }
  throw new Error("cannot locate the sbx package root");
})();

export const STDLIB_DIR = join(PACKAGE_ROOT, "stdlib");

export function nodeHost(overlay: ReadonlyMap<string, string> = new Map()): SourceHost {
  const reasons = new Map<string, string>();
  return {
    stdlibDir: STDLIB_DIR,
    readFile(path) {
      const open = overlay.get(path);
      if (open !== undefined) return open;
      try {
        return readFileSync(path, "utf8");
      } catch (e) {
        // A file that is not there is the common case, which the compiler words itself.
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") reasons.set(path, osReason(e));
        return undefined;
      }
    },
    unreadable: (path) => reasons.get(path),
  };
}

export function absolute(path: string): string {
  return resolve(path).replace(/\\/g, "/");
}
