/**
 * Driving the playground from Node, as its tests, benchmark and screenshots
 * do: build the site, serve it with `sbx playground`, and open it in Debian's
 * headless Chromium (through playwright-core) with every request to another
 * host refused and recorded.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CHROMIUM = process.env["SBX_CHROMIUM"] ?? "/usr/bin/chromium";
/**
 * As the report's browser test runs Chromium, plus SwiftShader's WebGL (the
 * network view draws with WebGL; headless Chromium with --disable-gpu has it
 * only when allowed).
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--enable-unsafe-swiftshader",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface SiteSize {
  readonly files: number;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** `npm run build:playground`: the site in dist/playground, and its size. */
export function buildSite(): Promise<SiteSize> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, "playground/build.mjs")], { cwd: ROOT, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`the playground did not build: ${stderr || error.message}`));
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as SiteSize);
    });
  });
}

export interface Served {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** `sbx playground --port 0` (the built CLI), and the address it reports. */
export function servePlayground(): Promise<Served> {
  const child = spawn(process.execPath, [join(ROOT, "dist/sbx.mjs"), "playground", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sbx playground did not start: ${out}${err}`)), 60_000);
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`sbx playground exited (${code}): ${out}${err}`)));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({
        url,
        process: child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

export interface Browser {
  readonly context: BrowserContext;
  /** Requests to any host but this machine's, refused. */
  readonly offsite: string[];
  close(): Promise<void>;
}

const LOCAL = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** A fresh headless Chromium (a new profile), where every request to another host is refused and recorded. */
export async function launchBrowser(viewport = { width: 1400, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the playground's browser tests need it.\n` +
        `Install Debian's: apt-get update && apt-get install -y --no-install-recommends chromium\n` +
        `(or point SBX_CHROMIUM at another Chromium, or set SBX_SKIP_BROWSER=1 to skip the browser tests).`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "sbx-playground-browser-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, acceptDownloads: true });
  const offsite: string[] = [];
  await context.route(
    (url) => !(url.protocol === "http:" && LOCAL.has(url.hostname)) && url.protocol !== "data:" && url.protocol !== "blob:",
    (route) => {
      if (!offsite.includes(route.request().url())) offsite.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  context.on("request", (r) => {
    const url = new URL(r.url());
    if ((url.protocol === "http:" || url.protocol === "https:" || url.protocol === "ws:" || url.protocol === "wss:") && !LOCAL.has(url.hostname) && !offsite.includes(r.url())) offsite.push(r.url());
  });
  return {
    context,
    offsite,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Open the playground and wait until it is interactive (the editor is up and the language server has answered). */
export async function openPlayground(browser: Browser, url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { sbxPlayground?: unknown }).sbxPlayground !== undefined);
  await page.evaluate(() => (window as unknown as { sbxPlayground: { ready: Promise<void> } }).sbxPlayground.ready);
  return page;
}

/** Wait for the run under way to finish (its last epoch shown and its verdicts). */
export async function runFinished(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForSelector("body[data-run=finished]", { timeout });
}
