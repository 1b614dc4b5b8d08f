/**
 * The VS Code client: starts `sbx lsp --stdio` and hands .sbx documents to it.
 * Everything the editor shows comes from the server; this file only finds
 * the executable and restarts the server when its setting changes.
 */
import * as vscode from "vscode";
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { serverCommand } from "./command.mts";

let client: LanguageClient | undefined;

function createClient(): LanguageClient {
  const setting = vscode.workspace.getConfiguration("sbx").get<string>("path", "sbx");
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const { command, args } = serverCommand(setting, folders);
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
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.sbx") },
  };
  return new LanguageClient("sbx", "sbx language server", serverOptions, clientOptions);
}

async function restart(): Promise<void> {
  if (client) await client.stop();
  client = createClient();
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("sbx.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("sbx.path")) void restart();
    }),
  );
  await restart();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
