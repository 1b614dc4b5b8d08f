/**
 * The language client's life: start, restart, stop, whatever state the last
 * attempt left it in. Kept apart from the `vscode` API (the extension hands
 * it a client factory and a way to show messages) so tests can run it.
 *
 * vscode-languageclient refuses to stop a client whose start failed ("Client
 * is not running…") and never starts it again, so a failed client is dropped
 * and a new one made on restart.
 */
import { commandExists, expandPath, serverCommand, SettingError, type ServerCommand } from "./command.mts";

/** What the controller needs of a language client (vscode-languageclient's LanguageClient has it). */
export interface Client {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while starting or running: only then may it be stopped. */
  needsStop(): boolean;
}

export interface ControllerHost {
  /** The `sbx.path` setting and the workspace folders, read afresh at each start. */
  settings(): { path: string; folders: readonly string[] };
  createClient(command: ServerCommand): Client;
  /** Show an error with buttons; resolves to the one chosen. */
  showError(message: string, ...actions: string[]): Promise<string | undefined>;
  openSettings(): void;
}

export const RETRY = "Retry";
export const OPEN_SETTINGS = "Open Settings";

export const INSTALL_HINT =
  "Install sbx in the workspace (`npm install --save-dev sbx`) or on the PATH, or set `sbx.path` to the sbx executable (a path, `${workspaceFolder}/…`, or a path relative to the workspace folder), then run “sbx: Restart Language Server”.";

export class ServerController {
  private client: Client | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** The last start's failure, for the status and tests. */
  lastError: string | null = null;

  constructor(private readonly host: ControllerHost) {}

  get running(): boolean {
    return this.client !== null && this.client.needsStop();
  }

  /** (Re)start the server; one at a time. Never throws: a failure is shown to the user. */
  restart(): Promise<boolean> {
    const next = this.queue.then(() => this.doRestart());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stop the server if it runs; never throws. */
  stop(): Promise<void> {
    const next = this.queue.then(() => this.doStop());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client?.needsStop()) return;
    try {
      await client.stop();
    } catch {
      // A server that will not stop cleanly is gone from our side all the same.
    }
  }

  private async doRestart(): Promise<boolean> {
    await this.doStop();
    let command: ServerCommand;
    try {
      const { path, folders } = this.host.settings();
      command = serverCommand(path, folders);
      const shown = [command.command, ...command.args].join(" ");
      if (command.command !== "node" && !commandExists(command.command)) {
        return this.fail(`sbx: cannot find the sbx executable (${shown}).`);
      }
      if (command.command === "node" && command.args[0] && !commandExists(command.args[0])) {
        return this.fail(`sbx: cannot find ${command.args[0]}.`);
      }
    } catch (e) {
      if (e instanceof SettingError) return this.fail(`sbx: ${e.message}.`);
      throw e;
    }
    const client = this.host.createClient(command);
    this.client = client;
    try {
      await client.start();
      this.lastError = null;
      return true;
    } catch (e) {
      this.client = client.needsStop() ? client : null;
      return this.fail(`sbx: the language server did not start (${[command.command, ...command.args].join(" ")} lsp --stdio): ${(e as Error).message}.`);
    }
  }

  private fail(message: string): false {
    this.lastError = `${message} ${INSTALL_HINT}`;
    void this.host.showError(this.lastError, RETRY, OPEN_SETTINGS).then((choice) => {
      if (choice === RETRY) void this.restart();
      else if (choice === OPEN_SETTINGS) this.host.openSettings();
    });
    return false;
  }
}

export { expandPath };
