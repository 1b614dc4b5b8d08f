/**
 * `sbx lsp`'s message reader (stdio-reader.ts) hands over the same messages,
 * in the same order, as vscode-jsonrpc's stream reader, for the same bytes
 * cut into chunks anywhere (inside a header, inside a multi-byte character,
 * several messages in one chunk), and reports a header without a length.
 */
import fc from "fast-check";
import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { StreamMessageReader, type Message } from "vscode-jsonrpc/node";
import { StdioMessageReader } from "../../lsp/server/stdio-reader.ts";
import { runs } from "../support/property-runs.ts";

/** A frame as clients write it: a Content-Length in bytes, sometimes a Content-Type, the JSON in UTF-8. */
function frame(message: object, contentType: boolean, lowerCase: boolean): Buffer {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  const length = `${lowerCase ? "content-length" : "Content-Length"}: ${body.length}\r\n`;
  const type = contentType ? "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" : "";
  return Buffer.concat([Buffer.from(contentType && lowerCase ? type + length : length + type, "latin1"), Buffer.from("\r\n", "latin1"), body]);
}

/** The messages a reader hands over for `chunks` written in turn, after they are all read. */
async function read(reader: "ours" | "library", chunks: readonly Buffer[]): Promise<Message[]> {
  const stream = new PassThrough();
  const got: Message[] = [];
  const r = reader === "ours" ? new StdioMessageReader(stream) : new StreamMessageReader(stream);
  r.listen((m) => got.push(m));
  for (const c of chunks) stream.write(c);
  // The library hands each message over after a few promise turns.
  await new Promise((resolve) => setTimeout(resolve, 5));
  r.dispose();
  return got;
}

const message = fc.oneof(
  fc.record({ jsonrpc: fc.constant("2.0"), id: fc.nat(), method: fc.constantFrom("textDocument/completion", "textDocument/hover", "shutdown"), params: fc.record({ text: fc.string({ unit: "grapheme" }) }) }),
  fc.record({ jsonrpc: fc.constant("2.0"), method: fc.constant("textDocument/didChange"), params: fc.record({ text: fc.string({ unit: "binary" }), n: fc.double({ noNaN: true, noDefaultInfinity: true }) }) }),
);

it("hands over what vscode-jsonrpc's reader hands over, however the bytes are cut", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(message, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), async (messages, cuts) => {
      const bytes = Buffer.concat(messages.map(([m, type, lower]) => frame(m, type, lower)));
      const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...at].map((start, i) => bytes.subarray(start, [...at, bytes.length][i]));
      const ours = await read("ours", chunks);
      expect(ours).toEqual(messages.map(([m]) => JSON.parse(JSON.stringify(m))));
      expect(ours).toEqual(await read("library", chunks));
    }),
    { numRuns: runs(150) },
  );
});

it("reads a chunk cut inside a multi-byte character and one holding several messages", async () => {
  const bytes = Buffer.concat([frame({ jsonrpc: "2.0", method: "a", params: { s: "ratio 🙂 é" } }, false, false), frame({ jsonrpc: "2.0", id: 1, method: "b" }, true, true)]);
  const emoji = bytes.indexOf(Buffer.from("🙂", "utf8"));
  expect(await read("ours", [bytes.subarray(0, emoji + 2), bytes.subarray(emoji + 2)])).toEqual([
    { jsonrpc: "2.0", method: "a", params: { s: "ratio 🙂 é" } },
    { jsonrpc: "2.0", id: 1, method: "b" },
  ]);
});

it("reports a header without a Content-Length, and knows a shutdown request went through", async () => {
  const stream = new PassThrough();
  const reader = new StdioMessageReader(stream);
  const errors: string[] = [];
  reader.onError((e) => errors.push(e.message));
  const got: Message[] = [];
  reader.listen((m) => got.push(m));
  stream.write(Buffer.from("Content-Type: x\r\n\r\n{}", "latin1"));
  expect(errors).toEqual(["Header must provide a Content-Length property."]);
  expect(reader.shutdownReceived).toBe(false);
  stream.write(frame({ jsonrpc: "2.0", id: 2, method: "shutdown" }, false, false));
  expect(got).toEqual([{ jsonrpc: "2.0", id: 2, method: "shutdown" }]);
  expect(reader.shutdownReceived).toBe(true);
});
