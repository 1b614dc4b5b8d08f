/**
 * An epoch's metrics: every series metric of every mechanism of the run, in
 * mechanism order, plus the plan's `observe` selections, computed from the
 * mechanisms' reduced state. The live run and the replay both call this, on
 * state their shared reducers built.
 */
import type { Instance, MechanismDef } from "../kernel/mechanism.ts";
import type { MetricSpec } from "../kernel/metric.ts";
import type { World } from "../kernel/world.ts";
import { observedKey } from "../metrics/registry.ts";
import type { Plan, Selection } from "../plan/schema.ts";
import { type CorePlan, sliceOf } from "../spec/plan.ts";

type Values = Record<string, number | null>;

export interface EpochMetrics {
  readonly metrics: Values;
  readonly observed: Values;
}

/**
 * Whether a mechanism takes part in a run: it owns a slice every plan holds,
 * or an optional slice this plan holds (its block was written), or an agent
 * kind the population has; a mechanism with neither slices nor kinds always
 * does. The metrics of one that takes no part are left out of the records, so
 * a run's log holds only what its scenario declared.
 */
export function takesPart(def: MechanismDef, plan: CorePlan): boolean {
  const slices = def.plan ?? [];
  const kinds = Object.keys(def.agents ?? {});
  if (slices.length === 0 && kinds.length === 0) return true;
  if (slices.some((s) => !s.optional || sliceOf(plan, s) !== undefined)) return true;
  return kinds.length > 0 && plan.groups.some((g) => kinds.includes(g.kind));
}

/**
 * A run's part in the metrics: the mechanisms that take part, and the row the
 * last epoch's metrics were copied from — the names that had values, in
 * mechanism order.
 */
interface Participation {
  readonly taking: ReadonlySet<MechanismDef>;
  readonly names: string[];
  readonly values: (number | null)[];
  row: Values;
}

const participation = new WeakMap<CorePlan, Participation>();

function participationOf(w: World): Participation {
  let found = participation.get(w.plan);
  if (!found) {
    found = { taking: new Set((w.mechanisms as readonly MechanismDef[]).filter((def) => takesPart(def, w.plan))), names: [], values: [], row: {} };
    participation.set(w.plan, found);
  }
  return found;
}

export function computeEpochMetrics(w: World, selections: SelectionResolver): EpochMetrics {
  const run = participationOf(w);
  const { taking, names, values } = run;
  let count = 0;
  let sameNames = true;
  // Only `observe` needs the specs by name: without it, building the map was most of what an epoch allocated.
  const specs = w.plan.observe.length ? new Map<string, [MetricSpec<Instance>, Instance]>() : null;
  for (const def of w.mechanisms) {
    if (!taking.has(def as MechanismDef)) continue;
    const instance = w.get(def);
    for (const spec of (def as MechanismDef).metrics ?? []) {
      if (spec.shape !== "series") continue;
      const value = spec.compute(instance, null, w);
      // undefined: the mechanism takes no part in this run (its block is absent), so the metric is not recorded at all.
      if (value === undefined) continue;
      if (names[count] !== spec.name) {
        names[count] = spec.name;
        sameNames = false;
      }
      values[count++] = value;
      specs?.set(spec.name, [spec, instance]);
    }
  }
  if (!sameNames || names.length !== count) {
    names.length = values.length = count;
    // Object.fromEntries makes an object with fast properties, and its copies share its map. A
    // row built by assigning some 70 computed names one by one became a hash table instead,
    // allocated anew every epoch and kept by the run: most of what its garbage collections copied.
    run.row = Object.fromEntries(names.map((name) => [name, null]));
  }
  const metrics: Values = { ...run.row };
  for (let i = 0; i < count; i++) metrics[names[i]!] = values[i]!;
  const observed: Values = {};
  for (const o of w.plan.observe) {
    const found = specs?.get(o.metric);
    if (!found) continue;
    const [spec, instance] = found;
    observed[observedKey(o.metric, o.select)] = spec.compute(instance, selections.ids(o.select), w) ?? null;
  }
  return { metrics, observed };
}

export interface SelectionResolver {
  ids(select: Selection): ReadonlySet<string>;
}

/** Agent ids by kind (or user policy name), population group, or id; each set built once. */
export function selectionResolver(plan: Plan): SelectionResolver {
  const cache = new Map<string, Set<string>>();
  return {
    ids(select) {
      const key = `${select.by}:${select.name}`;
      let ids = cache.get(key);
      if (!ids) {
        if (select.by === "agent") ids = new Set([select.name]);
        else if (select.by === "group") {
          const group = plan.groups.find((g) => g.name === select.name);
          ids = new Set(group ? group.agentIds : plan.agents.filter((a) => a.group === select.name).map((a) => a.id));
        } else {
          ids = new Set(plan.agents.filter((a) => a.kind === select.name || (a.kind === "stochastic" && a.params.policy === select.name)).map((a) => a.id));
        }
        cache.set(key, ids);
      }
      return ids;
    },
  };
}
