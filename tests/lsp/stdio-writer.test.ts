/**
 * The server's stdout writer (lsp/server/stdio-writer.ts): one write per
 * message, framed as LSP frames it (Content-Length in UTF-8 bytes).
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { SingleWriteMessageWriter } from "../../lsp/server/stdio-writer.ts";

describe("SingleWriteMessageWriter", () => {
  it("writes each message as one chunk: its header with the byte length, then its JSON", async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (b: Buffer) => chunks.push(b));
    const writer = new SingleWriteMessageWriter(stream);
    const messages = [
      { jsonrpc: "2.0", id: 1, result: { items: [{ label: "toxicity", detail: "metric · per epoch — ratio 🙂" }] } },
      { jsonrpc: "2.0", method: "textDocument/publishDiagnostics", params: { uri: "file:///a.sbx", diagnostics: [] } },
    ];
    for (const m of messages) await writer.write(m);
    expect(chunks).toHaveLength(2);
    chunks.forEach((chunk, i) => {
      const text = chunk.toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const header = text.slice(0, split);
      const body = chunk.subarray(Buffer.byteLength(text.slice(0, split + 4), "utf8"));
      expect(header).toBe(`Content-Length: ${body.length}`);
      expect(body.length).toBe(Buffer.byteLength(JSON.stringify(messages[i]), "utf8"));
      expect(JSON.parse(body.toString("utf8"))).toEqual(messages[i]);
    });
  });

  it("reports a message it cannot serialise as an error, and goes on writing", async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (b: Buffer) => chunks.push(b));
    const writer = new SingleWriteMessageWriter(stream);
    const errors: Error[] = [];
    writer.onError(([e]) => errors.push(e));
    const cyclic: Record<string, unknown> = { jsonrpc: "2.0", id: 2 };
    cyclic["result"] = cyclic;
    await expect(writer.write(cyclic as never)).rejects.toThrow();
    expect(errors).toHaveLength(1);
    await writer.write({ jsonrpc: "2.0", id: 3, result: null } as never);
    expect(chunks).toHaveLength(1);
  });
});
