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

type Values = Record<string, number | null>;

export interface EpochMetrics {
  readonly metrics: Values;
  readonly observed: Values;
}

export function computeEpochMetrics(w: World, selections: SelectionResolver): EpochMetrics {
  const metrics: Values = {};
  const specs = new Map<string, [MetricSpec<Instance>, Instance]>();
  for (const def of w.mechanisms) {
    const instance = w.get(def);
    for (const spec of (def as MechanismDef).metrics ?? []) {
      if (spec.shape !== "series") continue;
      const value = spec.compute(instance, null, w);
      // undefined: the mechanism takes no part in this run (its block is absent), so the metric is not recorded at all.
      if (value === undefined) continue;
      metrics[spec.name] = value;
      specs.set(spec.name, [spec, instance]);
    }
  }
  const observed: Values = {};
  for (const o of w.plan.observe) {
    const found = specs.get(o.metric);
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
