/**
 * `sbx run --out DIR`: the run's files, written so an interruption leaves
 * every finished epoch readable. Events are flushed and `metrics.csv` gains
 * a row at the end of each epoch; `agents.csv` and `summary.json` are
 * replaced atomically; nothing is ever half-written.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Verdict } from "../criteria/evaluate.ts";
import { toJsonl, type AgentRecord, type EpochRecord, type RunResult, type SimEvent } from "../engine/index.ts";
import { METRICS } from "../metrics/registry.ts";
import type { Plan } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { writeFileAtomic } from "./files.ts";
import { byKind, runTotals } from "./run-summary.ts";

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

export class RunWriter {
  readonly files: RunFiles;
  private readonly eventsFd: number;
  private readonly metricsFd: number;
  private pending: string[] = [];
  private readonly epochs: EpochRecord[] = [];
  /** Whether finish() wrote report.html. */
  wroteReport = false;

  constructor(
    dir: string,
    private readonly plan: Plan,
    private readonly planHash: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.files = runFiles(dir);
    this.eventsFd = openSync(this.files.events, "w");
    this.metricsFd = openSync(this.files.metrics, "w");
    writeSync(this.metricsFd, csvLine(metricsHeader(plan)));
    this.writeSummary("running", null, []);
  }

  event = (e: SimEvent): void => {
    this.pending.push(toJsonl([e]));
  };

  /** The end of an epoch: everything up to here becomes durable. */
  epoch = (record: EpochRecord): void => {
    this.epochs.push(record);
    this.flushEvents();
    writeSync(this.metricsFd, csvLine(metricsRow(this.plan, record)));
    fsyncSync(this.metricsFd);
    writeFileAtomic(this.files.agents, agentsCsv(record.agents));
    this.writeSummary("running", null, []);
  };

  finish(result: RunResult, verdicts: readonly Verdict[], reportHtml: string | null): void {
    this.flushEvents();
    closeSync(this.eventsFd);
    closeSync(this.metricsFd);
    writeFileAtomic(this.files.agents, agentsCsv(result.agents));
    if (reportHtml !== null) writeFileAtomic(this.files.report, reportHtml);
    this.wroteReport = reportHtml !== null;
    this.writeSummary("complete", result, verdicts);
  }

  /** Close the files after a failure, keeping what was finished. */
  abort(): void {
    try {
      this.flushEvents();
      closeSync(this.eventsFd);
      closeSync(this.metricsFd);
    } catch {
      // already closed
    }
  }

  private flushEvents(): void {
    if (!this.pending.length) return;
    writeSync(this.eventsFd, this.pending.join(""));
    fsyncSync(this.eventsFd);
    this.pending = [];
  }

  private writeSummary(status: "running" | "complete", result: RunResult | null, verdicts: readonly Verdict[]): void {
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
