/**
 * `sbx run --out DIR`: the run's files, written so an interruption leaves
 * every finished epoch readable. Events are flushed and `metrics.csv` gains
 * a row at the end of each epoch; `agents.csv` and `summary.json` are
 * replaced atomically; nothing is ever half-written.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Verdict } from "../criteria/evaluate.ts";
import { toJsonl, type AgentRecord, type EpochRecord, type RunResult, type SimEvent } from "../engine/index.ts";
import { METRICS } from "../metrics/registry.ts";
import type { Plan } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { ensureDir, fileError, writeFileAtomic } from "../platform/files.ts";
import { byKind, runTotals } from "../report/summary.ts";

export const SERIES_METRICS = METRICS.filter((m) => m.shape === "series").map((m) => m.name);

function csvValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvValue).join(",")}\n`;
}

export function metricsHeader(plan: Plan): string[] {
  return ["epoch", ...SERIES_METRICS, ...plan.observe.map((o) => `${o.metric}[${o.select.by}:${o.select.name}]`)];
}

export function metricsRow(plan: Plan, e: EpochRecord): unknown[] {
  return [e.epoch, ...SERIES_METRICS.map((m) => e.metrics[m]), ...plan.observe.map((o) => e.observed[`${o.metric}[${o.select.by}:${o.select.name}]`])];
}

const AGENT_COLUMNS = ["id", "kind", "group", "reputation", "resources", "payoff", "frozen", "interactions_initiated", "interactions_received"];

export function agentsCsv(agents: readonly AgentRecord[]): string {
  return (
    csvLine(AGENT_COLUMNS) +
    agents.map((a) => csvLine([a.id, a.kind, a.group, a.reputation, a.resources, a.payoff, a.frozen, a.interactionsInitiated, a.interactionsReceived])).join("")
  );
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

/** Append and make durable; a failure (a full disk) names the file. */
function appendDurably(fd: number, path: string, text: string): void {
  try {
    writeSync(fd, text);
    // A pipe or a device (an output named /dev/stdout) cannot be synced, and need not be.
    try {
      fsyncSync(fd);
    } catch (e) {
      if (!["EINVAL", "ENOTSUP", "EROFS"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    }
  } catch (e) {
    throw fileError(path, e);
  }
}

/** An append-only JSONL event file, made durable at the end of each epoch. */
class EventStream {
  private readonly fd: number;
  private pending: string[] = [];

  constructor(private readonly path: string) {
    this.fd = openForWriting(path);
  }

  push(e: SimEvent): void {
    this.pending.push(toJsonl([e]));
  }

  /** Events already serialised (one JSON document a line), as a run's thread sends them. */
  pushText(text: string): void {
    if (text) this.pending.push(text);
  }

  flush(): void {
    if (!this.pending.length) return;
    appendDurably(this.fd, this.path, this.pending.join(""));
    this.pending = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** Close without writing what is pending (an epoch that did not finish). */
  discard(): void {
    this.pending = [];
    closeSync(this.fd);
  }
}

/** A per-epoch metrics CSV, one durable row per finished epoch. */
class MetricsStream {
  private readonly fd: number;

  constructor(
    private readonly path: string,
    private readonly plan: Plan,
  ) {
    this.fd = openForWriting(path);
    appendDurably(this.fd, path, csvLine(metricsHeader(plan)));
  }

  append(record: EpochRecord): void {
    appendDurably(this.fd, this.path, csvLine(metricsRow(this.plan, record)));
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

  eventsText = (text: string): void => this.events?.pushText(text);

  epoch = (record: EpochRecord): void => {
    this.events?.flush();
    this.metrics?.append(record);
  };

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

  eventsText = (text: string): void => {
    this.events.pushText(text);
  };

  /** The end of an epoch: everything up to here becomes durable. */
  epoch = (record: EpochRecord): void => {
    this.epochs.push(record);
    this.events.flush();
    this.metrics.append(record);
    writeFileAtomic(this.files.agents, agentsCsv(record.agents));
    this.writeSummary("running", null, []);
  };

  finish(result: RunResult, verdicts: readonly Verdict[], reportHtml: string | null): void {
    this.events.close();
    this.metrics.close();
    writeFileAtomic(this.files.agents, agentsCsv(result.agents));
    if (reportHtml !== null) writeFileAtomic(this.files.report, reportHtml);
    this.wroteReport = reportHtml !== null;
    this.writeSummary("complete", result, verdicts);
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
