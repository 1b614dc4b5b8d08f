/**
 * What a queued sweep keeps in Redis, and under which names.
 *
 *   sbx:runs:*                    BullMQ's queue of run jobs (every sweep, every worker)
 *   sbx:llm-<provider>:*          BullMQ's queues of LLM calls, one per provider
 *   sbx:sweeps                    the names of the queued sweeps
 *   sbx:sweep:<name>:manifest     what the sweep is (JSON, written once)
 *   sbx:sweep:<name>:plans        cell plan hash → the cell's plan (JSON, each stored once)
 *   sbx:sweep:<name>:rows         "cell:seed" → the run's runs.csv line
 *   sbx:sweep:<name>:failures     "cell:seed" → why the run failed (JSON)
 *   sbx:sweep:<name>:started      "cell:seed" → how many times a worker started it
 *   sbx:sweep:<name>:budget       the sweep's LLM budget across workers: ceiling, spent, reserved, refused
 *
 * Rows live in a hash keyed by the run, so a run done twice (a worker that
 * died after writing its row, a stalled job taken over) still has one row.
 */
import type { Plan } from "../plan/schema.ts";
import { PLAN_FORMAT, PLAN_VERSION } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import type { Provider } from "../llm/types.ts";

/** BullMQ's key prefix for every queue sbx uses. */
export const PREFIX = "sbx";
export const RUNS_QUEUE = "runs";
export const callQueueName = (provider: Provider): string => `llm-${provider}`;

/** What workers must share with the submitter to give the same numbers: the sbx release and the plan format. */
export const PLAN_FORMAT_ID = `${PLAN_FORMAT}/${PLAN_VERSION}`;

/** A sweep's name in the queue: the job ids and Redis keys are built from it. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function sweepKeys(name: string) {
  const base = `${PREFIX}:sweep:${name}`;
  return {
    manifest: `${base}:manifest`,
    plans: `${base}:plans`,
    rows: `${base}:rows`,
    failures: `${base}:failures`,
    started: `${base}:started`,
    budget: `${base}:budget`,
  };
}
export const SWEEPS_KEY = `${PREFIX}:sweeps`;

/** The key of one run in the rows, failures and started hashes. */
export const runKey = (cell: number, seed: number): string => `${cell}:${seed}`;

/** One job: runs of one cell, a batch of its seeds. */
export interface QueuedJob {
  readonly id: string;
  readonly cell: number;
  readonly seeds: readonly number[];
}

/**
 * The job's id, the same every time the sweep is queued: the sweep's name,
 * the cell, its plan hash and the first seed (and how many seeds the batch
 * holds). Queuing a job whose id exists does nothing.
 */
export function jobId(name: string, cell: number, planHash: string, seeds: readonly number[]): string {
  const hash = planHash.replace(/^sha256:/, "").slice(0, 16);
  return `${name}.${cell}.${hash}.${seeds[0]}${seeds.length > 1 ? `x${seeds.length}` : ""}`;
}

/** The cells as the queue knows them: enough to find each plan and name each run. */
export interface QueuedCell {
  readonly index: number;
  readonly planHash: string;
}

/**
 * A queued sweep. `payload` is what the command line needs to turn results
 * into files (the runs.csv layout, the cells' coordinates, sweep.json); the
 * queue passes it through untouched.
 */
export interface SweepManifest<P = unknown> {
  readonly format: "sbx-queued-sweep";
  readonly version: 1;
  readonly name: string;
  readonly sbxVersion: string;
  readonly planFormat: string;
  /** Equal for equal sweeps: the cells' plans, the seeds, the batching and the payload's identity. */
  readonly fingerprint: string;
  readonly cells: readonly QueuedCell[];
  readonly seeds: readonly number[];
  /** Runs per job. */
  readonly batch: number;
  readonly jobs: readonly QueuedJob[];
  readonly runs: number;
  readonly payload: P;
}

/** What a run job carries: the sweep, the cell (its plan is in the sweep's plans hash) and the seeds. */
export interface RunJobData {
  readonly sweep: string;
  readonly fingerprint: string;
  readonly cell: number;
  readonly planHash: string;
  readonly seeds: readonly number[];
  readonly sbxVersion: string;
  readonly planFormat: string;
}

export function isRunJobData(value: unknown): value is RunJobData {
  const v = value as Partial<RunJobData> | null;
  return (
    !!v &&
    typeof v.sweep === "string" &&
    typeof v.fingerprint === "string" &&
    typeof v.cell === "number" &&
    typeof v.planHash === "string" &&
    Array.isArray(v.seeds) &&
    v.seeds.every((s) => typeof s === "number") &&
    typeof v.sbxVersion === "string" &&
    typeof v.planFormat === "string"
  );
}

export function parseManifest(text: string | null): SweepManifest | null {
  if (text === null) return null;
  const value = JSON.parse(text) as SweepManifest;
  return value && value.format === "sbx-queued-sweep" && value.version === 1 ? value : null;
}

/**
 * Why this process cannot run the job exactly as the submitter would have,
 * or null. A different sbx release may compute different numbers; a
 * different plan format may not even read the plan.
 */
export function refusal(data: RunJobData, version = SBX_VERSION): string | null {
  if (data.sbxVersion !== version) {
    return `this worker runs sbx ${version} but the sweep was queued by sbx ${data.sbxVersion}, whose numbers may differ; run workers of sbx ${data.sbxVersion} (or queue the sweep again with sbx ${version})`;
  }
  if (data.planFormat !== PLAN_FORMAT_ID) {
    return `the job's plans are in format ${data.planFormat}; this worker reads ${PLAN_FORMAT_ID}`;
  }
  return null;
}

/** The runs of a job's cell plan, one per seed. */
export interface JobRun {
  readonly cell: number;
  readonly seed: number;
  readonly plan: Plan;
}
