/** The report's town section: only for runs with a town; the graph, the town over time, opinions per topic, metrics per cohort; the same bytes every time. */
import { describe, expect, it } from "vitest";
import { runPlan } from "../../src/engine/index.ts";
import { renderReport } from "../../src/report/index.ts";
import { dominantCohort } from "../../src/report/town.ts";
import { compileTown, smallTownText } from "../town/support.ts";

const chartsOf = (html: string) => [...html.matchAll(/<figure class="chart" data-chart="([^"]+)"/g)].map((m) => m[1]);

describe("the report's town section", () => {
  it("shows the social graph, the town over time, each topic's opinions and every town metric per cohort", async () => {
    const plan = compileTown(smallTownText({ epochs: 6, steps: 2 }));
    const result = runPlan(plan);
    const html = await renderReport({ plan, result, verdicts: [] });
    expect(html).toContain('<section id="town" aria-labelledby="town-title">');
    expect(chartsOf(html).filter((c) => c!.startsWith("town-"))).toEqual(["town-graph", "town-metrics", "town-opinions-0", "town-opinions-1"]);
    const section = html.slice(html.indexOf('<section id="town"'), html.indexOf("</section>", html.indexOf('<section id="town"')));
    expect(section).toContain("9 residents in 3 rooms");
    // One row per cohort some agent is in, with its size.
    const cohorts = new Set(result.town!.agents.flatMap((a) => a.cohorts));
    expect(cohorts.size).toBeGreaterThan(0);
    for (const c of cohorts) expect(section).toMatch(new RegExp(`<th scope="row">${c}</th><td class="num">${result.town!.agents.filter((a) => a.cohorts.includes(c)).length}</td>`));
    expect(await renderReport({ plan, result, verdicts: [] })).toBe(html);
  });

  it("is absent for runs without a town", async () => {
    const plan = compileTown(`scenario plain { epochs = 2  steps = 2  population { honest = 2  adversarial = 1 } }`);
    const html = await renderReport({ plan, result: runPlan(plan), verdicts: [] });
    expect(html).not.toContain('id="town"');
    expect(chartsOf(html).some((c) => c!.startsWith("town-"))).toBe(false);
  });

  it("colours an agent by its most pronounced cohort", () => {
    const traits = { openness: 0, conscientiousness: 0.6, extraversion: -0.9, agreeableness: 0, neuroticism: 0 };
    expect(dominantCohort({ id: "a", cohorts: ["C:high", "E:low"], room: "x", credits: 0, traits, adherence: null })).toBe("E:low");
    expect(dominantCohort({ id: "b", cohorts: [], room: "x", credits: 0, traits, adherence: null })).toBe("none");
  });
});
