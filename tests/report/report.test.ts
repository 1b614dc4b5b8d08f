import { describe, expect, it } from "vitest";
import { reputationSpec } from "../../src/report/charts.ts";
import { CHART_NAMES, renderReport, type ReportInput } from "../../src/report/index.ts";
import { HOSTILE, hostileInput, scenarioInput } from "./fixtures.ts";

const chartsOf = (html: string) => [...html.matchAll(/<figure class="chart" data-chart="([^"]+)"/g)].map((m) => m[1]);
const sectionsOf = (html: string) => [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);

describe("renderReport", () => {
  it("is deterministic: equal inputs give byte-identical HTML, one at a time or concurrently", async () => {
    const input = scenarioInput("status_game");
    const first = await renderReport(input);
    expect(await renderReport(scenarioInput("status_game"))).toBe(first);
    const [a, b, other] = await Promise.all([renderReport(input), renderReport(structuredClone(input)), renderReport(scenarioInput("network_effects"))]);
    expect(a).toBe(first);
    expect(b).toBe(first);
    expect(other).not.toBe(first);
    expect(await renderReport(scenarioInput("network_effects"))).toBe(other);
    // No clock, no random ids: the ids on the page are the fixed ones the report names.
    const ids = [...first.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(run|criteria|quality|payoff|reputation|freezes|network|metrics)(-title|-table)?$|^chart-[a-z-]+-(caption|\d+)$/);
  });

  it("is self-contained: no URL, no script, no external reference of any kind", async () => {
    for (const name of ["status_game", "network_effects"]) {
      const html = await renderReport(scenarioInput(name));
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/\/\/cdn/i);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<(img|link|iframe|object|embed|image|use)\b/i);
      expect(html).not.toMatch(/\ssrc=/i);
      expect(html).not.toMatch(/@import|@font-face/i);
      for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^#chart-[a-z-]+-\d+$/);
      for (const m of html.matchAll(/\shref="([^"]*)"/g)) expect(m[1]).toMatch(/^#[a-z-]+$/);
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
      expect(html.startsWith("<!doctype html>\n<html lang=\"en\">")).toBe(true);
    }
  });

  it("shows the header, the verdicts and every section, with the network only when the plan has one", async () => {
    const status = await renderReport(scenarioInput("status_game"));
    expect(sectionsOf(status)).toEqual(["criteria", "quality", "payoff", "reputation", "freezes", "metrics"]);
    expect(chartsOf(status)).toEqual(["toxicity", "quality-gap", "welfare", "payoff-by-kind", "payoff-by-agent", "payoff-over-epochs", "reputation", "freezes"]);
    expect(status).toContain("<h1>status_game</h1>");
    expect(status).toContain("Reputation competition with high-stakes interactions");
    expect(status).toMatch(/<dt>seed<\/dt><dd>123<\/dd>/);
    expect(status).toMatch(/<dt>profile<\/dt><dd>swarm-0.1<\/dd>/);
    expect(status).toMatch(/<dt>epochs × steps<\/dt><dd>20 × 15<\/dd>/);
    expect(status).toMatch(/<dt>agents<\/dt><dd>5<\/dd>/);
    expect(status).toMatch(/plan <code>sha256:[0-9a-f]{64}<\/code>/);
    expect(status).toMatch(/<dt>sbx version<\/dt><dd>\d+\.\d+\.\d+/);
    expect(status).toMatch(/data-criterion="toxicity_threshold" data-status="pass"/);
    expect(status).toContain("<td>epoch 0, step 8</td>");
    expect(status).toMatch(/<summary>Show \d+ metrics for 20 epochs<\/summary>/);

    const network = await renderReport(scenarioInput("network_effects"));
    expect(sectionsOf(network)).toEqual(["criteria", "quality", "payoff", "reputation", "freezes", "network", "metrics"]);
    expect(chartsOf(network)).toEqual(CHART_NAMES.filter((c) => c !== "freezes"));
    expect(chartsOf(network)).not.toContain("freezes");
    expect(network).toContain("No agent was frozen during this run.");

    const strict = await renderReport(scenarioInput("strict_governance"));
    expect(strict).toMatch(/data-criterion="toxicity_threshold" data-status="fail"><th scope="row"><code>toxicity_threshold<\/code><\/th><td><span class="status status-fail">FAIL<\/span>/);
  });

  it("derives freezes from the snapshots when no events are given, and says so", async () => {
    const { freezes: _exact, ...input } = scenarioInput("status_game");
    const html = await renderReport(input);
    expect(html).toContain("From the end-of-epoch snapshots, to the epoch");
    expect(html).toContain("still frozen at the end");
    expect(chartsOf(html)).toContain("freezes");
  });

  it("copes with no criteria and with a run of no epochs", async () => {
    const bare: ReportInput = { ...scenarioInput("status_game"), verdicts: [] };
    expect(await renderReport(bare)).toContain("This scenario declares no criteria.");
    const empty = await renderReport(scenarioInput("status_game", { epochs: "0" }));
    expect(chartsOf(empty)).toEqual(["payoff-by-kind", "payoff-by-agent"]);
    expect(empty).toContain("No epoch completed.");
    expect(empty).toMatch(/data-status="undefined"><th scope="row"><code>toxicity_threshold<\/code><\/th><td><span class="status status-undefined">UNDEF<\/span>/);
  });

  it("escapes scenario text everywhere: names, descriptions, agent ids, groups, criteria", async () => {
    for (const name of ["status_game", "network_effects"]) {
      const html = await renderReport(hostileInput(scenarioInput(name)));
      expect(html).not.toMatch(/<script|<img|<\/title>[^]*<\/title>/i);
      expect(html.match(/<\/style>/g)).toHaveLength(1);
      expect(html).not.toMatch(/"double"|'single'/);
      expect(html).toContain("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;double&quot; &#39;single&#39;");
      // Agent ids reach the SVG too (axis labels, line labels), escaped by Vega.
      expect(html).toMatch(/<text[^>]*>&lt;img src=x onerror=alert\(0\)&gt;/);
      expect(html).not.toMatch(/https?:\/\//);
    }
  });
});

describe("reputation chart", () => {
  it("labels every line end when they fit, and only the highest and lowest five when they do not", () => {
    const kinds = { names: ["honest"], colours: ["#0072B2"], of: () => "honest", each: (agents: readonly unknown[]) => agents.map(() => "honest") };
    const labels = (agents: number) => {
      const order = Array.from({ length: agents }, (_, i) => `a${i}`);
      const rows = order.flatMap((agent, i) => [0, 1].map((epoch) => ({ epoch, agent, kind: "honest", reputation: i * epoch })));
      const spec = reputationSpec(rows, kinds, order) as unknown as { layer: { data: { values: { agent: string }[] } }[] };
      return spec.layer[1]!.data.values.map((v) => v.agent);
    };
    expect(labels(8)).toHaveLength(8);
    expect(labels(60).sort()).toEqual(["a0", "a1", "a2", "a3", "a4", "a55", "a56", "a57", "a58", "a59"]);
  });
});
