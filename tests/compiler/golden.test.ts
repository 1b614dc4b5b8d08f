/**
 * Golden folders for the compiler: tests/golden/compile/<case>/input.sbx (plus
 * any files it imports), expected.diagnostics.txt, and expected.plan.json when
 * the input compiles. UPDATE_GOLDEN=1 rewrites them.
 */
import { join } from "node:path";
import { describe, it } from "vitest";
import { compile } from "../../src/compiler/index.ts";
import { sweepDiagnostics } from "../../src/compiler/sweep.ts";
import { sortDiagnostics } from "../../src/diagnostics/diagnostic.ts";
import { canonicalJson } from "../../src/plan/hash.ts";
import { diskHost, renderForGolden } from "../support/compiler.ts";
import { caseFolders, expectGolden, ROOT } from "../support/golden.ts";

const cases = caseFolders(join(ROOT, "tests/golden/compile"));

describe("compiler golden cases", () => {
  for (const folder of cases) {
    it(folder.split("/").pop()!, () => {
      const result = compile(diskHost(), [join(folder, "input.sbx")]);
      const source = (f: string) => result.program.modules.get(f)?.text;
      // What `sbx compile` reports: the compilation's diagnostics and its sweeps', checked cell by cell.
      const diagnostics = sortDiagnostics([...result.diagnostics, ...sweepDiagnostics(result)]);
      expectGolden(join(folder, "expected.diagnostics.txt"), renderForGolden(diagnostics, source, folder));
      const plans = result.scenarios.filter((s) => s.plan);
      if (plans.length && !diagnostics.some((d) => d.severity === "error")) {
        const doc = Object.fromEntries(plans.map((s) => [s.name, { planHash: s.planHash, plan: { ...s.plan!, provenance: undefined } }]));
        expectGolden(join(folder, "expected.plan.json"), `${JSON.stringify(JSON.parse(canonicalJson(doc)), null, 2)}\n`);
      }
    });
  }
});
