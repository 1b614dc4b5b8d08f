/**
 * The proposals waiting for an answer, oldest (lowest id) first: a list in id
 * order with holes where proposals left, and beside it their ids, ascending,
 * to find one by id by binary search. Each proposal knows its place, so
 * leaving is one write, and the holes are squeezed out once they outnumber
 * the proposals. A Map of tens of thousands of proposals hashed each id to a
 * random place in its table, rehashed as it grew and shrank each step: at
 * 100,000 agents every proposal, answer and withdrawal missed the cache there;
 * here a proposal joins next to the previous one.
 */
export interface Placed {
  readonly id: number;
  /** Its place in the list while open, else −1. */
  place: number;
}

/** Holes below this many are left in place (squeezing a short list saves nothing). */
const FEW_HOLES = 64;

export class OpenProposals<P extends Placed> {
  private readonly list: (P | null)[] = [];
  /** The id at each place of `list`, a hole's too: ascending. */
  private readonly ids: number[] = [];
  private open = 0;

  get size(): number {
    return this.open;
  }

  /** A proposal joins: its id is above every id the table has held. */
  add(p: P): void {
    p.place = this.list.length;
    this.list.push(p);
    this.ids.push(p.id);
    this.open++;
  }

  get(id: number): P | undefined {
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < ids.length && ids[lo] === id ? (this.list[lo] ?? undefined) : undefined;
  }

  /** The proposal leaves, if it is open. */
  delete(p: P): void {
    if (!(p.place >= 0)) return;
    this.list[p.place] = null;
    p.place = -1;
    this.open--;
    const holes = this.list.length - this.open;
    if (holes > this.open && holes >= FEW_HOLES) this.squeeze();
  }

  /** The open proposals, oldest first (a new array). */
  values(): P[] {
    const out: P[] = [];
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p !== null) out.push(p);
    }
    return out;
  }

  private squeeze(): void {
    const { list, ids } = this;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p === null) continue;
      list[n] = p;
      ids[n] = p.id;
      p.place = n++;
    }
    list.length = n;
    ids.length = n;
  }
}
