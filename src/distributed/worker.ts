/**
 * `sbx worker`'s service: takes run jobs from the queue, runs them through
 * an executor the command line supplies, and writes each run's row back to
 * Redis before the job completes.
 *
 * Faults. A worker that dies mid-job loses its lock; BullMQ's stalled-job
 * check hands the job to another worker, which skips the runs whose rows
 * are already written, and since rows are keyed by run, a run done twice
 * still has one row. A run that fails deterministically (the engine threw) is
 * recorded with its message and the job fails at once (no retry: it would
 * fail the same way). Anything else — a crashed thread, Redis going away, a
 * provider key missing on this machine — fails the attempt, and BullMQ
 * retries the job with backoff, perhaps on another worker.
 *
 * A job queued by another sbx release, or in another plan format, is refused
 * with the reason rather than run: it could give different numbers.
 */
import { messageOf } from "../diagnostics/catalogue.ts";
import { hostname } from "node:os";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { ModelClient, Provider } from "../llm/types.ts";
import { planHash } from "../plan/hash.ts";
import type { Plan } from "../plan/schema.ts";
import { validatePlan } from "../plan/validate.ts";
import { SweepBudget } from "./budget.ts";
import { CallDispatcher, queuedClient, serveCalls, servedProviders } from "./calls.ts";
import { connectionReason, type QueueTarget } from "./connection.ts";
import { isRunJobData, parseManifest, PREFIX, refusal, RUNS_QUEUE, runKey, sweepKeys, type RunJobData, type SweepManifest } from "./store.ts";

/** A job's runs as the executor sees them. `client(seed)` answers a run's LLM agents through the call queues. */
export interface ExecutorJob<P> {
  readonly manifest: SweepManifest<P>;
  readonly cell: number;
  /** The cell's plan (its own seed); each run uses one of `seeds`. */
  readonly plan: Plan;
  readonly seeds: readonly number[];
  readonly client: (seed: number) => ModelClient;
}

/**
 * How a run ended. `deterministic`: the same plan and seed would fail the
 * same way anywhere (an engine error); anything else is worth a retry.
 */
export type ExecutorResult = { readonly seed: number } & ({ readonly ok: true; readonly line: string } | { readonly ok: false; readonly deterministic: boolean; readonly kind: string; readonly message: string });

export interface RunExecutor<P> {
  /** Every run of the job, in the order of `seeds`. */
  runJob(job: ExecutorJob<P>): Promise<readonly ExecutorResult[]>;
  close(): Promise<void>;
}

export type WorkerEvent =
  | { readonly type: "ready"; readonly name: string; readonly providers: readonly Provider[] }
  | { readonly type: "job"; readonly state: "started" | "done"; readonly job: string; readonly runs: number }
  | { readonly type: "refused"; readonly job: string; readonly message: string }
  | { readonly type: "failed"; readonly job: string; readonly cell: number; readonly seed: number; readonly message: string; readonly deterministic: boolean }
  | { readonly type: "connection"; readonly state: "lost" | "restored"; readonly reason: string };

export interface WorkerOptions<P> {
  readonly target: QueueTarget;
  /** Jobs at a time. */
  readonly concurrency: number;
  /** Seconds without a sign of life after which a job is handed to another worker. */
  readonly stallSeconds: number;
  readonly executor: RunExecutor<P>;
  readonly onEvent: (event: WorkerEvent) => void;
  /** Shown in logs and recorded on the jobs this worker takes: host/pid by default. */
  readonly name?: string;
}

export interface RunningWorker {
  readonly name: string;
  /** Finishes the jobs in hand, then disconnects. */
  close(): Promise<void>;
}

/** The failure recorded for a run in the sweep's failures hash. */
export interface RecordedFailure {
  readonly kind: string;
  readonly message: string;
  readonly deterministic: boolean;
  readonly worker: string;
}

export async function startWorker<P>(options: WorkerOptions<P>): Promise<RunningWorker> {
  const { target, executor, onEvent } = options;
  const name = options.name ?? `${hostname()}/${process.pid}`;
  const redis = new Redis(target.options);
  const dispatcher = new CallDispatcher(target.connection);
  const manifests = new Map<string, SweepManifest<P>>();
  const plans = new Map<string, Plan>();

  const manifestOf = async (data: RunJobData): Promise<SweepManifest<P>> => {
    const cached = manifests.get(data.sweep);
    if (cached && cached.fingerprint === data.fingerprint) return cached;
    const manifest = parseManifest(await redis.get(sweepKeys(data.sweep).manifest)) as SweepManifest<P> | null;
    if (!manifest) throw new UnrecoverableError(`the sweep '${data.sweep}' is no longer in the queue`);
    if (manifest.fingerprint !== data.fingerprint) throw new UnrecoverableError(`the sweep '${data.sweep}' was queued again with other plans; this job belongs to the earlier one`);
    manifests.set(data.sweep, manifest);
    return manifest;
  };

  const planOf = async (data: RunJobData): Promise<Plan> => {
    const key = `${data.sweep}\u0000${data.planHash}`;
    const cached = plans.get(key);
    if (cached) return cached;
    const text = await redis.hget(sweepKeys(data.sweep).plans, data.planHash);
    if (text === null) throw new UnrecoverableError(`the plan ${data.planHash.slice(0, 19)}… of cell ${data.cell} is missing from the queue`);
    const checked = validatePlan(JSON.parse(text));
    if (!checked.plan) throw new UnrecoverableError(`the plan of cell ${data.cell} does not read as a plan of this sbx: ${checked.problems.slice(0, 3).join("; ")}`);
    if (planHash(checked.plan) !== data.planHash) throw new UnrecoverableError(`the plan of cell ${data.cell} does not match its hash ${data.planHash.slice(0, 19)}…`);
    plans.set(key, checked.plan);
    return checked.plan;
  };

  const processJob = async (job: Job): Promise<{ runs: number }> => {
    const data = job.data as unknown;
    if (!isRunJobData(data)) throw new UnrecoverableError("the job is not an sbx run job");
    const why = refusal(data);
    if (why) {
      const message = messageOf("SBX5053", { refuser: `worker ${name}`, reason: why });
      const failure: RecordedFailure = { kind: "refused", message, deterministic: true, worker: name };
      const record = redis.pipeline();
      for (const seed of data.seeds) record.hset(sweepKeys(data.sweep).failures, runKey(data.cell, seed), JSON.stringify(failure));
      await record.exec();
      onEvent({ type: "refused", job: job.id ?? "", message });
      throw new UnrecoverableError(message);
    }
    const manifest = await manifestOf(data);
    const plan = await planOf(data);
    const keys = sweepKeys(data.sweep);
    const budget = new SweepBudget(redis, keys.budget);
    onEvent({ type: "job", state: "started", job: job.id ?? "", runs: data.seeds.length });
    // Runs done by an earlier attempt of this job (its worker died after writing their rows) are not run again.
    const done = await redis.hmget(keys.rows, ...data.seeds.map((seed) => runKey(data.cell, seed)));
    const seeds = data.seeds.filter((_, i) => done[i] === null);
    if (seeds.length) {
      const mark = redis.pipeline();
      for (const seed of seeds) mark.hincrby(keys.started, runKey(data.cell, seed), 1);
      await mark.exec();
      const results = await executor.runJob({ manifest, cell: data.cell, plan, seeds, client: (seed) => queuedClient(dispatcher, plan, budget, `${data.sweep}.${data.cell}.${seed}`) });
      // One write for the whole job: its rows, and why any run failed.
      const write = redis.multi();
      for (const r of results) {
        const key = runKey(data.cell, r.seed);
        if (r.ok) write.hset(keys.rows, key, r.line).hdel(keys.failures, key);
        else write.hset(keys.failures, key, JSON.stringify({ kind: r.kind, message: r.message, deterministic: r.deterministic, worker: name } satisfies RecordedFailure));
      }
      await write.exec();
      const failures = results.filter((r): r is Extract<ExecutorResult, { ok: false }> => !r.ok);
      for (const f of failures) onEvent({ type: "failed", job: job.id ?? "", cell: data.cell, seed: f.seed, message: f.message, deterministic: f.deterministic });
      // Not the plan's fault: another attempt, here or elsewhere, may succeed (it skips the rows written above).
      const transient = failures.find((f) => !f.deterministic);
      if (transient) throw new Error(`cell ${data.cell} with seed ${transient.seed}: ${transient.message}`);
      if (failures.length) throw new UnrecoverableError(`cell ${data.cell} with seed ${failures[0]!.seed}: ${failures[0]!.message}`);
    }
    onEvent({ type: "job", state: "done", job: job.id ?? "", runs: data.seeds.length });
    return { runs: data.seeds.length };
  };

  const worker = new Worker(RUNS_QUEUE, processJob, {
    connection: target.connection,
    prefix: PREFIX,
    concurrency: options.concurrency,
    name,
    lockDuration: options.stallSeconds * 1000,
    stalledInterval: Math.max(1000, (options.stallSeconds * 1000) / 2),
    // A job may be taken over twice (two workers lost in a row) before it counts as failed.
    maxStalledCount: 2,
    autorun: false,
  });

  // Redis going away shows first on this process's own connection: report it once, and its return.
  let lost = false;
  const onLost = (e: Error): void => {
    if (lost) return;
    lost = true;
    onEvent({ type: "connection", state: "lost", reason: connectionReason(e, target) });
  };
  redis.on("error", onLost);
  redis.on("close", () => onLost(new Error("the connection was closed")));
  // ioredis reports "ready" after every (re)connection.
  redis.on("ready", () => {
    if (!lost) return;
    lost = false;
    onEvent({ type: "connection", state: "restored", reason: "" });
  });
  // BullMQ's own connections fail in the same outage; their errors add nothing to the report above.
  const onError = (): void => undefined;
  worker.on("error", onError);
  const providers = servedProviders(process.env);
  const callWorkers = serveCalls(target, providers, name, onError);
  await worker.waitUntilReady();
  void worker.run();
  onEvent({ type: "ready", name, providers });

  return {
    name,
    async close() {
      await worker.close();
      await Promise.all(callWorkers.map((w) => w.close()));
      await dispatcher.close();
      await executor.close();
      redis.disconnect();
    },
  };
}
