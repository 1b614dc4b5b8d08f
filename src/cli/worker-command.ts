/**
 * `sbx worker --queue URL [--concurrency N] [--stall-seconds S] [--verbose]`
 *
 * Runs the jobs of queued sweeps (docs/distributed.md) on this machine, N
 * at a time on worker threads — the main thread stays free to keep the
 * jobs' locks alive — and answers the LLM calls of the providers whose keys
 * this machine's environment holds. Each run's row goes back to Redis, built
 * by the same code as a local sweep's (`finishedRunRow`, `csvLine`).
 *
 * Ctrl-C (or SIGTERM, as systemd and Docker send) finishes the jobs in hand
 * and exits 0; a second one exits at once, and the queue hands the
 * unfinished jobs to other workers. Exit 2 when the queue cannot be reached.
 */
import { messageOf } from "../diagnostics/catalogue.ts";
import { availableParallelism } from "node:os";
import type { ExecutorJob, ExecutorResult, RunExecutor, WorkerEvent } from "../distributed/worker.ts";
import { hasLlmAgents } from "../platform/llm/keys.ts";
import { SBX_VERSION } from "../version.ts";
import { openPool, type RunPool } from "./pool.ts";
import type { QueuedPayload } from "./queue-command.ts";
import { executeTask, withSeed } from "./run-outcome.ts";
import { rowLine, type RowReply } from "./sweep-rows.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export interface WorkerCommandOptions {
  readonly queue?: string;
  readonly concurrency?: string;
  readonly stallSeconds?: string;
  readonly verbose?: boolean;
}

/**
 * Runs a job's runs on a worker thread, in one go, straight to their rows.
 * LLM runs stay in this thread: they wait on calls, and their calls go
 * through the queue's client, which cannot cross to a thread.
 */
class ThreadExecutor implements RunExecutor<QueuedPayload> {
  private readonly pool: RunPool;

  constructor(threads: number) {
    this.pool = openPool(threads, Infinity, { threads: true });
  }

  async runJob(job: ExecutorJob<QueuedPayload>): Promise<ExecutorResult[]> {
    const { layout, outline } = job.manifest.payload;
    const cell = outline.cells.find((c) => c.index === job.cell);
    if (!cell) return job.seeds.map((seed) => ({ seed, ok: false, deterministic: true, kind: "internal", message: `the sweep has no cell ${job.cell}` }));
    const replies: RowReply[] = [];
    if (hasLlmAgents(job.plan)) {
      for (const seed of job.seeds) {
        const reply = await executeTask(withSeed(job.plan, seed), { client: () => job.client(seed) });
        replies.push(reply.ok ? { seed, ok: true, line: rowLine(layout, cell, job.plan, seed, reply.run) } : { seed, ok: false, failure: reply.failure });
      }
    } else replies.push(...(await this.pool.rows({ layout, cell, plan: job.plan, seeds: job.seeds })));
    // Only an engine error is the plan's own: a crashed thread, a missing key or a closed pool is worth another try.
    return replies.map((r) => (r.ok ? r : { seed: r.seed, ok: false, deterministic: r.failure.kind === "internal", kind: r.failure.kind, message: r.failure.message }));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function whole(text: string | undefined, flag: string, fallback: number): number | string {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1) return `${flag} expects a whole number of at least 1, got '${text}'`;
  return n;
}

export async function workerCommand(options: WorkerCommandOptions, term: Terminal): Promise<number> {
  const usage = (detail: string): number => {
    term.err(`sbx: ${term.color.red("error[SBX5002]")}: ${detail}\n`);
    return EXIT.usage;
  };
  const url = options.queue ?? process.env["SBX_QUEUE_URL"];
  if (url === undefined || url === "") return usage("sbx worker needs --queue URL (or SBX_QUEUE_URL): the Redis holding the queue");
  const concurrency = whole(options.concurrency, "--concurrency", Math.max(1, availableParallelism()));
  if (typeof concurrency === "string") return usage(concurrency);
  const stallSeconds = whole(options.stallSeconds, "--stall-seconds", 30);
  if (typeof stallSeconds === "string") return usage(stallSeconds);

  const [{ queueTarget }, { QueueClient, QueueUnreachable }, { startWorker }] = await Promise.all([
    import("../distributed/connection.ts"),
    import("../distributed/client.ts"),
    import("../distributed/worker.ts"),
  ]);
  const resolved = queueTarget(url);
  if ("problem" in resolved) {
    term.err(`sbx: ${term.color.red("error[SBX5050]")}: ${resolved.problem}\n`);
    return EXIT.usage;
  }
  const target = resolved.target;
  // Fail fast when the queue cannot be reached at all; once connected, the worker reconnects for as long as it takes.
  try {
    await (await QueueClient.connect(target)).close();
  } catch (e) {
    if (e instanceof QueueUnreachable) {
      term.err(`sbx: ${term.color.red("error[SBX5051]")}: ${messageOf("SBX5051", { url: target.shown, reason: e.reason })}\n`);
      return EXIT.usage;
    }
    throw e;
  }

  const report = (event: WorkerEvent): void => {
    switch (event.type) {
      case "ready":
        term.err(
          `sbx worker ${event.name} (sbx ${SBX_VERSION}) on ${target.shown}: ${concurrency} job${concurrency === 1 ? "" : "s"} at a time` +
            `; answers LLM calls for ${event.providers.join(", ")}\n`,
        );
        break;
      case "job":
        if (options.verbose) term.err(`${event.state === "started" ? "started" : "finished"} job ${event.job} (${event.runs} run${event.runs === 1 ? "" : "s"})\n`);
        break;
      case "refused":
        term.err(`sbx: ${term.color.red("error[SBX5053]")}: ${event.message} (job ${event.job})\n`);
        break;
      case "failed":
        term.err(
          event.deterministic
            ? `sbx: ${term.color.red("error[SBX4003]")}: job ${event.job}: internal error while running cell ${event.cell} with seed ${event.seed}: ${event.message}\n`
            : `sbx: ${term.color.yellow("warning")}: job ${event.job}: cell ${event.cell} with seed ${event.seed} did not run here: ${event.message} (the queue retries it)\n`,
        );
        break;
      case "connection":
        term.err(event.state === "lost" ? `sbx: ${term.color.yellow("warning[SBX5051]")}: lost the connection to ${target.shown}: ${event.reason}; reconnecting\n` : `reconnected to ${target.shown}\n`);
        break;
    }
  };

  const worker = await startWorker({ target, concurrency, stallSeconds, executor: new ThreadExecutor(concurrency), onEvent: report });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) process.exit(130);
      stopping = true;
      term.err(`stopping: finishing the jobs in hand (Ctrl-C again to quit now; the queue hands unfinished jobs to other workers)\n`);
      void worker.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  term.err(`sbx worker ${worker.name} stopped\n`);
  return EXIT.ok;
}
