/**
 * A set of agents by registration number, for sets many agents join: the
 * voters of a post. A hash set while few, a bitmap over registration numbers
 * once the bitmap is the smaller: most votes of a large run land on the few
 * visible posts, and agents take their turns in registration order, so their
 * tests read a post's bitmap from one end to the other instead of probing a
 * hash set per agent (a cache miss each, among 100,000 agents).
 */
import { grown } from "./columns.ts";

export class AgentSet {
  private few: Set<number> | null = new Set();
  /** The largest number the hash set has held. */
  private largest = 0;
  private bits: Uint32Array | null = null;

  has(agent: number): boolean {
    const bits = this.bits;
    if (bits === null) return this.few!.has(agent);
    const word = agent >>> 5;
    return word < bits.length && (bits[word] & (1 << (agent & 31))) !== 0;
  }

  add(agent: number): void {
    if (this.bits === null) {
      const few = this.few!;
      few.add(agent);
      if (agent > this.largest) this.largest = agent;
      // A hash set's entry takes about 12 bytes, a bitmap one bit per registration number up to the largest.
      if (few.size < 64 || few.size * 96 < this.largest) return;
      this.bits = new Uint32Array((this.largest >>> 5) + 1);
      this.few = null;
      for (const a of few) this.add(a);
      return;
    }
    const word = agent >>> 5;
    if (word >= this.bits.length) this.bits = grown(this.bits, Math.max(word + 1, this.bits.length * 2));
    this.bits[word] |= 1 << (agent & 31);
  }

  delete(agent: number): void {
    const bits = this.bits;
    if (bits === null) this.few!.delete(agent);
    else if (agent >>> 5 < bits.length) bits[agent >>> 5] &= ~(1 << (agent & 31));
  }
}
