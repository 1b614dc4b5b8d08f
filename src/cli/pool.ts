/**
 * Running many plans: on worker threads (tinypool), one run per task, or
 * in-process one after another for `--jobs 1`, or both at once (`sbx
 * sweep`: this thread is one of the runners). Either way a run's outcome
 * is the same `RunReply`; an engine exception or a dying worker is a
 * failure of that run, never of the command.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plan } from "../plan/schema.ts";
import { PACKAGE_ROOT } from "../platform/node-host.ts";
import { executeTask, failureOf, type ExecuteOptions, type RunFailure, type RunReply } from "./run-outcome.ts";
import { runRows, type RowReply, type RowsTask } from "./sweep-rows.ts";

/** One run, or (for a sweep) several runs of a cell straight to their rows: what a worker thread is handed. */
export type RunTask = { readonly plan: Plan; readonly options?: ExecuteOptions } | { readonly rows: RowsTask };

/** What a worker thread does with a task (dist/pool-worker.mjs, or run-worker.ts from source). */
export function runTask(task: RunTask): RunReply | Promise<RunReply> | RowReply[] {
  return "rows" in task ? runRows(task.rows) : executeTask(task.plan, task.options);
}

export interface RunPool {
  /** Runs at a time. */
  readonly jobs: number;
  run(plan: Plan, options?: ExecuteOptions): Promise<RunReply>;
  /** Several runs of a sweep cell, straight to their rows (no LLM agents). */
  rows(task: RowsTask): Promise<RowReply[]>;
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
 * A worker thread's entry, for the pool and for `sbx run --out`: the bundle's
 * `dist/pool-worker.mjs` (the core with its code cache,
 * src/cli/pool-worker.bundle.ts), or, when sbx itself runs from its sources
 * under tsx, a bootstrap that loads tsx in the thread first.
 */
export function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts") ? join(dirname(here), "run-worker-source.mjs") : join(PACKAGE_ROOT, "dist", "pool-worker.mjs");
}

/**
 * A pool for `tasks` runs: never more threads than runs, and none at all for
 * one job — unless `threads` asks for them even then (`sbx worker` keeps its
 * main thread free to answer the queue while a run computes).
 */
export function openPool(jobs: number, tasks = Infinity, options: { threads?: boolean; mainThread?: boolean } = {}): RunPool {
  const threads = Math.max(1, Math.min(jobs, tasks));
  if (threads === 1 && !options.threads) return serialPool();
  return options.mainThread && !options.threads ? sharedPool(threads) : threadPool(threads);
}

const cancelled: RunReply & { ok: false } = { ok: false, failure: { kind: "cancelled", message: "the pool was closed before the run finished", stack: null } };

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
    rows(task) {
      const next = tail
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then((): RowReply[] => (closed ? task.seeds.map((seed) => ({ seed, ok: false, failure: cancelled.failure })) : runRows(task)));
      tail = next.catch(() => undefined);
      return next;
    },
    async close() {
      closed = true;
    },
  };
}

/**
 * tinypool (and with it worker_threads) is loaded only when threads are used: most
 * commands run in-process. It is an ES module, loaded synchronously (Node ≥ 20.19).
 */
const requireHere = createRequire(import.meta.url);

/**
 * A runner thread's heap: a young generation of 128 MB, where V8 would give
 * 48. The engine allocates about 30 MB per run of the status game at 400
 * epochs, most of it garbage within a step; with the default young
 * generation each thread of the tax sweep scavenged about 100 times,
 * promoting the live run's state each time (190 MB promoted, then
 * mark-compacted); with this one about 50 times, half the promoted bytes and
 * of the scavenges' time (`node --trace-gc-nvp`, issue 12). Memory this
 * costs is the young generation's growth only, and only where a run
 * allocates that fast. The V8 flags that would do more (`--single-threaded-gc`,
 * `--max-semi-space-size`) cannot be given to a worker thread (Node refuses
 * them in `execArgv`: V8's flags are the process's), and turning on
 * `--single-threaded-gc` with `v8.setFlagsFromString` before starting the
 * threads crashed the sweep (a V8 fatal error in the marker of a heap that
 * was marking when the flag changed).
 */
export const RUNNER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 128 } as const;

function threadPool(threads: number, tasksPerThread = 1): RunPool {
  const filename = workerEntry();
  if (!existsSync(filename)) throw new Error(`cannot find the run worker at ${filename} (build sbx with \`npm run build\`, or use --jobs 1)`);
  const { Tinypool } = requireHere("tinypool") as typeof import("tinypool");
  const pool = new Tinypool({ filename, minThreads: threads, maxThreads: threads, runtime: "worker_threads", concurrentTasksPerWorker: tasksPerThread, resourceLimits: RUNNER_RESOURCE_LIMITS });
  // The thread died or could not start: not the plan's doing.
  const crashed = (message: string, stack: string | null = null): RunFailure => ({ kind: "crashed", message, stack });
  type Settle = (outcome: { readonly reply: unknown } | { readonly failure: RunFailure }) => void;
  const pending = new Set<Settle>();
  let broken: string | null = null;
  let closed = false;
  // A worker that dies outside a task (typically while starting) is reported here, not
  // through any run's promise; without this, queued runs would wait forever.
  pool.on("error", (e: unknown) => {
    broken = `the worker pool failed: ${e instanceof Error ? e.message : String(e)}`;
    for (const settle of [...pending]) settle({ failure: crashed(broken) });
  });
  /** Runs a task on a thread; a dying thread or a closed pool becomes `onFailure`'s reply, never a rejection. */
  const submit = <R>(task: RunTask, onFailure: (f: RunFailure) => R): Promise<R> => {
    if (broken !== null) return Promise.resolve(onFailure(crashed(broken)));
    return new Promise<R>((resolve) => {
      const settle: Settle = (outcome) => {
        if (!pending.delete(settle)) return;
        resolve("failure" in outcome ? onFailure(outcome.failure) : (outcome.reply as R));
      };
      pending.add(settle);
      (pool.run(task) as Promise<unknown>).then(
        (reply) => settle({ reply }),
        (e: unknown) => {
          const f = failureOf(e);
          settle({ failure: closed ? cancelled.failure : crashed(`the worker running it failed: ${f.message}`, f.stack) });
        },
      );
    });
  };
  return {
    jobs: threads,
    run(plan, options = {}) {
      return submit<RunReply>({ plan, options }, (failure) => ({ ok: false, failure }));
    },
    rows(task) {
      return submit<RowReply[]>({ rows: task }, (failure) => task.seeds.map((seed) => ({ seed, ok: false, failure })));
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const settle of [...pending]) settle({ failure: cancelled.failure });
      await pool.destroy();
    },
  };
}

/**
 * `jobs` runs at a time with this thread as one of the runners: `jobs - 1`
 * worker threads, and the runs they are not given run here, between turns
 * of the event loop (as `--jobs 1` runs them). Each V8 isolate pays for
 * warming up the engine's code (about a second of CPU for the status game,
 * interpreted until TurboFan has compiled it), so one runner fewer to start
 * is that much less overhead; this thread would otherwise only wait.
 *
 * A thread's next two runs are posted to it while it computes (the first
 * waiting behind the one it computes, the second behind that), so it never
 * waits for this thread to finish a run before it is handed its next one:
 * this thread takes its replies and posts more only between its own runs,
 * and with only one run posted ahead a thread ran out of work whenever a run
 * here took longer than one there (slower by its garbage collection, or
 * descheduled on a loaded machine: 1.1–2.9 s idle in a sweep of the tax
 * sweep at 400 epochs, 0.4–1.0 s with two, from `node --cpu-prof`'s samples
 * in tinypool's wait). Near the end only one at a time, so the runners
 * finish together. As with
 * `--jobs 1`, a signal is handled once the run in progress here is done,
 * which is why `sbx sweep` uses it for short runs only (runsHereToo).
 */
const AHEAD_PER_THREAD = 3;

function sharedPool(jobs: number): RunPool {
  const threads = jobs - 1;
  const workers = threadPool(threads, AHEAD_PER_THREAD);
  interface Queued {
    /** Runs here; never throws. */
    readonly here: () => unknown;
    readonly there: () => Promise<unknown>;
    readonly cancelled: () => unknown;
    readonly settle: (reply: unknown) => void;
  }
  const queue: Queued[] = [];
  let posted = 0;
  let runningHere = false;
  let closed = false;
  const pump = (): void => {
    if (closed) return;
    const ahead = queue.length > jobs ? AHEAD_PER_THREAD * threads : threads;
    while (queue.length && posted < ahead) {
      const q = queue.shift()!;
      posted++;
      void q.there().then((reply) => {
        posted--;
        q.settle(reply);
        pump();
      });
    }
    if (queue.length && !runningHere) {
      runningHere = true;
      // After this turn's messages from the threads (their next runs are posted first).
      setImmediate(runHere);
    }
  };
  const runHere = (): void => {
    const q = closed ? undefined : queue.shift();
    if (!q) {
      runningHere = false;
      return;
    }
    void Promise.resolve(q.here()).then((reply) => {
      runningHere = false;
      q.settle(reply);
      pump();
    });
  };
  const enqueue = <R>(here: () => R | Promise<R>, there: () => Promise<R>, cancelled: () => R): Promise<R> =>
    closed
      ? Promise.resolve(cancelled())
      : new Promise<R>((resolve) => {
          queue.push({ here, there, cancelled, settle: resolve as (reply: unknown) => void });
          pump();
        });
  return {
    jobs,
    run(plan, options = {}) {
      return enqueue<RunReply>(
        () => Promise.resolve(executeTask(plan, options)).catch((e: unknown) => ({ ok: false, failure: failureOf(e) })),
        () => workers.run(plan, options),
        () => cancelled,
      );
    },
    rows(task) {
      const failedAll = (failure: RunFailure): RowReply[] => task.seeds.map((seed) => ({ seed, ok: false, failure }));
      return enqueue<RowReply[]>(
        () => {
          try {
            return runRows(task);
          } catch (e) {
            return failedAll(failureOf(e));
          }
        },
        () => workers.rows(task),
        () => failedAll(cancelled.failure),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const q of queue.splice(0)) q.settle(q.cancelled());
      await workers.close();
    },
  };
}
