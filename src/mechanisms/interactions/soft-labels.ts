/**
 * Soft labels and payoffs (docs/sandbox.md §2–§3), evaluated in the
 * reference's exact arithmetic order so results are bit-identical.
 */
import { exp, powInt } from "../../kernel/libm.ts";
import type { Observables } from "../../kernel/records.ts";

export type { Observables };

export interface ProxyConfig {
  weights: { taskProgress: number; rework: number; verifier: number; engagement: number };
  sigmoidK: number;
  reworkDecay: number;
  rejectionDecay: number;
  misuseDecay: number;
}

/** The reference's `ProxyComputer()`: the only proxy the swarm-0.1 orchestrator ever builds. */
export const REFERENCE_PROXY: ProxyConfig = {
  weights: { taskProgress: 0.4, rework: 0.2, verifier: 0.2, engagement: 0.2 },
  sigmoidK: 2.0,
  reworkDecay: 0.3,
  rejectionDecay: 0.4,
  misuseDecay: 0.5,
};

/** `1/(1 + exp(−k·v))` with v clamped to [−10, 10]; no offset. */
export function calibratedSigmoid(vHat: number, k = 2.0): number {
  const v = Math.max(-10.0, Math.min(10.0, vHat));
  return 1.0 / (1.0 + exp(-k * v));
}

export function inverseSigmoid(p: number, k = 2.0): number {
  if (p <= 0.0 || p >= 1.0) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (k === 0) throw new RangeError("k cannot be zero for inverse sigmoid");
  return -Math.log((1.0 - p) / p) / k;
}

export function sigmoidDerivative(vHat: number, k = 2.0): number {
  const p = calibratedSigmoid(vHat, k);
  return k * p * (1.0 - p);
}

/** Weights scaled by the sum of their absolute values, signs kept; all zero → 0.25 each. */
export function normalizeWeights(w: ProxyConfig["weights"]): ProxyConfig["weights"] {
  const total = Math.abs(w.taskProgress) + Math.abs(w.rework) + Math.abs(w.verifier) + Math.abs(w.engagement);
  if (total === 0) return { taskProgress: 0.25, rework: 0.25, verifier: 0.25, engagement: 0.25 };
  return {
    taskProgress: w.taskProgress / total,
    rework: w.rework / total,
    verifier: w.verifier / total,
    engagement: w.engagement / total,
  };
}

/** A count mapped to [−1, 1]: 1 when zero, else 2·decay^count − 1. */
export function countSignal(count: number, decay: number): number {
  if (count === 0) return 1.0;
  return 2.0 * powInt(decay, count) - 1.0;
}

export class ProxyComputer {
  private readonly w: ProxyConfig["weights"];
  constructor(private readonly config: ProxyConfig = REFERENCE_PROXY) {
    this.w = normalizeWeights(config.weights);
  }

  vHat(o: Observables): number {
    const c = this.config;
    const progress = Math.max(-1.0, Math.min(1.0, o.taskProgress));
    const rework = countSignal(o.rework, c.reworkDecay);
    const rejection = countSignal(o.rejections, c.rejectionDecay);
    const misuse = countSignal(o.misuse, c.misuseDecay);
    const engagement = Math.max(-1.0, Math.min(1.0, o.engagement));
    const verifier = (rejection + misuse) / 2.0;
    const v = this.w.taskProgress * progress + this.w.rework * rework + this.w.verifier * verifier + this.w.engagement * engagement;
    return Math.max(-1.0, Math.min(1.0, v));
  }

  /** p from v̂: the calibrated sigmoid at this proxy's steepness. */
  p(vHat: number): number {
    return calibratedSigmoid(vHat, this.config.sigmoidK);
  }

  /** (v̂, p). */
  labels(o: Observables): [number, number] {
    const v = this.vHat(o);
    return [v, this.p(v)];
  }
}

export interface PayoffConfig {
  sPlus: number;
  sMinus: number;
  h: number;
  theta: number;
  rhoA: number;
  rhoB: number;
  wRep: number;
}

/** What a payoff depends on besides p. */
export interface PayoffTerms {
  p: number;
  tau: number;
  cA: number;
  cB: number;
  rA: number;
  rB: number;
}

/** S_soft = p·s₊ − (1 − p)·s₋ */
export function expectedSurplus(c: PayoffConfig, p: number): number {
  return p * c.sPlus - (1 - p) * c.sMinus;
}

/** E_soft = (1 − p)·h */
export function expectedHarm(c: PayoffConfig, p: number): number {
  return (1 - p) * c.h;
}

/** π_a = θ·S − τ − c_a − ρ_a·E + w_rep·r_a, left to right. */
export function payoffInitiator(c: PayoffConfig, x: PayoffTerms): number {
  const s = expectedSurplus(c, x.p);
  const e = expectedHarm(c, x.p);
  return c.theta * s - x.tau - x.cA - c.rhoA * e + c.wRep * x.rA;
}

/** π_b = (1 − θ)·S + τ − c_b − ρ_b·E + w_rep·r_b, left to right. */
export function payoffCounterparty(c: PayoffConfig, x: PayoffTerms): number {
  const s = expectedSurplus(c, x.p);
  const e = expectedHarm(c, x.p);
  return (1 - c.theta) * s + x.tau - x.cB - c.rhoB * e + c.wRep * x.rB;
}

/** π_a + π_b (the reference's docstring says E is added back; the code does not). */
export function totalWelfare(c: PayoffConfig, x: PayoffTerms): number {
  return payoffInitiator(c, x) + payoffCounterparty(c, x);
}

/** S_soft − E_soft */
export function socialSurplus(c: PayoffConfig, p: number): number {
  return expectedSurplus(c, p) - expectedHarm(c, p);
}

export function breakEvenP(c: PayoffConfig): number {
  return c.sMinus / (c.sPlus + c.sMinus);
}

export function socialBreakEvenP(c: PayoffConfig): number {
  return (c.sMinus + c.h) / (c.sPlus + c.sMinus + c.h);
}

export interface PayoffBreakdown {
  expectedSurplus: number;
  expectedHarm: number;
  surplusShare: number;
  transfer: number;
  governanceCost: number;
  externalityCost: number;
  reputationBonus: number;
  total: number;
}

export function breakdownInitiator(c: PayoffConfig, x: PayoffTerms): PayoffBreakdown {
  const s = expectedSurplus(c, x.p);
  const e = expectedHarm(c, x.p);
  const surplusShare = c.theta * s;
  const externalityCost = c.rhoA * e;
  const reputationBonus = c.wRep * x.rA;
  const total = surplusShare - x.tau - x.cA - externalityCost + reputationBonus;
  return { expectedSurplus: s, expectedHarm: e, surplusShare, transfer: -x.tau, governanceCost: x.cA, externalityCost, reputationBonus, total };
}

export function breakdownCounterparty(c: PayoffConfig, x: PayoffTerms): PayoffBreakdown {
  const s = expectedSurplus(c, x.p);
  const e = expectedHarm(c, x.p);
  const surplusShare = (1 - c.theta) * s;
  const externalityCost = c.rhoB * e;
  const reputationBonus = c.wRep * x.rB;
  const total = surplusShare + x.tau - x.cB - externalityCost + reputationBonus;
  return { expectedSurplus: s, expectedHarm: e, surplusShare, transfer: x.tau, governanceCost: x.cB, externalityCost, reputationBonus, total };
}

/** The reference validates payoff configs at engine construction. */
export function validatePayoff(c: PayoffConfig): void {
  if (c.sPlus < 0) throw new RangeError("s_plus must be non-negative");
  if (c.sMinus < 0) throw new RangeError("s_minus must be non-negative");
  if (c.h < 0) throw new RangeError("h must be non-negative");
  if (!(c.theta >= 0 && c.theta <= 1)) throw new RangeError("theta must be in [0, 1]");
  if (c.rhoA < 0 || c.rhoB < 0) throw new RangeError("rho values must be non-negative");
}
