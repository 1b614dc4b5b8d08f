/**
 * Completion lists carry their JSON, joined from each item's JSON made once
 * (completion.ts `listWithDefaults`, serialized.ts), and `sbx lsp`'s writer
 * sends that text: it must be exactly `JSON.stringify` of the list, at every
 * cursor place of the shipped scenarios, and invisible to every other
 * serialisation (JSON of the value, a Web Worker's structured clone).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parse } from "../../language/syntax.ts";
import { completions, listWithDefaults, listWithEdits, withEdits, withoutResolved, type Semantics } from "../../lsp/server/completion.ts";
import { contextAt } from "../../lsp/server/context.ts";
import { topLevelStarts } from "../../lsp/server/cursor-index.ts";
import { carriedJson, messageJson, withJson } from "../../lsp/server/serialized.ts";
import { SingleWriteMessageWriter } from "../../lsp/server/stdio-writer.ts";
import { ROOT } from "../support/golden.ts";

const SCENARIOS = readdirSync(join(ROOT, "scenarios")).filter((f) => f.endsWith(".sbx")).map((f) => readFileSync(join(ROOT, "scenarios", f), "utf8"));

/** The registry's answers, plus one declaration of the document (an item built per request, with a quoted name). */
const SEMANTICS: Semantics = {
  visible: (kind) => [{ name: kind === "persona" ? "careful one" : "base", kind, module: "/w/a.sbx", markdown: "**base**" } as never],
  groups: () => new Map([["honest", "honest"]]),
  moduleDeclarations: () => [],
  importable: () => ["std/governance"],
  moduleLabel: (path) => path,
  text: () => undefined,
  path: "/w/a.sbx",
};

/** The completion answer after every token of every top-level declaration of the shipped scenarios (ranges on the declaration's line `d`). */
function* answersAtEveryCursorPlace(): Generator<ReturnType<typeof completions>> {
  for (const text of SCENARIOS) {
    const starts = topLevelStarts(text);
    for (let d = 0; d < starts.length; d++) {
      const window = text.slice(starts[d], starts[d + 1] ?? text.length);
      const parsed = parse(window, "");
      for (const token of parsed.tokens) {
        const at = (token.endOffset ?? token.startOffset) + 1;
        yield completions(contextAt(parsed, window, at, "complete"), SEMANTICS, (start, end) => ({ start: { line: d, character: start }, end: { line: d, character: end } }));
      }
    }
  }
}

const RESOLVED = [{ documentation: true, detail: true }, { documentation: true, detail: false }];

describe("completion lists that carry their JSON", () => {
  it("carry exactly JSON.stringify of the list, at every cursor place of the shipped scenarios", () => {
    let lists = 0;
    for (const answer of answersAtEveryCursorPlace()) {
      for (const resolved of RESOLVED) {
        const list = listWithDefaults(answer, { list: lists }, resolved);
        expect(carriedJson(list)).toBe(JSON.stringify(list));
        lists++;
      }
    }
    expect(lists).toBeGreaterThan(1000);
  });

  it("for clients without list defaults, are the items with their own edits and data, to the byte, at every cursor place of the shipped scenarios", () => {
    let lists = 0;
    for (const answer of answersAtEveryCursorPlace()) {
      // As the server made them before they carried their JSON: each item copied with its edit, then made lean with its data.
      const full = listWithEdits(answer, null);
      expect(JSON.stringify(full)).toBe(JSON.stringify(withEdits(answer)));
      expect(carriedJson(full)).toBe(JSON.stringify(full));
      for (const resolved of RESOLVED) {
        const list = listWithEdits(answer, { resolved, list: lists });
        const made = withEdits(answer).map((item, i) => ({ ...withoutResolved(item, resolved), data: { list: lists, index: i } }));
        expect(JSON.stringify(list)).toBe(JSON.stringify(made));
        expect(carriedJson(list)).toBe(JSON.stringify(list));
        lists++;
      }
    }
    expect(lists).toBeGreaterThan(1000);
  });

  it("are plain values to JSON and to structured clone", () => {
    const list = withJson({ isIncomplete: false, items: [{ label: "a" }] }, '{"isIncomplete":false,"items":[{"label":"a"}]}');
    expect(Object.keys(list)).toEqual(["isIncomplete", "items"]);
    expect(JSON.stringify(list)).toBe('{"isIncomplete":false,"items":[{"label":"a"}]}');
    const clone = structuredClone(list);
    expect(clone).toEqual({ isIncomplete: false, items: [{ label: "a" }] });
    expect(carriedJson(clone)).toBeUndefined();
  });
});

describe("messageJson", () => {
  it("is JSON.stringify for messages without a carried result", () => {
    const messages = [
      { jsonrpc: "2.0", id: 7, result: { items: [] } },
      { jsonrpc: "2.0", id: "x\u0000", result: null },
      { jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: { uri: "file:///a.sbx", diagnostics: [] } },
    ];
    for (const m of messages) expect(messageJson(m)).toBe(JSON.stringify(m));
  });

  it("puts a response's carried result text in place of its result, keeping the other fields and their order", () => {
    const result = withJson({ items: [{ label: "toxicity" }] }, '{"items":[{"label":"toxicity"}]}');
    for (const id of [3, "req-🙂"]) {
      const message = { jsonrpc: "2.0", id, result };
      expect(messageJson(message)).toBe(JSON.stringify(message));
    }
    // The carried text is what is sent (not a new serialisation of the value).
    const marked = withJson({ items: [] }, '{"items":[],"carried":true}');
    expect(messageJson({ jsonrpc: "2.0", id: 1, result: marked })).toBe('{"jsonrpc":"2.0","id":1,"result":{"items":[],"carried":true}}');
  });

  it("is what the stdio writer sends, framed with its byte length", async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (b: Buffer) => chunks.push(b));
    const writer = new SingleWriteMessageWriter(stream);
    const result = withJson({ items: [{ label: "ratio 🙂" }] }, '{"items":[{"label":"ratio 🙂"}],"carried":true}');
    await writer.write({ jsonrpc: "2.0", id: 4, result } as never);
    const body = '{"jsonrpc":"2.0","id":4,"result":{"items":[{"label":"ratio 🙂"}],"carried":true}}';
    expect(Buffer.concat(chunks).toString("utf8")).toBe(`Content-Length: ${Buffer.byteLength(body, "utf8")}\r\n\r\n${body}`);
  });
});
