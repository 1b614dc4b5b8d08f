/**
 * Random audits: each interaction (accepted ones only in profile sbx) is
 * audited with `probability` — one draw of the audit stream each; an audited
 * interaction whose p is below `threshold_p` costs its initiator
 * (threshold_p − p)·`penalty_multiplier`, and is a violation staking may slash for.
 */
import { AUDIT, AUDIT_SLICE } from "./language.ts";
import type { Effect } from "../../kernel/effect.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { InteractionRecord } from "../../kernel/records.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";

function createAudit(w: World) {
  const audit = w.slice(AUDIT_SLICE);
  if (!audit.enabled) return {};
  const rng = w.random.stream("audit");
  const acceptedOnly = w.semantics.governAcceptedOnly;
  return {
    governInteraction(x: InteractionRecord, effect: Effect): void {
      if (acceptedOnly && !x.accepted) return;
      const roll = rng.random();
      if (roll > audit.probability) return;
      x.audited = true;
      if (!(x.p < audit.thresholdP)) return;
      const penalty = (audit.thresholdP - x.p) * audit.penaltyMultiplier;
      effect.costA += penalty;
      x.auditPenalty = penalty;
      effect.violations.push({ agent: x.initiator, violation: "audit" });
    },
  };
}

type Audit = ReturnType<typeof createAudit>;

export const audit = mechanism({
  name: "audit",
  doc: "Random audits charge a penalty on low-quality interactions.",
  plan: [AUDIT_SLICE],
  language: [{ under: "governance", block: AUDIT }],
  create: createAudit,
  metrics: [
    series<Audit>("governance", "none", "flow", "governance.audits", "count", "Interactions audited this epoch.", "|audited|", (_m, _sel, w) => w.get(interactions).epoch.audits),
    series<Audit>("governance", "none", "flow", "governance.audit_penalty", "payoff", "Audit penalties charged this epoch.", "Σ (threshold − p)·multiplier", (_m, _sel, w) => w.get(interactions).epoch.auditPenalty),
  ],
});
