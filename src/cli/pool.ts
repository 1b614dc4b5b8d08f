/**
 * Running many plans: on worker threads (tinypool), one run per task, or
 * in-process one after another for `--jobs 1`. Either way a run's outcome
 * is the same `RunReply`; an engine exception or a dying worker is a
 * failure of that run, never of the command.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tinypool } from "tinypool";
import type { Plan } from "../plan/schema.ts";
import { PACKAGE_ROOT } from "../platform/node-host.ts";
import { executeTask, failureOf, type ExecuteOptions, type RunReply } from "./run-outcome.ts";

export interface RunPool {
  /** Runs at a time. */
  readonly jobs: number;
  run(plan: Plan, options?: ExecuteOptions): Promise<RunReply>;
  /** Stops the workers; pending runs are abandoned. */
  close(): Promise<void>;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** `--jobs N`: a whole number ≥ 1; absent, null (decided from the work, see `jobsFor`). */
export function parseJobs(text: string | undefined): { jobs: number | null } | { problem: string } {
  if (text === undefined) return { jobs: null };
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1) return { problem: `--jobs expects a whole number of at least 1, got '${text}'` };
  return { jobs: n };
}

/**
 * Below this much work (Σ epochs × steps × agents over the runs), worker
 * threads cost more than they save: each loads sbx and warms up V8's
 * compiler on its own (about half a second to a second on two cores), while
 * the engine, once warm, does an agent-step in about a microsecond. The
 * reference scenarios and their sweep are all below it.
 */
export const THREADS_PAY_OFF_AT_AGENT_STEPS = 1_500_000;

export function agentSteps(plans: readonly Plan[]): number {
  return plans.reduce((sum, p) => sum + p.simulation.epochs * p.simulation.stepsPerEpoch * p.agents.length, 0);
}

/** The runs at a time: as asked, else one per core when the work repays starting threads, else in-process. */
export function jobsFor(requested: number | null, plans: readonly Plan[]): number {
  if (requested !== null) return requested;
  return agentSteps(plans) < THREADS_PAY_OFF_AT_AGENT_STEPS ? 1 : defaultJobs();
}

/**
 * The worker's entry: the bundle's `dist/run-worker.mjs`, or, when sbx
 * itself runs from its sources under tsx, a bootstrap that loads tsx in
 * the thread first.
 */
export function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts") ? join(dirname(here), "run-worker-source.mjs") : join(PACKAGE_ROOT, "dist", "run-worker.mjs");
}

/**
 * A pool for `tasks` runs: never more threads than runs, and none at all for
 * one job — unless `threads` asks for them even then (`sbx worker` keeps its
 * main thread free to answer the queue while a run computes).
 */
export function openPool(jobs: number, tasks = Infinity, options: { threads?: boolean } = {}): RunPool {
  const threads = Math.max(1, Math.min(jobs, tasks));
  return threads === 1 && !options.threads ? serialPool() : threadPool(threads);
}

const cancelled: RunReply = { ok: false, failure: { kind: "cancelled", message: "the pool was closed before the run finished", stack: null } };

function serialPool(): RunPool {
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    jobs: 1,
    run(plan, options = {}) {
      // One run at a time, yielding to the event loop between runs so output, progress and signals get through.
      const next = tail
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then((): RunReply | Promise<RunReply> => (closed ? cancelled : executeTask(plan, options)));
      tail = next.catch(() => undefined);
      return next;
    },
    async close() {
      closed = true;
    },
  };
}

function threadPool(threads: number): RunPool {
  const filename = workerEntry();
  if (!existsSync(filename)) throw new Error(`cannot find the run worker at ${filename} (build sbx with \`npm run build\`, or use --jobs 1)`);
  const pool = new Tinypool({ filename, minThreads: threads, maxThreads: threads, runtime: "worker_threads" });
  // The thread died or could not start: not the plan's doing.
  const failed = (message: string, stack: string | null = null): RunReply => ({ ok: false, failure: { kind: "crashed", message, stack } });
  const pending = new Set<(reply: RunReply) => void>();
  let broken: string | null = null;
  let closed = false;
  // A worker that dies outside a task (typically while starting) is reported here, not
  // through any run's promise; without this, queued runs would wait forever.
  pool.on("error", (e: unknown) => {
    broken = `the worker pool failed: ${e instanceof Error ? e.message : String(e)}`;
    for (const settle of [...pending]) settle(failed(broken));
  });
  return {
    jobs: threads,
    run(plan, options = {}) {
      if (broken !== null) return Promise.resolve(failed(broken));
      return new Promise<RunReply>((resolve) => {
        const settle = (reply: RunReply): void => {
          if (!pending.delete(settle)) return;
          resolve(reply);
        };
        pending.add(settle);
        (pool.run({ plan, options }) as Promise<RunReply>).then(settle, (e: unknown) => {
          const failure = failureOf(e);
          settle(closed ? cancelled : failed(`the worker running it failed: ${failure.message}`, failure.stack));
        });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const settle of [...pending]) settle(cancelled);
      await pool.destroy();
    },
  };
}
