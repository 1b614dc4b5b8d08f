import { perRun } from "./per-run.ts";

/**
 * Trust per partner as running sums over accepted history, in history order:
 * the same floats as the reference's sum(p)/len over the filtered list.
 *
 * Partners are registration numbers, not ids: at 100,000 agents an id-keyed
 * map probes each id string's hash (a cache miss per lookup), and the policies
 * that read trust go on to the partner's slot, which a number reaches
 * directly. Entries sit in one array as (partner, sum, count) triples in
 * first-interaction order, found by a scan while there are few of them and,
 * beyond that, by the run's `LedgerIndex`: most ledgers of a large run hold a
 * handful of partners, and a map and three arrays per agent were hundreds of
 * megabytes at a million agents. A partner that is not an agent of the run
 * (−1: an unvalidated proposal's made-up counterparty) is not recorded: every
 * question asked of a ledger is about an agent, so such an entry was never read.
 */
export class TrustLedger {
  /** (partner, sum of p, count) per entry, in first-interaction order. */
  private readonly entries: number[] = [];
  /** Whether the index holds this ledger's entries (once there are more than SCAN). */
  private indexed = false;
  /** This ledger's key in the index. */
  private readonly owner: number;

  /** `index`: the run's, shared by its ledgers (see `ledgerIndexOf`). */
  constructor(private readonly index: LedgerIndex) {
    this.owner = index.newOwner();
  }

  /** The offset of the partner's entry, or −1. */
  private find(partner: number): number {
    if (this.indexed) return this.index.get(this.owner, partner);
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
    if (this.indexed) this.index.set(this.owner, partner, e.length - 3);
    else if (e.length > SCAN * 3) {
      this.indexed = true;
      for (let k = 0; k < e.length; k += 3) this.index.set(this.owner, e[k], k);
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

/** Entries a ledger finds by scanning; beyond them, by the index. */
const SCAN = 8;

/**
 * Where the entries of every long ledger of a run are: one open-addressing
 * table from (ledger, partner) to the entry's offset, in one Int32Array. A map
 * per ledger was a map object and its hash table, both wherever the heap put
 * them: at 100,000 agents every question to a long ledger (each party of each
 * interaction asks one) missed the cache on each; a probe here reads one line.
 */
export class LedgerIndex {
  /** (owner + 1, partner, offset, unused) per slot; 0 in the first: empty. */
  private table = new Int32Array(4 * 1024);
  private mask = 1023;
  private used = 0;
  private owners = 0;

  /** A key for a new ledger. */
  newOwner(): number {
    return this.owners++;
  }

  /** The slot (×4) holding (owner, partner), or the empty slot where it would go. */
  private slot(owner: number, partner: number): number {
    const t = this.table;
    let h = Math.imul(owner, 0x9e3779b1) ^ partner;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
    h ^= h >>> 13;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const at = i << 2;
      const key = t[at];
      if (key === 0 || (key === owner + 1 && t[at + 1] === partner)) return at;
    }
  }

  /** The entry's offset in its ledger, or −1. */
  get(owner: number, partner: number): number {
    const at = this.slot(owner, partner);
    return this.table[at] === 0 ? -1 : this.table[at + 2];
  }

  set(owner: number, partner: number, offset: number): void {
    let at = this.slot(owner, partner);
    if (this.table[at] === 0) {
      // Kept at most half full, so probes stay short.
      if (++this.used * 2 > this.mask + 1) {
        this.grow();
        at = this.slot(owner, partner);
      }
      this.table[at] = owner + 1;
      this.table[at + 1] = partner;
    }
    this.table[at + 2] = offset;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at] === 0) continue;
      const to = this.slot(old[at] - 1, old[at + 1]);
      this.table[to] = old[at];
      this.table[to + 1] = old[at + 1];
      this.table[to + 2] = old[at + 2];
    }
  }
}

/** The ledger index of a run, found by something the run's policies share (its population). */
export const ledgerIndexOf = perRun(() => new LedgerIndex());
