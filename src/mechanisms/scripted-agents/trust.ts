import { grown } from "../../kernel/columns.ts";
import { perRun } from "./per-run.ts";

/**
 * Trust per partner as running sums over accepted history, in history order:
 * the same floats as the reference's sum(p)/len over the filtered list.
 *
 * Partners are registration numbers, not ids: at 100,000 agents an id-keyed
 * map probes each id string's hash (a cache miss per lookup), and the policies
 * that read trust go on to the partner's slot, which a number reaches
 * directly. Entries (partner, sum, count) are in first-interaction order, in a
 * block of the run's `LedgerStore`, found by a scan of the block's partners
 * while there are few of them and, beyond that, by the store's index: most
 * ledgers of a large run hold a few dozen partners, and a map and three arrays
 * per agent were hundreds of megabytes at a million agents. A partner that is
 * not an agent of the run (−1: an unvalidated proposal's made-up counterparty)
 * is not recorded: every question asked of a ledger is about an agent, so
 * such an entry was never read.
 */
export class TrustLedger {
  /** This ledger's block in the store: its first entry (−1: no block yet). */
  private at = -1;
  /** Entries the block has room for. */
  private capacity = 0;
  /** Entries in the block. */
  private count = 0;
  /** Whether the index holds this ledger's entries (once there are more than SCAN). */
  private indexed = false;
  /** This ledger's key in the index. */
  private readonly owner: number;

  /** `store`: the run's, shared by its ledgers (see `ledgerStoreOf`). */
  constructor(private readonly store: LedgerStore) {
    this.owner = store.index.newOwner();
  }

  /** The partner's entry (its number in this ledger), or −1. */
  private find(partner: number): number {
    if (this.indexed) return this.store.index.get(this.owner, partner);
    const partners = this.store.partners;
    const at = this.at;
    const end = at + this.count;
    for (let i = at; i < end; i++) if (partners[i] === partner) return i - at;
    return -1;
  }

  add(partner: number, p: number): void {
    if (partner < 0) return;
    const k = this.find(partner);
    if (k >= 0) {
      const sums = this.store.sums;
      const i = 2 * (this.at + k);
      sums[i] += p;
      sums[i + 1] += 1;
      return;
    }
    if (this.count === this.capacity) {
      const capacity = this.capacity === 0 ? FIRST_BLOCK : 2 * this.capacity;
      this.at = this.store.move(this.at, this.count, capacity);
      this.capacity = capacity;
    }
    const entry = this.count++;
    const store = this.store;
    store.partners[this.at + entry] = partner;
    store.sums[2 * (this.at + entry)] = 0 + p;
    store.sums[2 * (this.at + entry) + 1] = 1;
    if (this.indexed) store.index.set(this.owner, partner, entry);
    else if (this.count > SCAN) {
      this.indexed = true;
      for (let e = 0; e < this.count; e++) store.index.set(this.owner, store.partners[this.at + e], e);
    }
  }

  /** Mean p, or `fallback` without history. */
  trust(partner: number, fallback = 0.5): number {
    const k = this.find(partner);
    return k < 0 ? fallback : this.trustAt(k);
  }

  has(partner: number): boolean {
    return this.find(partner) >= 0;
  }

  /** Partners with history, in first-interaction order: entry k is `partnerAt(k)`, its trust `trustAt(k)`. */
  get size(): number {
    return this.count;
  }

  partnerAt(k: number): number {
    return this.store.partners[this.at + k];
  }

  trustAt(k: number): number {
    const sums = this.store.sums;
    const i = 2 * (this.at + k);
    return sums[i] / sums[i + 1];
  }
}

/** A ledger's first block, in entries (blocks double as they fill). */
const FIRST_BLOCK = 4;

/**
 * Entries a ledger finds by scanning its partners (32 numbers: two cache
 * lines, read one after the other); beyond them, by the index, a probe
 * wherever its table puts the entry.
 */
const SCAN = 32;

/**
 * Every trust ledger of a run: their entries in blocks of two arrays shared
 * by all (the partners, and beside them the sums and counts), and the index
 * that finds the entries of long ones. An array per ledger, grown by push,
 * was a copy and a garbage array at every growth, and its elements one more
 * object to reach from the ledger (a cache miss at 100,000 agents). A block
 * given up for a larger one is reused by the next ledger that needs one of
 * its size.
 */
export class LedgerStore {
  /** Each entry's partner, by the entry's place in the store. */
  partners = new Int32Array(1024);
  /** Each entry's sum of p and count, at twice its place. */
  sums = new Float64Array(2 * 1024);
  /** Entries in use or given up, from the start. */
  private end = 0;
  /** Blocks given up, by size class. */
  private readonly free: number[][] = [];
  readonly index = new LedgerIndex();

  /**
   * A block for `capacity` entries (a power of two) holding the first
   * `entries` entries of the block at `from` (−1: none), which is given up:
   * where the new block starts.
   */
  move(from: number, entries: number, capacity: number): number {
    const at = this.allocate(capacity);
    if (from >= 0) {
      this.partners.copyWithin(at, from, from + entries);
      this.sums.copyWithin(2 * at, 2 * from, 2 * (from + entries));
      (this.free[sizeClass(entries)] ??= []).push(from);
    }
    return at;
  }

  private allocate(capacity: number): number {
    const reused = this.free[sizeClass(capacity)]?.pop();
    if (reused !== undefined) return reused;
    const at = this.end;
    this.end += capacity;
    if (this.end > this.partners.length) {
      const size = Math.max(this.end, 2 * this.partners.length);
      this.partners = grown(this.partners, size);
      this.sums = grown(this.sums, 2 * size);
    }
    return at;
  }
}

/** A block's size class: log2 of its entries (a power of two). */
const sizeClass = (entries: number): number => 31 - Math.clz32(entries);

/**
 * Where the entries of every long ledger of a run are: one open-addressing
 * table from (ledger, partner) to the entry's number in its ledger (the same
 * when the ledger's block moves), in one Int32Array. A map per ledger was a
 * map object and its hash table, both wherever the heap put them: at 100,000
 * agents every question to a long ledger (each party of each interaction asks
 * one) missed the cache on each; a probe here reads one line.
 */
export class LedgerIndex {
  /** (owner + 1, partner, entry, unused) per slot; 0 in the first: empty. */
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

  /** The entry's number in its ledger, or −1. */
  get(owner: number, partner: number): number {
    const at = this.slot(owner, partner);
    return this.table[at] === 0 ? -1 : this.table[at + 2];
  }

  set(owner: number, partner: number, entry: number): void {
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
    this.table[at + 2] = entry;
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

/** The ledger store of a run, found by something the run's policies share (its population). */
export const ledgerStoreOf = perRun(() => new LedgerStore());
