/**
 * `npm run bench:playground`: the playground in headless Chromium, served by
 * `sbx playground`, printing one JSON document per measurement.
 *
 * 1. Time to interactive: from navigation to the editor being up with the
 *    language server's first diagnostics shown (a fresh page each round, the
 *    browser's cache warm as a returning visitor's). Goal ≤ 1,500 ms.
 * 2. A run of status_game: from pressing Run to its last epoch shown, on a
 *    fresh page (the engine's worker cold) and again (warm), against the same
 *    run in Node: `sbx run --json` as a fresh process (cold), and compile +
 *    run in this process once warmed up (warm); with the engine worker's own
 *    compile and run times beside Node's. Goal: the browser within 2×.
 * 3. The bundle: every file of dist/playground, raw and gzipped, and whether
 *    any LLM provider's SDK got in (it must not). Goal ≤ 1.5 MB gzipped.
 *
 * Each figure is the median of SBX_BENCH_ROUNDS rounds (default 5). The
 * machine is shared, so read ratios more than absolute times.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Page } from "playwright-core";
import { compile } from "../src/compiler/index.ts";
import { runPlan } from "../src/engine/index.ts";
import { nodeHost } from "../src/platform/node-host.ts";
import { buildSite, launchBrowser, openPlayground, ROOT, runFinished, servePlayground } from "./driver.ts";

const ROUNDS = Number(process.env["SBX_BENCH_ROUNDS"] ?? 5);
const SCENARIO = join(ROOT, "scenarios/status_game.sbx");

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;
const ratio = (x: number) => Math.round(x * 100) / 100;
const print = (doc: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(doc)}\n`);

const mark = (page: Page, name: string) => page.evaluate((n) => performance.getEntriesByName(n).at(-1)?.startTime ?? null, name);

interface RunTiming {
  /** Run pressed → last epoch shown. */
  total: number;
  /** Run pressed → every chart drawn. */
  charts: number;
  /** The engine's worker: compiling, then running. */
  compile: number;
  run: number;
}

async function runOnce(page: Page): Promise<RunTiming> {
  await page.click("#run");
  await runFinished(page);
  const start = await mark(page, "sbx:run-start");
  const last = await mark(page, "sbx:last-epoch");
  if (start === null || last === null) throw new Error("the run left no timing marks");
  const t = await page.evaluate(() => (window as unknown as { sbxPlayground: { lastTimings: { compileMs: number; runMs: number } } }).sbxPlayground.lastTimings);
  const charts = await page.evaluate(async () => {
    await (window as unknown as { sbxPlayground: { chartsSettled(): Promise<void> } }).sbxPlayground.chartsSettled();
    return performance.now();
  });
  return { total: last - start, charts: charts - start, compile: t.compileMs, run: t.runMs };
}

/** The same run in Node: a fresh `sbx run --json` process, wall clock. */
function nodeColdMs(): number {
  const t = performance.now();
  try {
    execFileSync(process.execPath, [join(ROOT, "dist/sbx.mjs"), "run", SCENARIO, "--json"], { stdio: "ignore" });
  } catch {
    // exit 3: a criterion failed; the run happened all the same
  }
  return performance.now() - t;
}

/** The same run in this process once warm: compile, then run to the last epoch. */
function nodeWarm(): RunTiming {
  const t0 = performance.now();
  const plan = compile(nodeHost(), [SCENARIO]).scenarios[0]!.plan!;
  const t1 = performance.now();
  runPlan(plan);
  const t2 = performance.now();
  return { total: t2 - t0, charts: NaN, compile: t1 - t0, run: t2 - t1 };
}

function llmSdksIn(dir: string): string[] {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".js")) {
        const text = readFileSync(p, "utf8");
        for (const mark of ["api.anthropic.com", "api.openai.com", "@anthropic-ai/sdk", "anthropic-version"]) if (text.includes(mark)) found.add(mark);
      }
    }
  };
  walk(dir);
  return [...found];
}

async function main(): Promise<void> {
  const size = await buildSite();
  execFileSync(process.execPath, [join(ROOT, "src/build.mjs")], { cwd: ROOT, stdio: "ignore" });
  const served = await servePlayground();
  const browser = await launchBrowser();
  try {
    // Warm the browser's cache once, as a returning visitor's.
    await (await openPlayground(browser, served.url)).close();

    const interactive: number[] = [];
    const editorReady: number[] = [];
    const cold: RunTiming[] = [];
    const warm: RunTiming[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const page = await openPlayground(browser, served.url);
      interactive.push((await mark(page, "sbx:interactive"))!);
      editorReady.push((await mark(page, "sbx:editor-ready"))!);
      cold.push(await runOnce(page));
      warm.push(await runOnce(page));
      await page.close();
    }
    if (browser.offsite.length) throw new Error(`the playground asked for other hosts: ${browser.offsite.join(", ")}`);

    const tti = median(interactive);
    print({ metric: "time_to_interactive", unit: "ms", median: round(tti), editorReadyMedian: round(median(editorReady)), rounds: ROUNDS, goalMs: 1500, met: tti <= 1500 });

    const nodeCold: number[] = [];
    for (let i = 0; i < ROUNDS; i++) nodeCold.push(nodeColdMs());
    for (let i = 0; i < 3; i++) nodeWarm();
    const inNode: RunTiming[] = [];
    for (let i = 0; i < ROUNDS; i++) inNode.push(nodeWarm());
    const pick = (xs: RunTiming[], k: keyof RunTiming) => round(median(xs.map((x) => x[k])));
    const coldRatio = median(cold.map((x) => x.total)) / median(nodeCold);
    const warmRatio = median(warm.map((x) => x.total)) / median(inNode.map((x) => x.total));
    const engineRatio = median(warm.map((x) => x.run)) / median(inNode.map((x) => x.run));
    print({
      metric: "run_status_game",
      unit: "ms",
      scenario: "status_game",
      browserCold: { total: pick(cold, "total"), compile: pick(cold, "compile"), run: pick(cold, "run"), chartsDrawn: pick(cold, "charts") },
      browserWarm: { total: pick(warm, "total"), compile: pick(warm, "compile"), run: pick(warm, "run"), chartsDrawn: pick(warm, "charts") },
      nodeColdProcess: round(median(nodeCold)),
      nodeWarm: { total: pick(inNode, "total"), compile: pick(inNode, "compile"), run: pick(inNode, "run") },
      coldRatio: ratio(coldRatio),
      warmRatio: ratio(warmRatio),
      engineRatio: ratio(engineRatio),
      rounds: ROUNDS,
      goalRatio: 2,
      met: coldRatio <= 2 && warmRatio <= 2,
    });

    const sdks = llmSdksIn(join(ROOT, "dist/playground"));
    print({ metric: "bundle", files: size.files, bytes: size.bytes, gzipBytes: size.gzipBytes, gzipMB: ratio(size.gzipBytes / 1e6), llmSdksBundled: sdks, goalGzipBytes: 1_500_000, met: size.gzipBytes <= 1_500_000 && sdks.length === 0 });
  } finally {
    await browser.close();
    await served.stop();
  }
}

await main();
