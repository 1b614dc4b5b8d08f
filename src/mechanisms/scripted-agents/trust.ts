/**
 * Trust per partner as running sums over accepted history, in history order:
 * the same floats as the reference's sum(p)/len over the filtered list.
 *
 * Partners are registration numbers, not ids: at 100,000 agents an id-keyed
 * map probes each id string's hash (a cache miss per lookup), and the policies
 * that read trust go on to the partner's slot, which a number reaches
 * directly. Entries sit in one array as (partner, sum, count) triples in
 * first-interaction order, found by a scan while there are few of them and by
 * a map from partner to entry beyond that: most ledgers of a large run hold a
 * handful of partners, and a map and three arrays per agent were hundreds of
 * megabytes at a million agents. A partner that is not an agent of the run
 * (−1: an unvalidated proposal's made-up counterparty) is not recorded: every
 * question asked of a ledger is about an agent, so such an entry was never read.
 */
export class TrustLedger {
  /** (partner, sum of p, count) per entry, in first-interaction order. */
  private readonly entries: number[] = [];
  /** Entry offset (into `entries`) by partner, once there are more than SCAN entries. */
  private offsets: Map<number, number> | null = null;

  /** The offset of the partner's entry, or −1. */
  private find(partner: number): number {
    if (this.offsets !== null) return this.offsets.get(partner) ?? -1;
    const e = this.entries;
    for (let i = 0; i < e.length; i += 3) if (e[i] === partner) return i;
    return -1;
  }

  add(partner: number, p: number): void {
    if (partner < 0) return;
    const e = this.entries;
    const i = this.find(partner);
    if (i >= 0) {
      e[i + 1] += p;
      e[i + 2] += 1;
      return;
    }
    e.push(partner, 0 + p, 1);
    if (this.offsets !== null) this.offsets.set(partner, e.length - 3);
    else if (e.length > SCAN * 3) {
      const offsets = (this.offsets = new Map());
      for (let k = 0; k < e.length; k += 3) offsets.set(e[k], k);
    }
  }

  /** Mean p, or `fallback` without history. */
  trust(partner: number, fallback = 0.5): number {
    const i = this.find(partner);
    return i < 0 ? fallback : this.entries[i + 1] / this.entries[i + 2];
  }

  has(partner: number): boolean {
    return this.find(partner) >= 0;
  }

  /** Partners with history, in first-interaction order: entry k is `partnerAt(k)`, its trust `trustAt(k)`. */
  get size(): number {
    return this.entries.length / 3;
  }

  partnerAt(k: number): number {
    return this.entries[3 * k];
  }

  trustAt(k: number): number {
    return this.entries[3 * k + 1] / this.entries[3 * k + 2];
  }
}

/** Entries a ledger finds by scanning; beyond them, by a map. */
const SCAN = 8;
