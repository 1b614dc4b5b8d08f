/**
 * The circuit breaker: every interaction adds its initiator's toxicity 1 − p
 * to a sliding window; a window mean at or above the threshold is a
 * violation, and enough violations freeze the agent for `freeze` epochs.
 * Frozen agents skip their turns and are invisible. In profile sbx only
 * accepted interactions count, violations are forgiven after quiet epochs
 * (`violation_decay`) and a released agent's window starts empty.
 */
import { CIRCUIT_BREAKER, BREAKER_SLICE } from "./language.ts";
import type { Effect } from "../../kernel/effect.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { InteractionRecord } from "../../kernel/records.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";

interface Tracker {
  violations: number;
  freezeUntil: number;
  window: number[];
  lastViolationEpoch: number;
}

function createBreaker(w: World) {
  const cb = w.slice(BREAKER_SLICE);
  if (!cb.enabled) return {};
  const sem = w.semantics;
  const trackers = new Map<string, Tracker>();
  return {
    governEpoch(effect: Effect): void {
      const epoch = w.epoch;
      for (const [id, t] of trackers) {
        if (t.freezeUntil >= 0 && epoch >= t.freezeUntil) {
          effect.unfreeze.push(id);
          t.freezeUntil = -1;
          t.violations = 0;
          if (sem.breakerWindowResets) t.window = [];
        } else if (sem.violationForgiveness && cb.violationDecay > 0 && t.freezeUntil < 0 && t.violations > 0 && t.lastViolationEpoch < epoch - 1) {
          t.violations = Math.max(0, t.violations - cb.violationDecay);
        }
      }
    },
    governInteraction(x: InteractionRecord, effect: Effect): void {
      if (sem.governAcceptedOnly && !x.accepted) return;
      let t = trackers.get(x.initiator);
      if (!t) trackers.set(x.initiator, (t = { violations: 0, freezeUntil: -1, window: [], lastViolationEpoch: -Infinity }));
      t.window.push(1.0 - x.p);
      if (t.window.length > cb.window) t.window.shift();
      const window = t.window;
      let sum = 0;
      for (let i = 0; i < window.length; i++) sum += window[i];
      if (!(sum / t.window.length >= cb.toxicityThreshold)) return;
      t.violations += 1;
      t.lastViolationEpoch = w.epoch;
      effect.violations.push({ agent: x.initiator, violation: "circuit_breaker" });
      if (t.violations >= cb.violations) {
        effect.freeze.push(x.initiator);
        t.freezeUntil = w.epoch + cb.freezeEpochs;
        x.froze = true;
      }
    },
  };
}

type Breaker = ReturnType<typeof createBreaker>;

export const circuitBreaker = mechanism({
  name: "circuit-breaker",
  doc: "Freezes agents whose recent interactions are too toxic.",
  plan: [BREAKER_SLICE],
  language: [{ under: "governance", block: CIRCUIT_BREAKER }],
  create: createBreaker,
  metrics: [
    series<Breaker>("governance", "none", "flow", "governance.freezes", "count", "Circuit-breaker freezes triggered this epoch.", "|freeze events|", (_m, _sel, w) => w.get(interactions).epoch.freezes),
  ],
});
