/**
 * The VS Code client: starts `sbx lsp --stdio` and hands .sbx documents to it.
 * Everything the editor shows comes from the server; this file only wires the
 * controller (controller.mts: finding sbx, starting, restarting, failing
 * clearly) to VS Code.
 */
import * as vscode from "vscode";
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import type { ServerCommand } from "./command.mts";
import { ServerController } from "./controller.mts";

let controller: ServerController | undefined;

function createClient({ command, args }: ServerCommand): LanguageClient {
  const serverOptions: ServerOptions = {
    command,
    args: [...args, "lsp", "--stdio"],
    options: { shell: process.platform === "win32" },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "sbx" },
      { scheme: "untitled", language: "sbx" },
    ],
    // The server registers its own watcher for **/*.sbx (workspace/didChangeWatchedFiles), for every client alike.
  };
  return new LanguageClient("sbx", "sbx language server", serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const current = new ServerController({
    settings: () => ({
      path: vscode.workspace.getConfiguration("sbx").get<string>("path", "sbx"),
      folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    }),
    createClient,
    showError: (message, ...actions) => Promise.resolve(vscode.window.showErrorMessage(message, ...actions)),
    openSettings: () => void vscode.commands.executeCommand("workbench.action.openSettings", "sbx.path"),
  });
  controller = current;
  context.subscriptions.push(
    vscode.commands.registerCommand("sbx.restartServer", () => current.restart()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("sbx.path")) void current.restart();
    }),
  );
  await current.restart();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
