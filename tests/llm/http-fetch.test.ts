/** The SDKs' transport (src/platform/llm/providers/http-fetch.ts): what the built-in fetch would hand them. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "../../src/platform/llm/providers/http-fetch.ts";

let server: Server;
let url = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.url === "/gzip") res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(gzipSync(JSON.stringify({ ok: true })));
      else if (req.url === "/empty") res.writeHead(204).end();
      else if (req.url === "/slow") setTimeout(() => res.writeHead(200).end("late"), 2000);
      else {
        res.setHeader("set-cookie", ["a=1", "b=2"]);
        res.writeHead(429, { "retry-after": "3", "content-type": "application/json" }).end(JSON.stringify({ method: req.method, auth: req.headers["authorization"], body }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("httpFetch", () => {
  it("sends the method, headers and body, and returns the status, every header and the body", async () => {
    const res = await httpFetch(`${url}/echo`, { method: "POST", headers: new Headers({ Authorization: "Bearer k" }), body: "hello" });
    expect(res.status).toBe(429);
    expect(res.ok).toBe(false);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({ method: "POST", auth: "Bearer k", body: "hello" });
  });

  it("decodes a compressed body, and gives a bodiless status no body", async () => {
    expect(await (await httpFetch(`${url}/gzip`)).json()).toEqual({ ok: true });
    const empty = await httpFetch(`${url}/empty`, { headers: { accept: "application/json" } });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it("rejects with an AbortError when aborted, and with a TypeError when it cannot connect", async () => {
    const controller = new AbortController();
    const pending = httpFetch(`${url}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(httpFetch(`http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(TypeError);
  });
});
