/**
 * Talking to `sbx lsp --stdio` as an editor does: a spawned server process
 * and JSON-RPC over its pipes. Cases mark the cursor with `<|>` and ranges
 * with `<|…|>` (the Langium / fourslash convention).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { LineIndex, type Position } from "../../src/text/line-index.ts";
import { SBX_BIN } from "./cli.ts";
import { ROOT } from "./golden.ts";

export interface LspDiagnostic {
  readonly range: { start: Position; end: Position };
  readonly severity?: number;
  readonly code?: string | number;
  readonly codeDescription?: { href: string };
  readonly message: string;
  readonly source?: string;
}

export interface Published {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: LspDiagnostic[];
}

export interface Marked {
  /** The text without markers. */
  readonly text: string;
  /** Offsets of `<|>` markers. */
  readonly cursors: number[];
  /** `<|…|>` ranges, as offsets. */
  readonly ranges: { start: number; end: number }[];
}

/** Strip `<|>` and `<|…|>` markers, remembering where they were. */
export function marked(source: string): Marked {
  let text = "";
  const cursors: number[] = [];
  const ranges: { start: number; end: number }[] = [];
  const open: number[] = [];
  for (let i = 0; i < source.length; ) {
    if (source.startsWith("<|>", i)) {
      cursors.push(text.length);
      i += 3;
    } else if (source.startsWith("<|", i)) {
      open.push(text.length);
      i += 2;
    } else if (source.startsWith("|>", i) && open.length) {
      ranges.push({ start: open.pop()!, end: text.length });
      i += 2;
    } else {
      text += source[i];
      i++;
    }
  }
  return { text, cursors, ranges };
}

export const TEST_DIR = "/sbx-lsp-test";
export const uriOf = (name: string) => `file://${TEST_DIR}/${name}`;

export class LspClient {
  private readonly published = new Map<string, Published[]>();
  private readonly waiters: { uri: string; version: number; resolve: (d: LspDiagnostic[]) => void }[] = [];
  private readonly texts = new Map<string, string>();
  private readonly versions = new Map<string, number>();
  private readonly nextWaiters: { uri: string; resolve: (p: Published) => void }[] = [];
  /** `client/registerCapability` registrations the server asked for. */
  readonly registrations: { id: string; method: string; registerOptions?: unknown }[] = [];
  stderr = "";

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
  ) {}

  static async start(
    options: {
      diagnosticsDelay?: number;
      args?: string[];
      /** Replaces the client capabilities below (a client other than the usual one). */
      capabilities?: Record<string, unknown>;
      /** The workspace folder (default: the virtual TEST_DIR). */
      root?: string;
      env?: Record<string, string>;
    } = {},
  ): Promise<LspClient> {
    const child = spawn(process.execPath, [SBX_BIN, "lsp", "--stdio", ...(options.args ?? [])], { cwd: ROOT, stdio: "pipe", env: { ...process.env, ...options.env } });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspClient(child, connection);
    child.stderr.on("data", (chunk: Buffer) => (client.stderr += chunk.toString()));
    connection.onNotification("textDocument/publishDiagnostics", (p: Published) => client.onPublished(p));
    connection.onNotification("window/logMessage", (p: { message: string }) => {
      client.stderr += `${p.message}\n`;
    });
    connection.onRequest("client/registerCapability", (p: { registrations: LspClient["registrations"] }) => {
      client.registrations.push(...p.registrations);
      return null;
    });
    connection.listen();
    const root = options.root ?? TEST_DIR;
    await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: `file://${root}`,
      workspaceFolders: [{ uri: `file://${root}`, name: "test" }],
      capabilities: options.capabilities ?? {
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          completion: { completionItem: { snippetSupport: true } },
          rename: { prepareSupport: true },
        },
      },
      initializationOptions: { diagnosticsDelay: options.diagnosticsDelay ?? 5 },
    });
    await connection.sendNotification("initialized", {});
    return client;
  }

  private onPublished(p: Published): void {
    const list = this.published.get(p.uri) ?? [];
    list.push(p);
    this.published.set(p.uri, list);
    for (const w of this.nextWaiters.filter((n) => n.uri === p.uri)) {
      this.nextWaiters.splice(this.nextWaiters.indexOf(w), 1);
      w.resolve(p);
    }
    for (const w of [...this.waiters]) {
      if (w.uri === p.uri && p.version === w.version) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? "";
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  lines(uri: string): LineIndex {
    return new LineIndex(this.text(uri));
  }

  position(uri: string, offset: number): Position {
    return this.lines(uri).position(offset);
  }

  async open(name: string, text: string): Promise<string> {
    const uri = uriOf(name);
    this.texts.set(uri, text);
    this.versions.set(uri, 1);
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "sbx", version: 1, text } });
    return uri;
  }

  async close(uri: string): Promise<void> {
    this.texts.delete(uri);
    await this.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }

  /** Replace [start, end) with `insert` through an incremental didChange; returns the new version. */
  async edit(uri: string, start: number, end: number, insert: string): Promise<number> {
    const lines = this.lines(uri);
    const range = { start: lines.position(start), end: lines.position(end) };
    const text = this.text(uri);
    this.texts.set(uri, text.slice(0, start) + insert + text.slice(end));
    const version = this.version(uri) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text: insert }] });
    return version;
  }

  /** Replace the whole text (a full-document change). */
  async replace(uri: string, text: string): Promise<number> {
    return this.edit(uri, 0, this.text(uri).length, text);
  }

  /** The diagnostics published for `version` (the current one by default). */
  diagnostics(uri: string, version = this.version(uri)): Promise<LspDiagnostic[]> {
    const done = this.published.get(uri)?.find((p) => p.version === version);
    if (done) return Promise.resolve(done.diagnostics);
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  /** The next diagnostics published for `uri` (of whatever version). */
  nextDiagnostics(uri: string): Promise<LspDiagnostic[]> {
    return new Promise((resolve) => this.nextWaiters.push({ uri, resolve: (p) => resolve(p.diagnostics) }));
  }

  /** Everything published for `uri` so far, oldest first. */
  publishedFor(uri: string): readonly Published[] {
    return this.published.get(uri) ?? [];
  }

  /** Open a document with its own URI (e.g. a file on disk). */
  async openUri(uri: string, text: string): Promise<string> {
    this.texts.set(uri, text);
    this.versions.set(uri, 1);
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "sbx", version: 1, text } });
    return uri;
  }

  /** The server process, for lifecycle tests. */
  get process(): ChildProcessWithoutNullStreams {
    return this.child;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** Request at an offset of the document. */
  at<R>(method: string, uri: string, offset: number, extra: Record<string, unknown> = {}): Promise<R> {
    return this.request<R>(method, { textDocument: { uri }, position: this.position(uri, offset), ...extra });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest("shutdown");
      await this.connection.sendNotification("exit");
    } catch {
      // Already gone.
    }
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    this.connection.dispose();
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }
}
