/** Temporary directories for the LLM tests, under the gitignored .scratch-llm/, removed after each file. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll } from "vitest";
import { ROOT } from "../../support/golden.ts";

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function scratchDir(prefix: string): string {
  const base = join(ROOT, ".scratch-llm");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${prefix}-`));
  made.push(dir);
  return dir;
}
