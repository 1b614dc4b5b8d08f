/**
 * What the three providers share: reading retry-after, and turning an HTTP
 * failure or an SDK exception into a normalised fault whose detail sbx
 * writes itself (scrubbed, short, free of timing data).
 */
import type { Scrubber } from "../../../llm/scrub.ts";
import type { ModelOutcome, TransportFault } from "../../../llm/types.ts";

type HeaderSource = { get(name: string): string | null } | undefined | null;

/**
 * Seconds to wait as the response asks: `retry-after-ms`, else
 * `retry-after` in seconds, else an HTTP date taken relative to the
 * response's own `date` header (never to our clock, so a recorded response
 * always gives the same wait).
 */
export function retryAfterSeconds(headers: HeaderSource): number | null {
  if (!headers) return null;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms) / 1000);
  const ra = headers.get("retry-after");
  if (ra === null || ra.trim() === "") return null;
  if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra));
  const at = Date.parse(ra);
  const now = Date.parse(headers.get("date") ?? "");
  return Number.isFinite(at) && Number.isFinite(now) ? Math.max(0, (at - now) / 1000) : null;
}

export function faultForStatus(status: number): TransportFault {
  if (status === 429) return "rate_limited";
  if (status === 408) return "timeout";
  // 409 (conflict) and 5xx (Anthropic's 529 "overloaded" included) are worth another try.
  if (status === 409 || status >= 500) return "server_error";
  return "client_error";
}

export function httpFault(status: number, headers: HeaderSource, message: string | null | undefined, scrub: Scrubber): ModelOutcome {
  const retryAfter = retryAfterSeconds(headers);
  const wait = retryAfter !== null ? ` (retry after ${retryAfter}s)` : "";
  const text = message ? `: ${scrub(oneLine(message)).slice(0, 200)}` : "";
  return { kind: "fault", fault: faultForStatus(status), status, retryAfterSeconds: retryAfter, detail: `HTTP ${status}${wait}${text}` };
}

export function timeoutFault(timeoutSeconds: number): ModelOutcome {
  return { kind: "fault", fault: "timeout", status: null, retryAfterSeconds: null, detail: `no answer within ${timeoutSeconds}s` };
}

export function connectionFault(): ModelOutcome {
  return { kind: "fault", fault: "connection", status: null, retryAfterSeconds: null, detail: "could not reach the provider" };
}

/** A 2xx response sbx could not read (a body that is not the provider's JSON). */
export function badResponseFault(): ModelOutcome {
  return { kind: "fault", fault: "bad_response", status: null, retryAfterSeconds: null, detail: "the provider's response could not be read" };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
