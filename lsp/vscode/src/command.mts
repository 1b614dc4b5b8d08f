/** Finding the sbx executable (kept apart from the `vscode` API so tests can run it). */
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The command that runs sbx: the `sbx.path` setting, else the workspace's node_modules/.bin/sbx, else `sbx` on the PATH. */
export function serverCommand(setting: string, folders: readonly string[], platform: string = process.platform): { command: string; args: string[] } {
  const configured = setting.trim();
  if (configured && configured !== "sbx") {
    return /\.m?js$/.test(configured) ? { command: "node", args: [configured] } : { command: configured, args: [] };
  }
  for (const folder of folders) {
    const local = join(folder, "node_modules", ".bin", platform === "win32" ? "sbx.cmd" : "sbx");
    if (existsSync(local)) return { command: local, args: [] };
  }
  return { command: "sbx", args: [] };
}
