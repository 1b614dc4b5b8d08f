/**
 * The importer writes a draft with a source map, then lays it out as `sbx fmt`
 * does (language/format.ts). The formatter keeps the syntax tree unchanged, so
 * the two trees can be walked side by side to carry every mapped range over
 * to the formatted text.
 */
import type { Span } from "../text/span.ts";
import { format } from "../../language/format.ts";
import { parse } from "../../language/syntax.ts";
import type { SourceMapEntry } from "./emit.ts";

/** Every node span of a file's syntax tree, in a traversal order fixed by the tree's shape. */
function spans(text: string, file: string): Span[] | null {
  const parsed = parse(text, file);
  if (parsed.diagnostics.some((d) => d.severity === "error")) return null;
  const out: Span[] = [];
  const walk = (value: unknown): void => {
    if (!value || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (key === "span") out.push(v as Span);
      else if (key !== "opSpan" && key !== "body" && key !== "comments") walk(v);
    }
  };
  walk(parsed.file.items);
  return out;
}

/** `draft` in the canonical layout, with its source map carried over; the draft itself if that cannot be done exactly. */
export function canonical(draft: string, map: readonly SourceMapEntry[], file: string): { text: string; map: SourceMapEntry[] } {
  const formatted = format(draft, file);
  if (!("text" in formatted) || formatted.text === draft) return { text: draft, map: [...map] };
  const before = spans(draft, file);
  const after = spans(formatted.text, file);
  if (!before || !after || before.length !== after.length) return { text: draft, map: [...map] };
  const moved = new Map<string, Span>();
  before.forEach((s, i) => {
    const key = `${s.start}:${s.end}`;
    if (!moved.has(key)) moved.set(key, after[i]!);
  });
  const out: SourceMapEntry[] = [];
  for (const entry of map) {
    const exact = moved.get(`${entry.out.start}:${entry.out.end}`);
    if (exact) {
      out.push({ out: exact, yaml: entry.yaml });
      continue;
    }
    // Not a node of its own: take the smallest node that holds it.
    let best = -1;
    before.forEach((s, i) => {
      if (s.start <= entry.out.start && entry.out.end <= s.end && (best < 0 || s.end - s.start < before[best]!.end - before[best]!.start)) best = i;
    });
    if (best >= 0) out.push({ out: after[best]!, yaml: entry.yaml });
  }
  return { text: formatted.text, map: out };
}
