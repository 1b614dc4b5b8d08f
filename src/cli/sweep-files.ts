/**
 * A sweep's files. `runs.csv` is the ledger: one row per finished run,
 * appended and flushed as each run ends, so an interrupted sweep keeps
 * every finished run and the next invocation skips them (matched by cell,
 * seed and plan hash). When the sweep ends the ledger is rewritten in
 * canonical order (cell, then the sweep's seed order), and `cells.csv` and
 * `summary.json` are computed from it — so the files do not depend on the
 * number of workers or on how often the sweep was resumed.
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import type { CellValue, SweepCell, SweepPlan } from "../compiler/sweep.ts";
import { evaluateCriteria, type Status, type Verdict } from "../criteria/evaluate.ts";
import { planHash } from "../plan/hash.ts";
import type { Plan } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { writeFileAtomic } from "../platform/files.ts";
import type { CompactRun } from "./run-outcome.ts";
import { csvLine } from "./run-writer.ts";
import { summarizeValues, type MetricSummary } from "./sweep-stats.ts";
import type { SweepMetric } from "../kernel/mechanism.ts";
import { columnOf, mechanismMetrics, mechanismMetricValue } from "./sweep-mechanism-metrics.ts";

/** One run of a sweep: a cell's plan with one of the sweep's seeds. */
export interface SweepRun {
  readonly cell: SweepCell;
  /** The seed's position in the sweep's seed list: the canonical order of a cell's runs. */
  readonly order: number;
  readonly seed: number;
  readonly plan: Plan;
}

/**
 * What the files need to know of a sweep beyond its rows: its cells without
 * their plans. A queued sweep's collector has only this (src/cli/queue-command.ts).
 */
export interface SweepOutline {
  readonly name: string;
  readonly scenario: string;
  readonly arms: SweepPlan["arms"];
  readonly cells: readonly Pick<SweepCell, "index" | "arm" | "coords" | "planHash">[];
}

/** Per-run summaries, in column order; then `mean_payoff_<kind>` for each kind of agent. */
export const RUN_METRICS = [
  "epochs",
  "interactions",
  "accepted",
  "mean_toxicity",
  "mean_quality_gap",
  "total_welfare",
  "welfare_per_epoch",
  "n_agents",
  "frozen",
  "mean_reputation",
  "mean_payoff",
  "min_payoff",
  "max_payoff",
] as const;

export interface SweepLayout {
  /** Coordinate columns: the varied parameters' paths. */
  readonly parameters: readonly string[];
  /** Kinds of agent across the cells (a policy's agents under the policy's name), in first-appearance order. */
  readonly kinds: readonly string[];
  /** Numeric per-run columns, summarised per cell. */
  readonly metrics: readonly string[];
  /** Mechanisms' metrics summarised per run (src/cli/sweep-mechanism-metrics.ts), last among `metrics`. */
  readonly extra: readonly SweepMetric[];
  /** The scenario's per-run criteria, judged on every run. */
  readonly criteria: readonly string[];
  readonly header: readonly string[];
}

const KEY_COLUMNS = ["cell", "arm"] as const;

export function sweepLayout(sweep: SweepPlan): SweepLayout {
  const parameters = sweep.parameters.map((p) => p.path);
  const kinds = unique(sweep.cells.flatMap((c) => c.plan.agents.map((a) => (a.kind === "stochastic" ? a.params.policy : a.kind))));
  const criteria = unique(sweep.cells.flatMap((c) => c.plan.criteria.items.filter((k) => !k.overSeeds).map((k) => k.id)));
  const extra = mechanismMetrics(sweep.cells.map((c) => c.plan));
  const metrics = [...RUN_METRICS, ...kinds.map((k) => `mean_payoff_${k}`), ...extra.map(columnOf)];
  return { parameters, kinds, metrics, extra, criteria, header: [...KEY_COLUMNS, ...parameters, "seed", "plan_hash", ...metrics, ...criteria.map((id) => `criterion.${id}`)] };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

const meanOf = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** A finished run as a `runs.csv` row. `verdicts` are the scenario's per-run criteria on this run. */
export function runRow(layout: SweepLayout, run: SweepRun, outcome: CompactRun, verdicts: readonly Verdict[]): unknown[] {
  const t = outcome.totals;
  const payoffs = outcome.agents.map((a) => a.payoff);
  const kind = new Map(outcome.byKind.map((k) => [k.kind, k.meanPayoff]));
  const values: Record<(typeof RUN_METRICS)[number], number | null> = {
    epochs: outcome.epochsCompleted,
    interactions: t.interactions,
    accepted: t.accepted,
    mean_toxicity: t.meanToxicity,
    mean_quality_gap: t.meanQualityGap,
    total_welfare: t.totalWelfare,
    welfare_per_epoch: t.welfarePerEpoch,
    n_agents: outcome.agents.length,
    frozen: t.frozenAgents.length,
    mean_reputation: meanOf(outcome.agents.map((a) => a.reputation)),
    mean_payoff: meanOf(payoffs),
    min_payoff: payoffs.length ? Math.min(...payoffs) : null,
    max_payoff: payoffs.length ? Math.max(...payoffs) : null,
  };
  const status = new Map(verdicts.map((v) => [v.id, v.status]));
  return [
    run.cell.index,
    run.cell.arm ?? "",
    ...layout.parameters.map((p) => run.cell.coords[p]),
    run.seed,
    // The hash of the plan as run (the seed included), as its event log records it.
    outcome.planHash,
    ...RUN_METRICS.map((m) => values[m]),
    ...layout.kinds.map((k) => kind.get(k) ?? null),
    ...layout.extra.map((m) => mechanismMetricValue(m, outcome)),
    ...layout.criteria.map((id) => status.get(id) ?? ""),
  ];
}

/** A finished run's row: its summaries and the scenario's per-run criteria judged on it. */
export function finishedRunRow(layout: SweepLayout, run: SweepRun, outcome: CompactRun): unknown[] {
  const perRun: Pick<Plan, "criteria" | "agents"> = { agents: run.plan.agents, criteria: { ...run.plan.criteria, items: run.plan.criteria.items.filter((c) => !c.overSeeds) } };
  return runRow(layout, run, outcome, evaluateCriteria(perRun, [outcome]));
}

// ---- reading the ledger --------------------------------------------------------------

/** CSV as written by `csvLine`: quoted fields may hold commas, quotes and line breaks. `complete` is where the last finished record ends. */
export function parseCsv(text: string): { records: string[][]; complete: number } {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let complete = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      complete = i + 1;
    } else field += ch;
  }
  return { records, complete };
}

export interface RunsFile {
  readonly header: readonly string[];
  readonly rows: readonly string[][];
  /** Bytes of finished rows; anything after is a row cut short by an interruption. */
  readonly completeBytes: number;
  readonly totalBytes: number;
}

export function readRunsFile(path: string): RunsFile | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8");
  const { records, complete } = parseCsv(text);
  const [header = [], ...rows] = records;
  return { header, rows, completeBytes: Buffer.byteLength(text.slice(0, complete)), totalBytes: Buffer.byteLength(text) };
}

const runKey = (cell: number | string, seed: number | string): string => `${cell}:${seed}`;

/**
 * The runs a previous invocation finished, if they belong to this sweep:
 * same columns, and every row's cell and seed still run with the same plan.
 * Anything else would mix results of different plans.
 */
export function finishedRuns(layout: SweepLayout, runs: readonly SweepRun[], file: RunsFile): { done: Set<string>; problem: null } | { done: null; problem: string } {
  if (!file.header.length) return { done: new Set(), problem: null };
  if (file.header.join(",") !== layout.header.join(",")) {
    return { done: null, problem: `its columns differ from this sweep's (it has ${file.header.length}: ${abbreviate(file.header)}; this sweep writes ${layout.header.length}: ${abbreviate(layout.header)})` };
  }
  // Hashed only here, when resuming: a fresh sweep's rows take their hashes from the runs themselves.
  const expected = new Map(runs.map((r) => [runKey(r.cell.index, r.seed), planHash(r.plan)]));
  const seedAt = layout.header.indexOf("seed");
  const hashAt = layout.header.indexOf("plan_hash");
  const done = new Set<string>();
  for (const row of file.rows) {
    const key = runKey(row[0]!, row[seedAt]!);
    const want = expected.get(key);
    if (want === undefined) return { done: null, problem: `it holds a run (cell ${row[0]}, seed ${row[seedAt]}) that this sweep does not have` };
    if (want !== row[hashAt]) return { done: null, problem: `the plan of cell ${row[0]} with seed ${row[seedAt]} changed (${row[hashAt]?.slice(0, 19)}… there, ${want.slice(0, 19)}… now)` };
    done.add(key);
  }
  return { done, problem: null };
}

export const isDone = (done: ReadonlySet<string>, run: SweepRun): boolean => done.has(runKey(run.cell.index, run.seed));

function abbreviate(columns: readonly string[]): string {
  return columns.length > 8 ? `${columns.slice(0, 8).join(", ")}, …` : columns.join(", ");
}

// ---- writing --------------------------------------------------------------------------

/**
 * Appends finished runs to `runs.csv`. Each row is written to the file as
 * its run finishes (a killed sweep loses no finished run); flushing to the
 * disk (fdatasync, which costs about as much as a warm run) happens off the
 * main thread, one flush covering every row written since the last one, so
 * the pool is never kept waiting on the disk.
 */
export class RunsLedger {
  private readonly fd: number;
  private position: number;
  private flushing: Promise<void> | null = null;
  private dirty = false;
  private failure: unknown = null;

  constructor(path: string, header: readonly string[], existing: RunsFile | null) {
    const fresh = !existing || !existing.header.length;
    this.fd = openSync(path, fresh ? "w" : "r+");
    if (fresh) writeSync(this.fd, csvLine(header));
    // A row cut short by an interruption is dropped; the run is done again.
    else if (existing.completeBytes < existing.totalBytes) ftruncateSync(this.fd, existing.completeBytes);
    fdatasyncSync(this.fd);
    this.position = fresh ? Buffer.byteLength(csvLine(header)) : existing.completeBytes;
  }

  append(row: readonly unknown[]): void {
    this.appendLine(csvLine(row));
  }

  /** A row already rendered by `csvLine` (a worker thread's, see src/cli/sweep-rows.ts). */
  appendLine(text: string): void {
    const line = Buffer.from(text);
    writeSync(this.fd, line, 0, line.length, this.position);
    this.position += line.length;
    this.dirty = true;
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await new Promise<void>((resolve, reject) => fdatasync(this.fd, (e) => (e ? reject(e) : resolve())));
      }
    } catch (e) {
      this.failure ??= e;
    } finally {
      this.flushing = null;
    }
  }

  /** Every row on disk, then the file closed. */
  async close(): Promise<void> {
    await this.flushing;
    if (this.failure) throw this.failure;
    fdatasyncSync(this.fd);
    closeSync(this.fd);
  }
}

/** The ledger's rows in canonical order: by cell, then by the seed's place in the sweep's seed list. */
export function canonicalRows(layout: SweepLayout, seeds: readonly number[], rows: readonly string[][]): string[][] {
  const seedAt = layout.header.indexOf("seed");
  const order = new Map(seeds.map((s, i) => [String(s), i]));
  return [...rows].sort((a, b) => Number(a[0]) - Number(b[0]) || (order.get(a[seedAt]!) ?? 0) - (order.get(b[seedAt]!) ?? 0));
}

export function runsCsv(layout: SweepLayout, rows: readonly (readonly string[])[]): string {
  return csvLine(layout.header) + rows.map((r) => csvLine(r)).join("");
}

// ---- per-cell summaries -----------------------------------------------------------------

export interface CellSummary {
  readonly index: number;
  readonly arm: string | null;
  readonly coords: Readonly<Record<string, CellValue>>;
  readonly cellPlanHash: string;
  /** Finished runs of the cell. */
  readonly n: number;
  readonly metrics: Readonly<Record<string, MetricSummary>>;
  /** Per-run criteria: on how many runs each passed, failed or was undefined. */
  readonly criteria: Readonly<Record<string, Readonly<Record<Status, number>>>>;
}

export function cellSummaries(sweep: SweepOutline, layout: SweepLayout, rows: readonly (readonly string[])[]): CellSummary[] {
  const byCell = new Map<number, (readonly string[])[]>();
  for (const row of rows) byCell.set(Number(row[0]), [...(byCell.get(Number(row[0])) ?? []), row]);
  const column = (name: string) => layout.header.indexOf(name);
  const number = (s: string | undefined): number | null => (s === undefined || s === "" ? null : Number(s));
  return sweep.cells.map((cell) => {
    const own = byCell.get(cell.index) ?? [];
    return {
      index: cell.index,
      arm: cell.arm,
      coords: cell.coords,
      cellPlanHash: cell.planHash,
      n: own.length,
      metrics: Object.fromEntries(layout.metrics.map((m) => [m, summarizeValues(own.map((r) => number(r[column(m)])))])),
      criteria: Object.fromEntries(
        layout.criteria.map((id) => {
          const at = column(`criterion.${id}`);
          const count = (s: Status) => own.filter((r) => r[at] === s).length;
          return [id, { pass: count("pass"), fail: count("fail"), undefined: count("undefined") }];
        }),
      ),
    };
  });
}

export function cellsCsv(layout: SweepLayout, cells: readonly CellSummary[]): string {
  const header = [
    "cell",
    "arm",
    ...layout.parameters,
    "cell_plan_hash",
    "n",
    ...layout.metrics.flatMap((m) => [`${m}.mean`, `${m}.sd`, `${m}.ci_low`, `${m}.ci_high`]),
    ...layout.criteria.map((id) => `criterion.${id}.passed`),
  ];
  const rows = cells.map((c) => [
    c.index,
    c.arm ?? "",
    ...layout.parameters.map((p) => c.coords[p]),
    c.cellPlanHash,
    c.n,
    ...layout.metrics.flatMap((m) => {
      const s = c.metrics[m]!;
      return [s.mean, s.sd, s.ci?.lower ?? null, s.ci?.upper ?? null];
    }),
    ...layout.criteria.map((id) => c.criteria[id]!.pass),
  ]);
  return csvLine(header) + rows.map((r) => csvLine(r)).join("");
}

/** `sweep.json`: what the sweep is, enough to tell whether two invocations ran the same one. No clock, no machine. */
export function sweepDocument(sweep: SweepPlan, layout: SweepLayout, source: string, overrides: readonly string[]) {
  return {
    format: "sbx-sweep",
    version: 1,
    sbxVersion: SBX_VERSION,
    file: source,
    sweep: sweep.name,
    scenario: sweep.scenario,
    design: sweep.design,
    parameters: sweep.parameters,
    arms: sweep.arms,
    seeds: sweep.seeds,
    seedSource: sweep.seedSource,
    rootSeed: sweep.rootSeed,
    overrides,
    runs: sweep.cells.length * new Set(sweep.seeds).size,
    columns: layout.header,
    cells: sweep.cells.map((c) => ({ index: c.index, arm: c.arm, coords: c.coords, cellPlanHash: c.planHash })),
  };
}

export function summaryDocument(sweep: SweepOutline, layout: SweepLayout, cells: readonly CellSummary[], planned: number) {
  const done = cells.reduce((a, c) => a + c.n, 0);
  return {
    format: "sbx-sweep-summary",
    version: 1,
    sbxVersion: SBX_VERSION,
    sweep: sweep.name,
    scenario: sweep.scenario,
    complete: done === planned,
    runs: { planned, done },
    level: 0.95,
    metrics: layout.metrics,
    criteria: layout.criteria,
    cells,
  };
}

export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
