/**
 * How an interaction's observables are drawn from its initiator
 * (docs/sandbox.md §7.7): by the type the initiator reports, or from the
 * distributions its policy declares (a stochastic policy's `observables`).
 * A rejected interaction's engagement is capped at 0.
 */
import type { Distribution, ObservableProfile } from "./language.ts";
import type { Observables } from "../../kernel/records.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { Rng } from "../../kernel/rng/types.ts";

/**
 * `conduct`: the type the interaction is drawn as when the initiator chose
 * how to behave in it (a learner's strategy, an adaptive adversary's attack);
 * by default, the type it reports.
 */
export function drawObservables(initiator: AgentSlot | undefined, profile: ObservableProfile | null, accepted: boolean, r: Rng, conduct?: string): Observables {
  let o: Observables;
  if (profile) {
    o = {
      taskProgress: draw(r, profile.taskProgress),
      rework: draw(r, profile.rework),
      rejections: draw(r, profile.rejections),
      misuse: draw(r, profile.misuse),
      engagement: draw(r, profile.engagement),
    };
  } else {
    switch (conduct ?? initiator?.reportedType ?? "honest") {
      case "opportunistic":
        o = { taskProgress: r.uniform(0.1, 0.5), rework: r.randint(0, 2), rejections: r.randint(0, 1), misuse: 0, engagement: r.uniform(-0.2, 0.3) };
        break;
      case "deceptive":
        o = { taskProgress: r.uniform(0.2, 0.6), rework: r.randint(0, 2), rejections: r.randint(0, 1), misuse: 0, engagement: r.uniform(0.0, 0.4) };
        break;
      case "adversarial":
        o = { taskProgress: r.uniform(-0.3, 0.2), rework: r.randint(1, 3), rejections: r.randint(1, 2), misuse: r.randint(0, 1), engagement: r.uniform(-0.5, -0.1) };
        break;
      default:
        o = { taskProgress: r.uniform(0.3, 0.8), rework: r.randint(0, 1), rejections: 0, misuse: 0, engagement: r.uniform(0.2, 0.6) };
    }
  }
  return asAnswered(o, accepted);
}

/** A rejected interaction engages no one: its engagement is capped at 0 (Python's min(engagement, 0.0)). */
export function asAnswered(o: Observables, accepted: boolean): Observables {
  if (!accepted) o.engagement = 0.0 < o.engagement ? 0.0 : o.engagement;
  return o;
}

/** A policy's observable distribution: constant (no draw), uniform, or inclusive integer. */
function draw(r: Rng, d: Distribution): number {
  switch (d.dist) {
    case "constant":
      return d.value;
    case "uniform":
      return r.uniform(d.low, d.high);
    case "randint":
      return r.randint(d.low, d.high);
  }
}

/** The observable profile an agent entry declares, if any (stochastic policies do). */
export function declaredProfile(params: unknown): ObservableProfile | null {
  return (params as { observables?: ObservableProfile } | null)?.observables ?? null;
}
