/**
 * report.html in a real headless Chromium (Debian's), driven by
 * playwright-core: the files `sbx run --out` writes, opened from file:// with
 * every network request blocked and recorded. Set SBX_SKIP_BROWSER=1 to skip
 * it; without Chromium it fails and says how to install it.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../../src/report/index.ts";
import { SBX_BIN } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";
import { HOSTILE, hostileInput, scenarioInput } from "./fixtures.ts";

const CHROMIUM = process.env["SBX_CHROMIUM"] ?? "/usr/bin/chromium";
const SKIP = process.env["SBX_SKIP_BROWSER"] === "1";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Axis titles each chart must show (the network has no axes: its legends instead). */
const AXIS_TITLES: Record<string, string[]> = {
  toxicity: ["epoch", "toxicity"],
  "quality-gap": ["epoch", "quality gap"],
  welfare: ["epoch", "welfare"],
  "payoff-by-kind": ["total payoff", "kind"],
  "payoff-over-epochs": ["epoch", "cumulative payoff"],
  "payoff-by-agent": ["payoff", "agent"],
  reputation: ["epoch", "reputation"],
  freezes: ["epoch", "agent"],
  network: [],
};
const ALWAYS = ["toxicity", "quality-gap", "welfare", "payoff-by-kind", "payoff-over-epochs", "payoff-by-agent", "reputation"];
const WORD = { pass: "PASS", fail: "FAIL", undefined: "UNDEF" } as const;
const SCENARIOS = ["status_game", "network_effects", "strict_governance"];

/** `sbx run scenarios/NAME.sbx --out DIR` as users run it, asynchronously so the runs overlap. */
function sbxRun(name: string, out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SBX_BIN, "run", `scenarios/${name}.sbx`, "--out", out], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface ChartFacts {
  name: string;
  width: number;
  height: number;
  marks: number;
  paths: number;
  axisTitles: string[];
  legendTitles: string[];
  title: string;
  labelled: string;
}

describe.skipIf(SKIP)("report.html in headless Chromium", () => {
  let tmp: string;
  let context: BrowserContext;
  /** Every request any page made, and the ones that were not the report itself. */
  const requests: string[] = [];
  const blocked: string[] = [];
  const problems: string[] = [];
  const runs = new Map<string, { code: number; stdout: string; stderr: string }>();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}; the report's browser test needs it.\n` +
          `Install Debian's: apt-get update && apt-get install -y --no-install-recommends chromium\n` +
          `(or point SBX_CHROMIUM at another Chromium, or set SBX_SKIP_BROWSER=1 to skip this test).`,
      );
    }
    tmp = mkdtempSync(join(tmpdir(), "sbx-report-browser-"));
    const ran = Promise.all(SCENARIOS.map(async (name) => runs.set(name, await sbxRun(name, join(tmp, name)))));
    // A persistent context is how Playwright takes a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
    context.on("request", (r) => {
      requests.push(r.url());
    });
    context.on("weberror", (e) => {
      problems.push(`page error: ${e.error().message}`);
    });
    await context.route(
      (url) => url.protocol !== "file:",
      (route) => {
        blocked.push(route.request().url());
        return route.abort("blockedbyclient");
      },
    );
    // The tripwire works: a page without the report's CSP that does try the network is caught.
    const probe = await context.newPage();
    await probe.evaluate(() => fetch("http://sbx-report-probe.invalid/").catch(() => "refused"));
    await probe.close();
    expect(blocked).toEqual(["http://sbx-report-probe.invalid/"]);
    blocked.length = 0;
    requests.length = 0;
    await ran;
  });

  afterAll(async () => {
    await context?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Page> {
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on("websocket", (w) => {
      blocked.push(w.url());
    });
    const before = requests.length;
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    expect(requests.slice(before), "the report loads nothing but itself").toEqual([pathToFileURL(file).href]);
    return page;
  }

  function charts(page: Page): Promise<ChartFacts[]> {
    return page.$$eval("figure.chart", (figures) =>
      figures.map((f) => {
        const svg = f.querySelector(":scope > svg");
        const box = svg?.getBoundingClientRect();
        const texts = (selector: string) => [...(svg?.querySelectorAll(selector) ?? [])].map((t) => t.textContent ?? "");
        const paths = [...(svg?.querySelectorAll("g[class^='mark-'] path, g[class^='mark-'] line") ?? [])].filter((p) => !p.closest(".role-axis, .role-legend, .role-title") && !p.classList.contains("background"));
        return {
          name: f.getAttribute("data-chart") ?? "",
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg?.querySelectorAll(".role-mark").length ?? 0,
          paths: paths.filter((p) => (p.tagName === "line" ? true : (p.getAttribute("d") ?? "").length > 8)).length,
          axisTitles: texts(".role-axis-title text"),
          legendTitles: texts(".role-legend-title text"),
          title: texts(".role-title-text text").join(" "),
          labelled: svg ? (f.ownerDocument.getElementById(svg.getAttribute("aria-labelledby") ?? "")?.textContent ?? "") : "",
        };
      }),
    );
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const png = join(tmp, `${name}.png`);
    await page.screenshot({ path: png, fullPage: true });
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "a PNG").toBe(true);
    expect(bytes.readUInt32BE(16), "PNG width").toBe(1280);
    expect(bytes.readUInt32BE(20), "PNG height: the whole page").toBeGreaterThan(2000);
    expect(statSync(png).size).toBeGreaterThan(50_000);
  }

  /** The run's report and what the run's own files say. */
  function run(scenario: string, exit: number) {
    const out = join(tmp, scenario);
    const r = runs.get(scenario)!;
    expect(r.stderr).not.toMatch(/warning|error/i);
    expect(r.code, r.stderr).toBe(exit);
    expect(r.stdout).toContain(`wrote ${out}/{events.jsonl, metrics.csv, agents.csv, summary.json, report.html}`);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { files: { report: string | null }; criteria: { id: string; status: keyof typeof WORD }[]; epochsCompleted: number };
    expect(summary.files.report).toBe("report.html");
    const events = readFileSync(join(out, "events.jsonl"), "utf8");
    const plan = (JSON.parse(events.slice(0, events.indexOf("\n"))) as { plan: { network: unknown } }).plan;
    return { report: join(out, "report.html"), summary, froze: events.includes('"type":"agent_frozen"'), hasNetwork: plan.network !== null };
  }

  async function checkReport(scenario: string, exit: number, expected: { statuses: Record<string, keyof typeof WORD>; froze: boolean; network: boolean }) {
    const { report, summary, froze, hasNetwork } = run(scenario, exit);
    expect([froze, hasNetwork]).toEqual([expected.froze, expected.network]);
    const page = await open(report);

    const found = await charts(page);
    const names = [...ALWAYS, ...(froze ? ["freezes"] : []), ...(hasNetwork ? ["network"] : [])];
    expect(found.map((c) => c.name).sort()).toEqual([...names].sort());
    for (const c of found) {
      expect(c.width, `${c.name} is laid out`).toBeGreaterThan(200);
      expect(c.height, `${c.name} is laid out`).toBeGreaterThan(100);
      expect(c.marks, `${c.name} has marks`).toBeGreaterThan(0);
      expect(c.paths, `${c.name} draws something`).toBeGreaterThan(0);
      expect(c.axisTitles, `${c.name} axis titles`).toEqual(AXIS_TITLES[c.name]);
      expect(c.title.length, `${c.name} has a title`).toBeGreaterThan(3);
      expect(c.labelled.length, `${c.name} is labelled by its caption`).toBeGreaterThan(20);
    }
    if (hasNetwork) {
      const net = found.find((c) => c.name === "network")!;
      expect(net.legendTitles).toEqual(expect.arrayContaining(["kind", "edge weight"]));
      expect(await page.locator("figure[data-chart=network] .role-mark.mark-symbol path").count()).toBe(await page.locator("#payoff table").nth(1).locator("tbody tr").count());
    }
    expect(found.find((c) => c.name === "reputation")!.legendTitles).toEqual(["kind"]);

    // The verdicts table says what the run said.
    const rows = await page.$$eval("#criteria tr[data-criterion]", (trs) => trs.map((tr) => [tr.getAttribute("data-criterion"), tr.querySelector(".status")?.textContent]));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(summary.criteria.map((c) => [c.id, WORD[c.status]])));
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(expected.statuses).map(([id, s]) => [id, WORD[s]])));

    expect(await page.locator("section#network").count()).toBe(expected.network ? 1 : 0);
    expect(await page.locator("nav.toc a[href='#network']").count()).toBe(expected.network ? 1 : 0);
    if (!froze) await expect(page.locator("#freezes").textContent()).resolves.toContain("No agent was frozen");

    // The metrics table is collapsed and opens to one row per epoch.
    const table = page.locator("#metrics details");
    expect(await table.getAttribute("open")).toBeNull();
    await page.locator("#metrics summary").click();
    expect(await page.locator("#metrics table.metrics tbody tr").count()).toBe(summary.epochsCompleted);
    expect(await page.locator("#metrics table.metrics tbody tr").first().isVisible()).toBe(true);

    await screenshot(page, scenario);
    await page.close();
    expect(blocked, "no request left the machine").toEqual([]);
    expect(problems).toEqual([]);
  }

  it("status_game: every chart drawn, all criteria pass, frozen intervals, no network", async () => {
    await checkReport("status_game", 0, { statuses: { min_epochs: "pass", min_agents: "pass", toxicity_threshold: "pass" }, froze: true, network: false });
  });

  it("network_effects: the network drawn, no freezes, its failing criterion shown", async () => {
    await checkReport("network_effects", 3, {
      statuses: { min_connected_components: "pass", max_avg_path_length: "pass", max_toxicity: "fail" },
      froze: false,
      network: true,
    });
  });

  it("strict_governance: the toxicity criterion fails", async () => {
    await checkReport("strict_governance", 3, { statuses: { min_epochs: "pass", min_agents: "pass", toxicity_threshold: "fail" }, froze: true, network: false });
  });

  it("hostile scenario text stays text: no script runs, no element is injected", async () => {
    const file = join(tmp, "hostile.html");
    writeFileSync(file, await renderReport(hostileInput(scenarioInput("network_effects"))));
    const page = await open(file);
    expect(await page.locator("script, img, image, iframe, object, embed, link, base, use").count()).toBe(0);
    expect(await page.locator("h1").textContent()).toBe(HOSTILE);
    expect(await page.title()).toBe(`${HOSTILE} — sbx run report`);
    expect(await page.locator("figure[data-chart=network] svg text", { hasText: "<img src=x onerror=alert(0)>" }).count()).toBeGreaterThan(0);
    await page.close();
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
  });
});
