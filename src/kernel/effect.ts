/**
 * What the governance levers decide together, at an epoch's start or on one
 * interaction: the reference's GovernanceEffect.from_lever_effects. Levers
 * add to one effect in their fixed order — costs summed from 0, reputation
 * and resource deltas summed per agent in insertion order — and the
 * scheduler applies it once, so the arithmetic and the event order are the
 * reference's. One effect is reused for every application: no lever keeps it.
 */

/**
 * The first value of a number field that will hold fractions but starts at 0
 * (set to 0 in the constructor): V8 lays a field out by the first value it
 * holds, and a field first holding the small integer 0 changes its layout
 * when it first holds a fraction — the first tax charged in a thread, say —
 * which throws away all code optimised for the object's old layout, to be
 * compiled again in each of a sweep's threads (issue 12).
 */
export const DOUBLE_FIELD = 0.5;

/** A breach a lever detected; levers that punish breaches (staking) act on it. */
export interface Violation {
  readonly agent: string;
  /** The lever that detected it. */
  readonly violation: string;
}

export class Effect {
  /** Costs charged to the initiator and the counterparty of the interaction (0 once constructed). */
  costA = DOUBLE_FIELD;
  costB = DOUBLE_FIELD;
  readonly freeze: string[] = [];
  readonly unfreeze: string[] = [];
  readonly reputation = new Map<string, number>();
  readonly resources = new Map<string, number>();
  readonly violations: Violation[] = [];

  constructor() {
    this.clear();
  }

  addReputation(agent: string, delta: number): void {
    this.reputation.set(agent, (this.reputation.get(agent) ?? 0) + delta);
  }

  addResources(agent: string, delta: number): void {
    this.resources.set(agent, (this.resources.get(agent) ?? 0) + delta);
  }

  /** Empty again, for the next application. */
  clear(): this {
    this.costA = 0.0;
    this.costB = 0.0;
    // Setting an array's length and Map.clear() are runtime calls (the latter allocates a new table even
    // when the map is empty, V8): most applications add nothing, so only what was used is emptied.
    if (this.freeze.length) this.freeze.length = 0;
    if (this.unfreeze.length) this.unfreeze.length = 0;
    if (this.reputation.size) this.reputation.clear();
    if (this.resources.size) this.resources.clear();
    if (this.violations.length) this.violations.length = 0;
    return this;
  }
}
