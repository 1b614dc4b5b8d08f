/**
 * Cassettes: `sbx run --record FILE` stores every model request and what came
 * back (a completion, or the fault), and `--replay FILE` answers from it with
 * no network, so the replayed run's event log is byte-identical.
 *
 * JSONL: a header line (format, version, scenario, plan hash, seed), then one
 * line per call in decision order. Calls are matched by their identity (epoch,
 * step, phase, agent, proposal, attempt); the request's hash must match too,
 * so a cassette recorded from a different run is caught, not silently reused.
 * Only request bodies and outcomes are stored — never headers — and every
 * line passes through the key scrubber.
 */
import { readFileSync } from "node:fs";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { osReason, writeFileAtomic } from "../files.ts";
import { canonicalJson } from "../../plan/hash.ts";
import type { Scrubber } from "../../llm/scrub.ts";
import type { ModelClient, ModelOutcome, ModelRequest } from "../../llm/types.ts";

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
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonicalJson(body))))}`;
}

export class CassetteError extends Error {}

/** Records calls made through `wrap`; `flush` rewrites the file, entries in decision order. */
export class CassetteRecorder {
  private readonly entries: CassetteEntry[] = [];

  constructor(
    readonly path: string,
    private readonly header: CassetteHeader,
    private readonly scrub: Scrubber,
  ) {}

  wrap(inner: ModelClient): ModelClient {
    return {
      complete: async (request) => {
        const outcome = await inner.complete(request);
        this.entries.push({
          call: request.callId,
          decision: request.decision,
          attempt: request.attempt,
          requestHash: requestHash(request),
          request: {
            provider: request.provider,
            model: request.model,
            system: request.system,
            user: request.user,
            temperature: request.temperature,
            maxTokens: request.maxTokens,
            timeoutSeconds: request.timeoutSeconds,
          },
          outcome,
        });
        return outcome;
      },
    };
  }

  get size(): number {
    return this.entries.length;
  }

  /** Write everything recorded so far (atomically: a crash leaves the previous version). */
  flush(): void {
    const sorted = [...this.entries].sort((a, b) => a.decision - b.decision || a.attempt - b.attempt);
    const lines = [this.header, ...sorted].map((x) => this.scrub(JSON.stringify(x)));
    writeFileAtomic(this.path, `${lines.join("\n")}\n`);
  }
}

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

export function readCassette(path: string): Cassette {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CassetteError(`cannot read ${path}: ${osReason(e)}`);
  }
  return parseCassette(text, path);
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
