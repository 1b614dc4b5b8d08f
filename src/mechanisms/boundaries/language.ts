/**
 * `boundary` blocks — the sandbox's semi-permeable membranes — and their
 * plan slice: the list of written boundaries, left out of the plan when
 * there is none. Defaults are the reference's PermeabilityConfig
 * (swarm/boundaries/permeability.py).
 */
import { z } from "zod";
import { nonNeg, posInt, prob, optionalSlice } from "../../spec/plan.ts";
import { attr, block, BOOL, enabled, enumOf, INT, NUM, prob as probAttr, STR } from "../../spec/build.ts";

/** Whether a pattern compiles as the content filter compiles it. */
export function validPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, "i");
    return true;
  } catch {
    return false;
  }
}

export const Boundary = z.strictObject({
  name: z.string().nullable(),
  /** The population group or agent kind inside the boundary (null: every agent). */
  inside: z.string().nullable(),
  permeability: prob,
  adaptive: z.boolean(),
  threatSensitivity: nonNeg,
  informationDecay: prob,
  contagionRate: prob,
  amplification: nonNeg,
  /** Scan outbound flows for PII, credentials and code (the leakage detector). */
  leakage: z.boolean(),
  /** How the boundary policies combine: every one must allow a flow, or any one may. */
  policies: z.enum(["all", "any"]),
  rateLimit: z.strictObject({ crossings: posInt }).nullable(),
  contentFilter: z.strictObject({ pattern: z.string().refine(validPattern, "not a valid regular expression") }).nullable(),
  sensitivity: z.strictObject({ max: prob }).nullable(),
});
export type Boundary = z.infer<typeof Boundary>;

export const BOUNDARIES_SLICE = optionalSlice(["boundaries"], z.array(Boundary));

const RATE_LIMIT = block("rate_limit", "Boundary policy: at most this many outbound flows per agent per epoch pass it.", [
  attr("crossings", INT, "Outbound flows per agent per epoch the policy allows.", { key: "crossings", default: 60, unit: "flows" }),
], { lower: { field: "rateLimit", absent: "null" } });

const CONTENT_FILTER = block("content_filter", "Boundary policy: blocks outbound flows whose content matches a pattern.", [
  attr("pattern", STR, "A regular expression (JavaScript syntax, case-insensitive) matched against each flow's content.", { key: "pattern", default: "" }),
], { lower: { field: "contentFilter", absent: "null" } });

const SENSITIVITY = block("sensitivity", "Boundary policy: blocks outbound flows more sensitive than a maximum (a flow's sensitivity is the severity of what the leakage detector finds in it).", [
  probAttr("max", 0.5, "The most sensitive flow allowed out.", { key: "max", reference: "max_outbound_sensitivity" }),
], { lower: { field: "sensitivity", absent: "null" } });

export const BOUNDARY = block("boundary", "A semi-permeable boundary between the agents inside it and the outside world: the results of interactions its agents initiate flow out through it, harmful ones can spill over, and a leakage detector scans what leaves. Several boundaries may enclose different groups.", [
  enabled(),
  attr("inside", STR, "The population group or agent kind inside the boundary; every agent when unset.", { key: "inside", default: null }),
  probAttr("permeability", 0.5, "Base permeability π: 0 seals the boundary, 1 opens it.", { key: "permeability", reference: "base_permeability" }),
  attr("adaptive", BOOL, "Tighten with threat and loosen with trust: π·clip(1 − threat·sensitivity)·(0.5 + 0.5·trust).", { key: "adaptive", default: true }),
  attr("threat_sensitivity", NUM, "How strongly the threat (last epoch's toxicity inside) tightens an adaptive boundary.", { key: "threatSensitivity", default: 1.0 }),
  probAttr("information_decay", 0.1, "A crossing flow's value p degrades to p·(1 − decay).", { key: "informationDecay" }),
  probAttr("contagion_rate", 0.05, "r_c: a harmful interaction spills over with probability r_c·(1 − p)·π.", { key: "contagionRate" }),
  attr("amplification", NUM, "A spillover's harm outside is (1 − p)·amplification.", { key: "amplification", default: 1.5, reference: "spillover_amplification" }),
  attr("leakage", BOOL, "Scan outbound flows for PII, credentials and code (synthetic payloads for scripted agents, real utterances for LLM agents; the matched text is never logged).", { key: "leakage", default: true }),
  attr("policies", enumOf(["all", "any"]), "How the boundary's policies combine: every policy must allow a flow, or any one may.", { key: "policies", default: "all" }),
], { named: "optional", repeatable: true, blocks: [RATE_LIMIT, CONTENT_FILTER, SENSITIVITY], lower: { slice: BOUNDARIES_SLICE } });
