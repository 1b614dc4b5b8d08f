/**
 * The `incoherence` block (replay-based incoherence: D, E, I) and the
 * `self_ensemble` lever (a variance-reducing intervention it can measure),
 * with their plan slices. Both are left out of the plan unless written.
 */
import { z } from "zod";
import { nonNeg, posInt, prob, optionalSlice } from "../../spec/plan.ts";
import { attr, block, enabled, enumOf, INT, lever, NUM, prob as probAttr, STR } from "../../spec/build.ts";
import { SCRIPTED_KINDS, ScriptedKind } from "../scripted-agents/language.ts";

export const Incoherence = z.strictObject({
  /** K: replays of every decision point. */
  replays: z.number().int().min(2),
  /** The scripted kind whose (modal) decision is the right one at each decision point. */
  benchmark: ScriptedKind,
  /** ε in I = D / (E + ε). */
  epsilon: z.number().positive(),
  /** I below it is coherent, at or above it incoherent (the dual failure-mode classification). */
  threshold: prob,
  /** An accepted interaction with p below it is a harmful incident. */
  harmThreshold: prob,
});
export type Incoherence = z.infer<typeof Incoherence>;

export const INCOHERENCE_SLICE = optionalSlice(["incoherence"], Incoherence);

export const SelfEnsemble = z.strictObject({
  /** Samples per decision; the agent takes the modal action. */
  samples: posInt,
  /** The population group or agent kind that ensembles (null: every agent). */
  group: z.string().nullable(),
  /** Compute surcharge per extra sample, charged on each accepted interaction to each ensembling party (half each side, as the reference splits it). */
  surcharge: nonNeg,
});
export type SelfEnsemble = z.infer<typeof SelfEnsemble>;

export const SELF_ENSEMBLE_SLICE = optionalSlice(["governance", "selfEnsemble"], SelfEnsemble);

export const INCOHERENCE = block("incoherence", "Replay-based incoherence: every decision point is replayed K times from a stream derived from the seed, the agent and the step; D is the replays' disagreement, E their error against a benchmark policy, I = D/(E + ε). Measuring changes nothing in the run.", [
  enabled(),
  attr("replays", INT, "K: replays of each decision point.", { key: "replays", default: 5, unit: "replays", reference: "replay_k" }),
  attr("benchmark", enumOf(SCRIPTED_KINDS), "The policy whose decision counts as right: its modal action over K replays at the same decision point, with that kind's default parameters.", { key: "benchmark", default: "honest" }),
  attr("epsilon", NUM, "ε in I = D/(E + ε).", { key: "epsilon", default: 1e-8 }),
  probAttr("threshold", 0.5, "Incoherence threshold of the dual failure-mode classification: coherent below it, incoherent at or above it.", { key: "threshold", reference: "incoherence_threshold" }),
  probAttr("harm_threshold", 0.5, "An accepted interaction whose p is below this is a harmful incident.", { key: "harmThreshold" }),
], { lower: { slice: INCOHERENCE_SLICE } });

export const SELF_ENSEMBLE = lever("self_ensemble", "Self-ensembling: each decision is sampled several times and the agent takes the modal action (a variance-reducing intervention).", [
  attr("samples", INT, "Samples per decision; the modal action is taken (ties go to the earliest sample).", { key: "samples", default: 5, unit: "samples", reference: "self_ensemble_samples" }),
  attr("group", STR, "The population group or agent kind that ensembles; every agent when unset.", { key: "group", default: null }),
  attr("surcharge", NUM, "Compute cost per extra sample, charged on each accepted interaction to each party that ensembles (half of it each).", { key: "surcharge", default: 0.01, unit: "payoff" }),
], { lower: { slice: SELF_ENSEMBLE_SLICE } });
