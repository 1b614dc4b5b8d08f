/** The adaptive agents' population blocks and plan params (their rules: docs/agents.md). */
import { z } from "zod";
import { prob, slice } from "../../spec/plan.ts";
import { block, prob as probAttr } from "../../spec/build.ts";
import type { AttrSpec, BlockSpec } from "../../spec/types.ts";
import { groupSize } from "../scripted-agents/language.ts";

export const ADAPTIVE_KINDS = ["adaptive_adversary", "threshold_dancer", "cautious_reciprocator"] as const;

export const AdaptiveAdversaryParams = z.strictObject({
  attackRate: prob,
  increase: prob,
  backoff: prob,
  margin: prob,
  explore: prob,
});

export const ThresholdDancerParams = z.strictObject({
  margin: prob,
  threshold: prob,
});

export const CautiousReciprocatorParams = z.strictObject({
  trustFirst: prob,
  cooperateAbove: prob,
  proposeProbability: prob,
});

const kind = (name: string, doc: string, params: z.ZodType, attrs: AttrSpec[]): BlockSpec =>
  block(name, doc, [groupSize, ...attrs], { named: "optional", repeatable: true, lower: { slice: slice([], params) } });

const margin = (def: number): AttrSpec =>
  probAttr("margin", def, "How far below the circuit breaker's toxicity threshold it keeps the mean toxicity of its breaker window.", { key: "margin" });

export const ADAPTIVE_ADVERSARY = kind(
  "adaptive_adversary",
  "An adversary that tunes how often it attacks, and whom, to stay under the circuit breaker's and the audit's radar: it backs off when fined or frozen, creeps back up while undetected, and prefers targets its attacks succeeded on.",
  AdaptiveAdversaryParams,
  [
    probAttr("attack_rate", 0.5, "Its initial chance of attacking on a turn (otherwise it builds cover with an honest-looking collaboration).", { key: "attackRate" }),
    probAttr("increase", 0.05, "Added to the attack rate after an attack that was accepted and went undetected.", { key: "increase" }),
    probAttr("backoff", 0.5, "Share of the attack rate dropped after an audit fined an attack (twice over after a freeze).", { key: "backoff" }),
    margin(0.1),
    probAttr("explore", 0.2, "Chance of attacking a random visible agent instead of its best target so far.", { key: "explore" }),
  ],
);

export const THRESHOLD_DANCER = kind(
  "threshold_dancer",
  "An adversary that keeps its toxicity just under the freeze threshold: it attacks whenever one more attack keeps its circuit-breaker window below the threshold minus a margin, and behaves honestly otherwise.",
  ThresholdDancerParams,
  [
    margin(0.05),
    probAttr("threshold", 0.7, "The toxicity threshold it dances under when the scenario has no circuit breaker (with one, it uses the breaker's).", { key: "threshold" }),
  ],
);

export const CAUTIOUS_RECIPROCATOR = kind(
  "cautious_reciprocator",
  "Tit for tat with a cautious start: it mirrors each partner's last behaviour toward it — collaborating with partners that treated it well, rejecting and trading hard with those that did not — and trusts strangers only sometimes.",
  CautiousReciprocatorParams,
  [
    probAttr("trust_first", 0.5, "Chance of accepting, or proposing to, a partner it has no history with.", { key: "trustFirst" }),
    probAttr("cooperate_above", 0.5, "A partner's interaction toward it counts as cooperation when its p is at least this.", { key: "cooperateAbove" }),
    probAttr("propose_probability", 0.5, "Chance of proposing an interaction on a turn with no proposal to answer.", { key: "proposeProbability" }),
  ],
);
