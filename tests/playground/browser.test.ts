/**
 * The playground in a real headless Chromium (Debian's, through
 * playwright-core), served by `sbx playground`: the editor with the sbx
 * language server in a Web Worker, runs in the engine's worker against the
 * same run in Node, sharing links, downloads — with every request to another
 * host refused and failing the test. Set SBX_SKIP_BROWSER=1 to skip it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSite, launchBrowser, openPlayground, runFinished, servePlayground, type Browser, type Served } from "../../playground/driver.ts";
import { LEVERS } from "../../src/registry/blocks.ts";
import { SBX_BIN } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const SKIP = process.env["SBX_SKIP_BROWSER"] === "1";

interface RunDocument {
  seed: number;
  planHash: string;
  epochs: { epoch: number; toxicity: number | null; qualityGap: number | null; welfare: number | null; interactions: number; accepted: number }[];
  agents: { id: string; reputation: number; payoff: number }[];
  criteria: { id: string; status: string }[];
}

/** `sbx run FILE --json [args]` in Node, as users run it. */
function nodeRun(file: string, ...args: string[]): RunDocument {
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [SBX_BIN, "run", file, "--json", ...args], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 });
  } catch (e) {
    // Exit 3 (a criterion failed) still prints the document.
    stdout = (e as { stdout: string }).stdout;
  }
  return JSON.parse(stdout) as RunDocument;
}

/** Where `word` (the `nth` occurrence) stands on the first editor line containing `line`, in page coordinates. */
async function wordBox(page: Page, line: string, word: string, nth = 0): Promise<{ x: number; y: number }> {
  const box = await page.evaluate(
    ({ line, word, nth }) => {
      const el = [...document.querySelectorAll("#editor .cm-line")].find((l) => (l.textContent ?? "").includes(line));
      if (!el) return null;
      let at = -1;
      for (let i = 0; i <= nth; i++) at = (el.textContent ?? "").indexOf(word, at + 1);
      if (at < 0) return null;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let offset = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const length = node.textContent!.length;
        if (at < offset + length) {
          const range = document.createRange();
          range.setStart(node, at - offset);
          range.setEnd(node, Math.min(length, at - offset + word.length));
          const r = range.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        }
        offset += length;
      }
      return null;
    },
    { line, word, nth },
  );
  if (!box) throw new Error(`'${word}' is not on a line with '${line}' in the editor`);
  return box;
}

const editorText = (page: Page) => page.evaluate(() => (window as unknown as { sbxPlayground: { editorText(): string } }).sbxPlayground.editorText());
const lastDocument = (page: Page) => page.evaluate(() => (window as unknown as { sbxPlayground: { lastDocument: unknown } }).sbxPlayground.lastDocument) as Promise<RunDocument>;

describe.skipIf(SKIP)("the playground in headless Chromium", () => {
  let served: Served;
  let browser: Browser;
  let tmp: string;
  const problems: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "sbx-playground-test-"));
    await buildSite();
    served = await servePlayground();
    browser = await launchBrowser();
    browser.context.on("weberror", (e) => {
      problems.push(`page error: ${e.error().message}`);
    });
    // The tripwire works: a page that does try the network is caught.
    const probe = await browser.context.newPage();
    await probe.evaluate(() => fetch("http://sbx-playground-probe.invalid/").catch(() => "refused"));
    await probe.close();
    expect(browser.offsite).toEqual(["http://sbx-playground-probe.invalid/"]);
    browser.offsite.length = 0;
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function open(url = served.url): Promise<Page> {
    const page = await openPlayground(browser, url);
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    });
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    return page;
  }

  it("loads from this machine alone and says how LLM agents run", async () => {
    const requests: string[] = [];
    const page = await browser.context.newPage();
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(served.url);
    await page.evaluate(() => new Promise<void>((resolve) => {
      const wait = () => ((window as unknown as { sbxPlayground?: { ready: Promise<void> } }).sbxPlayground?.ready.then(resolve) ?? setTimeout(wait, 20));
      wait();
    }));
    expect(requests.length).toBeGreaterThan(3);
    for (const r of requests) expect(r.startsWith(served.url), r).toBe(true);
    // The editor is up, coloured by the TextMate grammar, with the status game in it.
    expect(await editorText(page)).toBe(readFileSync(join(ROOT, "scenarios/status_game.sbx"), "utf8"));
    expect(await page.locator("#editor .cm-line span").count()).toBeGreaterThan(50);
    expect(await page.locator("#examples option").allTextContents()).toEqual(expect.arrayContaining(["status_game", "baseline", "network_effects", "strict_governance", "llm_agents"]));
    // LLM agents: offline or cassettes only, said on the page; no key is ever asked for.
    await expect(page.locator("#notice").textContent()).resolves.toMatch(/never calls a model provider and never asks for an API key/);
    expect(await page.locator("input[type=password]").count()).toBe(0);
    await page.close();
    expect(browser.offsite).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it("squiggles a typo with its SBX diagnostic, shows the message on hover, and applies the quick fix", async () => {
    const page = await open();
    const at = await wordBox(page, "steps       = 15", "steps");
    await page.mouse.dblclick(at.x, at.y);
    await page.keyboard.type("stepz");
    // Typing pauses can publish diagnostics of a half-typed word ("ste", "step") first: wait for the final word's.
    await page.locator("#editor .cm-lintRange-error", { hasText: /^stepz$/ }).waitFor({ timeout: 20_000 });
    const squiggle = page.locator("#editor .cm-lintRange-error");
    expect(await squiggle.count()).toBe(1);
    expect(await squiggle.first().textContent()).toBe("stepz");
    expect(await page.locator("#editor .cm-lintRange-error.sbx-SBX2002").count()).toBe(1);

    const box = (await squiggle.first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = page.locator(".cm-tooltip-lint");
    await tooltip.waitFor({ timeout: 10_000 });
    expect(await tooltip.textContent()).toContain("unknown attribute 'stepz' in scenario 'status_game' (did you mean 'steps'?)");
    expect(await tooltip.locator(".cm-diagnosticSource").textContent()).toBe("sbx SBX2002");

    // The fix arrives from the server's code actions and appears in the same tooltip.
    const fix = tooltip.locator("button.cm-diagnosticAction", { hasText: "Change to 'steps'" });
    await fix.waitFor({ timeout: 10_000 });
    await fix.click();
    expect(await editorText(page)).toBe(readFileSync(join(ROOT, "scenarios/status_game.sbx"), "utf8"));
    await squiggle.first().waitFor({ state: "detached", timeout: 20_000 });
    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it("offers the governance levers inside a governance block, with their docs", async () => {
    const page = await open();
    // Into `governance extends moderate {}`: between the braces.
    const brace = await wordBox(page, "governance extends moderate", "}");
    await page.mouse.click(brace.x - 3, brace.y);
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+Space");
    const list = page.locator(".cm-tooltip-autocomplete li");
    await list.first().waitFor({ timeout: 20_000 });
    const offered = await list.locator(".cm-completionLabel").allTextContents();
    expect(offered).toEqual(expect.arrayContaining(LEVERS.map((l) => l.kind)));
    expect(offered).not.toContain("population");
    // Choosing one inserts it.
    await page.keyboard.type("transaction_t");
    await page.locator(".cm-tooltip-autocomplete li[aria-selected] .cm-completionLabel", { hasText: "transaction_tax" }).waitFor();
    await page.keyboard.press("Enter");
    expect(await editorText(page)).toContain("transaction_tax");
    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it("hovers, formats and goes to a definition in the standard library", async () => {
    const page = await open();
    // Hover: the block's documentation from the registry.
    const governance = await wordBox(page, "governance extends moderate", "governance");
    await page.mouse.move(governance.x, governance.y);
    await expect(page.locator(".cm-tooltip-hover").first().textContent({ timeout: 15_000 })).resolves.toContain("Governance levers");

    // Format: a line knocked out of shape comes back as `sbx fmt` writes it.
    const seed = await wordBox(page, "seed        = 123", "seed");
    await page.mouse.click(seed.x, seed.y);
    await page.keyboard.press("Home");
    await page.keyboard.type("      ");
    expect(await editorText(page)).not.toBe(readFileSync(join(ROOT, "scenarios/status_game.sbx"), "utf8"));
    await page.click("#format");
    await expect.poll(() => editorText(page), { timeout: 15_000 }).toBe(readFileSync(join(ROOT, "scenarios/status_game.sbx"), "utf8"));

    // Ctrl-click on `moderate`: its declaration in std/governance, read-only.
    const moderate = await wordBox(page, "governance extends moderate", "moderate");
    await page.keyboard.down("Control");
    await page.mouse.click(moderate.x, moderate.y);
    await page.keyboard.up("Control");
    await page.locator("#peek:not([hidden])").waitFor({ timeout: 15_000 });
    expect(await page.locator("#peek-title").textContent()).toBe("std/governance");
    // The cursor's line, highlighted, is the declaration.
    await expect.poll(() => page.locator("#peek-editor .cm-activeLine").textContent(), { timeout: 10_000 }).toMatch(/^governance moderate\b/);
    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);

  it("shows a scenario's own text in hovers as text: a shared link cannot inject markup", async () => {
    // A description (escaped by the server), and a triple-quoted string that closes the hover's code fence (cleaned by the page).
    const text = [
      'import "std/governance" { moderate }',
      "",
      "governance mine extends moderate {",
      '  description = "<img src=x onerror=\\"window.pwned = 1\\"><a href=\\"https://evil.example/\\">click</a>"',
      "}",
      "",
      "governance other extends moderate {",
      '  note = """',
      "```",
      '<img src=x onerror="window.pwned = 2"><a href="https://evil.example/">escaped</a><script>window.pwned = 3</script>',
      '"""',
      "}",
      "",
      "scenario s {",
      "  seed = 1",
      "  population { honest = 2 }",
      "  governance extends mine {}",
      "}",
      "",
    ].join("\n");
    const { encodeShare } = await import("../../playground/src/share.ts");
    const page = await open(`${served.url}${await encodeShare({ text, fileName: "s.sbx", seed: null })}`);
    for (const [line, word, shown] of [
      ["governance extends mine", "mine", '<img src=x onerror="window.pwned = 1"><a href="https://evil.example/">click</a>'],
      ["governance other", "other", "escaped"],
    ] as const) {
      const at = await wordBox(page, line, word);
      await page.mouse.move(at.x, at.y);
      const tooltip = page.locator(".cm-tooltip-hover").first();
      await expect.poll(() => tooltip.textContent(), { timeout: 15_000 }).toContain(shown);
      expect(await tooltip.locator("img, a, script, iframe, [onerror]").count()).toBe(0);
      await page.mouse.move(5, 5);
      await tooltip.waitFor({ state: "detached" });
    }
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.close();
    expect(browser.offsite).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it("runs status_game to the numbers `sbx run --json` gives in Node: chart, tables, verdicts", async () => {
    const expected = nodeRun("scenarios/status_game.sbx");
    const page = await open();
    await page.click("#run");
    await runFinished(page);
    await page.evaluate(() => (window as unknown as { sbxPlayground: { chartsSettled(): Promise<void> } }).sbxPlayground.chartsSettled());

    // The whole document, number for number.
    expect(await lastDocument(page)).toEqual(expected);

    // The per-agent table, at full precision.
    const agents = await page.$$eval("#agents tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.dataset["value"] ?? "")));
    expect(agents.map((r) => [r[0], Number(r[3]), Number(r[4])])).toEqual(expected.agents.map((a) => [a.id, a.reputation, a.payoff]));
    // The per-epoch table.
    const epochs = await page.$$eval("#epochs tbody tr", (rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.dataset["value"] ?? "")));
    expect(epochs.map((r) => [Number(r[0]), Number(r[1]), Number(r[2]), Number(r[3]), Number(r[6])])).toEqual(expected.epochs.map((e) => [e.epoch, e.interactions, e.accepted, e.toxicity, e.welfare]));

    // The toxicity chart: drawn, and drawn from these numbers.
    expect(await page.locator("figure[data-chart=toxicity] svg path").count()).toBeGreaterThan(0);
    const datasets = await page.evaluate(() => (window as unknown as { sbxPlayground: { chartData(n: string): Record<string, { epoch: number; value: number }[]> } }).sbxPlayground.chartData("toxicity"));
    const drawn = Object.values(datasets).find((rows) => rows.length === expected.epochs.length && rows.every((r) => "value" in r && "epoch" in r));
    expect(drawn?.map((r) => [r.epoch, r.value])).toEqual(expected.epochs.map((e) => [e.epoch, e.toxicity]));

    // The verdicts, PASS or FAIL as Node judged them.
    const verdicts = await page.$$eval("#criteria tbody tr", (rows) => rows.map((r) => [r.getAttribute("data-criterion"), r.querySelector(".status")?.textContent]));
    expect(verdicts).toEqual(expected.criteria.map((c) => [c.id, c.status === "pass" ? "PASS" : c.status === "fail" ? "FAIL" : "UNDEF"]));

    // The network view: every agent, coloured by kind, sized by reputation, the frozen marked.
    const net = await page.evaluate(() => (window as unknown as { sbxPlayground: { network(): { nodes: { id: string; size: number; frozen: boolean; type: string; color: string }[]; edges: unknown[] } } }).sbxPlayground.network());
    expect(net.nodes.map((n) => n.id)).toEqual(expected.agents.map((a) => a.id));
    const byRep = [...expected.agents].sort((a, b) => a.reputation - b.reputation).map((a) => a.id);
    const size = (id: string) => net.nodes.find((n) => n.id === id)!.size;
    expect(size(byRep.at(-1)!)).toBeGreaterThan(size(byRep[0]!));
    expect(net.nodes.filter((n) => n.frozen).every((n) => n.type === "square")).toBe(true);
    expect(net.nodes.some((n) => n.frozen)).toBe(true);
    expect(net.edges.length).toBeGreaterThan(0);
    expect(await page.locator("#network-canvas canvas").count()).toBeGreaterThan(0);
    await page.close();
    expect(browser.offsite).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);

  it("steps epoch by epoch, resumes, and stops where it is", async () => {
    const page = await open();
    await page.click("#step");
    await expect.poll(() => page.locator("#epochs tbody tr").count(), { timeout: 60_000 }).toBe(1);
    await page.click("#step");
    await expect.poll(() => page.locator("#epochs tbody tr").count(), { timeout: 30_000 }).toBe(2);
    await expect(page.locator("#status").textContent()).resolves.toMatch(/^Paused at epoch 2 of 20/);
    // The chart follows the steps.
    const points = () =>
      page.evaluate(() => {
        const data = (window as unknown as { sbxPlayground: { chartData(n: string): Record<string, { value?: number }[]> } }).sbxPlayground.chartData("toxicity");
        return Math.max(0, ...Object.values(data).map((rows) => rows.filter((r) => typeof r.value === "number").length));
      });
    await expect.poll(points, { timeout: 30_000 }).toBe(2);
    await page.click("#stop");
    await expect(page.locator("#status").textContent()).resolves.toMatch(/^Stopped at epoch 2 of 20/);
    expect(await page.locator("#epochs tbody tr").count()).toBe(2);
    expect(await page.locator("#criteria").isHidden()).toBe(true);
    // Step then Run: the rest of the run.
    await page.click("#step");
    await expect.poll(() => page.locator("#epochs tbody tr").count(), { timeout: 60_000 }).toBe(1);
    await page.click("#run");
    await runFinished(page);
    expect(await page.locator("#epochs tbody tr").count()).toBe(20);
    await page.close();
    expect(problems).toEqual([]);
  }, 180_000);

  it("a shared link opens the same scenario and seed and gives the same result (as `sbx run --seed` does)", async () => {
    const page = await open();
    // An edited scenario and another seed.
    const epochs = await wordBox(page, "epochs      = 20", "20");
    await page.mouse.dblclick(epochs.x, epochs.y);
    await page.keyboard.type("12");
    await page.fill("#seed", "7");
    await page.click("#run");
    await runFinished(page);
    const text = await editorText(page);
    const first = await lastDocument(page);
    await page.click("#share");
    const link = page.url();
    expect(link).toMatch(/#v=1&f=status_game\.sbx&seed=7&s=[A-Za-z0-9_-]+$/);
    await page.close();

    const file = join(tmp, "status_game.sbx");
    writeFileSync(file, text);
    const expected = nodeRun(file, "--seed", "7");
    expect(expected.epochs).toHaveLength(12);
    expect(first).toEqual(expected);

    const shared = await open(link);
    await runFinished(shared);
    expect(await editorText(shared)).toBe(text);
    expect(await shared.inputValue("#seed")).toBe("7");
    expect(await lastDocument(shared)).toEqual(expected);
    await shared.close();
    expect(problems).toEqual([]);
  }, 180_000);

  it("downloads the plan, the event log and report.html of the run, as `sbx compile` and `sbx run --out` write them", async () => {
    const out = join(tmp, "status-out");
    try {
      execFileSync(process.execPath, [SBX_BIN, "run", "scenarios/status_game.sbx", "--out", out], { cwd: ROOT, stdio: "ignore" });
    } catch {
      // exit 3 is fine
    }
    execFileSync(process.execPath, [SBX_BIN, "compile", "scenarios/status_game.sbx", "--out", join(tmp, "plan.json")], { cwd: ROOT, stdio: "ignore" });
    const page = await open();
    await page.click("#run");
    await runFinished(page);
    const fetch = async (button: string) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
      return readFileSync((await download.path())!, "utf8");
    };
    // Everything but where the source file was (the plan's provenance names its path).
    const unplaced = (plan: { provenance?: unknown }) => ({ ...plan, provenance: null });
    expect(unplaced(JSON.parse(await fetch("#download-plan")))).toEqual(unplaced(JSON.parse(readFileSync(join(tmp, "plan.json"), "utf8"))));
    const events = (await fetch("#download-events")).split("\n");
    const cli = readFileSync(join(out, "events.jsonl"), "utf8").split("\n");
    expect(events.length).toBe(cli.length);
    expect(events.slice(1)).toEqual(cli.slice(1));
    const header = (line: string) => {
      const h = JSON.parse(line) as { plan: { provenance?: unknown } };
      return { ...h, plan: unplaced(h.plan) };
    };
    expect(header(events[0]!)).toEqual(header(cli[0]!));
    expect(await fetch("#download-report")).toBe(readFileSync(join(out, "report.html"), "utf8"));
    await page.close();
    expect(browser.offsite).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);

  it("runs LLM agents offline as `sbx run --dry-run` does, or from a cassette as `--replay` does, and refuses another plan's cassette", async () => {
    const cassette = join(tmp, "calls.jsonl");
    const expected = nodeRun("scenarios/llm_agents.sbx", "--dry-run", "--record", cassette);
    const page = await open();
    await page.selectOption("#examples", "llm_agents.sbx");
    await expect.poll(() => editorText(page)).toBe(readFileSync(join(ROOT, "scenarios/llm_agents.sbx"), "utf8"));
    await page.click("#run");
    await runFinished(page);
    await expect(page.locator("#status").textContent()).resolves.toContain("Finished llm_agents_v1");
    const unpriced = (d: RunDocument) => ({ ...d, llm: undefined });
    expect(unpriced(await lastDocument(page))).toEqual(unpriced(expected));

    // The same run from the cassette it recorded (the LLM panel opened itself for a scenario with LLM agents).
    expect(await page.locator("details#llm[open]").count()).toBe(1);
    await page.check("input[name=llm][value=cassette]");
    await page.setInputFiles("#cassette", cassette);
    await page.click("#run");
    await runFinished(page);
    expect(unpriced(await lastDocument(page))).toEqual(unpriced(nodeRun("scenarios/llm_agents.sbx", "--replay", cassette)));
    expect(unpriced(await lastDocument(page))).toEqual(unpriced(expected));

    // Another seed is another plan: its cassette is refused, by name.
    await page.fill("#seed", "43");
    await page.click("#run");
    await expect.poll(() => page.locator("#status").textContent(), { timeout: 60_000 }).toMatch(/the cassette was recorded from another plan \(llm_agents_v1, seed 42, sha256:/);
    expect(await page.locator("input[type=password]").count()).toBe(0);
    await page.close();
    expect(browser.offsite).toEqual([]);
    expect(problems).toEqual([]);
  }, 180_000);
});
