/**
 * Live charts: drawn in their own worker (charts-worker.ts) from the epochs
 * shown so far, and swapped into their figures. While one drawing is under
 * way only the newest request waits, so a fast run draws a few times, not
 * once per epoch.
 */
import type { Drawn } from "./charts-worker.ts";
import { LIVE_CHARTS, type ChartInput, type LiveChart } from "./chart-specs.ts";

export { kindsOf, LIVE_CHARTS, type LiveChart } from "./chart-specs.ts";

export class LiveCharts {
  private worker: Worker | null = null;
  private seq = 0;
  private busy = false;
  private queued: ChartInput | null = null;
  private data = new Map<LiveChart, Record<string, unknown[]>>();
  private waiters: (() => void)[] = [];

  constructor(private readonly figures: ReadonlyMap<LiveChart, HTMLElement>) {}

  /** Start the worker now (a run is about to show something). */
  preload(): void {
    if (this.worker) return;
    this.worker = new Worker(new URL("charts-worker.js", document.baseURI), { type: "module", name: "sbx charts" });
    this.worker.onmessage = (e: MessageEvent<Drawn>) => this.drawn(e.data);
  }

  update(input: ChartInput): void {
    this.queued = input;
    this.pump();
  }

  private pump(): void {
    if (this.busy || !this.queued) return;
    this.preload();
    const input = this.queued;
    this.queued = null;
    this.busy = true;
    this.worker!.postMessage({ seq: this.seq, input });
  }

  private drawn(d: Drawn): void {
    this.busy = false;
    if (d.seq === this.seq) {
      for (const name of LIVE_CHARTS) {
        const chart = d.charts[name];
        const figure = this.figures.get(name);
        if (!chart || !figure) continue;
        const host = document.createElement("div");
        host.className = "chart-svg";
        host.innerHTML = chart.svg;
        figure.querySelector(".chart-svg")?.replaceWith(host);
        this.data.set(name, chart.data);
      }
      if (d.error) for (const f of this.figures.values()) f.querySelector(".chart-svg")!.textContent = `The chart could not be drawn: ${d.error}`;
    }
    this.pump();
    if (!this.busy) for (const w of this.waiters.splice(0)) w();
  }

  /** Every dataset a chart was drawn from (for tests and curious users: `sbxPlayground.chartData("toxicity")`). */
  chartData(name: LiveChart): Record<string, unknown[]> {
    return this.data.get(name) ?? {};
  }

  clear(): void {
    this.seq++;
    this.queued = null;
    this.data.clear();
    for (const figure of this.figures.values()) figure.querySelector(".chart-svg")?.replaceChildren();
  }

  /** Resolves once every requested drawing is on the page. */
  settled(): Promise<void> {
    return this.busy || this.queued ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }
}
