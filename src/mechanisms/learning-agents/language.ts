/**
 * The `learner` population block and its agents' plan params: a learning
 * rule, its rates, and the strategies it chooses among — the scripted
 * behaviours, each with its own parameters (a parameterised variant). A
 * strategy block left out is not played, unless none is written: then all
 * four are, with their default parameters.
 */
import { z } from "zod";
import { prob, slice } from "../../spec/plan.ts";
import { attr, block, enumOf, NUM, prob as probAttr } from "../../spec/build.ts";
import type { BlockProblem, BlockSpec, BlockView } from "../../spec/types.ts";
import { ADVERSARIAL, AdversarialParams, DECEPTIVE, DeceptiveParams, groupSize, HONEST, HonestParams, OPPORTUNISTIC, OpportunisticParams } from "../scripted-agents/language.ts";
import { RULES } from "./rules.ts";

/** The strategies a learner may play, in this order everywhere (events, metrics). */
export const STRATEGIES = ["honest", "opportunistic", "deceptive", "adversarial"] as const;
export type Strategy = (typeof STRATEGIES)[number];

const positive = z.number().positive();
/** `written`: the strategy block is written (it is played). */
const written = { written: z.boolean() };

export const LearnerParams = z.strictObject({
  rule: z.enum(RULES),
  learningRate: positive,
  exploration: prob,
  temperature: positive,
  discount: prob,
  payoffScale: positive,
  imitation: prob,
  honest: HonestParams.extend(written),
  opportunistic: OpportunisticParams.extend(written),
  deceptive: DeceptiveParams.extend(written),
  adversarial: AdversarialParams.extend(written),
});
export type LearnerParams = z.infer<typeof LearnerParams>;

/** A scripted kind's block as a strategy of a learner: its parameters without a count. */
function strategy(spec: BlockSpec): BlockSpec {
  return {
    ...spec,
    doc: `Play the ${spec.kind} strategy, with these parameters. ${spec.doc}`,
    attrs: spec.attrs.filter((a) => a.name !== "count"),
    named: "none",
    repeatable: false,
    lower: { field: spec.kind, presence: "written", ...(spec.lower?.fixed ? { fixed: spec.lower.fixed } : {}) },
  };
}

function validate(b: BlockView): BlockProblem[] {
  return b.value("rule") === "replicator" && b.value("imitation") === 0 ? [{ code: "SBX3306", args: {}, attr: b.written("imitation") ? "imitation" : "rule" }] : [];
}

export const LEARNER = block(
  "learner",
  "Agents that learn which strategy pays: each epoch they play one of their strategies (the scripted behaviours, or variants of them with other parameters) and update from the payoff it earned, by Hedge, EXP3, softmax Q-learning or imitation alone (docs/agents.md).",
  [
    groupSize,
    attr("rule", enumOf(RULES), "How the learner updates: hedge (full-information exponential weights), exp3 (bandit exponential weights), q_learning (softmax Q-learning over a clean/penalised state), or replicator (a pure strategy changed only by imitation).", { key: "rule", default: "hedge" }),
    attr("learning_rate", NUM, "Step size: Hedge's η, EXP3's η, Q-learning's α.", { key: "learningRate", default: 0.3 }),
    probAttr("exploration", 0.1, "EXP3's γ: the share of every choice spread uniformly over the strategies.", { key: "exploration" }),
    attr("temperature", NUM, "Q-learning's softmax temperature τ: lower is greedier.", { key: "temperature", default: 0.1 }),
    probAttr("discount", 0.9, "Q-learning's discount δ of the next epoch's value.", { key: "discount" }),
    attr("payoff_scale", NUM, "The epoch payoff that counts as a full reward: reward = ½ + π/(2·scale), clamped to [0, 1]; also the payoff gap that makes imitation certain.", { key: "payoffScale", default: 10, unit: "payoff" }),
    probAttr("imitation", 0, "Chance of copying a better-paid neighbour's strategy at an epoch's end, at the largest payoff gap (scaled down for smaller gaps); 0 switches imitation off.", { key: "imitation" }),
  ],
  {
    named: "optional",
    repeatable: true,
    blocks: [strategy(HONEST), strategy(OPPORTUNISTIC), strategy(DECEPTIVE), strategy(ADVERSARIAL)],
    lower: { slice: slice([], LearnerParams) },
    validate,
  },
);
