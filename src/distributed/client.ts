/**
 * The submitting side of a queued sweep: put it in the queue (once — job
 * ids are deterministic, so queuing it again adds nothing and only retries
 * the jobs that failed), follow its progress, gather its rows and failures,
 * and forget it.
 */
import { Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Provider } from "../llm/types.ts";
import type { Plan } from "../plan/schema.ts";
import { SweepBudget, type BudgetState } from "./budget.ts";
import { connectionReason, type QueueTarget } from "./connection.ts";
import { callQueueName, parseManifest, PREFIX, RUNS_QUEUE, runKey, sweepKeys, SWEEPS_KEY, type QueuedJob, type RunJobData, type SweepManifest } from "./store.ts";
import type { RecordedFailure } from "./worker.ts";

/** The queue could not be reached (or refused the credentials): the reason, credentials removed. */
export class QueueUnreachable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "QueueUnreachable";
  }
}

/** How long the first connection may take before the command gives up. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface Progress {
  readonly total: number;
  readonly done: number;
  /** Runs of jobs a worker holds, not yet done. */
  readonly running: number;
  /** Runs of failed jobs, not done. */
  readonly failed: number;
  /** Workers connected to the run queue, when Redis lets us list clients. */
  readonly workers: number | null;
}

export interface SweepFailure {
  readonly cell: number;
  readonly seed: number;
  readonly kind: string;
  readonly message: string;
}

export type SubmitResult =
  | { readonly status: "queued"; readonly fresh: boolean; readonly jobs: number; readonly retried: number; readonly done: number }
  /** Another sweep (other plans) is queued under this name. */
  | { readonly status: "conflict"; readonly existing: SweepManifest }
  /** --restart while some of the sweep's jobs are being run. */
  | { readonly status: "busy"; readonly active: number };

export interface SubmitOptions {
  /** Forget what the queue holds of this name first. */
  readonly restart?: boolean;
  /** The sweep's LLM budget across workers, USD (undefined: leave as it is). */
  readonly budgetUsd?: number | null;
  /** Calls in flight per provider across all workers. */
  readonly llmConcurrency?: Partial<Record<Provider, number>>;
}

export class QueueClient {
  private readonly runs: Queue;
  private connected = true;
  private listeners: ((state: "lost" | "restored", reason: string) => void)[] = [];

  private constructor(
    readonly target: QueueTarget,
    readonly redis: Redis,
  ) {
    this.runs = new Queue(RUNS_QUEUE, { connection: target.connection, prefix: PREFIX });
    this.runs.on("error", () => undefined);
    redis.on("error", (e: Error) => {
      if (!this.connected) return;
      this.connected = false;
      for (const l of this.listeners) l("lost", connectionReason(e, target));
    });
    redis.on("ready", () => {
      if (this.connected) return;
      this.connected = true;
      for (const l of this.listeners) l("restored", "");
    });
  }

  /** Connects, failing within seconds (QueueUnreachable) when Redis cannot be reached or refuses us. */
  static async connect(target: QueueTarget): Promise<QueueClient> {
    const probe = new Redis({ ...target.options, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    let failure: unknown = null;
    probe.on("error", (e: unknown) => (failure ??= e));
    try {
      await probe.connect();
      await probe.ping();
    } catch (e) {
      probe.disconnect();
      throw new QueueUnreachable(connectionReason(failure ?? e, target));
    }
    probe.disconnect();
    const redis = new Redis(target.options);
    return new QueueClient(target, redis);
  }

  onConnection(listener: (state: "lost" | "restored", reason: string) => void): void {
    this.listeners.push(listener);
  }

  async manifest<P>(name: string): Promise<SweepManifest<P> | null> {
    return parseManifest(await this.redis.get(sweepKeys(name).manifest)) as SweepManifest<P> | null;
  }

  async names(): Promise<string[]> {
    return (await this.redis.smembers(SWEEPS_KEY)).sort();
  }

  /**
   * Puts the sweep in the queue. Its plans are stored once per cell; each
   * job names its cell's plan by hash. Jobs already there are left alone,
   * except failed ones, which are retried.
   */
  async submit<P>(manifest: SweepManifest<P>, plans: ReadonlyMap<string, Plan>, options: SubmitOptions = {}): Promise<SubmitResult> {
    const keys = sweepKeys(manifest.name);
    let existing = await this.manifest(manifest.name);
    if (existing && (options.restart || existing.fingerprint !== manifest.fingerprint)) {
      if (!options.restart) return { status: "conflict", existing };
      const forgotten = await this.forget(existing);
      if (forgotten.active) return { status: "busy", active: forgotten.active };
      existing = null;
    }
    let fresh = false;
    if (!existing) {
      // Two submitters at once: one writes the manifest, the other finds it.
      fresh = (await this.redis.set(keys.manifest, JSON.stringify(manifest), "NX")) === "OK";
      if (!fresh) {
        const raced = await this.manifest(manifest.name);
        if (raced && raced.fingerprint !== manifest.fingerprint) return { status: "conflict", existing: raced };
      }
    }
    await this.storePlans(manifest, plans);
    if (options.budgetUsd !== undefined) await new SweepBudget(this.redis, keys.budget).setCeiling(options.budgetUsd);
    for (const [provider, n] of Object.entries(options.llmConcurrency ?? {}) as [Provider, number][]) {
      const calls = new Queue(callQueueName(provider), { connection: this.target.connection, prefix: PREFIX });
      await calls.setGlobalConcurrency(n);
      await calls.close();
    }
    await this.enqueue(manifest, manifest.jobs);
    const retried = await this.retryFailed(manifest);
    return { status: "queued", fresh, jobs: manifest.jobs.length, retried, done: await this.redis.hlen(keys.rows) };
  }

  private async storePlans(manifest: SweepManifest, plans: ReadonlyMap<string, Plan>): Promise<void> {
    const keys = sweepKeys(manifest.name);
    const store = this.redis.pipeline();
    for (const cell of manifest.cells) store.hsetnx(keys.plans, cell.planHash, JSON.stringify(plans.get(cell.planHash)));
    store.sadd(SWEEPS_KEY, manifest.name);
    await store.exec();
  }

  /**
   * After Redis came back: puts back whatever of the sweep it lost (a Redis
   * without an append-only file forgets everything; one that syncs it every
   * second, the last second) — the manifest and plans when `plans` are at
   * hand, and the jobs. What survived is left as it is; failed jobs stay failed.
   */
  async restore(manifest: SweepManifest, plans: ReadonlyMap<string, Plan> | null): Promise<void> {
    if (plans) {
      await this.redis.set(sweepKeys(manifest.name).manifest, JSON.stringify(manifest), "NX");
      await this.storePlans(manifest, plans);
    }
    await this.enqueue(manifest, manifest.jobs);
  }

  /** Adds the jobs (those already in the queue stay as they are). */
  async enqueue(manifest: SweepManifest, jobs: readonly QueuedJob[]): Promise<void> {
    const planOf = new Map(manifest.cells.map((c) => [c.index, c.planHash]));
    for (let i = 0; i < jobs.length; i += 500) {
      await this.runs.addBulk(
        jobs.slice(i, i + 500).map((j) => {
          const data: RunJobData = { sweep: manifest.name, fingerprint: manifest.fingerprint, cell: j.cell, planHash: planOf.get(j.cell)!, seeds: j.seeds, sbxVersion: manifest.sbxVersion, planFormat: manifest.planFormat };
          return { name: "run", data, opts: { jobId: j.id, attempts: 3, backoff: { type: "exponential", delay: 2000 } } };
        }),
      );
    }
  }

  private async jobIds(manifest: SweepManifest, state: "failed" | "active"): Promise<QueuedJob[]> {
    const mine = new Map(manifest.jobs.map((j) => [j.id, j]));
    return (await this.runs.getRanges([state])).flatMap((id) => (mine.has(id) ? [mine.get(id)!] : []));
  }

  private async retryFailed(manifest: SweepManifest): Promise<number> {
    const failed = await this.jobIds(manifest, "failed");
    const keys = sweepKeys(manifest.name);
    for (const j of failed) {
      const job = await Job.fromId(this.runs, j.id);
      if (!job) continue;
      await this.redis.hdel(keys.failures, ...j.seeds.map((s) => runKey(j.cell, s)));
      await job.retry("failed");
    }
    return failed.length;
  }

  /** Which of the job's runs have no row yet. */
  private async pendingRuns(manifest: SweepManifest, jobs: readonly QueuedJob[]): Promise<{ job: QueuedJob; seed: number }[]> {
    const runs = jobs.flatMap((job) => job.seeds.map((seed) => ({ job, seed })));
    if (!runs.length) return [];
    const have = await this.redis.hmget(sweepKeys(manifest.name).rows, ...runs.map((r) => runKey(r.job.cell, r.seed)));
    return runs.filter((_, i) => have[i] === null);
  }

  async progress(manifest: SweepManifest): Promise<Progress> {
    const [done, active, failed] = await Promise.all([this.redis.hlen(sweepKeys(manifest.name).rows), this.jobIds(manifest, "active"), this.jobIds(manifest, "failed")]);
    let workers: number | null;
    try {
      workers = await this.runs.getWorkersCount();
    } catch {
      // CLIENT LIST may be denied (managed Redis, ACLs).
      workers = null;
    }
    return {
      total: manifest.runs,
      done,
      running: (await this.pendingRuns(manifest, active)).length,
      failed: (await this.pendingRuns(manifest, failed)).length,
      workers,
    };
  }

  /** The runs of failed jobs that have no row, each with its reason. */
  async failures(manifest: SweepManifest): Promise<SweepFailure[]> {
    const failed = await this.jobIds(manifest, "failed");
    const pending = await this.pendingRuns(manifest, failed);
    const recorded = pending.length ? await this.redis.hmget(sweepKeys(manifest.name).failures, ...pending.map((r) => runKey(r.job.cell, r.seed))) : [];
    const reasons = new Map<string, string>();
    const out: SweepFailure[] = [];
    for (const [i, r] of pending.entries()) {
      const text = recorded[i];
      if (text) {
        const f = JSON.parse(text) as RecordedFailure;
        out.push({ cell: r.job.cell, seed: r.seed, kind: f.kind, message: f.message });
        continue;
      }
      if (!reasons.has(r.job.id)) reasons.set(r.job.id, (await Job.fromId(this.runs, r.job.id))?.failedReason ?? "the job failed");
      out.push({ cell: r.job.cell, seed: r.seed, kind: "internal", message: reasons.get(r.job.id)! });
    }
    // In the sweep's order, whichever job failed first.
    const order = new Map(manifest.seeds.map((s, i) => [s, i]));
    return out.sort((a, b) => a.cell - b.cell || order.get(a.seed)! - order.get(b.seed)!);
  }

  /** Every row written so far: runs.csv lines. */
  async rows(name: string): Promise<string[]> {
    return Object.values(await this.redis.hgetall(sweepKeys(name).rows));
  }

  /** How many times each run was started, where more than once (a worker died or lost its lock mid-run). */
  async restarts(name: string): Promise<number> {
    return Object.values(await this.redis.hgetall(sweepKeys(name).started)).filter((n) => Number(n) > 1).length;
  }

  async budget(name: string): Promise<BudgetState> {
    return new SweepBudget(this.redis, sweepKeys(name).budget).state();
  }

  /**
   * Removes the sweep from the queue: its jobs, rows and plans. Jobs a
   * worker holds cannot be removed: while there are any, nothing is removed
   * and their number is returned.
   */
  async forget(manifest: SweepManifest): Promise<{ active: number }> {
    const active = (await this.jobIds(manifest, "active")).length;
    if (active) return { active };
    for (const j of manifest.jobs) {
      const job = await Job.fromId(this.runs, j.id);
      // A job taken by a worker since the check above stays; its worker finds the sweep gone and fails it.
      if (job && !(await job.isActive())) await job.remove();
    }
    const keys = sweepKeys(manifest.name);
    await this.redis.multi().del(...Object.values(keys)).srem(SWEEPS_KEY, manifest.name).exec();
    return { active: 0 };
  }

  async close(): Promise<void> {
    await this.runs.close();
    this.redis.disconnect();
  }
}
