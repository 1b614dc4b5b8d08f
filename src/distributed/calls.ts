/**
 * LLM calls of a queued sweep. A run's calls do not go straight to the
 * provider: each is a job on its provider's call queue (`llm-openai`, …),
 * whose global concurrency — BullMQ's limiter, held in Redis — is the
 * plan's `llm.concurrency` for that provider, so the limit holds across all
 * workers together, not per run. Every `sbx worker` serves the call queues
 * of the providers whose keys it has, with the keys of its own environment:
 * no key ever travels through the queue.
 *
 * Before a call is queued, its worst-case cost is reserved against the
 * sweep's budget (budget.ts); a call the budget cannot cover is never made,
 * and comes back to the agent as a fault, so it falls back as it would when a
 * provider refuses.
 */
import { Job, Queue, QueueEvents, Worker, type ConnectionOptions } from "bullmq";
import { callCost, callCostBound, inputTokenBound, priceOf } from "../llm/cost.ts";
import { scrubberFor } from "../llm/scrub.ts";
import { LLM_PROVIDERS, type ModelClient, type ModelOutcome, type ModelRequest, type Provider } from "../llm/types.ts";
import type { Plan } from "../plan/schema.ts";
import { KEY_VARIABLES } from "../platform/llm/keys.ts";
import { liveClient } from "../platform/llm/providers/index.ts";
import type { SweepBudget } from "./budget.ts";
import type { QueueTarget } from "./connection.ts";
import { callQueueName, PREFIX } from "./store.ts";

/** Calls one worker process makes at once, per provider; the queue's global concurrency is the real limit. */
const CALLS_PER_PROCESS = 64;
/** How often a waiting call checks its job in Redis, in case its completion event was missed (a Redis restart). */
const POLL_MS = 2000;
/** Finished call jobs are kept this long, so a run retried after its worker died gets the same answers. */
const KEEP_SECONDS = 3600;

const fault = (detail: string): ModelOutcome => ({ kind: "fault", fault: "connection", status: null, retryAfterSeconds: null, detail });

/** The SBX5055 fault text: the sweep's budget across workers cannot cover the call. */
export const BUDGET_FAULT = "the sweep's LLM budget across workers cannot cover this call [SBX5055]";

/** Sends calls through the providers' call queues and waits for their answers. One per worker process. */
export class CallDispatcher {
  private readonly queues = new Map<Provider, Queue>();
  private readonly events = new Map<Provider, Promise<QueueEvents>>();
  private readonly waiters = new Map<string, (outcome: ModelOutcome) => void>();

  constructor(private readonly connection: ConnectionOptions) {}

  private queue(provider: Provider): Queue {
    let q = this.queues.get(provider);
    if (!q) this.queues.set(provider, (q = new Queue(callQueueName(provider), { connection: this.connection, prefix: PREFIX })));
    return q;
  }

  private listen(provider: Provider): Promise<QueueEvents> {
    let e = this.events.get(provider);
    if (!e) {
      const events = new QueueEvents(callQueueName(provider), { connection: this.connection, prefix: PREFIX });
      events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, returnvalue as ModelOutcome));
      events.on("failed", ({ jobId, failedReason }) => this.settle(jobId, fault(`the call failed in the queue: ${failedReason}`)));
      // Connection trouble is reported by the worker's own connections; here it only delays answers.
      events.on("error", () => undefined);
      this.events.set(provider, (e = events.waitUntilReady().then(() => events)));
    }
    return e;
  }

  private settle(jobId: string, outcome: ModelOutcome): void {
    const waiter = this.waiters.get(jobId);
    if (waiter) {
      this.waiters.delete(jobId);
      waiter(outcome);
    }
  }

  /** The call's outcome, answered by whichever worker serves the provider's queue. Never rejects. */
  async call(request: ModelRequest, id: string): Promise<ModelOutcome> {
    const queue = this.queue(request.provider);
    try {
      await this.listen(request.provider);
      const answered = new Promise<ModelOutcome>((resolve) => this.waiters.set(id, resolve));
      await queue.add("call", request, { jobId: id, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS }, attempts: 3, backoff: { type: "exponential", delay: 1000 } });
      // The job may have finished already (a run repeated after its worker died), or its event
      // may be lost to a Redis restart: look at the job itself now and then.
      const poll = setInterval(() => void this.check(queue, id), POLL_MS);
      void this.check(queue, id);
      try {
        return await answered;
      } finally {
        clearInterval(poll);
      }
    } catch (e) {
      this.waiters.delete(id);
      return fault(`the call could not go through the queue: ${(e as Error).message}`);
    }
  }

  private async check(queue: Queue, id: string): Promise<void> {
    try {
      const job = await Job.fromId(queue, id);
      if (!job) return;
      if (job.finishedOn && job.returnvalue !== null && job.returnvalue !== undefined) this.settle(id, job.returnvalue as ModelOutcome);
      else if (job.finishedOn && job.failedReason) this.settle(id, fault(`the call failed in the queue: ${job.failedReason}`));
    } catch {
      // Redis is away; the next poll will see.
    }
  }

  /** Sets each provider's limit on calls in flight across all workers. */
  async limit(concurrency: Partial<Record<Provider, number>>): Promise<void> {
    for (const [provider, n] of Object.entries(concurrency) as [Provider, number][]) await this.queue(provider).setGlobalConcurrency(n);
  }

  async close(): Promise<void> {
    for (const settle of this.waiters.values()) settle(fault("the worker is shutting down"));
    this.waiters.clear();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await Promise.all([...this.events.values()].map(async (e) => (await e.catch(() => null))?.close()));
  }
}

/**
 * A run's model client: reserves each call's worst case against the sweep's
 * budget, sends it through the call queue, and turns the reservation into
 * the call's cost — its worst case when it timed out or lost its connection,
 * since such a call may still be billed (as the engine's own budget counts it).
 */
export function queuedClient(dispatcher: CallDispatcher, plan: Plan, budget: SweepBudget | null, runId: string): ModelClient {
  return {
    async complete(request: ModelRequest): Promise<ModelOutcome> {
      const price = priceOf(plan.llm.prices, request.model);
      const bound = callCostBound(price, inputTokenBound(request.system, request.user), request.maxTokens);
      if (budget) {
        let admitted: boolean;
        try {
          admitted = await budget.reserve(bound);
        } catch (e) {
          return fault(`the sweep's budget could not be checked: ${(e as Error).message}`);
        }
        if (!admitted) return { kind: "fault", fault: "client_error", status: null, retryAfterSeconds: null, detail: BUDGET_FAULT };
      }
      const outcome = await dispatcher.call(request, `${runId}.${request.callId}`);
      if (budget) {
        const unknown = outcome.kind === "fault" && (outcome.fault === "timeout" || outcome.fault === "connection");
        const cost = outcome.kind === "response" ? callCost(price, outcome.tokensIn, outcome.tokensOut) : unknown ? bound : 0;
        await budget.settle(bound, cost).catch(() => undefined);
      }
      return outcome;
    },
  };
}

/** The providers this process can call: those whose key is in its environment (Ollama needs none). */
export function servedProviders(env: Readonly<Record<string, string | undefined>>): Provider[] {
  return LLM_PROVIDERS.filter((p) => {
    const variable = KEY_VARIABLES[p];
    return variable === null || (env[variable] ?? "").trim() !== "";
  });
}

/** Workers answering the call queues of `providers`, with this process's keys. */
export function serveCalls(target: QueueTarget, providers: readonly Provider[], name: string, onError: (e: Error) => void): Worker[] {
  const env = process.env;
  const client = liveClient(env, scrubberFor(env));
  return providers.map((provider) => {
    const worker = new Worker(callQueueName(provider), async (job) => client.complete(job.data as ModelRequest), {
      connection: target.connection,
      prefix: PREFIX,
      concurrency: CALLS_PER_PROCESS,
      name,
    });
    worker.on("error", onError);
    return worker;
  });
}
