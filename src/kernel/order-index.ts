/**
 * An order-statistic set over agent registration indices (a Fenwick tree of
 * 0/1 flags): membership, count, rank and k-th member in O(log n). It lets
 * `random.choice(list)` over "visible agents that satisfy X" pick the element
 * at the drawn index without building the list.
 */
export class OrderIndex {
  private readonly tree: Int32Array;
  private readonly member: Uint8Array;
  private readonly topBit: number;
  private total = 0;

  constructor(readonly capacity: number) {
    this.tree = new Int32Array(capacity + 1);
    this.member = new Uint8Array(capacity);
    let b = 1;
    while (b * 2 <= capacity) b *= 2;
    this.topBit = b;
  }

  get size(): number {
    return this.total;
  }

  has(i: number): boolean {
    return this.member[i] === 1;
  }

  set(i: number, on: boolean): void {
    if ((this.member[i] === 1) === on) return;
    this.member[i] = on ? 1 : 0;
    const d = on ? 1 : -1;
    this.total += d;
    for (let j = i + 1; j <= this.capacity; j += j & -j) this.tree[j] += d;
  }

  /** Members with index < i. */
  rank(i: number): number {
    let s = 0;
    for (let j = i; j > 0; j -= j & -j) s += this.tree[j];
    return s;
  }

  /** The member with rank k (0-based), i.e. the (k+1)-th smallest index. */
  kth(k: number): number {
    let pos = 0;
    let rem = k + 1;
    for (let b = this.topBit; b > 0; b >>= 1) {
      const next = pos + b;
      if (next <= this.capacity && this.tree[next] < rem) {
        pos = next;
        rem -= this.tree[next];
      }
    }
    return pos; // 0-based index of the member
  }

  /**
   * The member with rank k among members not in `excluded` (ascending indices,
   * all members) nor `extra` (one more member to skip, merged after equal
   * entries of `excluded`; negative: none). Cost O(|excluded| log n).
   */
  kthExcluding(k: number, excluded: readonly number[], extra = -1): number {
    let j = k;
    let i = 0;
    let x = extra;
    for (;;) {
      let e: number;
      if (i < excluded.length && (x < 0 || excluded[i] <= x)) e = excluded[i++];
      else if (x >= 0) {
        e = x;
        x = -1;
      } else break;
      if (this.rank(e) <= j) j++;
      else break;
    }
    return this.kth(j);
  }
}
