/**
 * An LLM run's budget, in USD. A call is made only when the budget covers its
 * worst case (its prompt's bytes as input tokens, `maxTokens` as output). In a
 * phase, every decision's first call is admitted in schedule order against
 * what earlier phases spent; retries then draw on what is left, shared out in
 * schedule order as whole worst-case calls, each decision's share fixed before
 * any call returns. Nothing in flight can exceed the budget, and whether a
 * call may be made never depends on timing. Once a call is refused, the
 * budget is exhausted for the rest of the run.
 */

/** The most calls one decision makes: the first, `maxRetries` after transport faults, one after an unusable answer. */
export const maxCalls = (maxRetries: number): number => 1 + maxRetries + 1;

/** A decision's account with the budget. */
export interface Account {
  /** Worst-case cost of one of its calls. */
  readonly bound: number;
  /** Calls it may make beyond the first. */
  readonly maxExtra: number;
  readonly admitted: boolean;
  /** Extra calls the budget granted it (fixed for the phase once asked). */
  extraGranted: number | null;
  extraUsed: number;
  /** What its calls committed against the budget: actual cost, or the bound where the cost is unknown (a timed-out call may still be billed). */
  charged: number;
  /** A retry was refused for the budget. */
  refused: boolean;
}

/** Guards against rounding at the boundary: sums in different orders may differ in the last bits. */
const SAFETY = 1 - 1e-9;

export class Budget {
  /** Settled charges of every finished decision, summed in schedule order. */
  committed = 0;
  exhausted = false;
  private phase: Account[] = [];
  private open = 0;
  private firstSum = 0;
  private waterfall = false;

  constructor(readonly limit: number | null) {}

  /** A decision's first call: admitted in schedule order, before any call of the phase returns. */
  admit(bound: number, maxExtra: number): Account {
    if (this.open === 0) {
      // Every decision of the previous phase has settled: a new phase begins.
      this.phase = [];
      this.firstSum = 0;
      this.waterfall = false;
    }
    this.open++;
    let admitted = true;
    if (this.limit !== null && bound > 0) {
      admitted = !this.exhausted && this.committed + this.firstSum + bound <= this.limit * SAFETY;
      if (!admitted) this.exhausted = true;
    }
    const account: Account = { bound, maxExtra, admitted, extraGranted: null, extraUsed: 0, charged: 0, refused: false };
    if (admitted) {
      this.firstSum += bound;
      this.phase.push(account);
    }
    return account;
  }

  /** Whether the decision may make one more call. Only asked after an await, when the phase's admissions are complete. */
  mayRetry(a: Account): boolean {
    if (this.limit === null || a.bound === 0) return true;
    if (!this.waterfall) this.shareOut();
    if (a.extraUsed < (a.extraGranted ?? 0)) {
      a.extraUsed++;
      return true;
    }
    a.refused = true;
    return false;
  }

  /** Retry allowances in schedule order, from what the phase's first calls leave. */
  private shareOut(): void {
    this.waterfall = true;
    let pool = (this.limit as number) * SAFETY - this.committed - this.firstSum;
    for (const a of this.phase) {
      let n = Math.max(0, Math.min(a.maxExtra, Math.floor(pool / a.bound)));
      while (n > 0 && n * a.bound > pool) n--;
      a.extraGranted = n;
      pool -= n * a.bound;
    }
  }

  charge(a: Account, usd: number): void {
    a.charged += usd;
  }

  /** The decision is settled (schedule order): its charges become committed. */
  settle(a: Account): void {
    this.open--;
    this.committed += a.charged;
    if (a.refused) this.exhausted = true;
    if (this.limit !== null && this.committed >= this.limit) this.exhausted = true;
  }
}
