/** Finding the sbx executable (kept apart from the `vscode` API so tests can run it). */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";

export interface ServerCommand {
  readonly command: string;
  readonly args: string[];
}

/**
 * The command that runs sbx: the `sbx.path` setting, else the workspace's
 * node_modules/.bin/sbx, else `sbx` on the PATH.
 *
 * In the setting, `${workspaceFolder}` (the first folder), `${workspaceFolder:name}`
 * and `${userHome}` are expanded, a leading `~/` is the home folder, and a
 * relative path (`./tools/sbx`, `node_modules/sbx/dist/sbx.mjs`) is resolved
 * against the first workspace folder. A path ending in `.js` or `.mjs` runs with `node`.
 */
export function serverCommand(setting: string, folders: readonly string[], platform: string = process.platform): ServerCommand {
  const configured = expandPath(setting.trim(), folders);
  if (configured && configured !== "sbx") {
    return /\.m?js$/.test(configured) ? { command: "node", args: [configured] } : { command: configured, args: [] };
  }
  for (const folder of folders) {
    const local = join(folder, "node_modules", ".bin", platform === "win32" ? "sbx.cmd" : "sbx");
    if (existsSync(local)) return { command: local, args: [] };
  }
  return { command: "sbx", args: [] };
}

/** Thrown for a setting that cannot name a file, with words for the user. */
export class SettingError extends Error {}

/** `sbx.path` with its variables expanded and made absolute when it is a relative path. */
export function expandPath(setting: string, folders: readonly string[], names: readonly string[] = folders.map((f) => f.split(/[\\/]/).filter(Boolean).at(-1) ?? f)): string {
  let value = setting.replace(/\$\{userHome\}/g, homedir()).replace(/^~(?=[\\/])/, homedir());
  value = value.replace(/\$\{workspaceFolder(?::([^}]*))?\}/g, (_m, name: string | undefined) => {
    const folder = name === undefined ? folders[0] : folders[names.indexOf(name)];
    if (folder === undefined) {
      throw new SettingError(name === undefined ? "`sbx.path` uses ${workspaceFolder}, but no folder is open" : `\`sbx.path\` names the workspace folder '${name}', which is not open`);
    }
    return folder;
  });
  const pathLike = value.includes("/") || value.includes("\\") || value.startsWith(".");
  if (value && pathLike && !isAbsolute(value)) {
    if (!folders[0]) throw new SettingError(`\`sbx.path\` is the relative path '${setting}', but no folder is open to resolve it against`);
    value = resolve(folders[0], value);
  }
  return value;
}

/** Whether `command` can be run: an existing file, or a name found on the PATH. */
export function commandExists(command: string, env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): boolean {
  const isFile = (p: string) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes("/") || command.includes("\\")) return isFile(command);
  const extensions = platform === "win32" ? (env["PATHEXT"] ?? ".EXE;.CMD;.BAT").split(";").concat("") : [""];
  return (env["PATH"] ?? "").split(delimiter).some((dir) => dir && extensions.some((ext) => isFile(join(dir, command + ext))));
}
