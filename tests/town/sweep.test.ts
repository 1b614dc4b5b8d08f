/** `sbx sweep` summarises the town's metrics per run for sweeps of towns, and adds nothing to other sweeps. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSweep } from "../../src/compiler/sweep.ts";
import { sweepLayout } from "../../src/cli/sweep-files.ts";
import { mechanismMetricValue } from "../../src/cli/sweep-mechanism-metrics.ts";
import { diskHost } from "../support/compiler.ts";
import { ROOT } from "../support/golden.ts";

describe("sweep columns for the town", () => {
  it("a sweep of towns has a column per town metric; the tax sweep has none", () => {
    const study = compileSweep(diskHost(), join(ROOT, "scenarios/town/study.sbx")).sweep!;
    const layout = sweepLayout(study);
    expect(layout.metrics.filter((m) => m.includes("town."))).toEqual([
      "mean_town.cooperation_rate",
      "mean_town.gini_wealth",
      "mean_town.polarization",
      "mean_town.homophily",
      "mean_town.conflicts",
      "mean_town.productivity",
      "mean_town.action_entropy",
      "final_town.persona_adherence",
      "mean_town.encounters",
    ]);
    const tax = sweepLayout(compileSweep(diskHost(), join(ROOT, "scenarios/tax_sweep.sbx")).sweep!);
    expect(tax.metrics.some((m) => m.includes("town."))).toBe(false);
    expect(tax.extra).toEqual([]);
  });

  it("a run's value is the mean over its epochs (null ones left out), its final value, or its sum", () => {
    const run = { epochs: [{ metrics: { m: 1 } }, { metrics: { m: null } }, { metrics: { m: 5 } }] } as never;
    expect(mechanismMetricValue({ metric: "m", aggregate: "mean" }, run)).toBe(3);
    expect(mechanismMetricValue({ metric: "m", aggregate: "final" }, run)).toBe(5);
    expect(mechanismMetricValue({ metric: "m", aggregate: "sum" }, run)).toBe(6);
    expect(mechanismMetricValue({ metric: "other", aggregate: "mean" }, run)).toBeNull();
  });
});
