/**
 * Reading a YAML document the way the sandbox's `yaml.safe_load` did (YAML
 * 1.1: `yes`/`no` booleans, merge keys, octal `012`), while keeping where
 * every key and value sits, so diagnostics can point at `file:line:col`.
 */
import { isAlias, isMap, isScalar, isSeq, Parser, parseAllDocuments, type Document, type Node, type Pair, type Scalar } from "yaml";
import type { Span } from "../text/span.ts";

export type YamlDoc = Document.Parsed;

/** One `key: value` of a mapping, merges and aliases resolved. */
export interface Entry {
  readonly key: string;
  readonly keySpan: Span;
  /** The value node (aliases resolved), or null for an empty value. */
  readonly value: Node | null;
  /** Where the value is written (for an alias, the alias itself). */
  readonly valueSpan: Span;
  /** The key through the end of its value. */
  readonly span: Span;
}

export interface YamlComment {
  readonly offset: number;
  /** The comment without its `#` and surrounding blanks. */
  readonly text: string;
  /** 0-based column. */
  readonly column: number;
}

const spanOf = (range: readonly [number, number, number] | null | undefined, fallback: Span): Span =>
  range ? { start: range[0], end: Math.max(range[0], range[1]) } : fallback;

export function nodeSpan(node: Node | null | undefined, fallback: Span): Span {
  return spanOf(node?.range, fallback);
}

export function resolve(doc: YamlDoc, node: unknown): Node | null {
  let current = node;
  // An alias of an alias is legal; the chain is finite because anchors precede their aliases.
  for (let i = 0; i < 64 && isAlias(current); i++) current = current.resolve(doc);
  return current && typeof current === "object" && (isMap(current) || isSeq(current) || isScalar(current)) ? (current as Node) : null;
}

/** The key as written: plain scalars by their source, so `n:` stays "n" (YAML 1.1 would read false). */
export function keyText(doc: YamlDoc, key: unknown, text: string): string {
  const node = resolve(doc, key);
  if (isScalar(node)) {
    if (node.type === "PLAIN" && typeof node.source === "string") return node.source;
    return String(node.value);
  }
  const span = nodeSpan(node, { start: 0, end: 0 });
  return text.slice(span.start, span.end).replace(/\s+/g, " ").trim() || "?";
}

const isMergeKey = (key: unknown): boolean => isScalar(key) && typeof (key as Scalar).value === "symbol";

/**
 * The entries of a mapping in written order. Merge keys (`<<: *base`) bring in
 * the keys of the merged mappings that the mapping does not set itself; the
 * first merged mapping wins, as in YAML 1.1.
 */
export function entries(doc: YamlDoc, map: Node, text: string): Entry[] {
  if (!isMap(map)) return [];
  const own: Entry[] = [];
  const merged: Entry[] = [];
  for (const pair of map.items as Pair[]) {
    if (isMergeKey(pair.key)) {
      const target = resolve(doc, pair.value);
      const sources = isSeq(target) ? target.items.map((item) => resolve(doc, item)) : [target];
      for (const source of sources) if (source && isMap(source)) merged.push(...entries(doc, source, text));
      continue;
    }
    own.push(entryOf(doc, pair, text));
  }
  const seen = new Set(own.map((e) => e.key));
  const out = [...own];
  for (const e of merged) {
    if (seen.has(e.key)) continue;
    seen.add(e.key);
    out.push(e);
  }
  return out;
}

function entryOf(doc: YamlDoc, pair: Pair, text: string): Entry {
  const keyNode = pair.key as Node | null;
  const keySpan = nodeSpan(keyNode, { start: 0, end: 0 });
  const written = pair.value as Node | null;
  const valueSpan = nodeSpan(written, { start: keySpan.end, end: keySpan.end });
  const value = written === null || written === undefined ? null : resolve(doc, written);
  const empty = isScalar(value) && value.value === null && value.source === "" ? null : value;
  return {
    key: keyText(doc, keyNode, text),
    keySpan,
    value: empty,
    valueSpan,
    span: { start: keySpan.start, end: Math.max(keySpan.end, valueSpan.end) },
  };
}

/** The items of a sequence, aliases resolved, each with where it is written. */
export function items(doc: YamlDoc, seq: Node): { node: Node | null; span: Span }[] {
  if (!isSeq(seq)) return [];
  return seq.items.map((item) => ({ node: resolve(doc, item), span: nodeSpan(item as Node, nodeSpan(seq, { start: 0, end: 0 })) }));
}

export interface ParsedYaml {
  readonly doc: YamlDoc | null;
  readonly errors: { readonly message: string; readonly span: Span }[];
}

/** Parse one YAML document; several documents, or none, are errors (as for `safe_load`). */
export function parseYaml(text: string): ParsedYaml {
  const docs = parseAllDocuments(text, { version: "1.1", uniqueKeys: true, prettyErrors: false, strict: true });
  const clamp = (n: number) => Math.max(0, Math.min(n, text.length));
  if (!Array.isArray(docs)) {
    // An empty stream: the parser returns an empty-documents marker.
    return { doc: null, errors: [] };
  }
  const errors = docs.flatMap((d) => d.errors.map((e) => ({ message: firstLine(e.message), span: { start: clamp(e.pos[0]), end: clamp(e.pos[1]) } })));
  if (errors.length) return { doc: null, errors };
  if (docs.length > 1) {
    const second = docs[1]!;
    const start = clamp(second.range[0]);
    return { doc: null, errors: [{ message: "expected a single document in the stream, but found another", span: { start, end: start } }] };
  }
  return { doc: docs[0] ?? null, errors: [] };
}

const firstLine = (message: string): string => message.split("\n")[0]!.trim();

/** Every comment in the text, with its position (found in the concrete syntax tree, so `#` inside strings is not one). */
export function comments(text: string): YamlComment[] {
  const found: YamlComment[] = [];
  const seen = new Set<number>();
  const walk = (value: unknown): void => {
    if (!value || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    const token = value as { type?: unknown; offset?: unknown; source?: unknown };
    if (token.type === "comment" && typeof token.offset === "number" && typeof token.source === "string") {
      if (!seen.has(token.offset)) {
        seen.add(token.offset);
        const lineStart = text.lastIndexOf("\n", token.offset - 1) + 1;
        found.push({ offset: token.offset, text: token.source.replace(/^#/, "").trim(), column: token.offset - lineStart });
      }
      return;
    }
    for (const v of Object.values(value)) walk(v);
  };
  for (const token of new Parser().parse(text)) walk(token);
  return found.sort((a, b) => a.offset - b.offset);
}

/** What a YAML value is, for "expects a number, found …" messages. */
export function describeYaml(node: Node | null): string {
  if (node === null) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "boolean") return `the boolean ${v}`;
    if (typeof v === "number") return `the number ${node.source ?? v}`;
    if (typeof v === "string") return `the string ${JSON.stringify(v.length > 30 ? `${v.slice(0, 30)}…` : v)}`;
    return "a value";
  }
  return "a value";
}
