/** Spawning the real `sbx` binary (built by the global setup) as users do. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./golden.ts";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const SBX_BIN = join(ROOT, "dist/sbx.mjs");

export function sbx(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [SBX_BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    // CI=true makes `sbx check` require every scenario to run; tests that want it say so.
    env: { ...process.env, NO_COLOR: "1", CI: "", ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
