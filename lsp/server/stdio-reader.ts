/**
 * The server's message reader on stdin: frames (`Content-Length` header,
 * blank line, JSON in UTF-8) cut from the stream's chunks and handed to the
 * connection as soon as they are read. vscode-jsonrpc's stream reader passes
 * each message through a lock, a content decoder and a content-type decoder
 * that are promises (a chain of microtasks and allocations per message), and
 * arms a timer while a message is partly read; under `npm run bench:lsp` a
 * request's framing and dispatch cost more than most answers. The messages
 * and their order are the same (tests/lsp/stdio-reader.test.ts reads random
 * chunkings of the same bytes with both).
 *
 * The library exits when the stdin it reads itself ends; given a reader it
 * does not, so node.ts does that (`shutdownReceived` says with which code).
 */
import { AbstractMessageReader, type DataCallback, type Disposable, type Message, type MessageReader } from "vscode-languageserver/node";

const HEADER_END = Buffer.from("\r\n\r\n", "latin1");

export class StdioMessageReader extends AbstractMessageReader implements MessageReader {
  /** Bytes read and not yet handed over (a message cut between chunks). */
  private pending: Buffer | null = null;
  /** The body length of the message whose header was read, or -1. */
  private length = -1;
  private callback: DataCallback | null = null;
  /** A `shutdown` request went through (the library's exit code when stdin ends: 0 after it, 1 before). */
  shutdownReceived = false;

  constructor(private readonly stream: NodeJS.ReadableStream) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const data = (chunk: Buffer | string) => this.read(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    const error = (e: unknown) => this.fireError(e);
    const close = () => this.fireClose();
    this.stream.on("data", data);
    this.stream.on("error", error);
    this.stream.on("close", close);
    return {
      dispose: () => {
        this.stream.off("data", data);
        this.stream.off("error", error);
        this.stream.off("close", close);
        this.callback = null;
      },
    };
  }

  /** Hand over every whole message in what has been read so far. */
  private read(chunk: Buffer): void {
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (at < buffer.length) {
      if (this.length < 0) {
        const end = buffer.indexOf(HEADER_END, at);
        if (end < 0) break;
        const length = contentLength(buffer.toString("latin1", at, end));
        at = end + HEADER_END.length;
        if (typeof length === "string") {
          // A header without a usable length: the rest of this chunk cannot be framed.
          this.fireError(new Error(length));
          at = buffer.length;
          break;
        }
        this.length = length;
      }
      if (buffer.length - at < this.length) break;
      const json = buffer.toString("utf8", at, at + this.length);
      at += this.length;
      this.length = -1;
      let message: Message;
      try {
        message = JSON.parse(json) as Message;
      } catch (e) {
        this.fireError(e);
        continue;
      }
      if ((message as { method?: unknown }).method === "shutdown") this.shutdownReceived = true;
      this.callback?.(message);
    }
    if (at < buffer.length) {
      // Keep only the unread bytes (a copy: the chunk's buffer is not kept alive by a small remainder).
      buffer = buffer.subarray(at);
      this.pending = Buffer.from(buffer);
    }
  }
}

/** The `Content-Length` of a header block, or why there is none (the library's messages). */
function contentLength(header: string): number | string {
  // What clients send: one header line, `Content-Length: <digits>`.
  if (/^Content-Length: \d+$/.test(header)) return parseInt(header.slice(16), 10);
  let value: string | undefined;
  for (const line of header.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) return "Message header must separate key and value using ':'";
    if (line.slice(0, colon).toLowerCase() === "content-length") value = line.slice(colon + 1).trim();
  }
  if (value === undefined) return "Header must provide a Content-Length property.";
  const length = parseInt(value, 10);
  return Number.isNaN(length) ? `Content-Length value must be a number. Got ${value}` : length;
}
