/** `sbx playground`'s command line, and the static server under it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveFolder, type StaticServer } from "../../src/platform/static-server.ts";
import { sbx } from "../support/cli.ts";

function fetchRaw(url: string, path: string, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url), { method, path }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the static server", () => {
  let dir: string;
  let served: StaticServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sbx-static-"));
    mkdirSync(join(dir, "site/chunks"), { recursive: true });
    writeFileSync(join(dir, "site/index.html"), "<!doctype html><p>hi</p>");
    writeFileSync(join(dir, "site/chunks/a b.js"), "export const a = 1;");
    writeFileSync(join(dir, "secret.txt"), "not served");
    served = await serveFolder(join(dir, "site"), 0);
  });

  afterAll(async () => {
    await served?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the folder on the loopback interface, with types and a policy that forbids loading from elsewhere", async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetchRaw(served.url, "/");
    expect(index.status).toBe(200);
    expect(index.body).toBe("<!doctype html><p>hi</p>");
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["content-security-policy"]).toContain("connect-src 'none'");
    const chunk = await fetchRaw(served.url, "/chunks/a%20b.js");
    expect([chunk.status, chunk.headers["content-type"], chunk.body]).toEqual([200, "text/javascript; charset=utf-8", "export const a = 1;"]);
    const head = await fetchRaw(served.url, "/index.html", "HEAD");
    expect([head.status, head.body, head.headers["content-length"]]).toEqual([200, "", "24"]);
  });

  it("serves nothing outside the folder, no listings, and only GET and HEAD", async () => {
    for (const path of ["/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/chunks/..%2f..%2fsecret.txt", "/nope.js", "/chunks"]) {
      const r = await fetchRaw(served.url, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain("not served");
    }
    expect((await fetchRaw(served.url, "/%E0%A4%A")).status).toBe(400);
    const post = await fetchRaw(served.url, "/", "POST");
    expect([post.status, post.headers["allow"]]).toEqual([405, "GET, HEAD"]);
  });
});

describe("sbx playground", () => {
  let busy: Server;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  });

  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it("says which port is taken, and exits 2", () => {
    const port = (busy.address() as { port: number }).port;
    const r = sbx(["playground", "--port", String(port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error[SBX5002]: cannot serve on port ${port}: it is in use (pick another with --port, or 0 for any free port)`);
  });

  it("refuses a port that is not one", () => {
    for (const port of ["http", "70000", "-1", "1.5"]) {
      const r = sbx(["playground", "--port", port]);
      expect(r.code, port).toBe(2);
      expect(r.stderr).toContain(`--port takes a port number from 0 to 65535 (0: any free port), not '${port}'`);
    }
  });

  it("is listed in the help", () => {
    const r = sbx(["help"]);
    expect(r.stdout).toMatch(/playground \[options\]\s+serve the playground/);
  });
});
