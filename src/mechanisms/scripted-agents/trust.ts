/**
 * Trust per partner as running sums over accepted history, in history order:
 * the same floats as the reference's sum(p)/len over the filtered list.
 *
 * Partners are registration numbers, not ids: at 100,000 agents an id-keyed
 * map probes each id string's hash (a cache miss per lookup), and the policies
 * that read trust go on to the partner's slot, which a number reaches
 * directly. Entries sit in parallel arrays in first-interaction order; the
 * map only finds a partner's entry. A partner that is not an agent of the
 * run (−1: an unvalidated proposal's made-up counterparty) is not recorded:
 * every question asked of a ledger is about an agent, so such an entry was
 * never read.
 */
export class TrustLedger {
  /** Entry number by partner number. */
  private readonly entryOf = new Map<number, number>();
  private readonly partners: number[] = [];
  private readonly sums: number[] = [];
  private readonly counts: number[] = [];

  add(partner: number, p: number): void {
    if (partner < 0) return;
    const k = this.entryOf.get(partner);
    if (k !== undefined) {
      this.sums[k] += p;
      this.counts[k] += 1;
    } else {
      this.entryOf.set(partner, this.partners.length);
      this.partners.push(partner);
      this.sums.push(0 + p);
      this.counts.push(1);
    }
  }

  /** Mean p, or `fallback` without history. */
  trust(partner: number, fallback = 0.5): number {
    const k = this.entryOf.get(partner);
    return k === undefined ? fallback : this.sums[k] / this.counts[k];
  }

  has(partner: number): boolean {
    return this.entryOf.has(partner);
  }

  /** Partners with history, in first-interaction order: entry k is `partnerAt(k)`, its trust `trustAt(k)`. */
  get size(): number {
    return this.partners.length;
  }

  partnerAt(k: number): number {
    return this.partners[k];
  }

  trustAt(k: number): number {
    return this.sums[k] / this.counts[k];
  }
}
