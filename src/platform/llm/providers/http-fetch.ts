/**
 * The `fetch` the providers' SDKs call, over node:http(s) with keep-alive
 * agents instead of Node's built-in fetch (undici's WHATWG fetch).
 *
 * Why: LLM agents send a phase's calls in a burst (every decision of a step
 * is asked before any answer is awaited), and each call's transport work
 * delays every call after it in the burst. Node 20's fetch spends most of a
 * call's client-side CPU building WHATWG Request, Headers and ReadableStream
 * objects; node:http does the same exchange in about half of it (measured by
 * bench/llm.ts against its local server).
 *
 * Only what the SDKs' JSON calls use goes through here: a string or byte
 * body (or none). Anything else (streams, form data) goes to the built-in
 * fetch. The answer is read whole before the Response is handed over, so the
 * SDK's timeout covers the body as well as the headers.
 */
import http from "node:http";
import https from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

type Fetch = typeof globalThis.fetch;

/** Sockets kept open between calls; at most this many per host (the runtime's concurrency limit bounds it in practice). */
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 256 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/** Statuses whose response has no body (a Response constructed with one would throw). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("This operation was aborted", "AbortError");
}

/** The body as sent, decoded as the built-in fetch would (no SDK asks for compression, but a server may use it anyway). */
function decoded(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return gunzipSync(body);
    case "deflate":
      return inflateSync(body);
    case "br":
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

function plainHeaders(init: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (init instanceof Headers) init.forEach((v, k) => (out[k] = v));
  else if (Array.isArray(init)) for (const [k, v] of init) out[k!.toLowerCase()] = v!;
  else for (const [k, v] of Object.entries(init)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

/** A fetch for the SDKs' JSON requests; falls back to the built-in fetch for what it does not carry. */
export const httpFetch: Fetch = (input, init) => {
  const body = init?.body;
  const simpleBody = body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array;
  const url = typeof input === "string" ? new URL(input) : input instanceof URL ? input : null;
  if (!url || !simpleBody || !(url.protocol in agents)) return globalThis.fetch(input, init);
  const signal = init?.signal ?? null;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<Response>((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(url, { method: init?.method ?? "GET", headers: plainHeaders(init?.headers), agent: agents[url.protocol as keyof typeof agents] });
    let settled = false;
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      // What the built-in fetch throws for a transport failure: the SDKs read it as a connection error.
      reject(e instanceof Error && e.name === "AbortError" ? e : new TypeError("fetch failed", { cause: e }));
    };
    const onAbort = (): void => {
      const e = abortError(signal!);
      request.destroy(e);
      fail(e);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("error", fail);
    request.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", fail);
      res.on("end", () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        const headers = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
        const status = res.statusCode ?? 0;
        try {
          const body = NULL_BODY.has(status) ? null : decoded(Buffer.concat(chunks), res.headers["content-encoding"]);
          resolve(new Response(body, { status, statusText: res.statusMessage ?? "", headers }));
        } catch (e) {
          reject(new TypeError("fetch failed", { cause: e }));
        }
      });
    });
    request.end(body ?? undefined);
  });
};
