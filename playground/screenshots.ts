/**
 * The README's pictures of the playground: `npx tsx playground/screenshots.ts`
 * builds the site, serves it, and writes docs/playground-editor.png (a typo
 * squiggled, its diagnostic and quick fix on hover) and
 * docs/playground-run.png (status_game run: verdicts, charts, agents,
 * network).
 */
import { join } from "node:path";
import { buildSite, launchBrowser, openPlayground, ROOT, runFinished, servePlayground } from "./driver.ts";

await buildSite();
const served = await servePlayground();
const browser = await launchBrowser({ width: 1440, height: 900 });
try {
  const page = await openPlayground(browser, served.url);
  // A typo in the scenario: the squiggle, and the tooltip with the message and the fix.
  const at = await page.evaluate(() => {
    const line = [...document.querySelectorAll("#editor .cm-line")].find((l) => (l.textContent ?? "").includes("steps       = 15"))!;
    const r = line.getBoundingClientRect();
    return { x: r.left + 10, y: r.top + r.height / 2 };
  });
  await page.mouse.dblclick(at.x + 30, at.y);
  await page.keyboard.type("stepz");
  const squiggle = page.locator("#editor .cm-lintRange-error").first();
  await squiggle.waitFor();
  const box = (await squiggle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator(".cm-tooltip-lint button.cm-diagnosticAction").waitFor();
  await page.screenshot({ path: join(ROOT, "docs/playground-editor.png") });

  // Fixed, then run.
  await page.locator(".cm-tooltip-lint button.cm-diagnosticAction").click();
  await page.mouse.move(5, 5);
  await page.click("#run");
  await runFinished(page);
  await page.evaluate(() => (window as unknown as { sbxPlayground: { chartsSettled(): Promise<void> } }).sbxPlayground.chartsSettled());
  // Tall enough for the verdicts, the charts, the agents and the network at once.
  await page.setViewportSize({ width: 1440, height: 1800 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(ROOT, "docs/playground-run.png") });
  await page.close();
  if (browser.offsite.length) throw new Error(`requests to other hosts: ${browser.offsite.join(", ")}`);
  console.log("wrote docs/playground-editor.png, docs/playground-run.png");
} finally {
  await browser.close();
  await served.stop();
}
