/**
 * The language surface of interactions: the payoff and the proxy (each a
 * plan slice), and how observables are drawn (`observables` declarations,
 * which stochastic policies use).
 */
import { z } from "zod";
import { nonNeg, prob, slice } from "../../spec/plan.ts";
import { attr, block, prob as probAttr, SWARM } from "../../spec/build.ts";
import type { AttrSpec, PlainValue } from "../../spec/types.ts";

export const Payoff = z.strictObject({
  sPlus: nonNeg,
  sMinus: nonNeg,
  h: nonNeg,
  theta: prob,
  rhoA: nonNeg,
  rhoB: nonNeg,
  wRep: z.number(),
});

export const Proxy = z.strictObject({
  weights: z.strictObject({
    taskProgress: z.number(),
    rework: z.number(),
    verifier: z.number(),
    engagement: z.number(),
  }),
  sigmoidK: nonNeg,
  reworkDecay: prob,
  rejectionDecay: prob,
  misuseDecay: prob,
});

/** A uniform or integer distribution used by stochastic policies to draw interaction observables. */
export const Distribution = z.discriminatedUnion("dist", [
  z.strictObject({ dist: z.literal("constant"), value: z.number() }),
  z.strictObject({ dist: z.literal("uniform"), low: z.number(), high: z.number() }),
  z.strictObject({ dist: z.literal("randint"), low: z.number().int(), high: z.number().int() }),
]);
export type Distribution = z.infer<typeof Distribution>;

/** How the observables of an interaction are drawn, keyed by the initiator's quality profile. */
export const ObservableProfile = z.strictObject({
  taskProgress: Distribution,
  rework: Distribution,
  rejections: Distribution,
  misuse: Distribution,
  engagement: Distribution,
});
export type ObservableProfile = z.infer<typeof ObservableProfile>;

export const PAYOFF_SLICE = slice(["payoff"], Payoff);
export const PROXY_SLICE = slice(["proxy"], Proxy);

export const PAYOFF = block("payoff", "Soft payoff parameters: π_a = θ·S − τ − c_a − ρ_a·E + w_rep·r_a, with S = p·s_plus − (1−p)·s_minus and E = (1−p)·harm.", [
  attr("s_plus", { t: "number" }, "Surplus when the interaction is beneficial.", { key: "sPlus", live: true, reference: "payoff.s_plus", default: 2.0, unit: "payoff" }),
  attr("s_minus", { t: "number" }, "Loss when the interaction is harmful.", { key: "sMinus", live: true, reference: "payoff.s_minus", default: 1.0, unit: "payoff" }),
  attr("harm", { t: "number" }, "Externality harm h imposed on the ecosystem by a harmful interaction.", { key: "h", live: true, default: 2.0, unit: "payoff", reference: "payoff.h" }),
  probAttr("theta", 0.5, "Initiator's share of the surplus (the counterparty gets 1 − θ).", { key: "theta", live: true, reference: "payoff.theta" }),
  attr("rho_a", { t: "number" }, "Share of the externality the initiator internalises.", { key: "rhoA", live: true, reference: "payoff.rho_a", default: 0.0, advise: { max: 1, why: "the whitepaper takes ρ in [0, 1]" } }),
  attr("rho_b", { t: "number" }, "Share of the externality the counterparty internalises.", { key: "rhoB", live: true, reference: "payoff.rho_b", default: 0.0, advise: { max: 1, why: "the whitepaper takes ρ in [0, 1]" } }),
  attr("w_rep", { t: "number" }, "Weight of the reputation terms r_a and r_b (in profile sbx, each party's reputation change).", {
    key: "wRep",
    live: true,
    reference: "payoff.w_rep",
    default: 1.0,
    unit: "payoff",
    inert: { profiles: SWARM, why: "the reference never sets the reputation terms r_a and r_b, so their weight multiplies 0" },
  }),
], { preset: true, lower: { slice: PAYOFF_SLICE } });

const WEIGHTS = block("weights", "Weights of the proxy signals; normalised to sum 1 in absolute value.", [
  attr("task_progress", { t: "number" }, "Weight of forward task progress.", { key: "taskProgress", default: 0.4 }),
  attr("rework", { t: "number" }, "Weight of the rework signal.", { key: "rework", default: 0.2 }),
  attr("verifier", { t: "number" }, "Weight of the verifier signal (rejections and misuse averaged).", { key: "verifier", default: 0.2 }),
  attr("engagement", { t: "number" }, "Weight of the counterparty's engagement.", { key: "engagement", default: 0.2 }),
], { inert: { profiles: SWARM, why: "the reference always uses the default proxy weights" }, lower: { field: "weights" } });

const PROXY_INERT = { profiles: SWARM, why: "the reference always uses the default proxy" } as const;

export const PROXY = block("proxy", "How observables become soft labels: v̂ = Σ w·signal clamped to [−1, 1], then p = 1/(1 + e^(−k·v̂)).", [
  attr("sigmoid_k", { t: "number" }, "Steepness k of the calibrated sigmoid.", { key: "sigmoidK", reference: "payoff.sigmoid_k", default: 2.0, inert: PROXY_INERT }),
  probAttr("rework_decay", 0.3, "Decay of the rework signal: 2·decay^count − 1.", { key: "reworkDecay", inert: PROXY_INERT }),
  probAttr("rejection_decay", 0.4, "Decay of the verifier-rejection signal.", { key: "rejectionDecay", inert: PROXY_INERT }),
  probAttr("misuse_decay", 0.5, "Decay of the tool-misuse signal.", { key: "misuseDecay", inert: PROXY_INERT }),
], { blocks: [WEIGHTS], preset: true, lower: { slice: PROXY_SLICE } });

const DIST = (name: string, key: string, doc: string, def: PlainValue, int = false): AttrSpec => attr(name, { t: "distribution", int }, doc, { key, default: def });

/** Defaults are the honest initiator's draws (docs/sandbox.md §7.7); std/prelude declares the other kinds'. */
export const OBSERVABLES = block("observables", "How the observables of an interaction are drawn from its initiator: `uniform(a, b)`, `randint(a, b)` or a constant. Unset entries draw as an honest initiator's.", [
  DIST("task_progress", "taskProgress", "Task progress delta, nominally in [−1, 1].", { dist: "uniform", low: 0.3, high: 0.8 }),
  DIST("rework", "rework", "Rework cycles (whole numbers).", { dist: "randint", low: 0, high: 1 }, true),
  DIST("rejections", "rejections", "Verifier rejections (whole numbers).", { dist: "constant", value: 0 }, true),
  DIST("misuse", "misuse", "Tool-misuse flags (whole numbers).", { dist: "constant", value: 0 }, true),
  DIST("engagement", "engagement", "Counterparty engagement delta, nominally in [−1, 1].", { dist: "uniform", low: 0.2, high: 0.6 }),
], { preset: true, lower: { field: "observables" } });

