/**
 * `sbx run --out` runs the engine on a worker thread. The engine runs a plan
 * in one synchronous loop, and a signal handler on the thread running it
 * would wait for the loop to end; on its own thread, the main thread stays
 * free to write each finished epoch and to answer Ctrl-C at once, at an
 * epoch boundary, so `summary.json` can say `interrupted` consistently with
 * the events and metrics already written.
 *
 * The worker writes each event as it happens, as JSONL bytes
 * (src/cli/event-lines.ts) or, for the frequent kinds, as a binary record
 * the main thread turns into the same line (src/cli/event-records.ts:
 * formatting numbers was most of the worker's cost of an event, and the main
 * thread otherwise waits), into a ring of BATCH_SLOTS shared buffers of
 * BATCH_BYTES each, and sends a slot's number when it fills (a line that
 * does not fit what is left of a slot continues in the next); the main
 * thread writes the slot to disk and counts it written, which frees the slot. Then
 * one message per finished epoch (its record, its freeze events) and one at
 * the end; the main thread rebuilds the RunResult. No event object outlives
 * its line, no event text is a string on either thread (but an event larger
 * than a slot, which goes through the ring in pieces), and neither thread
 * holds an epoch's log: a million agents' epoch is gigabytes of text. On Ctrl-C the events file is
 * cut back to the last finished epoch (RunWriter.interrupt).
 */
import { existsSync } from "node:fs";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { InvalidPlanError, planProblems, type EpochRecord, type RunResult, type SimEvent } from "../engine/index.ts";
import { Scheduler } from "../engine/scheduler.ts";
import type { Plan } from "../plan/schema.ts";
import { columnBuffers, fromColumns, toColumns, type AgentColumns } from "./agent-columns.ts";
import { RecordReader, SlotWriter } from "./event-records.ts";
import { packPlan, unpackPlan, type PackedPlan } from "./run-plan-transfer.ts";
import { workerEntry } from "./pool.ts";
import { sameAgents } from "./run-writer.ts";

export type ThreadMessage =
  /** Events in a slot of the ring: its first `length` bytes. */
  | { readonly type: "events"; readonly slot: number; readonly length: number }
  /** A finished epoch: its record, with its agents as columns (src/cli/agent-columns.ts) when they encode, and its freeze events. */
  | { readonly type: "epoch"; readonly record: SentRecord; readonly intervals: SimEvent[] }
  /** The run's end; its agents are null when they are the last epoch's (sent already: a million agents are a large message). */
  | { readonly type: "done"; readonly intervals: SimEvent[]; readonly result: Omit<RunResult, "epochs" | "agents">; readonly agents: SentAgents | null }
  | { readonly type: "error"; readonly message: string; readonly stack: string | null };

/** Agents as columns, or (records of another shape) as they are. */
export type SentAgents = { readonly columns: AgentColumns } | { readonly records: RunResult["agents"] };

export type SentRecord = Omit<EpochRecord, "agents"> & { readonly agents: SentAgents };

/** Agents for a message, and the buffers it transfers. */
function sendAgents(agents: RunResult["agents"], plan: Plan): { agents: SentAgents; transfer: ArrayBuffer[] } {
  const columns = toColumns(agents, plan.agents);
  return columns ? { agents: { columns }, transfer: columnBuffers(columns) } : { agents: { records: agents }, transfer: [] };
}

function receivedAgents(sent: SentAgents, plan: Plan): RunResult["agents"] {
  return "columns" in sent ? fromColumns(sent.columns, plan.agents) : sent.records;
}

/** What the worker thread receives. */
export interface RunThreadData {
  readonly sbxRunThread: {
    /** The plan, its population packed (src/cli/run-plan-transfer.ts). */
    readonly plan: PackedPlan;
    /**
     * Its hash, computed where the plan was made while this thread sets the
     * run up: [length of its UTF-8 bytes, or ABANDONED; the bytes]. The
     * thread waits (Atomics) for it before the run's first event.
     */
    readonly planHash: SharedArrayBuffer;
    /**
     * [epochs the main thread has handled, event batches it has written]: the
     * worker waits on them (Atomics) to stay at most AHEAD epochs ahead, and
     * to fill only slots whose batch is written.
     */
    readonly handled: SharedArrayBuffer;
    /** The ring of event batches: BATCH_SLOTS slots of BATCH_BYTES. */
    readonly batches: SharedArrayBuffer;
  };
}

/**
 * Epochs the engine may run ahead of the main thread. Without a bound it
 * outruns the disk (each epoch is fsynced), the queue of messages grows
 * without limit, and the main thread, draining it, never gets to the signal.
 */
const AHEAD = 2;

/** Event batches the engine may send before the main thread has written them: the slots of the ring. */
const BATCH_SLOTS = 4;

/**
 * The JSONL the worker gathers before sending it (bytes): a slot of the ring.
 * Each slot sent wakes the main thread; with slots of 1 MiB, the messages of a
 * run writing 2 GB of events cost its thread 3.4 s (of 128) at a million
 * agents (--cpu-prof).
 */
const BATCH_BYTES = 4 << 20;

/** Events the report draws as intervals: intervals and releases, perturbations and their healing. */
export const isIntervalEvent = (e: SimEvent): boolean =>
  e.type === "agent_frozen" || e.type === "agent_unfrozen" || e.type === "perturbation_started" || e.type === "perturbation_healed";

/** The plan hash's cell: its bytes' length once given, this when the run will not start. */
const ABANDONED = -1;

/** Room for the plan hash's bytes (a hash is 71). */
const HASH_BYTES = 256;

/** The worker's side: run the plan, post each epoch as it finishes. */
export function serveRunThread(): void {
  const { plan: packed, planHash: hashBuffer, handled, batches } = (workerData as RunThreadData).sbxRunThread;
  const hashCell = new Int32Array(hashBuffer, 0, 1);
  /** The plan hash, once the main thread has given it. */
  const planHash = (): string => {
    for (let seen = Atomics.load(hashCell, 0); seen === 0; seen = Atomics.load(hashCell, 0)) Atomics.wait(hashCell, 0, seen);
    const length = Atomics.load(hashCell, 0);
    if (length === ABANDONED) throw new Error("the run was abandoned before it started");
    return new TextDecoder().decode(new Uint8Array(hashBuffer, 4, length).slice());
  };
  let plan = null as unknown as Plan;
  const counter = new Int32Array(handled);
  const ring = new Uint8Array(batches);
  const port = parentPort!;
  const slot = (batch: number): Uint8Array => {
    const start = (batch % BATCH_SLOTS) * BATCH_BYTES;
    return ring.subarray(start, start + BATCH_BYTES);
  };
  let intervals: SimEvent[] = [];
  let last = null as EpochRecord | null;
  let sent = 0;
  let posted = 0;
  /** Wait (Atomics) until the main thread's counter `slot` reaches `target`. */
  const waitFor = (slot: number, target: number): void => {
    for (let seen = Atomics.load(counter, slot); seen < target; seen = Atomics.load(counter, slot)) Atomics.wait(counter, slot, seen);
  };
  /** Send the filled slot, and wait until the next one's last batch is written. */
  const events = new SlotWriter(slot(0), (filled) => {
    port.postMessage({ type: "events", slot: posted % BATCH_SLOTS, length: filled.length } satisfies ThreadMessage);
    posted++;
    waitFor(1, posted - BATCH_SLOTS + 1);
    return slot(posted);
  });
  try {
    plan = unpackPlan(packed);
    // The plan was validated where it was made (compileForRun, loadPlanFile) and arrives as a copy of it: parsing it
    // again, as runPlan does, would give the same plan and hold a second copy of it (a million agents') for the whole run.
    // Its planProblems are found on the main thread meanwhile (PendingThread.run): the run starts only without any.
    const result = new Scheduler(plan, {
      planHash,
      events: (e) => {
        if (isIntervalEvent(e)) intervals.push(e);
        events.push(e);
      },
      onEpoch: (record) => {
        last = record;
        events.flush();
        const { agents, transfer } = sendAgents(record.agents, plan);
        port.postMessage({ type: "epoch", record: { ...record, agents }, intervals } satisfies ThreadMessage, transfer);
        intervals = [];
        sent++;
        // Wait until the main thread has written all but AHEAD of the epochs sent.
        waitFor(0, sent - AHEAD);
      },
    }).run();
    const { epochs: _epochs, agents, ...rest } = result;
    events.flush();
    const repeated = last !== null && sameAgents(last.agents, agents);
    last = null;
    const final = repeated ? null : sendAgents(agents, plan);
    port.postMessage({ type: "done", intervals, result: rest, agents: final?.agents ?? null } satisfies ThreadMessage, final?.transfer ?? []);
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
  /**
   * Events, in order, as JSONL: UTF-8 bytes (valid only during the call: the
   * slot is reused once it returns), or text. Throwing stops the run.
   */
  events(events: Uint8Array | string): void;
  /** A finished epoch (its events came before it): its record, its freeze events. Throwing stops the run. */
  epoch(record: EpochRecord, intervals: readonly SimEvent[]): void;
  /** The run's end (its last events came before it). */
  end(intervals: readonly SimEvent[]): void;
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
export function runOnThread(plan: Plan, planHash: string, handlers: ThreadHandlers): ThreadRun {
  return startThread(plan).run(planHash, handlers);
}

/**
 * A run's thread started before its plan's hash is known: it unpacks the
 * plan and sets the run up (seconds at a million agents) while this thread
 * hashes the plan, checks it (planProblems) and opens the run's files.
 */
export interface PendingThread {
  /** Give the thread the plan's hash and start the run (unless the plan has problems: the run then fails with them). */
  run(planHash: string, handlers: ThreadHandlers): ThreadRun;
  /** The run will not start: stop the thread. */
  abandon(): void;
}

type WorkerSignal = { readonly kind: "message"; readonly m: ThreadMessage } | { readonly kind: "error"; readonly error: unknown } | { readonly kind: "exit"; readonly code: number };

/** Start `plan`'s thread; what it says before `run` waits for `run`. */
export function startThread(plan: Plan): PendingThread {
  const handled = new SharedArrayBuffer(8);
  const counter = new Int32Array(handled);
  const batches = new SharedArrayBuffer(BATCH_SLOTS * BATCH_BYTES);
  const hashBuffer = new SharedArrayBuffer(4 + HASH_BYTES);
  const hashCell = new Int32Array(hashBuffer, 0, 1);
  const worker = new Worker(workerEntry(), { workerData: { sbxRunThread: { plan: packPlan(plan), planHash: hashBuffer, handled, batches } } satisfies RunThreadData });
  // Not holding the process open until the run is given to it (an early exit abandons it).
  worker.unref();
  const early: WorkerSignal[] = [];
  let deliver: ((signal: WorkerSignal) => void) | null = null;
  const signal = (s: WorkerSignal): void => (deliver ? deliver(s) : void early.push(s));
  worker.on("message", (m: ThreadMessage) => signal({ kind: "message", m }));
  worker.on("error", (error) => signal({ kind: "error", error }));
  worker.on("exit", (code) => signal({ kind: "exit", code }));
  const giveHash = (length: number): void => {
    Atomics.store(hashCell, 0, length);
    Atomics.notify(hashCell, 0);
  };
  return {
    abandon() {
      giveHash(ABANDONED);
      void worker.terminate();
    },
    run(planHash, handlers) {
      worker.ref();
      const problems = planProblems(plan);
      if (problems.length) {
        this.abandon();
        const failed = Promise.reject(new InvalidPlanError(problems));
        return { result: failed, stop: async () => {} };
      }
      const { written: length } = new TextEncoder().encodeInto(planHash, new Uint8Array(hashBuffer, 4, HASH_BYTES));
      if (length === HASH_BYTES) throw new Error(`a plan hash of ${HASH_BYTES} bytes or more: ${planHash.slice(0, 40)}…`);
      giveHash(length);
      return attach(plan, worker, handlers, counter, batches, (d) => {
        deliver = d;
        for (const s of early.splice(0)) d(s);
      });
    },
  };
}

/** The main thread's side of a started run: its messages to the handlers, its end to the result. */
function attach(plan: Plan, worker: Worker, handlers: ThreadHandlers, counter: Int32Array, batches: SharedArrayBuffer, listen: (deliver: (s: WorkerSignal) => void) => void): ThreadRun {
  const epochs: EpochRecord[] = [];
  let stopped = false;
  /** Event batches written. */
  let written = 0;
  // Records become JSON lines here, in pieces of at most a slot's size.
  const reader = new RecordReader(BATCH_BYTES, (bytes) => handlers.events(bytes));
  const release = (): void => {
    for (const slot of [0, 1]) {
      Atomics.store(counter, slot, 0x7fffffff);
      Atomics.notify(counter, slot);
    }
  };
  /**
   * The last planned epoch, held (as the columns sent) until the thread has
   * exited: its records built at once (200 MB with their columns at a million
   * agents) were the main thread's share of the run's peak, made while the
   * thread still held the whole world. The thread never waits for it (it
   * waits only for all but AHEAD ≥ 1 epochs). Stopped before the run's end,
   * the run is one epoch shorter, its events cut back to the epoch before.
   */
  let lastEpoch: Extract<ThreadMessage, { type: "epoch" }> | null = null;
  const handleEpoch = (m: Extract<ThreadMessage, { type: "epoch" }>): void => {
    const record: EpochRecord = { ...m.record, agents: receivedAgents(m.record.agents, plan) };
    epochs.push(record);
    handlers.epoch(record, m.intervals);
    Atomics.store(counter, 0, epochs.length);
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
    const onMessage = (m: ThreadMessage): void => {
      if (stopped) return;
      try {
        if (m.type === "events") {
          reader.read(new Uint8Array(batches, m.slot * BATCH_BYTES, m.length));
          Atomics.store(counter, 1, ++written);
          Atomics.notify(counter, 1);
        } else if (m.type === "epoch") {
          if (m.record.epoch === plan.simulation.epochs - 1) lastEpoch = m;
          else handleEpoch(m);
        } else if (m.type === "done") {
          stopped = true;
          // Go on once the thread has exited, so its heap (the world, its copy of the plan) is freed before the last
          // epoch's records, the report and the final files are built: at a million agents they together set the peak.
          const settle = (): void => {
            try {
              if (lastEpoch) handleEpoch(lastEpoch);
              lastEpoch = null;
              handlers.end(m.intervals);
              resolve({ ...m.result, agents: m.agents ? receivedAgents(m.agents, plan) : epochs.at(-1)!.agents, epochs });
            } catch (e) {
              reject(e);
            }
          };
          worker.terminate().then(settle, settle);
        } else {
          if (lastEpoch) handleEpoch(lastEpoch);
          lastEpoch = null;
          const error = new Error(m.message);
          if (m.stack) error.stack = m.stack;
          fail(error);
        }
      } catch (e) {
        fail(e);
      }
    };
    listen((s) => {
      if (s.kind === "message") onMessage(s.m);
      else if (s.kind === "error") fail(s.error);
      else fail(new Error(`the run's thread stopped (exit code ${s.code}) before the run finished`));
    });
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
