/**
 * Vega-Lite spec → inline SVG, at build time, in Node. Vega renders
 * asynchronously and keeps module-wide state (id counters, the text
 * measurer), so reports render one at a time. Text is measured by Vega's
 * estimate, never by a canvas that may or may not be installed; ids are
 * renamed per chart; the loader refuses every request. Vega's expressions
 * are interpreted, never compiled with `Function`, so the same code renders
 * under a Content Security Policy without 'unsafe-eval' (the playground's).
 */
import * as vega from "vega";
import { expressionInterpreter } from "vega-interpreter";
import { compile, version as vegaLiteVersion, type TopLevelSpec } from "vega-lite";

/** Named in the report's footer: which renderer drew the charts. */
export const CHART_LIBRARIES = `Vega-Lite ${vegaLiteVersion}, Vega ${vega.version}`;

const refuse = (): Promise<never> => Promise.reject(new Error("sbx report charts load nothing: their data is inline"));

/** A Vega loader that never reads a file or the network. */
function offlineLoader(): vega.Loader {
  const loader = vega.loader();
  return { ...loader, load: refuse, sanitize: refuse, http: refuse, file: refuse } as vega.Loader;
}

/** Vega's text measurer (untyped): canvas(false) makes it use the estimate. */
const textMetrics = (vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics;

let queue: Promise<unknown> = Promise.resolve();

/** Run `job` alone: no other report's charts render until it has finished. */
export function exclusively<T>(job: () => Promise<T>): Promise<T> {
  const next = queue.then(job);
  queue = next.catch(() => undefined);
  return next;
}

/** Call at the start of a report, inside `exclusively`: ids restart and text metrics are the estimate. */
export function resetCharts(): void {
  vega.resetSVGDefIds();
  textMetrics.canvas(false);
}

/** The chart as an SVG element for inline use in HTML5, labelled by the element with id `labelledBy`. */
export function renderSvg(spec: TopLevelSpec, labelledBy: string, idPrefix: string): Promise<string> {
  return withView(spec, async (view) => inlineSvg(await view.toSVG(), labelledBy, idPrefix));
}

/** The chart as inline SVG, and every dataset the drawing was made from, as plain JSON (the playground shows both). */
export function renderChart(spec: TopLevelSpec, labelledBy: string, idPrefix: string): Promise<{ svg: string; data: Record<string, unknown[]> }> {
  return withView(spec, async (view) => {
    const svg = inlineSvg(await view.toSVG(), labelledBy, idPrefix);
    const state = view.getState({ data: vega.truthy, signals: vega.falsy, recurse: true }) as { data?: Record<string, unknown> };
    return { svg, data: plainData(state.data ?? {}) };
  });
}

/** The datasets that are lists of plain values, as JSON (Vega's tuples carry symbols, and its scenegraph datasets cycles). */
function plainData(data: Record<string, unknown>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(data)) {
    if (!Array.isArray(values)) continue;
    try {
      out[name] = JSON.parse(JSON.stringify(values)) as unknown[];
    } catch {
      // A scenegraph dataset: marks, not data.
    }
  }
  return out;
}

async function withView<T>(spec: TopLevelSpec, use: (view: vega.View) => Promise<T>): Promise<T> {
  const { spec: compiled } = compile(spec);
  const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), { renderer: "none", loader: offlineLoader(), logLevel: vega.Error, expr: expressionInterpreter });
  try {
    return await use(view);
  } finally {
    view.finalize();
  }
}

/**
 * Inline SVG needs no namespace declarations (the HTML parser supplies them),
 * and dropping them keeps the page free of any URL. The root becomes an image
 * named by its figure's caption. Vega's own ids (clip paths, gradients) are
 * renamed after the chart, in order of appearance: unique within the page
 * and independent of Vega's counters.
 */
export function inlineSvg(svg: string, labelledBy: string, idPrefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `${idPrefix}-${ids.size + 1}`);
  const rename = (id: string) => ids.get(id) ?? id;
  return svg
    .replace(/^<svg\b([^>]*)>/, (_m, attrs: string) => {
      const kept = attrs.replace(/\s+xmlns(:\w+)?="[^"]*"/g, "").replace(/\s+version="[^"]*"/, "");
      return `<svg${kept} role="img" aria-labelledby="${labelledBy}" focusable="false">`;
    })
    .replace(/(\sid=")([^"]+)(")/g, (_m, a: string, id: string, b: string) => a + rename(id) + b)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${rename(id)})`)
    .replace(/\s(?:xlink:)?href="#([^"]+)"/g, (_m, id: string) => ` href="#${rename(id)}"`);
}
