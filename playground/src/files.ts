/**
 * The playground's virtual file system: the standard library and the shipped
 * scenarios, bundled into the page as text, plus the scenario being edited.
 * It is the compiler's SourceHost in the engine worker and the language
 * server's ServerFiles in its worker, so both read the same files.
 */
import { basename, normalizePath, type SourceHost } from "../../src/compiler/host.ts";
import { MISSING, type ServerFiles } from "../../lsp/server/files.ts";

/** Where the bundled folders live in the virtual file system. */
export const ROOT = "/sbx";
export const STDLIB_DIR = `${ROOT}/stdlib`;
export const SCENARIOS_DIR = `${ROOT}/scenarios`;

/** The path a scenario is edited under: its file name in the scenarios folder, so `./status_game.sbx` imports resolve. */
export function scenarioPath(fileName: string): string {
  return `${SCENARIOS_DIR}/${basename(normalizePath(`/${fileName}`)) || "scenario.sbx"}`;
}

export class VirtualFiles implements ServerFiles {
  private readonly texts = new Map<string, string>();
  private readonly revisions = new Map<string, number>();
  private serial = 0;

  /** `files`: absolute path → text. */
  constructor(files: Readonly<Record<string, string>>) {
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  /** Create or replace a file. */
  write(path: string, text: string): void {
    const p = normalizePath(path);
    if (this.texts.get(p) === text) return;
    this.texts.set(p, text);
    this.revisions.set(p, ++this.serial);
  }

  read(path: string): string | undefined {
    return this.texts.get(normalizePath(path));
  }

  stamp(path: string): string {
    const revision = this.revisions.get(normalizePath(path));
    return revision === undefined ? MISSING : `vfs#${revision}`;
  }

  list(dir: string): { name: string; folder: boolean }[] {
    const prefix = `${normalizePath(dir)}/`.replace(/^\/\/$/, "/");
    const out = new Map<string, boolean>();
    for (const path of this.texts.keys()) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf("/");
      out.set(slash < 0 ? rest : rest.slice(0, slash), slash >= 0);
    }
    return [...out].map(([name, folder]) => ({ name, folder }));
  }

  /** The compiler's view: these files, the standard library under STDLIB_DIR. */
  host(): SourceHost {
    return { stdlibDir: STDLIB_DIR, readFile: (path) => this.read(path) };
  }

  /** Every file under `dir`, by name (for the examples menu). */
  filesIn(dir: string): { name: string; path: string }[] {
    return this.list(dir)
      .filter((e) => !e.folder)
      .map((e) => ({ name: e.name, path: `${normalizePath(dir)}/${e.name}` }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

