/**
 * A Dworkin-style auction (the reference's swarm/env/auction.py,
 * DworkinAuction.run_auction), as a pure function of the bidders'
 * valuations, their common endowment and the pool's supply.
 *
 * Tâtonnement: prices start at 1; each round every bidder demands what it
 * can afford greedily, best value per price first, at most the supply of a
 * resource; then every price moves by its excess demand,
 * p ← max(0.01, p·(1 + rate·excess/supply)), until the largest |excess| is
 * under the tolerance or the round cap is hit. The demands at the final
 * prices are scaled down to the supply where they exceed it, and every
 * ordered pair of bidders is checked for envy: i envies j when i could
 * afford j's bundle at the clearing prices and values it more than its own
 * by more than the envy tolerance.
 */

export interface AuctionRules {
  /** Every bidder's budget (equal endowments). */
  readonly endowment: number;
  readonly maxRounds: number;
  /** Price adjustment rate, in (0, 1]. */
  readonly rate: number;
  /** Convergence: the largest |excess demand| below this ends the tâtonnement. */
  readonly tolerance: number;
  /** Utility gaps (and bundle costs over budget) up to this are not envy. */
  readonly envyTolerance: number;
}

/** Bidder `envious` values bidder `envied`'s bundle more than its own, by `gap`. */
export interface EnvyViolation {
  readonly envious: number;
  readonly envied: number;
  readonly gap: number;
}

export interface AuctionOutcome {
  /** Clearing price of each resource. */
  readonly prices: number[];
  /** Rounds of tâtonnement run. */
  readonly rounds: number;
  /** The largest |excess| fell below the tolerance before the round cap. */
  readonly converged: boolean;
  /** The largest |excess demand| of the last round (resource units). */
  readonly maxExcess: number;
  /** Each bidder's allocation of each resource, scaled to the supply. */
  readonly allocations: number[][];
  /** Each bidder's utility Σ v·q of its allocation. */
  readonly utilities: number[];
  /** Each bidder's spend Σ p·q at the clearing prices. */
  readonly paid: number[];
  readonly violations: EnvyViolation[];
}

/** The price floor of the reference's update. */
const PRICE_FLOOR = 0.01;

/**
 * Runs one auction. `valuations[i][r]`: bidder i's value of one unit of
 * resource r; `supply[r]`: the pool's quantity of r.
 */
export function runAuction(valuations: readonly (readonly number[])[], supply: readonly number[], rules: AuctionRules): AuctionOutcome {
  const R = supply.length;
  const prices = new Array<number>(R).fill(1.0);
  if (valuations.length === 0 || R === 0) {
    return { prices, rounds: 0, converged: true, maxExcess: 0, allocations: valuations.map(() => new Array<number>(R).fill(0)), utilities: valuations.map(() => 0), paid: valuations.map(() => 0), violations: [] };
  }
  let converged = false;
  let rounds = 0;
  let maxExcess = 0;
  for (let round = 0; round < rules.maxRounds; round++) {
    rounds = round + 1;
    const demand = totalDemand(demands(valuations, prices, supply, rules.endowment), R);
    maxExcess = 0;
    for (let r = 0; r < R; r++) {
      const excess = demand[r] - supply[r];
      maxExcess = Math.max(maxExcess, Math.abs(excess));
      // As the reference: every price moves, in the converging round too.
      prices[r] = Math.max(PRICE_FLOOR, prices[r] * (1 + rules.rate * (excess / Math.max(supply[r], 1e-10))));
    }
    if (maxExcess < rules.tolerance) {
      converged = true;
      break;
    }
  }
  const allocations = scaleToSupply(demands(valuations, prices, supply, rules.endowment), supply);
  const utilities = allocations.map((q, i) => dot(valuations[i], q));
  const paid = allocations.map((q) => dot(prices, q));
  const violations = envy(valuations, allocations, utilities, paid, rules);
  return { prices, rounds, converged, maxExcess, allocations, utilities, paid, violations };
}

/**
 * Each bidder's greedy demand: resources by value per price, best first
 * (ties to the earlier resource), each bought up to what the remaining
 * budget affords and at most the supply.
 */
function demands(valuations: readonly (readonly number[])[], prices: readonly number[], supply: readonly number[], budget: number): number[][] {
  const R = prices.length;
  const order = Array.from({ length: R }, (_, r) => r);
  return valuations.map((v) => {
    const q = new Array<number>(R).fill(0);
    order.sort((a, b) => v[b] / prices[b] - v[a] / prices[a] || a - b);
    let remaining = budget;
    for (const r of order) {
      if (remaining <= 0) break;
      const qty = Math.min(remaining / prices[r], supply[r]);
      if (qty > 0) {
        q[r] = qty;
        remaining -= qty * prices[r];
      }
    }
    return q;
  });
}

function totalDemand(q: readonly (readonly number[])[], R: number): number[] {
  const total = new Array<number>(R).fill(0);
  for (const row of q) for (let r = 0; r < R; r++) total[r] += row[r];
  return total;
}

/** Scales every over-demanded resource's allocations by supply/demand. */
function scaleToSupply(q: number[][], supply: readonly number[]): number[][] {
  const demand = totalDemand(q, supply.length);
  for (let r = 0; r < supply.length; r++) {
    if (!(demand[r] > supply[r] && demand[r] > 0)) continue;
    const scale = supply[r] / demand[r];
    for (const row of q) row[r] *= scale;
  }
  return q;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let r = 0; r < a.length; r++) s += a[r] * b[r];
  return s;
}

/** Every ordered pair (i, j) where i can afford j's bundle and values it more than its own, beyond the tolerance. */
function envy(valuations: readonly (readonly number[])[], allocations: readonly (readonly number[])[], utilities: readonly number[], paid: readonly number[], rules: AuctionRules): EnvyViolation[] {
  const out: EnvyViolation[] = [];
  const n = allocations.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j || paid[j] > rules.endowment + rules.envyTolerance) continue;
      const gap = dot(valuations[i], allocations[j]) - utilities[i];
      if (gap > rules.envyTolerance) out.push({ envious: i, envied: j, gap });
    }
  }
  return out;
}

/** The Gini coefficient of non-negative values (0: equal; 0 when they sum to 0), as the reference computes it. */
export function gini(values: readonly number[]): number {
  const n = values.length;
  const total = values.reduce((s, v) => s + v, 0);
  if (n === 0 || total === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (2 * (i + 1) - n - 1) * sorted[i];
  return sum / (n * total);
}
