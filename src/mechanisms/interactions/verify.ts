/**
 * Replay's recomputation of one logged interaction: v̂ and p from its
 * observables, the reputation terms and payoffs from p and its costs, and
 * what was credited. A log whose observables, labels or payoffs were edited
 * fails here with the first field that differs.
 */
import type { EventOf } from "../../kernel/events.ts";
import type { Semantics } from "../../kernel/semantics.ts";
import type { z } from "zod";
import type { Payoff } from "./language.ts";
import { payoffCounterparty, payoffInitiator, type ProxyComputer } from "./soft-labels.ts";

export function verifyInteraction(payoff: z.infer<typeof Payoff>, proxy: ProxyComputer, sem: Semantics, e: EventOf<"interaction_completed">): string | null {
  const x = e.interaction;
  const [vHat, p] = proxy.labels(x.observables);
  const rep = e.credited ? p - 0.5 : 0;
  const rA = sem.reputationPayoff ? rep : 0;
  const rB = sem.reputationPayoff && sem.bothPartyReputation ? rep : 0;
  const expected: [string, unknown, unknown][] = [
    ["vHat", x.vHat, vHat],
    ["p", x.p, p],
    ["credited", e.credited, x.accepted],
    ["rA", x.rA, rA],
    ["rB", x.rB, rB],
    ["reputationDeltaA", e.reputationDeltaA, rep],
    ["reputationDeltaB", e.reputationDeltaB, sem.bothPartyReputation ? rep : 0],
    ["payoffA", x.payoffA, payoffInitiator(payoff, { ...x, p, rA, rB })],
    ["payoffB", x.payoffB, payoffCounterparty(payoff, { ...x, p, rA, rB })],
  ];
  if (sem.payoffToResources) {
    expected.push(["resourceDeltaA", e.resourceDeltaA, e.credited ? x.payoffA : 0], ["resourceDeltaB", e.resourceDeltaB, e.credited ? x.payoffB : 0], ["pool", e.pool, e.credited ? x.cA + x.cB : 0]);
  }
  for (const [field, logged, recomputed] of expected) {
    if (!Object.is(logged, recomputed)) return `interaction ${x.id}: ${field} is logged as ${String(logged)} but recomputes as ${String(recomputed)}`;
  }
  return null;
}
