/**
 * An answer whose JSON was made beforehand from parts serialised once
 * (a completion list from its items' memoised JSON, completion.ts
 * `listWithJson`): `sbx lsp`'s writer (stdio-writer.ts) sends that text
 * instead of serialising the answer again. The JSON rides on the answer
 * under a symbol, which neither `JSON.stringify` nor a Web Worker's
 * structured clone carries, so any other writer sends the plain value.
 * The text must be exactly `JSON.stringify` of the value.
 */
const SERIALIZED: unique symbol = Symbol("sbx.serialized");

/** `value`, carrying `json` (its `JSON.stringify`) for a writer that can send it as it is. */
export function withJson<T extends object>(value: T, json: string): T {
  Object.defineProperty(value, SERIALIZED, { value: json, enumerable: false });
  return value;
}

/** The JSON an answer carries (`withJson`), if any. */
export function carriedJson(value: unknown): string | undefined {
  return typeof value === "object" && value !== null ? (value as { [SERIALIZED]?: string })[SERIALIZED] : undefined;
}

/** Stands for a part of a value whose JSON is put in later (a string JSON never produces unescaped). */
export const HOLE = "\u0000sbx-hole\u0000";
const QUOTED_HOLE = JSON.stringify(HOLE);

/** The JSON of `value` cut at each `HOLE` in it: the text around parts filled in later. */
export function jsonAroundHoles(value: unknown): string[] {
  return JSON.stringify(value).split(QUOTED_HOLE);
}

/**
 * The JSON of an LSP message, with a response's result taken as the text it
 * carries (`withJson`): the same bytes as `JSON.stringify(message)`.
 */
export function messageJson(message: object): string {
  const result = (message as { result?: unknown }).result;
  const json = carriedJson(result);
  if (json === undefined) return JSON.stringify(message);
  const frame = JSON.stringify(message, function (this: unknown, key, value: unknown) {
    return this === message && key === "result" ? HOLE : value;
  });
  const at = frame.lastIndexOf(QUOTED_HOLE);
  return `${frame.slice(0, at)}${json}${frame.slice(at + QUOTED_HOLE.length)}`;
}
