/** The report's economy section: only for economy runs, deterministic, self-contained, its numbers the run's. */
import { describe, expect, it } from "vitest";
import { renderReport } from "../../src/report/index.ts";
import { lorenz, quantile, wealthBands } from "../../src/report/economy.ts";
import { scenarioInput } from "./fixtures.ts";

const chartsOf = (html: string) => [...html.matchAll(/<figure class="chart" data-chart="([^"]+)"/g)].map((m) => m[1]);
const sectionsOf = (html: string) => [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);

describe("the report's economy section", () => {
  it("shows the wealth distribution, its Lorenz curve, the fee flows and the contracts' lifecycle, deterministically and offline", async () => {
    const input = scenarioInput("economy/high_compute_cost", { epochs: "12" });
    const html = await renderReport(input);
    expect(await renderReport(scenarioInput("economy/high_compute_cost", { epochs: "12" }))).toBe(html);
    expect(sectionsOf(html)).toEqual(["criteria", "quality", "payoff", "reputation", "freezes", "economy", "metrics"]);
    expect(chartsOf(html).filter((c) => c!.startsWith("economy-"))).toEqual(["economy-wealth", "economy-lorenz", "economy-flows", "economy-contracts"]);
    expect(html).not.toMatch(/https?:\/\/|<script/i);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    // The table's totals are the run's.
    const fees = input.result.epochs.reduce((a, e) => a + (e.metrics["economy.fees"] as number), 0);
    expect(html).toMatch(new RegExp(`<code>economy\\.fees</code></abbr></th><td class="num">${fees}</td>`));
  });

  it("is absent from runs without an economy", async () => {
    expect(sectionsOf(await renderReport(scenarioInput("status_game")))).not.toContain("economy");
  });

  it("computes quantile bands and the Lorenz curve after the Gini's negative-balance rule", () => {
    expect(quantile([0, 10, 20, 30], 0.5)).toBe(15);
    const epochs = [{ epoch: 0, metrics: {}, observed: {}, agents: [-10, 0, 10, 100].map((resources, i) => ({ id: `a${i}`, kind: "firm", group: "firm", reputation: 0, resources, payoff: 0, frozen: false, interactionsInitiated: 0, interactionsReceived: 0, interactionsRejected: 0 })) }];
    expect(wealthBands(epochs)[0]).toMatchObject({ min: -10, median: 5, max: 100 });
    // Shifted by |min| = 10: [0, 10, 20, 110] of 140.
    expect(lorenz([-10, 0, 10, 100], null).map((p) => p.tokens)).toEqual([0, 0, 10 / 140, 30 / 140, 1].map((x) => Math.round(x * 1e6) / 1e6));
    // A fixed shift clamps at 0.
    expect(lorenz([-3000, 1000], 2000).map((p) => p.tokens)).toEqual([0, 0, 1]);
  });
});
