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
import { osReason, writeFileAtomic } from "../files.ts";
import type { Scrubber } from "../../llm/scrub.ts";
import type { ModelClient } from "../../llm/types.ts";
import { CassetteError, parseCassette, requestHash, type Cassette, type CassetteEntry, type CassetteHeader } from "../../llm/cassette.ts";

export { CASSETTE_FORMAT, CASSETTE_VERSION, CassetteError, parseCassette, ReplayClient, requestHash, type Cassette, type CassetteEntry, type CassetteHeader } from "../../llm/cassette.ts";

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

export function readCassette(path: string): Cassette {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CassetteError(`cannot read ${path}: ${osReason(e)}`);
  }
  return parseCassette(text, path);
}

