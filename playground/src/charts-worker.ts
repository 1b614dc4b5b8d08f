/**
 * The charts' Web Worker: draws the live charts to SVG with Vega, as the
 * report does (src/report/svg.ts), so drawing never holds up the page or the
 * engine.
 */
import { exclusively, renderChart, resetCharts } from "../../src/report/svg.ts";
import { LIVE_CHARTS, liveSpecs, type ChartInput, type LiveChart } from "./chart-specs.ts";

export interface DrawRequest {
  readonly seq: number;
  readonly input: ChartInput;
}

export interface Drawn {
  readonly seq: number;
  readonly charts: Partial<Record<LiveChart, { svg: string; data: Record<string, unknown[]> }>>;
  readonly error?: string;
}

self.onmessage = (e: MessageEvent<DrawRequest>) => {
  const { seq, input } = e.data;
  void exclusively(async () => {
    resetCharts();
    const specs = liveSpecs(input);
    const charts: Drawn["charts"] = {};
    for (const name of LIVE_CHARTS) charts[name] = await renderChart(specs[name], `chart-${name}-caption`, `chart-${name}`);
    return charts;
  }).then(
    (charts) => (self as unknown as Worker).postMessage({ seq, charts } satisfies Drawn),
    (error: Error) => (self as unknown as Worker).postMessage({ seq, charts: {}, error: error.message } satisfies Drawn),
  );
};
