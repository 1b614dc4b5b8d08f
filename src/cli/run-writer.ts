/**
 * `sbx run --out DIR`: the run's files, written so an interruption leaves
 * every finished epoch readable. Events are flushed and `metrics.csv` gains
 * a row at the end of each epoch; `agents.csv` and `summary.json` are
 * replaced atomically; nothing is ever half-written.
 *
 * "Flushed" means handed to the operating system (write(2)), not fsync(2):
 * once written, a killed or crashed sbx loses nothing, and only a power cut
 * could, which the atomically replaced files do not guard against either.
 * An fsync per epoch and file cost more than the whole simulation of a small
 * scenario, and at the end of a large run waited for gigabytes to reach the disk.
 *
 * Every file is written in time and memory linear in the agents and events:
 * events go out in bounded batches, never held for a whole epoch.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Verdict } from "../criteria/evaluate.ts";
import type { AgentRecord, EpochRecord, RunResult, SimEvent } from "../engine/index.ts";
import { METRICS } from "../metrics/registry.ts";
import type { Plan } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { ensureDir, fileError, osReason, writeFileAtomic } from "../platform/files.ts";
import { byKind, runTotals } from "../report/summary.ts";
import { EventLines } from "./event-lines.ts";

export const SERIES_METRICS = METRICS.filter((m) => m.shape === "series").map((m) => m.name);

function csvValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  // Numbers and booleans never need quoting; only text is scanned.
  if (typeof v !== "string") return String(v);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(values: readonly unknown[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) line += (i ? "," : "") + csvValue(values[i]);
  return `${line}\n`;
}

export function metricsHeader(plan: Plan): string[] {
  return ["epoch", ...SERIES_METRICS, ...plan.observe.map((o) => `${o.metric}[${o.select.by}:${o.select.name}]`)];
}

export function metricsRow(plan: Plan, e: EpochRecord): unknown[] {
  return [e.epoch, ...SERIES_METRICS.map((m) => e.metrics[m]), ...plan.observe.map((o) => e.observed[`${o.metric}[${o.select.by}:${o.select.name}]`])];
}

const AGENT_COLUMNS = ["id", "kind", "group", "reputation", "resources", "payoff", "frozen", "interactions_initiated", "interactions_received"];

export function agentsCsv(agents: readonly AgentRecord[]): string {
  return [...agentsCsvPieces(agents)].join("");
}

/** agents.csv in pieces of about EVENT_BATCH_CHARS: a million agents' file is never one string. */
export function* agentsCsvPieces(agents: readonly AgentRecord[]): Generator<string> {
  let text = csvLine(AGENT_COLUMNS);
  for (const a of agents) {
    // csvLine's text, without an array per agent.
    text += `${csvValue(a.id)},${csvValue(a.kind)},${csvValue(a.group)},${csvValue(a.reputation)},${csvValue(a.resources)},${csvValue(a.payoff)},${csvValue(a.frozen)},${csvValue(a.interactionsInitiated)},${csvValue(a.interactionsReceived)}\n`;
    if (text.length >= EVENT_BATCH_CHARS) {
      yield text;
      text = "";
    }
  }
  yield text;
}

export interface RunFiles {
  readonly events: string;
  readonly metrics: string;
  readonly agents: string;
  readonly summary: string;
  readonly report: string;
}

export function runFiles(dir: string): RunFiles {
  return {
    events: join(dir, "events.jsonl"),
    metrics: join(dir, "metrics.csv"),
    agents: join(dir, "agents.csv"),
    summary: join(dir, "summary.json"),
    report: join(dir, "report.html"),
  };
}

/** A file opened for writing; failures are FileErrors that name it (SBX5009). */
function openForWriting(path: string): number {
  ensureDir(dirname(path) || ".");
  try {
    return openSync(path, "w");
  } catch (e) {
    throw fileError(path, e);
  }
}

/** Long text is written in slices of about this many characters, so its UTF-8 copy stays small. */
const EVENT_BATCH_CHARS = 1 << 20;

/** Events are written in batches of this many bytes, so memory stays bounded however long an epoch is. */
const EVENT_BATCH_BYTES = 1 << 20;

/**
 * Appends text, a long one in slices of about EVENT_BATCH_CHARS so its UTF-8
 * copy never needs more memory than one slice (a million agents' plan is
 * hundreds of megabytes); slices never split a surrogate pair. A failure (a
 * full disk) names the file.
 */
function append(fd: number, path: string, text: string): number {
  let bytes = 0;
  try {
    for (let start = 0; start < text.length; ) {
      let end = Math.min(start + EVENT_BATCH_CHARS, text.length);
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      bytes += writeSync(fd, text.slice(start, end));
      start = end;
    }
  } catch (e) {
    throw fileError(path, e);
  }
  return bytes;
}

/** Writes all of `bytes`; a failure (a full disk) names the file. */
function appendBytes(fd: number, path: string, bytes: Uint8Array): number {
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    throw fileError(path, e);
  }
  return bytes.length;
}

/** An append-only JSONL event file, complete up to the last finished epoch at every epoch's end. */
class EventStream {
  private readonly fd: number;
  /** Events not yet written, as JSONL bytes (src/cli/event-lines.ts). */
  private readonly pending = new EventLines(new Uint8Array(EVENT_BATCH_BYTES));
  /** Bytes written so far, and at the end of the last finished epoch. */
  private written = 0;
  private epochEnd = 0;

  constructor(private readonly path: string) {
    this.fd = openForWriting(path);
  }

  push(e: SimEvent): void {
    if (this.pending.push(e)) return;
    const line = this.pending.overflow!;
    this.pending.overflow = null;
    this.flush();
    // A large event (the header carries the plan, an epoch's end every agent) goes out on its own, in slices.
    if (!this.pending.pushLine(line)) this.written += append(this.fd, this.path, line);
  }

  /** Events already serialised (one JSON document a line), as a run's thread sends them: UTF-8 bytes, or text. */
  pushChunk(chunk: Uint8Array | string): void {
    this.flush();
    this.written += typeof chunk === "string" ? append(this.fd, this.path, chunk) : appendBytes(this.fd, this.path, chunk);
  }

  flush(): void {
    if (!this.pending.length) return;
    this.written += appendBytes(this.fd, this.path, this.pending.bytes());
    this.pending.reset();
  }

  /** An epoch finished: everything up to here is written, and stays on an interruption. */
  endEpoch(): void {
    this.flush();
    this.epochEnd = this.written;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** Close, keeping only finished epochs: what is pending is dropped, what was written of the epoch in progress cut off. */
  discard(): void {
    this.pending.reset();
    if (this.written !== this.epochEnd) ftruncateSync(this.fd, this.epochEnd);
    closeSync(this.fd);
  }
}

/** A per-epoch metrics CSV, one row written per finished epoch. */
class MetricsStream {
  private readonly fd: number;

  constructor(
    private readonly path: string,
    private readonly plan: Plan,
  ) {
    this.fd = openForWriting(path);
    append(this.fd, path, csvLine(metricsHeader(plan)));
  }

  append(record: EpochRecord): void {
    append(this.fd, this.path, csvLine(metricsRow(this.plan, record)));
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The files a scenario asks for in its `outputs` block (`event_log`,
 * `metrics_csv`), written by `sbx run` as the run goes, like `--out`'s.
 */
export class DeclaredOutputs {
  private readonly events: EventStream | null;
  private readonly metrics: MetricsStream | null;
  readonly paths: readonly string[];

  constructor(plan: Plan) {
    const { eventLog, metricsCsv } = plan.outputs;
    this.events = eventLog ? new EventStream(eventLog) : null;
    this.metrics = metricsCsv ? new MetricsStream(metricsCsv, plan) : null;
    this.paths = [eventLog, metricsCsv].filter((p): p is string => p !== null);
  }

  event = (e: SimEvent): void => this.events?.push(e);

  eventsChunk = (chunk: Uint8Array | string): void => this.events?.pushChunk(chunk);

  epoch = (record: EpochRecord): void => {
    this.events?.endEpoch();
    this.metrics?.append(record);
  };

  /** Stopped between epochs: the event log keeps only finished epochs. */
  interrupt(): void {
    try {
      this.events?.discard();
      this.metrics?.close();
    } catch {
      // already closed
    }
  }

  close(): void {
    try {
      this.events?.close();
      this.metrics?.close();
    } catch {
      // already closed
    }
  }
}

export class RunWriter {
  readonly files: RunFiles;
  private readonly events: EventStream;
  private readonly metrics: MetricsStream;
  private readonly epochs: EpochRecord[] = [];
  /** Whether finish() wrote report.html. */
  wroteReport = false;

  constructor(
    dir: string,
    private readonly plan: Plan,
    private readonly planHash: string,
  ) {
    ensureDir(dir);
    this.files = runFiles(dir);
    this.events = new EventStream(this.files.events);
    this.metrics = new MetricsStream(this.files.metrics, plan);
    this.writeSummary("running", null, []);
  }

  event = (e: SimEvent): void => {
    this.events.push(e);
  };

  eventsChunk = (chunk: Uint8Array | string): void => {
    this.events.pushChunk(chunk);
  };

  /** The end of an epoch: everything up to here is written. */
  epoch = (record: EpochRecord): void => {
    this.epochs.push(record);
    this.events.endEpoch();
    this.metrics.append(record);
    writeFileAtomic(this.files.agents, agentsCsvPieces(record.agents));
    this.writeSummary("running", null, []);
  };

  /**
   * The run's last files. Returns why report.html is missing (it could not be
   * drawn, or not written), or null when it was written; summary.json then
   * names no report, and every other file is complete either way.
   */
  finish(result: RunResult, verdicts: readonly Verdict[], report: { html: string } | { problem: string }): string | null {
    this.events.close();
    this.metrics.close();
    // The last epoch's agents.csv already holds the final state unless something changed after it.
    const last = this.epochs.at(-1)?.agents;
    if (!last || (last !== result.agents && !sameAgents(last, result.agents))) writeFileAtomic(this.files.agents, agentsCsvPieces(result.agents));
    let problem = "problem" in report ? report.problem : null;
    if ("html" in report) {
      try {
        writeFileAtomic(this.files.report, report.html);
      } catch (e) {
        problem = `cannot write ${this.files.report}: ${osReason(e)}`;
      }
    }
    this.wroteReport = problem === null;
    this.writeSummary("complete", result, verdicts);
    return problem;
  }

  /** Close the files after a failure, keeping what was finished. */
  abort(): void {
    try {
      this.events.close();
      this.metrics.close();
    } catch {
      // already closed
    }
  }

  /**
   * Stopped (Ctrl-C) between epochs: the events and metrics on disk end at the
   * last finished epoch, and summary.json now says so. Events of the epoch in
   * progress were never written.
   */
  interrupt(): void {
    try {
      this.metrics.close();
      this.events.discard();
    } catch {
      // already closed
    }
    this.writeSummary("interrupted", null, []);
  }

  /** Epochs finished and written. */
  get epochsWritten(): number {
    return this.epochs.length;
  }

  private writeSummary(status: "running" | "complete" | "interrupted", result: RunResult | null, verdicts: readonly Verdict[]): void {
    const partial: RunResult = result ?? {
      scenario: this.plan.scenario.name,
      seed: this.plan.simulation.seed,
      profile: this.plan.profile,
      planHash: this.planHash,
      sbxVersion: SBX_VERSION,
      epochs: this.epochs,
      agents: this.epochs.at(-1)?.agents ?? [],
      epochsCompleted: this.epochs.length,
      network: null,
    };
    const summary = {
      format: "sbx-run-summary",
      version: 1,
      status,
      scenario: partial.scenario,
      seed: partial.seed,
      profile: partial.profile,
      planHash: this.planHash,
      sbxVersion: SBX_VERSION,
      epochsPlanned: this.plan.simulation.epochs,
      epochsCompleted: partial.epochsCompleted,
      totals: runTotals(partial),
      byKind: byKind(partial.agents, this.plan),
      criteria: verdicts,
      files: { events: "events.jsonl", metrics: "metrics.csv", agents: "agents.csv", report: status === "complete" && this.wroteReport ? "report.html" : null },
    };
    writeFileAtomic(this.files.summary, `${JSON.stringify(summary, null, 2)}\n`);
  }
}

/** Whether two agent lists hold the same records (and so would give the same agents.csv). */
export function sameAgents(a: readonly AgentRecord[], b: readonly AgentRecord[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.id !== y.id ||
      x.kind !== y.kind ||
      x.group !== y.group ||
      !Object.is(x.reputation, y.reputation) ||
      !Object.is(x.resources, y.resources) ||
      !Object.is(x.payoff, y.payoff) ||
      x.frozen !== y.frozen ||
      x.interactionsInitiated !== y.interactionsInitiated ||
      x.interactionsReceived !== y.interactionsReceived ||
      x.interactionsRejected !== y.interactionsRejected
    )
      return false;
  }
  return true;
}

