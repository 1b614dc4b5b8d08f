/**
 * The messages between the editor thread and the analyzer (analysis.ts), and
 * the analyzer's work queue: state changes apply at once, requests are
 * answered in order, and background diagnostics run one document at a time
 * between them, always on the newest texts (a newer list replaces the
 * pending one).
 */
import { Analyzer } from "./analysis.ts";
import type { Analysed } from "./analysis.ts";
import type { ServerFiles } from "./files.ts";

export type ToAnalyzer =
  | { readonly t: "init"; readonly stdlibDir: string; readonly folders: readonly string[] }
  | { readonly t: "update"; readonly path: string; readonly version: number; readonly text: string }
  | { readonly t: "close"; readonly path: string }
  | { readonly t: "disk"; readonly paths: readonly string[] | null }
  | { readonly t: "diagnose"; readonly paths: readonly string[] }
  | { readonly t: "request"; readonly id: number; readonly method: RequestMethod; readonly args: readonly unknown[] };

export type FromAnalyzer =
  | { readonly t: "analysed"; readonly result: Analysed }
  | { readonly t: "response"; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: "response"; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly t: "error"; readonly message: string };

/** Analyzer methods the editor thread may call. */
export const REQUEST_METHODS = ["analyse", "definition", "references", "prepareRename", "rename", "fixes", "moduleDeclarations", "files", "compileCount"] as const;
export type RequestMethod = (typeof REQUEST_METHODS)[number];

/**
 * The next turn of the event loop: Node's setImmediate, else a timer (a
 * browser's Web Worker), so messages that arrived meanwhile are taken first.
 */
const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
const nextTurn: (f: () => void) => void = immediate ? (f) => immediate(f) : (f) => setTimeout(f, 0);

/** Serve an analyzer over `files`: returns the function that takes each message; answers go to `send`. */
export function serveAnalyzer(send: (message: FromAnalyzer) => void, files: ServerFiles): (message: ToAnalyzer) => void {
  let analyzer: Analyzer | null = null;
  const requests: Extract<ToAnalyzer, { t: "request" }>[] = [];
  let pending: string[] = [];
  const open = new Set<string>();
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    nextTurn(pump);
  };

  const call = (a: Analyzer, method: RequestMethod, args: readonly unknown[]): unknown => {
    switch (method) {
      case "compileCount":
        return a.compiles;
      case "files":
        return a.files();
      default:
        return (a[method] as (...xs: unknown[]) => unknown).apply(a, args as unknown[]);
    }
  };

  function pump(): void {
    scheduled = false;
    const a = analyzer;
    if (!a) return;
    const request = requests.shift();
    if (request) {
      try {
        send({ t: "response", id: request.id, ok: true, value: call(a, request.method, request.args) });
      } catch (e) {
        send({ t: "response", id: request.id, ok: false, error: (e as Error).stack ?? String(e) });
      }
    } else {
      const path = pending.shift();
      if (path !== undefined && open.has(path) && !a.reported(path)) {
        try {
          send({ t: "analysed", result: a.analyse(path) });
        } catch (e) {
          send({ t: "error", message: `sbx: diagnostics failed for ${path}: ${(e as Error).stack ?? String(e)}` });
        }
      }
    }
    if (requests.length || pending.length) schedule();
  }

  return (message) => {
    switch (message.t) {
      case "init":
        analyzer = new Analyzer(message.stdlibDir, files);
        analyzer.setFolders(message.folders);
        break;
      case "update":
        open.add(message.path);
        analyzer?.update(message.path, message.version, message.text);
        break;
      case "close":
        open.delete(message.path);
        analyzer?.close(message.path);
        break;
      case "disk":
        analyzer?.diskChanged(message.paths);
        break;
      case "diagnose":
        pending = [...message.paths];
        schedule();
        break;
      case "request":
        requests.push(message);
        schedule();
        break;
    }
  };
}
