/**
 * Rebuilds a run from its event log. The log's events go through the same
 * reducers the live run used, so every agent, interaction and metric is
 * rebuilt by the code that built it; each mechanism recomputes what an event
 * records from what it logged (p from the observables, payoffs from p, the
 * edges a decay prunes), and every epoch's metrics are recomputed and checked
 * against the values the run recorded. The first disagreement is an error.
 */
import { EVENT_FORMAT, type SimEvent } from "../kernel/events.ts";
import type { InteractionRecord, RunResult } from "../kernel/records.ts";
import { ReplayMismatch, World } from "../kernel/world.ts";
import { MECHANISMS } from "../mechanisms/index.ts";
import { planHash } from "../plan/hash.ts";
import { Plan } from "../plan/schema.ts";
import type { EventOf } from "../kernel/events.ts";
import { planProblems } from "./check.ts";
import { computeEpochMetrics, selectionResolver } from "./epoch-metrics.ts";
import { agentRecord } from "./scheduler.ts";

export class ReplayError extends Error {}

export interface Reconstruction {
  result: RunResult;
  interactions: InteractionRecord[];
}

export function replay(events: Iterable<SimEvent>): RunResult {
  return reconstruct(events).result;
}

export function reconstruct(events: Iterable<SimEvent>): Reconstruction {
  let header: EventOf<"run_started"> | null = null;
  let w: World | null = null;
  let verifiers: readonly ((e: SimEvent) => string | null)[] = [];
  let selections: ReturnType<typeof selectionResolver> | null = null;
  const epochs: RunResult["epochs"] = [];
  const interactions: InteractionRecord[] = [];
  let completed = false;

  let index = 0;
  for (const e of events) {
    index++;
    if (e.type === "run_started") {
      if (e.format !== EVENT_FORMAT) throw new ReplayError(`not an sbx event log (format ${String(e.format)})`);
      const parsed = Plan.safeParse(e.plan);
      if (!parsed.success) throw new ReplayError(`the header's plan is not a valid plan: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
      if (planHash(parsed.data) !== e.planHash) throw new ReplayError("the header's plan does not match its planHash");
      const problems = planProblems(parsed.data);
      if (problems.length) throw new ReplayError(`the header's plan cannot run: ${problems.join("; ")}`);
      header = e;
      w = new World(parsed.data, MECHANISMS, { replaying: true });
      verifiers = w.hooks("verify");
      selections = selectionResolver(parsed.data);
      continue;
    }
    if (!w || !selections) throw new ReplayError("event log does not start with run_started");
    if ("epoch" in e && typeof e.epoch === "number") w.epoch = e.epoch;
    if ("step" in e && typeof e.step === "number") w.step = e.step;
    // Events are read as they were logged, unchecked: one that lacks what its reducers read (a tampered or
    // hand-written log) breaks the fold, and is the log's fault, not sbx's, since every log a run writes replays.
    try {
      for (const verify of verifiers) {
        const mismatch = verify(e);
        if (mismatch) throw new ReplayError(mismatch);
      }
      if (e.type === "epoch_completed") {
        const { metrics, observed } = computeEpochMetrics(w, selections);
        checkSame(e.epoch, "metrics", metrics, e.metrics);
        checkSame(e.epoch, "observed", observed, e.observed);
        epochs.push({ epoch: e.epoch, metrics, observed, agents: w.population.slots.map(agentRecord) });
      }
      if (e.type === "interaction_completed") interactions.push(e.interaction);
      if (e.type === "run_completed") completed = true;
      w.emit(e);
    } catch (err) {
      if (err instanceof ReplayError) throw err;
      if (err instanceof ReplayMismatch) throw new ReplayError(err.message);
      throw new ReplayError(`event ${index} (${e.type}) is malformed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (!w || !header) throw new ReplayError("event log does not start with run_started");
  if (!completed) throw new ReplayError("event log ends before run_completed");
  const plan = header.plan;
  const result: RunResult = {
    scenario: plan.scenario.name,
    seed: plan.simulation.seed,
    profile: plan.profile,
    planHash: header.planHash,
    sbxVersion: header.sbxVersion,
    epochs,
    agents: w.population.slots.map(agentRecord),
    epochsCompleted: epochs.length,
    network: null,
  };
  for (const finish of w.hooks("finish")) finish(result);
  return { result, interactions };
}

function checkSame(epoch: number, what: string, computed: Record<string, number | null>, logged: Record<string, number | null> | undefined): void {
  if (logged === undefined) return;
  for (const k of Object.keys(computed)) {
    if (k in logged && computed[k] !== logged[k]) {
      throw new ReplayError(`epoch ${epoch}: ${what} ${k} replays as ${computed[k]} but the log records ${logged[k]}`);
    }
  }
}
