/**
 * docs/profiles.md is current: it was generated (`npm run profiles`) from the
 * sweeps' current plans, its tables are summary.json's, and the first seed of
 * every cell still runs to the values it records — so a change to a
 * scenario, a plan or the engine fails here until the page is regenerated.
 * (Eight runs, not the 160 of the sweeps.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeHost } from "../../src/platform/node-host.ts";
import { withSeed } from "../../src/cli/run-outcome.ts";
import { compileSweep } from "../../src/compiler/sweep.ts";
import { badActorColumn, checkRows, checkValues, headlineTable, PROFILE_STUDIES, readSummary, resultsDir, sweepFile } from "../../src/docs/profiles.ts";
import { planHash } from "../../src/plan/hash.ts";
import { ROOT } from "../support/golden.ts";

const doc = readFileSync(join(ROOT, "docs/profiles.md"), "utf8");

describe("docs/profiles.md (run `npm run profiles` to regenerate)", () => {
  for (const study of PROFILE_STUDIES) {
    describe(study.name, () => {
      const compiled = compileSweep(nodeHost(), sweepFile(ROOT, study));
      const sweep = compiled.sweep!;
      const summary = readSummary(ROOT, study);
      const checks = checkRows(ROOT, study);

      it("sweeps both profiles over 20 seeds", () => {
        expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        expect(sweep.cells.map((c) => [c.arm, c.plan.profile])).toEqual([
          ["compatibility", "swarm-0.1"],
          ["default", "sbx"],
        ]);
        expect(sweep.seeds).toHaveLength(20);
        for (const c of summary.cells) expect(c.n).toBe(20);
      });

      it("names the current plan hashes, in the page and in the sweep's results", () => {
        for (const cell of sweep.cells) {
          expect(doc).toContain(`\`${cell.planHash}\``);
          expect(summary.cells.find((c) => c.index === cell.index)?.cellPlanHash).toBe(cell.planHash);
        }
        // Every run in runs.csv ran the plan the sweep compiles to today.
        const [header, ...rows] = readFileSync(join(resultsDir(ROOT, study), "runs.csv"), "utf8").trimEnd().split("\n").map((l) => l.split(","));
        const col = (name: string) => header.indexOf(name);
        expect(rows).toHaveLength(40);
        for (const r of rows) {
          const cell = sweep.cells[Number(r[col("cell")])];
          expect(r[col("plan_hash")]).toBe(planHash(withSeed(cell.plan, Number(r[col("seed")]))));
        }
      });

      it("prints summary.json's figures", () => {
        expect(doc).toContain(headlineTable(study, summary));
      });

      it("records check values the current engine reproduces", () => {
        for (const cell of sweep.cells) {
          const row = checks.get(cell.index)!;
          const values = checkValues(withSeed(cell.plan, Number(row["seed"])), study);
          for (const [k, v] of Object.entries(values)) expect(row[k], `${cell.arm} ${k}`).toBe(v);
          expect(doc).toContain(
            `| ${study.name} | ${cell.arm} | \`${cell.planHash}\` | ${row["seed"]} | ${values["mean_toxicity"]} | ${values["welfare_per_epoch"]} | ${values[badActorColumn(study)]} |`,
          );
        }
      });
    });
  }
});
