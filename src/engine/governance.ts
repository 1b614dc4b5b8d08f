/**
 * Governance (§8): the levers in the reference's fixed order — transaction
 * tax, reputation decay, staking, circuit breaker, random audit — plus the
 * collusion penalty lever of the next commit (§13), appended after the audit
 * so no existing draw moves. Effects aggregate exactly as the reference's
 * GovernanceEffect.from_lever_effects: costs summed from 0 in lever order,
 * deltas summed per agent in insertion order.
 */
import type { Governance as GovernancePlan } from "../plan/schema.ts";
import { analyzeCollusion, type CollusionInteraction, type CollusionReport } from "../metrics/collusion.ts";
import type { Rng } from "./rng/types.ts";

export interface GovernanceEffect {
  costA: number;
  costB: number;
  freeze: string[];
  unfreeze: string[];
  reputation: Map<string, number>;
  resources: Map<string, number>;
  /** Breakdown for the metrics: tax (both parties), audit penalty, collusion cost (both parties). */
  tax: number;
  audited: boolean;
  auditPenalty: number;
  collusionCost: number;
  /** Circuit-breaker freezes triggered by this effect. */
  freezesTriggered: number;
  /** Σ risk·multiplier of the collusion reputation penalties in this effect. */
  collusionPenalty: number;
  /** Stakes to slash, one entry per violation (switch `slashing`, staking on). */
  slashes: Slash[];
}

/** A violation the whitepaper's staking lever slashes for. */
export interface Slash {
  readonly agent: string;
  readonly violation: "circuit_breaker" | "audit";
}

/** How the levers behave beyond the reference (the profile's switches; all false in swarm-0.1). */
export interface GovernanceSwitches {
  /** Forgive violations after a quiet epoch (circuitBreaker.violationDecay). */
  readonly forgiveViolations: boolean;
  /** Tax, breaker and audit see accepted interactions only. */
  readonly acceptedOnly: boolean;
  /** Circuit-breaker violations and failed audits slash stake. */
  readonly slashing: boolean;
  /** A released agent's toxicity window starts empty. */
  readonly windowResets: boolean;
  /** Collusion scores count benefit correlation only from collusion.correlationThreshold up. */
  readonly correlationGate: boolean;
}

function emptyEffect(): GovernanceEffect {
  return {
    costA: 0.0,
    costB: 0.0,
    freeze: [],
    unfreeze: [],
    reputation: new Map(),
    resources: new Map(),
    tax: 0,
    audited: false,
    auditPenalty: 0,
    collusionCost: 0,
    freezesTriggered: 0,
    collusionPenalty: 0,
    slashes: [],
  };
}

function addDelta(m: Map<string, number>, id: string, d: number): void {
  m.set(id, (m.get(id) ?? 0) + d);
}

interface Tracker {
  violations: number;
  freezeUntil: number;
  window: number[];
  lastViolationEpoch: number;
}

/** The parts of an agent the levers read. */
export interface GovernedAgent {
  readonly id: string;
  readonly reputation: number;
  readonly resources: number;
}

/** A completed interaction as the levers see it (before governance costs are added). */
export interface GovernedInteraction extends CollusionInteraction {
  readonly p: number;
}

export class GovernanceEngine {
  private readonly trackers = new Map<string, Tracker>();
  private history: CollusionInteraction[] = [];
  private report: CollusionReport | null = null;
  /** Collusion analyses run so far. */
  analyses = 0;
  private readonly switches: GovernanceSwitches;

  /** `switches`: a boolean is the reference's levers with violation forgiveness on or off. */
  constructor(
    private readonly plan: GovernancePlan,
    private readonly auditRng: Rng,
    private readonly agentIds: readonly string[],
    switches: boolean | Partial<GovernanceSwitches>,
  ) {
    validateGovernance(plan);
    const given = typeof switches === "boolean" ? { forgiveViolations: switches } : switches;
    this.switches = { forgiveViolations: false, acceptedOnly: false, slashing: false, windowResets: false, correlationGate: false, ...given };
  }

  private get forgiveViolations(): boolean {
    return this.switches.forgiveViolations;
  }

  /** Staking slashes only when the profile slashes and the staking lever is on. */
  private get slashes(): boolean {
    return this.switches.slashing && this.plan.staking.enabled;
  }

  /** The last collusion analysis (null before the first). */
  get collusionReport(): CollusionReport | null {
    return this.report;
  }

  /** Staking admission: the only lever that can refuse a turn. */
  canAct(agent: GovernedAgent): boolean {
    const s = this.plan.staking;
    return !s.enabled || agent.resources >= s.minStake;
  }

  epochStart(epoch: number, agents: readonly GovernedAgent[]): GovernanceEffect {
    const eff = emptyEffect();
    // Reputation decay: delta = rep·(rate − 1) for every agent with rep ≠ 0.
    const rate = this.plan.reputationDecay.rate;
    if (rate < 1) {
      for (const a of agents) if (a.reputation !== 0) addDelta(eff.reputation, a.id, a.reputation * (rate - 1));
    }
    // Circuit breaker: serve out freezes.
    const cb = this.plan.circuitBreaker;
    if (cb.enabled) {
      for (const [id, t] of this.trackers) {
        if (t.freezeUntil >= 0 && epoch >= t.freezeUntil) {
          eff.unfreeze.push(id);
          t.freezeUntil = -1;
          t.violations = 0;
          if (this.switches.windowResets) t.window = [];
        } else if (this.forgiveViolations && cb.violationDecay > 0 && t.freezeUntil < 0 && t.violations > 0 && t.lastViolationEpoch < epoch - 1) {
          t.violations = Math.max(0, t.violations - cb.violationDecay);
        }
      }
    }
    // Collusion: analyse the whole history, penalise risky agents.
    const col = this.plan.collusion;
    if (col.enabled && this.history.length >= col.minInteractions) {
      this.analyses++;
      this.report = analyzeCollusion(this.history, this.agentIds, {
        frequencyThreshold: col.frequencyThreshold,
        minInteractions: col.minInteractions,
        scoreThreshold: col.scoreThreshold,
        ...(this.switches.correlationGate ? { correlationThreshold: col.correlationThreshold } : {}),
      });
      for (const [id, risk] of this.report.agentRisk) {
        if (risk >= col.scoreThreshold) {
          addDelta(eff.reputation, id, -risk * col.penaltyMultiplier);
          addDelta(eff.resources, id, -risk * col.penaltyMultiplier * 10);
          eff.collusionPenalty += risk * col.penaltyMultiplier;
        }
      }
      if (col.clearHistoryOnEpoch) this.history = [];
    }
    return eff;
  }

  /**
   * Per completed interaction, in lever order: accepted or rejected in the
   * reference; accepted only when `acceptedOnly` (a rejected proposal is not
   * taxed, tracked or audited, and draws no audit roll).
   */
  onInteraction(x: GovernedInteraction, currentEpoch: number): GovernanceEffect {
    const eff = emptyEffect();
    if (this.switches.acceptedOnly && !x.accepted) return eff;
    // Transaction tax.
    const tax = this.plan.transactionTax;
    if (tax.rate !== 0) {
      const total = tax.rate * Math.abs(x.tau);
      const a = total * tax.split;
      const b = total * (1 - tax.split);
      eff.costA += a;
      eff.costB += b;
      eff.tax = a + b;
    }
    // Circuit breaker, on the initiator.
    const cb = this.plan.circuitBreaker;
    if (cb.enabled) {
      let t = this.trackers.get(x.initiator);
      if (!t) {
        t = { violations: 0, freezeUntil: -1, window: [], lastViolationEpoch: -Infinity };
        this.trackers.set(x.initiator, t);
      }
      t.window.push(1.0 - x.p);
      if (t.window.length > cb.window) t.window.shift();
      let sum = 0;
      for (const v of t.window) sum += v;
      const avg = sum / t.window.length;
      if (avg >= cb.toxicityThreshold) {
        t.violations += 1;
        t.lastViolationEpoch = currentEpoch;
        if (this.slashes) eff.slashes.push({ agent: x.initiator, violation: "circuit_breaker" });
        if (t.violations >= cb.violations) {
          eff.freeze.push(x.initiator);
          t.freezeUntil = currentEpoch + cb.freezeEpochs;
          eff.freezesTriggered += 1;
        }
      }
    }
    // Random audit: one draw per completed interaction; audited when roll ≤ probability.
    const audit = this.plan.audit;
    if (audit.enabled) {
      const roll = this.auditRng.random();
      if (!(roll > audit.probability)) {
        eff.audited = true;
        if (x.p < audit.thresholdP) {
          const penalty = (audit.thresholdP - x.p) * audit.penaltyMultiplier;
          eff.costA += penalty;
          eff.auditPenalty = penalty;
          if (this.slashes) eff.slashes.push({ agent: x.initiator, violation: "audit" });
        }
      }
    }
    // Collusion: record, and charge both parties in real time when both look risky.
    const col = this.plan.collusion;
    if (col.enabled) {
      if (col.realtimePenalty && this.report) {
        const ri = this.report.agentRisk.get(x.initiator) ?? 0;
        const rc = this.report.agentRisk.get(x.counterparty) ?? 0;
        if (ri >= col.scoreThreshold && rc >= col.scoreThreshold) {
          const cost = (col.realtimeRate * (ri + rc)) / 2;
          eff.costA += cost;
          eff.costB += cost;
          eff.collusionCost = cost + cost;
        }
      }
    }
    return eff;
  }

  /** The collusion lever keeps the finished interaction (with its final costs). */
  record(x: CollusionInteraction): void {
    if (this.plan.collusion.enabled) this.history.push(x);
  }
}

/** The reference's GovernanceConfig.validate(), for plans that bypass the compiler. */
export function validateGovernance(g: GovernancePlan): void {
  const inUnit = (v: number, name: string) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be in [0, 1]`);
  };
  inUnit(g.transactionTax.rate, "transaction_tax_rate");
  inUnit(g.transactionTax.split, "transaction_tax_split");
  inUnit(g.reputationDecay.rate, "reputation_decay_rate");
  if (!(g.voteNormalization.maxWeightPerAgent > 0)) throw new RangeError("max_vote_weight_per_agent must be positive");
  if (g.staking.minStake < 0) throw new RangeError("min_stake_to_participate must be non-negative");
  inUnit(g.staking.slashRate, "stake_slash_rate");
  inUnit(g.circuitBreaker.toxicityThreshold, "freeze_threshold_toxicity");
  if (g.circuitBreaker.violations < 1) throw new RangeError("freeze_threshold_violations must be >= 1");
  if (g.circuitBreaker.freezeEpochs < 1) throw new RangeError("freeze_duration_epochs must be >= 1");
  inUnit(g.audit.probability, "audit_probability");
  if (g.audit.penaltyMultiplier < 0) throw new RangeError("audit_penalty_multiplier must be non-negative");
  inUnit(g.audit.thresholdP, "audit_threshold_p");
}

/**
 * The reference's vote-normalisation weight: (M/(1 + n/M))/M, i.e. 1/(1 + n/M).
 * Applied to votes only where the switch `voteNormalization` is on (sbx), with
 * n the voter's votes already cast this epoch.
 */
export function voteWeight(voteCount: number, maxWeight: number, enabled: boolean): number {
  if (!enabled) return 1.0;
  return maxWeight / (1 + voteCount / maxWeight) / maxWeight;
}
