/**
 * Cassettes, the portable part: their format, the request hash that ties an
 * answer to its request, and replaying (the playground replays in a browser).
 * Recording and reading files is src/platform/llm/cassette.ts.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { ModelClient, ModelOutcome, ModelRequest } from "./types.ts";

export const CASSETTE_FORMAT = "sbx-cassette";
export const CASSETTE_VERSION = 1;

export interface CassetteHeader {
  readonly format: typeof CASSETTE_FORMAT;
  readonly version: typeof CASSETTE_VERSION;
  readonly scenario: string;
  readonly planHash: string;
  readonly seed: number;
}

export interface CassetteEntry {
  readonly call: string;
  readonly decision: number;
  readonly attempt: number;
  readonly requestHash: string;
  readonly request: {
    readonly provider: string;
    readonly model: string;
    readonly system: string;
    readonly user: string;
    readonly temperature: number;
    readonly maxTokens: number;
    readonly timeoutSeconds: number;
  };
  readonly outcome: ModelOutcome;
}

/** What identifies a request's content (not its timeout, which does not change the answer). */
export function requestHash(r: ModelRequest): string {
  const body = { provider: r.provider, model: r.model, system: r.system, user: r.user, temperature: r.temperature, maxTokens: r.maxTokens };
  // Canonical JSON of a flat object: its keys sorted (a key list given to stringify sets their order).
  return `sha256:${bytesToHex(sha256(utf8ToBytes(JSON.stringify(body, Object.keys(body).sort()))))}`;
}

export class CassetteError extends Error {}

export interface Cassette {
  readonly header: CassetteHeader;
  readonly entries: ReadonlyMap<string, CassetteEntry>;
}

export function parseCassette(text: string, source = "cassette"): Cassette {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (!lines.length) throw new CassetteError(`${source} is empty`);
  let header: CassetteHeader;
  try {
    header = JSON.parse(lines[0]!) as CassetteHeader;
  } catch {
    throw new CassetteError(`${source} is not an sbx cassette (its first line is not JSON)`);
  }
  if (header.format !== CASSETTE_FORMAT) throw new CassetteError(`${source} is not an sbx cassette (format ${String(header.format)})`);
  if (header.version !== CASSETTE_VERSION) throw new CassetteError(`${source} has cassette version ${String(header.version)}; this sbx reads version ${CASSETTE_VERSION}`);
  const entries = new Map<string, CassetteEntry>();
  lines.slice(1).forEach((line, i) => {
    try {
      const e = JSON.parse(line) as CassetteEntry;
      entries.set(e.call, e);
    } catch {
      throw new CassetteError(`${source}:${i + 2}: not JSON`);
    }
  });
  return { header, entries };
}

/** Answers from a cassette; a call it cannot answer is a `cassette_miss` fault (counted in `misses`). */
export class ReplayClient implements ModelClient {
  misses: string[] = [];

  constructor(private readonly cassette: Cassette) {}

  async complete(request: ModelRequest): Promise<ModelOutcome> {
    const entry = this.cassette.entries.get(request.callId);
    const miss = (detail: string): ModelOutcome => {
      this.misses.push(`${request.callId}: ${detail}`);
      return { kind: "fault", fault: "cassette_miss", status: null, retryAfterSeconds: null, detail };
    };
    if (!entry) return miss("the cassette has no answer for this call");
    if (entry.requestHash !== requestHash(request)) return miss("the cassette's request for this call differs from this run's");
    return entry.outcome;
  }
}
