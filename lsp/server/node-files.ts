/** The disk, as the language server sees files that are not open (`sbx lsp`). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { MISSING, type ServerFiles } from "./files.ts";

export const nodeFiles: ServerFiles = {
  read(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
  stamp(path) {
    try {
      const s = statSync(path);
      return s.isFile() ? `disk:${s.mtimeMs}:${s.ctimeMs}:${s.size}` : MISSING;
    } catch {
      return MISSING;
    }
  },
  list(dir) {
    try {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() || e.isFile() ? [{ name: e.name, folder: e.isDirectory() }] : []));
    } catch {
      return [];
    }
  },
};
