/**
 * The server's message writer on stdout: each message goes out as one write
 * of its header and its JSON together. vscode-jsonrpc's StreamMessageWriter
 * writes the header and the content separately (two system calls on a pipe,
 * and the client's reader is woken for a header it cannot use yet); under
 * `npm run bench:lsp` those writes were the largest cost on the editor thread
 * after idle. The bytes on the wire are the same: `Content-Length` in bytes,
 * then the message as `JSON.stringify` gives it in UTF-8 (an answer that
 * carries its JSON, serialized.ts, is sent as that text: the same bytes).
 */
import { AbstractMessageWriter, type Message, type MessageWriter } from "vscode-languageserver/node";
import { messageJson } from "./serialized.ts";

const CRLF2 = "\r\n\r\n";

export class SingleWriteMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
    stream.on("error", (error: Error) => this.fireError(error));
    stream.on("close", () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let frame: Buffer;
    try {
      const json = messageJson(msg);
      const length = Buffer.byteLength(json, "utf8");
      const header = `Content-Length: ${length}${CRLF2}`;
      frame = Buffer.allocUnsafe(header.length + length);
      frame.write(header, 0, "latin1");
      frame.write(json, header.length, "utf8");
    } catch (error) {
      this.fireError(error, msg, ++this.errors);
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.stream.write(frame, (error?: Error | null) => {
        if (!error) return resolve();
        this.fireError(error, msg, ++this.errors);
        reject(error);
      });
    });
  }

  end(): void {
    this.stream.end();
  }
}
