/**
 * Golden folders for the command line: tests/golden/cli/<case>/args.json (the
 * arguments), optional env.json (variables to set, or null to unset), the
 * input files, and expected.exit / expected.stdout / expected.stderr. The real
 * binary runs in the case folder. UPDATE_GOLDEN=1 rewrites the expectations.
 *
 * Also tests/golden/runtime/<case>/plan.json: a plan the compiler would never
 * produce, whose run must fail as an internal error (SBX4003), never a crash.
 */
import { messageOf } from "../../src/diagnostics/catalogue.ts";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { executeRun } from "../../src/cli/run-outcome.ts";
import { diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { sbx } from "../support/cli.ts";
import { caseFolders, expectGolden, ROOT } from "../support/golden.ts";

// Provider keys and CI (which makes `sbx check` require every scenario to run) come only from a case's env.json.
const KEYS = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OLLAMA_HOST", "CI"];

function normalize(text: string, folder: string): string {
  return text.split(folder).join("<case>").split(ROOT).join("<root>");
}

describe("CLI golden cases", () => {
  for (const folder of caseFolders(join(ROOT, "tests/golden/cli"))) {
    it(folder.split("/").pop()!, () => {
      const args = JSON.parse(readFileSync(join(folder, "args.json"), "utf8")) as string[];
      const extra = existsSync(join(folder, "env.json")) ? (JSON.parse(readFileSync(join(folder, "env.json"), "utf8")) as Record<string, string | null>) : {};
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !KEYS.includes(k)) env[k] = v;
      for (const [k, v] of Object.entries(extra)) if (v === null) delete env[k];
      else env[k] = v;
      const out = join(folder, "out");
      rmSync(out, { recursive: true, force: true });
      const r = sbx(args, { cwd: folder, env: { ...env, NO_COLOR: "1" } });
      rmSync(out, { recursive: true, force: true });
      expectGolden(join(folder, "expected.exit"), `${r.code}\n`);
      expectGolden(join(folder, "expected.stdout"), normalize(r.stdout, folder));
      expectGolden(join(folder, "expected.stderr"), normalize(r.stderr, folder));
    });
  }
});

describe("runtime golden cases", () => {
  for (const folder of caseFolders(join(ROOT, "tests/golden/runtime"))) {
    it(folder.split("/").pop()!, () => {
      const reply = executeRun(JSON.parse(readFileSync(join(folder, "plan.json"), "utf8")));
      const text = reply.ok ? "the run succeeded\n" : `error[SBX4003]: ${messageOf("SBX4003", { detail: reply.failure.message })}\n`;
      expectGolden(join(folder, "expected.txt"), text);
    });
  }
});
