/**
 * An epoch's completed interactions as columns: what the epoch's metrics
 * read of each interaction, by its number within the epoch, in completion
 * order. The records themselves live only as long as their event: kept as
 * objects until the epoch's end, a million agents' interactions were most of
 * the heap, and every young-generation collection copied them (issue 12).
 *
 * The columns hold the records' values unchanged (a Float64Array stores a
 * double exactly), so a metric computed from them adds the same terms in the
 * same order as one computed over the records. What the metrics only sum
 * (the soft metrics' sums, the levers' breakdowns) are running sums, fed in
 * the same order from 0: the epoch's end passes over the columns once more,
 * for the variances and the social surplus only.
 */
import type { InteractionRecord } from "../../kernel/records.ts";
import { grown } from "../../kernel/columns.ts";
import { DOUBLE_FIELD } from "../../kernel/effect.ts";
import { SoftSums } from "./soft-metrics.ts";

/** What the columns keep of a completed interaction. */
export type ColumnedInteraction = Pick<
  InteractionRecord,
  "initiator" | "accepted" | "p" | "payoffA" | "payoffB" | "cA" | "cB" | "tau" | "groundTruth" | "tax" | "auditPenalty" | "audited" | "collusionCost" | "froze"
>;

/** What the interaction metrics read: `length` rows of each column (a column may be longer). */
export interface InteractionColumns {
  readonly length: number;
  readonly p: Float64Array;
  /** 1 accepted, 0 rejected. */
  readonly accepted: Uint8Array;
  readonly payoffA: Float64Array;
  readonly payoffB: Float64Array;
  /** +1 / −1 when the true outcome is known, else 0. */
  readonly groundTruth: Int8Array;
  /** Rows with a known outcome. */
  readonly labelled: number;
  /** The soft metrics' sums over the rows, in order. */
  readonly sums: SoftSums;
}

const FIRST_CAPACITY = 256;

export class EpochInteractions implements InteractionColumns {
  length = 0;
  p = new Float64Array(FIRST_CAPACITY);
  accepted = new Uint8Array(FIRST_CAPACITY);
  payoffA = new Float64Array(FIRST_CAPACITY);
  payoffB = new Float64Array(FIRST_CAPACITY);
  // c_a + c_b, and τ: only a selection's sums read them (`rows`).
  cost = new Float64Array(FIRST_CAPACITY);
  tau = new Float64Array(FIRST_CAPACITY);
  groundTruth = new Int8Array(FIRST_CAPACITY);
  /** The initiator's agent number, −1 when it is not an agent of the run (its id is then in `strangers`). */
  initiator = new Int32Array(FIRST_CAPACITY);
  /** Initiators that are not agents of the run, by row. */
  readonly strangers = new Map<number, string>();
  /** Rows with a known outcome. */
  labelled = 0;
  sums = new SoftSums();
  /** Changes with every row added and every reset: what was computed at one revision holds while it lasts. */
  revision = 0;
  // The levers' breakdowns, summed as completed (Σ x.tax, …), and the counts of flags.
  tax = DOUBLE_FIELD;
  auditPenalty = DOUBLE_FIELD;
  audits = 0;
  collusionCost = DOUBLE_FIELD;
  freezes = 0;

  constructor() {
    this.tax = this.auditPenalty = this.collusionCost = 0;
  }

  /** A new epoch: no rows (the columns keep their capacity). */
  clear(): void {
    this.length = 0;
    this.strangers.clear();
    this.labelled = 0;
    this.sums = new SoftSums();
    this.revision++;
    this.tax = 0;
    this.auditPenalty = 0;
    this.audits = 0;
    this.collusionCost = 0;
    this.freezes = 0;
  }

  /** A completed interaction, as the reducer sees it; `initiatorIdx` is its initiator's agent number, or −1. */
  push(x: ColumnedInteraction, initiatorIdx: number): void {
    const i = this.length;
    if (i === this.p.length) this.grow(i * 2);
    const cost = x.cA + x.cB;
    this.p[i] = x.p;
    this.accepted[i] = x.accepted ? 1 : 0;
    this.payoffA[i] = x.payoffA;
    this.payoffB[i] = x.payoffB;
    this.cost[i] = cost;
    this.tau[i] = x.tau;
    this.sums.add(x.p, x.accepted, x.payoffA, x.payoffB, cost, x.tau);
    const gt = x.groundTruth;
    if (gt !== null) {
      this.groundTruth[i] = gt;
      this.labelled++;
    } else this.groundTruth[i] = 0;
    this.initiator[i] = initiatorIdx;
    if (initiatorIdx < 0) this.strangers.set(i, x.initiator);
    this.tax += x.tax;
    this.auditPenalty += x.auditPenalty;
    if (x.audited) this.audits++;
    this.collusionCost += x.collusionCost;
    if (x.froze) this.freezes++;
    this.length = i + 1;
    this.revision++;
  }

  private grow(capacity: number): void {
    this.p = grown(this.p, capacity);
    this.accepted = grown(this.accepted, capacity);
    this.payoffA = grown(this.payoffA, capacity);
    this.payoffB = grown(this.payoffB, capacity);
    this.cost = grown(this.cost, capacity);
    this.tau = grown(this.tau, capacity);
    this.groundTruth = grown(this.groundTruth, capacity);
    this.initiator = grown(this.initiator, capacity);
  }

  /**
   * The rows whose initiator is in `select` (ids), in order, as columns of
   * their own; `agentNumber` finds an id's agent number among `agents`.
   */
  initiatedBy(select: ReadonlySet<string>, agents: number, agentNumber: (id: string) => number | undefined): InteractionColumns {
    const chosen = new Uint8Array(agents);
    for (const id of select) {
      const idx = agentNumber(id);
      if (idx !== undefined) chosen[idx] = 1;
    }
    return this.rows((row) => {
      const idx = this.initiator[row];
      return idx >= 0 ? chosen[idx] === 1 : select.has(this.strangers.get(row)!);
    });
  }

  /** The rows that pass `keep`, in order, as columns of their own. */
  rows(keep: (row: number) => boolean): InteractionColumns {
    let n = 0;
    let labelled = 0;
    const sums = new SoftSums();
    for (let i = 0; i < this.length; i++) {
      if (!keep(i)) continue;
      n++;
      if (this.groundTruth[i] !== 0) labelled++;
      sums.add(this.p[i], this.accepted[i] === 1, this.payoffA[i], this.payoffB[i], this.cost[i], this.tau[i]);
    }
    const out = {
      length: n,
      labelled,
      sums,
      p: new Float64Array(n),
      accepted: new Uint8Array(n),
      payoffA: new Float64Array(n),
      payoffB: new Float64Array(n),
      groundTruth: new Int8Array(n),
    };
    let k = 0;
    for (let i = 0; i < this.length; i++) {
      if (!keep(i)) continue;
      out.p[k] = this.p[i];
      out.accepted[k] = this.accepted[i];
      out.payoffA[k] = this.payoffA[i];
      out.payoffB[k] = this.payoffB[i];
      out.groundTruth[k] = this.groundTruth[i];
      k++;
    }
    return out;
  }
}
