/** Shared by the import tests: fixtures, the real compiler over the real standard library, plan comparison. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile } from "../../src/compiler/index.ts";
import { memoryHost } from "../../src/compiler/host.ts";
import { nodeHost } from "../../src/platform/node-host.ts";
import { importAndVerify, type CheckedImport, type VerifyOptions } from "../../src/import/index.ts";
import type { Plan } from "../../src/plan/schema.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
export const FIXTURES = `${ROOT}/tests/import/fixtures`;
export const SCENARIOS = `${ROOT}/scenarios`;
export const host = nodeHost();

export function fixture(name: string): { path: string; text: string } {
  const path = `${FIXTURES}/${name}.yaml`;
  return { path, text: readFileSync(path, "utf8") };
}

export function importFixture(name: string, options: VerifyOptions = {}): CheckedImport {
  const { path, text } = fixture(name);
  return importAndVerify(text, path, host, options);
}

/** A plan without where it came from: what must agree between two sources of the same scenario. */
export function body(plan: Plan | null | undefined): Omit<Plan, "provenance"> | null {
  if (!plan) return null;
  const { provenance: _provenance, ...rest } = plan;
  return rest;
}

export function compileFile(path: string): { plan: Plan | null; errors: string[] } {
  const result = compile(host, [path]);
  return { plan: result.scenarios[0]?.plan ?? null, errors: result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`) };
}

export function compileText(text: string, path = `${ROOT}/tests/import/in-memory/virtual.sbx`): { plan: Plan | null; errors: string[] } {
  const result = compile(memoryHost({ [path]: text }, host.stdlibDir, host), [path]);
  return { plan: result.scenarios[0]?.plan ?? null, errors: result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`) };
}
