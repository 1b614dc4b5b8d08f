/**
 * Golden files: compare with the expected file, or rewrite it when
 * UPDATE_GOLDEN=1 (then review the diff like any other change).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";

export const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

export function expectGolden(path: string, actual: string): void {
  if (UPDATE) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path} (run with UPDATE_GOLDEN=1 to create it)`);
  expect(actual, path).toBe(readFileSync(path, "utf8"));
}

/** The case folders directly under `root`, sorted. */
export function caseFolders(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort()
    .map((name) => join(root, name));
}

export const ROOT = join(dirname(new URL(import.meta.url).pathname), "..", "..");
