/**
 * Perturbations: shocks that test governance (language.ts has the block).
 *
 * Schedules are decided here: at each epoch's start (after the levers' own
 * epoch-start work, before anyone acts) due shocks heal, then shocks due at
 * this epoch, or whose `when` condition held for the previous epoch, start;
 * at each step's end shocks with a `probability_per_step` may start. Every
 * start and heal is one event carrying what it does (`perturbation_started`:
 * which agents, which settings from what to what, which fragments, which
 * resource changes; `perturbation_healed`), and the reducers apply it, so a
 * replay rebuilds every shock.
 *
 * While a shock lasts: dropped agents take no turn and cannot be proposed
 * to; a partition lets agents see and propose only within their fragment;
 * corrupted agents' interactions show the proxy corrupted observables (the
 * interaction record logs what the proxy read); a parameter shock's settings
 * hold their shocked values. Healing undoes each (a resource shock is done
 * at once and never heals).
 *
 * Recovery is measured against the latest shock: its pre-shock level is the
 * mean toxicity of the `baseline` epochs before it started; it has recovered
 * once toxicity stays at most `recovery_band` above that level for
 * `recovery_hold` epochs, counted from the epoch it healed in (from its start
 * for shocks that never heal).
 */
import type { Action } from "../../kernel/actions.ts";
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series, type MetricSpec } from "../../kernel/metric.ts";
import type { TurnView, VisibleSubset } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { Observables } from "../../kernel/records.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";
import { epochToxicity } from "../interactions/metrics.ts";
import { network } from "../network/index.ts";
import { PERTURBATIONS, PERTURBATIONS_SLICE, type PerturbationsPlan, type ScheduleSpec } from "./language.ts";

export const PERTURBATION_KINDS = ["dropout", "signal_corruption", "parameter_shock", "partition", "resource_shock"] as const;
export type PerturbationKind = (typeof PERTURBATION_KINDS)[number];

type Value = number | boolean | string;

declare module "../../kernel/events.ts" {
  interface EventMap {
    /**
     * A perturbation started, with everything it does: the agents it drops or
     * corrupts (`agents`, `mode`), the settings it changes (`changes`, each
     * from its value before), the fragments it splits the population into,
     * or the resource changes it makes (`deltas`). `healsAt`: the epoch it
     * heals at the start of, if it heals.
     */
    perturbation_started: At & {
      id: string;
      kind: PerturbationKind;
      healsAt: number | null;
      agents?: string[];
      mode?: string;
      changes?: { setting: string; path: string[]; from: Value; to: Value }[];
      fragments?: string[][];
      deltas?: [string, number][];
    };
    /** A perturbation healed: what it did is undone. */
    perturbation_healed: At & { id: string; kind: PerturbationKind };
  }
}

interface Scheduled {
  readonly id: string;
  readonly kind: PerturbationKind;
  readonly spec: ScheduleSpec & Record<string, unknown>;
}

interface Active {
  readonly event: EventOf<"perturbation_started">;
}

interface Shock {
  readonly id: string;
  readonly startEpoch: number;
  /** Recovery is counted from this epoch (its heal, or its start if it never heals); null while it lasts. */
  measureFrom: number | null;
  readonly baseline: number | null;
}

const FIELDS: Record<PerturbationKind, keyof PerturbationsPlan> = {
  dropout: "dropout",
  signal_corruption: "signalCorruption",
  parameter_shock: "parameterShock",
  partition: "partition",
  resource_shock: "resourceShock",
};

function getAt(root: unknown, path: readonly string[]): Value {
  let at = root as Record<string, unknown>;
  for (const key of path) at = at[key] as Record<string, unknown>;
  return at as unknown as Value;
}

function setAt(root: unknown, path: readonly string[], value: Value): void {
  let at = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
}

function createPerturbations(w: World) {
  const plan = w.slice(PERTURBATIONS_SLICE);
  const tally = { started: 0, active: 0 };
  const history: number[] = [];
  let latest: Shock | null = null;
  if (!plan) return { plan: null, tally, history, latest: () => latest, reduce: {} };

  const pop = w.population;
  const n = pop.size;
  const scheduled: Scheduled[] = PERTURBATION_KINDS.flatMap((kind) =>
    (plan[FIELDS[kind]] as unknown as Scheduled["spec"][]).map((spec, i) => ({ id: spec.name ?? `${kind}_${i + 1}`, kind, spec })),
  );
  const has = (kind: PerturbationKind) => scheduled.some((s) => s.kind === kind);
  const rng = w.random.stream("perturbations");

  // Reduced state: what is under way, and what it does to each agent.
  const active = new Map<string, Active>();
  const dropped = new Uint8Array(n);
  const corruption: (string | null)[] = new Array(n).fill(null);
  let fragment: Int32Array | null = null;
  let lastMetrics: Record<string, number | null> | null = null;
  // Decision state: a stuck sensor's reading per agent.
  const stuck = new Map<number, Observables>();

  const idxOf = (id: string): number => pop.byId.get(id)?.idx ?? -1;

  /** Dropped agents, corruption and fragments, from the shocks under way (in the order they started). */
  function derive(): void {
    dropped.fill(0);
    corruption.fill(null);
    fragment = null;
    const labels: string[] = new Array(n).fill("");
    let partitioned = false;
    for (const { event: e } of active.values()) {
      if (e.kind === "dropout") for (const id of e.agents!) dropped[idxOf(id)] = 1;
      if (e.kind === "signal_corruption") for (const id of e.agents!) corruption[idxOf(id)] = e.mode!;
      if (e.kind === "partition") {
        partitioned = true;
        e.fragments!.forEach((members, f) => {
          for (const id of members) labels[idxOf(id)] += `${f}.`;
        });
      }
    }
    if (partitioned) {
      const ids = new Map<string, number>();
      fragment = Int32Array.from(labels, (l) => {
        if (!ids.has(l)) ids.set(l, ids.size);
        return ids.get(l)!;
      });
    }
  }

  const reachable = (a: AgentSlot, b: AgentSlot): boolean => !dropped[b.idx] && (fragment === null || fragment[a.idx] === fragment[b.idx]);
  const restricting = (): boolean => fragment !== null || dropped.includes(1);

  // ---- decisions ----------------------------------------------------------------------------

  /** Agents of a kind (every agent without one), in registration order. */
  const candidates = (kind: unknown): AgentSlot[] => pop.slots.filter((s) => kind === null || kind === undefined || s.kind === kind);

  /** A uniform sample of round(fraction·n) of them (at least one when fraction > 0), in registration order. */
  function pick(list: AgentSlot[], fraction: number): AgentSlot[] {
    const count = fraction > 0 ? Math.min(list.length, Math.max(1, Math.round(fraction * list.length))) : 0;
    const xs = list.slice();
    for (let i = 0; i < count; i++) {
      const j = i + rng.below(xs.length - i);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs.slice(0, count).sort((a, b) => a.idx - b.idx);
  }

  function start(s: Scheduled): void {
    const spec = s.spec;
    const heals = s.kind !== "resource_shock" && spec.healAfter !== null ? w.epoch + spec.healAfter : null;
    const e: EventOf<"perturbation_started"> = { type: "perturbation_started", ...w.at(), id: s.id, kind: s.kind, healsAt: heals };
    switch (s.kind) {
      case "dropout":
        e.agents = pick(candidates(spec.kind), spec["fraction"] as number).map((a) => a.id);
        break;
      case "signal_corruption":
        e.mode = spec["mode"] as string;
        e.agents = pick(candidates(spec.kind), spec["fraction"] as number).map((a) => a.id);
        break;
      case "parameter_shock":
        e.changes = (spec["changes"] as { setting: string; path: string[]; value: Value }[]).map((c) => ({ setting: c.setting, path: c.path, from: getAt(w.plan, c.path), to: c.value }));
        break;
      case "partition": {
        const mode = spec["mode"] as string;
        e.mode = mode;
        let of: (a: AgentSlot) => number;
        if (mode === "bisect") of = (a) => (a.idx < Math.ceil(n / 2) ? 0 : 1);
        else if (mode === "isolate_type") of = (a) => (a.kind === spec.kind ? 1 : 0);
        else {
          const k = spec["fragments"] as number;
          const drawn = pop.slots.map(() => rng.below(k));
          of = (a) => drawn[a.idx]!;
        }
        const groups: string[][] = [];
        for (const a of pop.slots) (groups[of(a)] ??= []).push(a.id);
        e.fragments = groups.filter((g) => g !== undefined && g.length > 0);
        break;
      }
      case "resource_shock": {
        const mode = spec["mode"] as string;
        const amount = spec["amount"] as number;
        const hit = candidates(spec.kind);
        e.mode = mode;
        const mean = hit.reduce((t, a) => t + a.resources, 0) / (hit.length || 1);
        e.deltas = hit.map((a): [string, number] => [a.id, mode === "drain" ? -amount * a.resources : mode === "inflate" ? amount * a.resources : mean - a.resources]);
        break;
      }
    }
    w.emit(e);
    if (s.kind === "signal_corruption") stuck.clear();
  }

  /** Whether a `when` schedule's condition held for the previous epoch. */
  function conditionHolds(spec: ScheduleSpec): boolean {
    if (spec.when === null || !lastMetrics) return false;
    const v = lastMetrics[spec.when];
    if (typeof v !== "number") return false;
    return spec.above !== null ? v > spec.above : spec.below !== null ? v < spec.below : false;
  }

  function corrupt(mode: string, idx: number, o: Observables): void {
    switch (mode) {
      case "zero_out":
        o.taskProgress = 0;
        o.rework = 0;
        o.rejections = 0;
        o.misuse = 0;
        o.engagement = 0;
        return;
      case "invert":
        o.taskProgress = -o.taskProgress;
        o.engagement = -o.engagement;
        return;
      case "random":
        o.taskProgress = rng.uniform(-1, 1);
        o.rework = rng.randint(0, 3);
        o.rejections = rng.randint(0, 2);
        o.misuse = rng.randint(0, 1);
        o.engagement = rng.uniform(-1, 1);
        return;
      case "sticky": {
        const first = stuck.get(idx);
        if (!first) stuck.set(idx, { ...o });
        else Object.assign(o, first);
        return;
      }
    }
  }

  // ---- visibility while agents are dropped or partitioned ------------------------------------

  type Visibility = Pick<TurnView, "visibleCount" | "visible" | "visibleAt" | "firstVisible" | "chooseVisible" | "forEachVisible">;
  const base = (): Visibility => w.get(network).turn as unknown as Visibility;
  const turn = {
    visibleCount(this: TurnView): number {
      if (!restricting()) return base().visibleCount.call(this);
      let count = 0;
      base().forEachVisible.call(this, (s) => {
        if (reachable(this.self, s)) count++;
      });
      return count;
    },
    visible(this: TurnView, id: string): AgentSlot | undefined {
      const s = base().visible.call(this, id);
      return s && (!restricting() || reachable(this.self, s)) ? s : undefined;
    },
    visibleAt(this: TurnView, idx: number): AgentSlot | undefined {
      const s = base().visibleAt.call(this, idx);
      return s && (!restricting() || reachable(this.self, s)) ? s : undefined;
    },
    firstVisible(this: TurnView, test: (s: AgentSlot) => boolean): AgentSlot | undefined {
      return base().firstVisible.call(this, restricting() ? (s) => reachable(this.self, s) && test(s) : test);
    },
    chooseVisible(this: TurnView, subset: VisibleSubset): AgentSlot | undefined {
      if (!restricting()) return base().chooseVisible.call(this, subset);
      const list: AgentSlot[] = [];
      base().forEachVisible.call(this, (s) => {
        if (reachable(this.self, s) && subset.test(s)) list.push(s);
      });
      return list.length ? list[this.rng.below(list.length)] : undefined;
    },
    forEachVisible(this: TurnView, fn: (s: AgentSlot) => void): void {
      base().forEachVisible.call(this, restricting() ? (s) => (reachable(this.self, s) ? fn(s) : undefined) : fn);
    },
  };

  const restrictsVisibility = has("dropout") || has("partition");
  const dropouts = has("dropout");
  const baselineOf = (startEpoch: number): number | null => {
    const window = history.slice(Math.max(0, startEpoch - plan.baselineEpochs), startEpoch);
    return window.length ? window.reduce((a, b) => a + b, 0) / window.length : null;
  };

  return {
    plan,
    tally,
    history,
    latest: () => latest,
    active,
    /** What the shocks under way do right now (for reports and tests). */
    effects: () => ({ active: [...active.keys()], dropped: dropped.reduce((s, d) => s + d, 0), corrupted: corruption.filter((c) => c !== null).length, partitioned: fragment !== null }),

    governEpoch(): void {
      for (const s of scheduled) {
        const a = active.get(s.id);
        if (a && a.event.healsAt === w.epoch) w.emit({ type: "perturbation_healed", ...w.at(), id: s.id, kind: s.kind });
      }
      for (const s of scheduled) {
        if (active.has(s.id)) continue;
        if (s.spec.atEpoch === w.epoch || conditionHolds(s.spec)) start(s);
      }
    },

    stepEnd(): void {
      for (const s of scheduled) {
        const p = s.spec.probabilityPerStep;
        if (!(p > 0) || active.has(s.id) || w.epoch < s.spec.fromEpoch || (s.spec.toEpoch !== null && w.epoch >= s.spec.toEpoch)) continue;
        if (rng.random() < p) start(s);
      }
    },

    ...(has("signal_corruption")
      ? {
          corruptObservables(initiator: AgentSlot | undefined, o: Observables): void {
            const mode = initiator ? corruption[initiator.idx] : null;
            if (mode) corrupt(mode, initiator!.idx, o);
          },
        }
      : {}),

    ...(restrictsVisibility
      ? {
          turn,
          allow(actor: AgentSlot, action: Action): boolean {
            if (action.kind !== "propose" || !restricting()) return true;
            const to = pop.byId.get(action.counterparty);
            return !to || reachable(actor, to);
          },
        }
      : {}),

    ...(dropouts
      ? {
          admit: (agent: AgentSlot): boolean => !dropped[agent.idx],
          mayAct: (agent: AgentSlot): boolean => !dropped[agent.idx],
        }
      : {}),

    reduce: {
      run_started: (e: EventOf<"run_started">) => {
        // Parameter shocks change this run's plan in place (the levers read it live); the header keeps the plan as it started.
        if (has("parameter_shock")) e.plan = structuredClone(e.plan);
      },
      epoch_started: () => {
        tally.started = 0;
      },
      perturbation_started: (e: EventOf<"perturbation_started">) => {
        tally.started++;
        for (const c of e.changes ?? []) setAt(w.plan, c.path, c.to);
        for (const [id, delta] of e.deltas ?? []) {
          const s = pop.byId.get(id);
          if (s) pop.addResources(s, delta);
        }
        const lasts = e.kind !== "resource_shock";
        if (lasts) active.set(e.id, { event: e });
        latest = { id: e.id, startEpoch: e.epoch, measureFrom: lasts && e.healsAt !== null ? null : e.epoch, baseline: baselineOf(e.epoch) };
        tally.active = active.size;
        derive();
      },
      perturbation_healed: (e: EventOf<"perturbation_healed">) => {
        const a = active.get(e.id);
        if (!a) return;
        for (const c of a.event.changes ?? []) setAt(w.plan, c.path, c.from);
        active.delete(e.id);
        if (latest && latest.id === e.id && latest.measureFrom === null) latest.measureFrom = e.epoch;
        tally.active = active.size;
        derive();
      },
      epoch_completed: (e: EventOf<"epoch_completed">) => {
        lastMetrics = e.metrics;
        history.push(e.metrics["toxicity"] ?? 0);
      },
    },
  };
}

type Perturbations = ReturnType<typeof createPerturbations>;

/** Recovery of the latest shock as of the current epoch: the epochs it took, or null while it has not recovered. */
function recovery(m: Perturbations, w: World): { recovered: boolean; epochs: number | null } | null {
  const shock = m.latest();
  if (!m.plan || !shock || shock.baseline === null) return null;
  if (shock.measureFrom === null) return { recovered: false, epochs: null };
  const series = [...m.history, epochToxicity(w.get(interactions))];
  // Toxicity is a harm: settling below the pre-shock level is recovery too, not a failure to return.
  const within = (e: number) => series[e]! - shock.baseline! <= m.plan!.recoveryBand;
  const hold = m.plan.recoveryHold;
  for (let t0 = shock.measureFrom; t0 + hold - 1 < series.length; t0++) {
    let ok = true;
    for (let e = t0; e < t0 + hold && ok; e++) ok = within(e);
    if (ok) return { recovered: true, epochs: t0 - shock.measureFrom };
  }
  return { recovered: false, epochs: null };
}

const N = "none" as const;
const METRICS: readonly MetricSpec<Perturbations>[] = [
  series<Perturbations>("perturbations", N, "stock", "perturbations.active", "count", "Perturbations under way at the epoch's end.", "|active|", (m) => (m.plan ? m.tally.active : null), true),
  series<Perturbations>("perturbations", N, "flow", "perturbations.started", "count", "Perturbations that started this epoch.", "|perturbation_started|", (m) => (m.plan ? m.tally.started : null), true),
  series<Perturbations>("perturbations", N, "flow", "perturbations.toxicity_shift", "probability", "Toxicity this epoch minus its pre-shock level (the mean over the `baseline` epochs before the latest perturbation started); undefined before the first.", "toxicity − mean(toxicity over the baseline epochs)", (m, _s, w) => {
    const shock = m.latest();
    return m.plan && shock && shock.baseline !== null ? epochToxicity(w.get(interactions)) - shock.baseline : null;
  }, true),
  series<Perturbations>("perturbations", N, "stock", "perturbations.recovered", "bool", "1 once toxicity has stayed at most recovery_band above its pre-shock level for recovery_hold epochs since the latest perturbation healed (since it started, if it never heals), else 0.", "[∃ t0 ≥ heal: toxicity_t − baseline ≤ band for t0 ≤ t < t0 + hold]", (m, _s, w) => {
    const r = recovery(m, w);
    return r ? (r.recovered ? 1 : 0) : null;
  }, true),
  series<Perturbations>("perturbations", N, "stock", "perturbations.recovery_epochs", "epochs", "Time to recover from the latest perturbation: epochs from its heal (its start, if it never heals) to the first of recovery_hold epochs with toxicity at most recovery_band above its pre-shock level; undefined until it has recovered.", "t0 − heal", (m, _s, w) => recovery(m, w)?.epochs ?? null, true),
];

export const perturbations = mechanism({
  name: "perturbations",
  doc: "Scheduled shocks — dropout, signal corruption, parameter shocks, partitions, resource shocks — and recovery from them.",
  plan: [PERTURBATIONS_SLICE],
  language: [{ under: "scenario", block: PERTURBATIONS }],
  create: createPerturbations,
  metrics: METRICS,
});
