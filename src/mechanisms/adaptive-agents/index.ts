/**
 * Adaptive agents: an adversary that tunes its attack rate and targets to
 * stay under governance's thresholds (`adaptive_adversary`), one that keeps
 * its toxicity just under the freeze threshold (`threshold_dancer`), and a
 * cautious tit-for-tat (`cautious_reciprocator`). Their rules are in
 * ./policies.ts and docs/agents.md.
 *
 * This mechanism tells each of them the circuit breaker's rules when the run
 * starts, answers the interactions' `conduct` question for their proposals,
 * and after each of their interactions tells them what came of it. Every
 * attack (`attack_completed`) and every change of an adaptive adversary's
 * attack rate (`adversary_adapted`) is logged; the `adversary.*` metrics are
 * reduced from those events and the freezes.
 */
import type { Effect } from "../../kernel/effect.ts";
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series, type MetricSpec } from "../../kernel/metric.ts";
import type { AgentSlot, Proposal } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { BREAKER_SLICE } from "../circuit-breaker/language.ts";
import { ADAPTIVE_ADVERSARY, ADAPTIVE_KINDS, AdaptiveAdversaryParams, CAUTIOUS_RECIPROCATOR, CautiousReciprocatorParams, THRESHOLD_DANCER, ThresholdDancerParams } from "./language.ts";
import { AdaptiveAdversaryPolicy, CautiousReciprocatorPolicy, ConductingPolicy, ThresholdDancerPolicy, type Conduct } from "./policies.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** An adaptive agent's attack (an interaction it proposed with adversarial conduct) completed, and what came of it. */
    attack_completed: At & { agent: string; target: string; interaction: number; accepted: boolean; audited: boolean; fined: boolean; froze: boolean };
    /** An adaptive adversary changed its attack rate: up after an undetected attack, down after a fine or a freeze. */
    adversary_adapted: At & { agent: string; attackRate: number; cause: "undetected" | "fined" | "frozen" };
  }
}


interface Record {
  attacks: number;
  audited: number;
  fined: number;
  freezes: number;
  attackRate: number | null;
}

function createAdaptive(w: World) {
  const pop = w.population;
  const records = new Map<string, Record>();
  w.plan.agents.forEach((a) => {
    if (!(ADAPTIVE_KINDS as readonly string[]).includes(a.kind)) return;
    records.set(a.id, { attacks: 0, audited: 0, fined: 0, freezes: 0, attackRate: a.kind === "adaptive_adversary" ? (a.params as { attackRate: number }).attackRate : null });
  });
  if (!records.size) return { records };

  const policyOf = (s: AgentSlot | undefined): ConductingPolicy | undefined => {
    const p = s ? w.policies[s.idx] : undefined;
    return p instanceof ConductingPolicy ? p : undefined;
  };
  /** Conduct of each of their interactions in progress, by proposal id (decision state: read once, at completion). */
  const conducts = new Map<number, Conduct>();

  return {
    records,

    start(): void {
      const cb = w.slice(BREAKER_SLICE);
      const rules = cb.enabled ? { threshold: cb.toxicityThreshold, window: cb.window, acceptedOnly: w.semantics.governAcceptedOnly, resets: w.semantics.breakerWindowResets } : null;
      for (const s of pop.slots) policyOf(s)?.configure(rules);
    },

    conduct(initiator: AgentSlot, p: Proposal): string | undefined {
      const c = policyOf(initiator)?.conductOf(p);
      if (c) conducts.set(p.id, c);
      return c;
    },

    afterInteraction(e: EventOf<"interaction_completed">): void {
      const x = e.interaction;
      const conduct = conducts.get(x.id);
      if (!conduct) return;
      conducts.delete(x.id);
      const fined = x.auditPenalty > 0;
      if (conduct === "adversarial") {
        w.emit({ type: "attack_completed", epoch: w.epoch, step: w.step, agent: x.initiator, target: x.counterparty, interaction: x.id, accepted: x.accepted, audited: x.audited, fined, froze: x.froze });
      }
      const change = policyOf(pop.byId.get(x.initiator))?.learn({ conduct, counterparty: x.counterparty, accepted: x.accepted, p: x.p, audited: x.audited, fined, froze: x.froze });
      if (change) w.emit({ type: "adversary_adapted", ...w.at(), agent: x.initiator, ...change });
    },

    afterEffect(effect: Effect): void {
      for (const id of effect.unfreeze) if (records.has(id)) policyOf(pop.byId.get(id))?.released();
    },

    reduce: {
      epoch_started: () => {
        for (const r of records.values()) r.attacks = r.audited = r.fined = r.freezes = 0;
      },
      attack_completed: (e: EventOf<"attack_completed">) => {
        const r = records.get(e.agent);
        if (!r) return;
        r.attacks++;
        if (e.audited) r.audited++;
        if (e.fined) r.fined++;
      },
      agent_frozen: (e: EventOf<"agent_frozen">) => {
        const r = records.get(e.agent);
        if (r) r.freezes++;
      },
      adversary_adapted: (e: EventOf<"adversary_adapted">) => {
        const r = records.get(e.agent);
        if (r) r.attackRate = e.attackRate;
      },
    },
  };
}

type Adaptive = ReturnType<typeof createAdaptive>;

/** Σ of a field over the selected adaptive agents; null when the selection holds none. */
const total = (f: (r: Record) => number) => (m: Adaptive, sel: ReadonlySet<string> | null): number | null => {
  let sum = 0;
  let n = 0;
  for (const [id, r] of m.records) {
    if (sel && !sel.has(id)) continue;
    sum += f(r);
    n++;
  }
  return n ? sum : null;
};

const A = "agent" as const;
const METRICS: readonly MetricSpec<Adaptive>[] = [
  series<Adaptive>("adversary", A, "flow", "adversary.attacks", "count", "Attacks (interactions proposed with adversarial conduct) the selected adaptive agents completed this epoch.", "|attacks|", total((r) => r.attacks), true),
  series<Adaptive>("adversary", A, "flow", "adversary.audited", "count", "Their attacks an audit looked at this epoch.", "|audited attacks|", total((r) => r.audited), true),
  series<Adaptive>("adversary", A, "flow", "adversary.fined", "count", "Their attacks an audit fined this epoch.", "|fined attacks|", total((r) => r.fined), true),
  series<Adaptive>("adversary", A, "flow", "adversary.freezes", "count", "Times the circuit breaker froze the selected adaptive agents this epoch.", "|agent_frozen|", total((r) => r.freezes), true),
  series<Adaptive>("adversary", A, "flow", "adversary.detection_rate", "ratio", "Detections (fined attacks and freezes) per attack this epoch; undefined without attacks.", "(fined + freezes) / attacks", (m, sel) => {
    const attacks = total((r) => r.attacks)(m, sel);
    const caught = total((r) => r.fined + r.freezes)(m, sel);
    return attacks ? (caught as number) / attacks : null;
  }, true),
  series<Adaptive>("adversary", A, "stock", "adversary.attack_rate", "probability", "Mean attack rate of the selected adaptive adversaries at the epoch's end.", "mean attackRate", (m, sel) => {
    let sum = 0;
    let n = 0;
    for (const [id, r] of m.records) {
      if (r.attackRate === null || (sel && !sel.has(id))) continue;
      sum += r.attackRate;
      n++;
    }
    return n ? sum / n : null;
  }, true),
];

export const adaptiveAgents = mechanism({
  name: "adaptive-agents",
  doc: "Adversaries that adapt to governance (adaptive adversary, threshold dancer) and a cautious tit-for-tat.",
  create: createAdaptive,
  agents: {
    adaptive_adversary: { params: AdaptiveAdversaryParams, block: ADAPTIVE_ADVERSARY, reportsAs: "honest", policy: (a, ctx) => new AdaptiveAdversaryPolicy(a.id, a.params as never, ctx) },
    threshold_dancer: { params: ThresholdDancerParams, block: THRESHOLD_DANCER, reportsAs: "honest", policy: (a, ctx) => new ThresholdDancerPolicy(a.id, a.params as never, ctx) },
    cautious_reciprocator: { params: CautiousReciprocatorParams, block: CAUTIOUS_RECIPROCATOR, reportsAs: "honest", policy: (a, ctx) => new CautiousReciprocatorPolicy(a.id, a.params as never, ctx) },
  },
  metrics: METRICS,
});
