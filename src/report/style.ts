/** The report's only stylesheet, inline: system fonts, no images, readable on screen and on paper. */
import { FONT } from "./charts.ts";

export const CSS = `
:root { color-scheme: light; --ink: #1f2937; --muted: #4b5563; --line: #e5e7eb; --soft: #f9fafb; --accent: #1d4ed8;
  --pass: #166534; --pass-bg: #dcfce7; --fail: #991b1b; --fail-bg: #fee2e2; --undef: #854d0e; --undef-bg: #fef9c3; }
* { box-sizing: border-box; }
html { font-family: ${FONT}; color: var(--ink); background: #fff; line-height: 1.45; }
body { margin: 0; }
.page { max-width: 1200px; margin: 0 auto; padding: 24px 24px 48px; }
header.run { border-bottom: 2px solid var(--ink); padding-bottom: 16px; }
.eyebrow { margin: 0; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
h1 { margin: 4px 0 4px; font-size: 28px; line-height: 1.2; overflow-wrap: anywhere; }
h2 { margin: 0 0 6px; font-size: 20px; }
h3 { margin: 18px 0 6px; font-size: 15px; }
p { margin: 6px 0; }
.description { font-size: 16px; color: var(--muted); margin: 2px 0 14px; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px 20px; margin: 12px 0; }
.facts[aria-label="Outcome"] { border-top: 1px solid var(--line); padding-top: 10px; }
.facts div { min-width: 0; }
.facts dt { font-size: 12px; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: break-word; }
.hash { font-size: 12.5px; color: var(--muted); margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 10px 0 0; padding: 0; list-style: none; font-size: 13px; }
.legend .title { font-weight: 600; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px;
  print-color-adjust: exact; -webkit-print-color-adjust: exact; }
nav.toc { margin: 14px 0 0; font-size: 14px; }
nav.toc ol { display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; margin: 0; padding: 0; }
nav.toc a { color: var(--accent); }
section { padding: 22px 0 8px; border-bottom: 1px solid var(--line); break-inside: auto; }
section > .lead { color: var(--muted); margin-top: 0; max-width: 78ch; }
.charts { display: flex; flex-wrap: wrap; gap: 18px 20px; align-items: flex-start; }
figure.chart { margin: 8px 0; break-inside: avoid; page-break-inside: avoid; max-width: 100%; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12.5px; color: var(--muted); margin: 4px 0 0 8px; }
.note { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #9ca3af; background: var(--soft); font-weight: 600; }
tbody th { font-weight: 500; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.status { display: inline-block; min-width: 4.2em; text-align: center; font-weight: 700; font-size: 12px; letter-spacing: .04em;
  border-radius: 4px; padding: 2px 6px; border: 1px solid currentColor; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.status-pass { color: var(--pass); background: var(--pass-bg); }
.status-fail { color: var(--fail); background: var(--fail-bg); }
.status-undefined { color: var(--undef); background: var(--undef-bg); }
.status-skipped { color: var(--muted); background: var(--soft); }
.banner { display: inline-block; margin-top: 10px; font-weight: 600; }
.table-scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); }
.table-scroll table { margin: 0; font-size: 12px; }
.table-scroll th, .table-scroll td { padding: 3px 8px; }
.table-scroll thead th { position: sticky; top: 0; }
.table-scroll tbody th { position: sticky; left: 0; background: #fff; }
details > summary { cursor: pointer; color: var(--accent); font-weight: 600; margin: 6px 0; }
footer { margin-top: 24px; font-size: 12px; color: var(--muted); }
@media print {
  .page { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section { border-bottom: none; }
  a { color: inherit; text-decoration: none; }
  .table-scroll { overflow: visible; border: none; }
}
@page { margin: 14mm; }
`;
