/**
 * `sbx run --out` runs the engine on a worker thread. The engine runs a plan
 * in one synchronous loop, and a signal handler on the thread running it
 * would wait for the loop to end; on its own thread, the main thread stays
 * free to write each finished epoch and to answer Ctrl-C at once, at an
 * epoch boundary, so `summary.json` can say `interrupted` consistently with
 * the events and metrics already written.
 *
 * The worker sends one message per finished epoch (its events as JSONL, its
 * record, its freeze events) and one at the end; the main thread rebuilds
 * the RunResult from them.
 */
import { existsSync } from "node:fs";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { runPlan, toJsonl, type EpochRecord, type RunResult, type SimEvent } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";
import { workerEntry } from "./pool.ts";

export type ThreadMessage =
  | { readonly type: "epoch"; readonly events: string; readonly record: EpochRecord; readonly freezes: SimEvent[] }
  | { readonly type: "done"; readonly events: string; readonly freezes: SimEvent[]; readonly result: Omit<RunResult, "epochs"> }
  | { readonly type: "error"; readonly message: string; readonly stack: string | null };

/** What the worker thread receives. */
export interface RunThreadData {
  readonly sbxRunThread: {
    readonly plan: Plan;
    /** [epochs the main thread has handled]: the worker waits on it (Atomics) to stay at most AHEAD epochs ahead. */
    readonly handled: SharedArrayBuffer;
  };
}

/**
 * Epochs the engine may run ahead of the main thread. Without a bound it
 * outruns the disk (each epoch is fsynced), the queue of messages grows
 * without limit, and the main thread, draining it, never gets to the signal.
 */
const AHEAD = 2;

const isFreeze = (e: SimEvent): boolean => e.type === "agent_frozen" || e.type === "agent_unfrozen";

/** The worker's side: run the plan, post each epoch as it finishes. */
export function serveRunThread(): void {
  const { plan, handled } = (workerData as RunThreadData).sbxRunThread;
  const counter = new Int32Array(handled);
  const port = parentPort!;
  let events: SimEvent[] = [];
  let freezes: SimEvent[] = [];
  let sent = 0;
  try {
    const result = runPlan(plan, {
      events: (e) => {
        events.push(e);
        if (isFreeze(e)) freezes.push(e);
      },
      onEpoch: (record) => {
        port.postMessage({ type: "epoch", events: toJsonl(events), record, freezes } satisfies ThreadMessage);
        events = [];
        freezes = [];
        sent++;
        // Wait until the main thread has written all but AHEAD of the epochs sent.
        for (let seen = Atomics.load(counter, 0); seen < sent - AHEAD; seen = Atomics.load(counter, 0)) Atomics.wait(counter, 0, seen);
      },
    });
    const { epochs: _epochs, ...rest } = result;
    port.postMessage({ type: "done", events: toJsonl(events), freezes, result: rest } satisfies ThreadMessage);
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ type: "error", message: error.message, stack: error.stack ?? null } satisfies ThreadMessage);
  }
}

export interface ThreadRun {
  /** Settles with the run, or rejects with what the engine (or a handler) threw. */
  readonly result: Promise<RunResult>;
  /** Stops the thread; no handler is called after this. */
  stop(): Promise<void>;
}

export interface ThreadHandlers {
  /** A finished epoch: its events as JSONL text, its record, its freeze events. Throwing stops the run. */
  epoch(events: string, record: EpochRecord, freezes: readonly SimEvent[]): void;
  /** Events after the last epoch (the run's end). */
  end(events: string, freezes: readonly SimEvent[]): void;
}

/** Whether runs can go to a thread here (the bundle's worker file exists). */
export function threadsAvailable(): boolean {
  return existsSync(workerEntry());
}

/** Run `plan` on a worker thread; handlers are called on this thread, epoch by epoch, in order. */
export function runOnThread(plan: Plan, handlers: ThreadHandlers): ThreadRun {
  const handled = new SharedArrayBuffer(4);
  const counter = new Int32Array(handled);
  const worker = new Worker(workerEntry(), { workerData: { sbxRunThread: { plan, handled } } satisfies RunThreadData });
  const epochs: EpochRecord[] = [];
  let stopped = false;
  const release = (): void => {
    Atomics.store(counter, 0, 0x7fffffff);
    Atomics.notify(counter, 0);
  };
  const result = new Promise<RunResult>((resolve, reject) => {
    const fail = (e: unknown): void => {
      if (stopped) return;
      stopped = true;
      release();
      void worker.terminate();
      reject(e);
    };
    worker.on("message", (m: ThreadMessage) => {
      if (stopped) return;
      try {
        if (m.type === "epoch") {
          epochs.push(m.record);
          handlers.epoch(m.events, m.record, m.freezes);
          Atomics.store(counter, 0, epochs.length);
          Atomics.notify(counter, 0);
        } else if (m.type === "done") {
          handlers.end(m.events, m.freezes);
          stopped = true;
          void worker.terminate();
          resolve({ ...m.result, epochs });
        } else {
          const error = new Error(m.message);
          if (m.stack) error.stack = m.stack;
          fail(error);
        }
      } catch (e) {
        fail(e);
      }
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the run's thread stopped (exit code ${code}) before the run finished`)));
  });
  return {
    result,
    async stop() {
      stopped = true;
      release();
      await worker.terminate();
    },
  };
}
