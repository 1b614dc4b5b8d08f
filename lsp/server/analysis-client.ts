/**
 * The editor thread's handle on the analyzer: a thread when one can be
 * started (so compiles never block hover and completion; `sbx lsp` starts a
 * worker thread, analysis-thread.ts), else the same analyzer in this thread
 * (the playground's Web Worker). Sends each open buffer's newest text before
 * any message that may read it, and restarts a thread that died.
 */
import type { Analysed } from "./analysis.ts";
import { serveAnalyzer, type FromAnalyzer, type RequestMethod, type ToAnalyzer } from "./analysis-port.ts";
import type { ServerFiles } from "./files.ts";

export interface AnalysisEvents {
  analysed(result: Analysed): void;
  error(message: string): void;
}

/** A running analyzer thread. */
export interface AnalyzerThread {
  post(message: ToAnalyzer): void;
  terminate(): Promise<unknown>;
}

/** How the thread reports back: its messages, a failure, its end (exit code). */
export interface ThreadEvents {
  message(message: FromAnalyzer): void;
  error(message: string): void;
  exit(code: number): void;
}

/** Starts an analyzer thread (throws when it cannot). */
export type StartThread = (events: ThreadEvents) => AnalyzerThread;

export class AnalysisClient {
  private worker: AnalyzerThread | null = null;
  private local: ((message: ToAnalyzer) => void) | null = null;
  private readonly sent = new Map<string, number>();
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private folders: readonly string[] = [];
  private stopped = false;

  /** `startThread` null: analyse in this thread. */
  constructor(
    private readonly stdlibDir: string,
    private readonly files: ServerFiles,
    private readonly startThread: StartThread | null,
    private readonly events: AnalysisEvents,
  ) {
    this.start();
  }

  private start(): void {
    this.sent.clear();
    if (this.stopped) return;
    if (this.startThread) {
      try {
        let worker: AnalyzerThread | null = null;
        worker = this.startThread({
          message: (m) => this.receive(m),
          error: (message) => this.events.error(`sbx: the analyzer thread failed: ${message}`),
          exit: (code) => {
            if (this.worker !== worker) return;
            this.worker = null;
            this.events.error(`sbx: the analyzer thread stopped (exit code ${code}); restarting it`);
            for (const w of this.waiting.values()) w.reject(new Error("the analyzer thread stopped; it has been restarted"));
            this.waiting.clear();
            this.start();
            this.post({ t: "init", stdlibDir: this.stdlibDir, folders: this.folders });
          },
        });
        this.worker = worker;
        return;
      } catch (e) {
        this.events.error(`sbx: cannot start the analyzer thread, analysing in the main thread: ${(e as Error).message}`);
      }
    }
    this.local = serveAnalyzer((m) => this.receive(m), this.files);
  }

  private post(message: ToAnalyzer): void {
    if (this.stopped) return;
    if (this.worker) this.worker.post(message);
    else this.local?.(message);
  }

  private receive(message: FromAnalyzer): void {
    switch (message.t) {
      case "analysed":
        this.events.analysed(message.result);
        break;
      case "error":
        this.events.error(message.message);
        break;
      case "response": {
        const w = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (!w) break;
        if (message.ok) w.resolve(message.value);
        else w.reject(new Error(message.error));
        break;
      }
    }
  }

  init(folders: readonly string[]): void {
    this.folders = folders;
    this.post({ t: "init", stdlibDir: this.stdlibDir, folders });
  }

  /** Hand over the open buffers' newest texts (only those that changed since last sent). */
  sync(docs: readonly { path: string; version: number; text: string }[]): void {
    for (const d of docs) {
      if (this.sent.get(d.path) === d.version) continue;
      this.sent.set(d.path, d.version);
      this.post({ t: "update", path: d.path, version: d.version, text: d.text });
    }
  }

  close(path: string): void {
    this.sent.delete(path);
    this.post({ t: "close", path });
  }

  diskChanged(paths: readonly string[] | null): void {
    this.post({ t: "disk", paths });
  }

  /** Check these documents in the background; results arrive as `analysed` events. */
  diagnose(paths: readonly string[]): void {
    this.post({ t: "diagnose", paths });
  }

  request<T>(method: RequestMethod, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ t: "request", id, method, args });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.values()) w.reject(new Error("the language server is shutting down"));
    this.waiting.clear();
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}
