/**
 * `sbx run --out` runs the engine on a worker thread. The engine runs a plan
 * in one synchronous loop, and a signal handler on the thread running it
 * would wait for the loop to end; on its own thread, the main thread stays
 * free to write each finished epoch and to answer Ctrl-C at once, at an
 * epoch boundary, so `summary.json` can say `interrupted` consistently with
 * the events and metrics already written.
 *
 * The worker serialises each event as it happens and sends the JSONL in
 * batches of about EVENT_BATCH_CHARS as they fill, then one message per
 * finished epoch (the rest of its events, its record, its freeze events) and
 * one at the end; the main thread writes batches as they come and rebuilds
 * the RunResult. No event object outlives its line, and neither thread holds
 * an epoch's log: a million agents' epoch is gigabytes of text. On Ctrl-C the
 * events file is cut back to the last finished epoch (RunWriter.interrupt).
 */
import { existsSync } from "node:fs";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { runPlan, toJsonl, type EpochRecord, type RunResult, type SimEvent } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";
import { workerEntry } from "./pool.ts";

export type ThreadMessage =
  | { readonly type: "events"; readonly events: string }
  | { readonly type: "epoch"; readonly events: string; readonly record: EpochRecord; readonly intervals: SimEvent[] }
  | { readonly type: "done"; readonly events: string; readonly intervals: SimEvent[]; readonly result: Omit<RunResult, "epochs"> }
  | { readonly type: "error"; readonly message: string; readonly stack: string | null };

/** What the worker thread receives. */
export interface RunThreadData {
  readonly sbxRunThread: {
    readonly plan: Plan;
    /**
     * [epochs the main thread has handled, event batches it has written]: the
     * worker waits on them (Atomics) to stay at most AHEAD epochs and
     * BATCHES_AHEAD batches ahead.
     */
    readonly handled: SharedArrayBuffer;
  };
}

/**
 * Epochs the engine may run ahead of the main thread. Without a bound it
 * outruns the disk (each epoch is fsynced), the queue of messages grows
 * without limit, and the main thread, draining it, never gets to the signal.
 */
const AHEAD = 2;

/** Event batches (of about EVENT_BATCH_CHARS each) the engine may send before the main thread has written them. */
const BATCHES_AHEAD = 8;

/** The JSONL the worker gathers before sending it (characters). */
const EVENT_BATCH_CHARS = 4 << 20;

/** Events the report draws as intervals: intervals and releases, perturbations and their healing. */
export const isIntervalEvent = (e: SimEvent): boolean =>
  e.type === "agent_frozen" || e.type === "agent_unfrozen" || e.type === "perturbation_started" || e.type === "perturbation_healed";

/** The worker's side: run the plan, post each epoch as it finishes. */
export function serveRunThread(): void {
  const { plan, handled } = (workerData as RunThreadData).sbxRunThread;
  const counter = new Int32Array(handled);
  const port = parentPort!;
  let events = "";
  let intervals: SimEvent[] = [];
  let sent = 0;
  let batches = 0;
  /** Wait (Atomics) until the main thread's counter `slot` reaches `target`. */
  const waitFor = (slot: number, target: number): void => {
    for (let seen = Atomics.load(counter, slot); seen < target; seen = Atomics.load(counter, slot)) Atomics.wait(counter, slot, seen);
  };
  try {
    const result = runPlan(plan, {
      events: (e) => {
        events += `${JSON.stringify(e)}\n`;
        if (isIntervalEvent(e)) intervals.push(e);
        if (events.length >= EVENT_BATCH_CHARS) {
          port.postMessage({ type: "events", events } satisfies ThreadMessage);
          events = "";
          batches++;
          waitFor(1, batches - BATCHES_AHEAD);
        }
      },
      onEpoch: (record) => {
        port.postMessage({ type: "epoch", events, record, intervals } satisfies ThreadMessage);
        events = "";
        intervals = [];
        sent++;
        // Wait until the main thread has written all but AHEAD of the epochs sent.
        waitFor(0, sent - AHEAD);
      },
    });
    const { epochs: _epochs, ...rest } = result;
    port.postMessage({ type: "done", events, intervals, result: rest } satisfies ThreadMessage);
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
  /** Events of the epoch in progress, as JSONL text, in order (more follow with the epoch). Throwing stops the run. */
  events(events: string): void;
  /** A finished epoch: its events as JSONL text, its record, its freeze events. Throwing stops the run. */
  epoch(events: string, record: EpochRecord, intervals: readonly SimEvent[]): void;
  /** Events after the last epoch (the run's end). */
  end(events: string, intervals: readonly SimEvent[]): void;
}

/**
 * Whether runs can go to a thread here (the bundle's worker file exists). Not in the build's training
 * run (src/build.mjs, SBX_WRITE_CODE_CACHE): it runs the engine on the main thread, so that the code
 * cache it writes holds the engine's functions too, which every `sbx run` without --out compiles.
 */
export function threadsAvailable(): boolean {
  return process.env["SBX_WRITE_CODE_CACHE"] !== "1" && existsSync(workerEntry());
}

/** Run `plan` on a worker thread; handlers are called on this thread, epoch by epoch, in order. */
export function runOnThread(plan: Plan, handlers: ThreadHandlers): ThreadRun {
  const handled = new SharedArrayBuffer(8);
  const counter = new Int32Array(handled);
  const worker = new Worker(workerEntry(), { workerData: { sbxRunThread: { plan, handled } } satisfies RunThreadData });
  const epochs: EpochRecord[] = [];
  let stopped = false;
  let batches = 0;
  const release = (): void => {
    for (const slot of [0, 1]) {
      Atomics.store(counter, slot, 0x7fffffff);
      Atomics.notify(counter, slot);
    }
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
        if (m.type === "events") {
          handlers.events(m.events);
          Atomics.store(counter, 1, ++batches);
          Atomics.notify(counter, 1);
        } else if (m.type === "epoch") {
          epochs.push(m.record);
          handlers.epoch(m.events, m.record, m.intervals);
          Atomics.store(counter, 0, epochs.length);
          Atomics.notify(counter, 0);
        } else if (m.type === "done") {
          handlers.end(m.events, m.intervals);
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
