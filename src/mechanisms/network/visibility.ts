/**
 * Which agents a turn's agent sees: its active neighbours when a network
 * restricts visibility, else every active agent. Picks run on
 * order-statistic sets, so choosing among "visible agents satisfying X"
 * draws the same index the reference's `random.choice(list)` draws, without
 * building the list.
 */
import type { TurnView, VisibleSubset } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import type { AgentNetwork } from "./graph.ts";

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** True when a network restricts visibility to neighbours. */
    readonly networked: boolean;
    /** Visible agents (active, a neighbour when there is a network), excluding self. */
    visibleCount(): number;
    /** The agent if it is visible to this one. */
    visible(id: string): AgentSlot | undefined;
    /**
     * `visible` for an agent known by registration number (−1: none). Without
     * a network it reads the agent's slot only if visible: a policy weighing
     * partners by number then misses the cache on the few it picks. Like the
     * picks below, a visible agent is remembered (Population.remember): the
     * action that names it finds it without a lookup by id.
     */
    visibleAt(idx: number): AgentSlot | undefined;
    /** The first visible agent, in registration order, passing `test` (scans in order). */
    firstVisible(test: (s: AgentSlot) => boolean): AgentSlot | undefined;
    /** `random.choice` over the visible agents in `subset` (registration order); no draw when empty. */
    chooseVisible(subset: VisibleSubset): AgentSlot | undefined;
    /** Every visible agent in registration order (O(visible): for rules that need a full scan). */
    forEachVisible(fn: (s: AgentSlot) => void): void;
  }
}

/** The turn members that answer visibility questions. */
export function visibility(w: World, net: AgentNetwork | null): object & ThisType<TurnView> {
  const pop = w.population;
  if (net) {
    /**
     * Each agent's active neighbours in registration order, kept between turns: the list changes
     * only when an edge appears or disappears or an agent freezes or unfreezes.
     */
    const lists: (AgentSlot[] | undefined)[] = [];
    const edgeVersions = new Float64Array(pop.size).fill(-1);
    const freezeVersions = new Float64Array(pop.size).fill(-1);
    const linkedTo = (self: AgentSlot, s: AgentSlot | undefined): AgentSlot | undefined =>
      s && s !== self && !s.frozen && net.linked(self.idx, s.idx) ? s : undefined;
    const neighbours = (view: TurnView): AgentSlot[] => {
      const i = view.self.idx;
      let list = lists[i];
      if (list === undefined || edgeVersions[i] !== net.edgeVersion || freezeVersions[i] !== pop.freezeVersion) {
        if (list === undefined) lists[i] = list = [];
        else list.length = 0;
        const slots = pop.slots;
        const indices = net.neighbourIndices(i);
        for (let k = 0; k < indices.length; k++) {
          const s = slots[indices[k]];
          if (s !== undefined && !s.frozen && s !== view.self) list.push(s);
        }
        edgeVersions[i] = net.edgeVersion;
        freezeVersions[i] = pop.freezeVersion;
      }
      return list;
    };
    return {
      networked: true,
      visibleCount(this: TurnView): number {
        return neighbours(this).length;
      },
      visible(this: TurnView, id: string): AgentSlot | undefined {
        return linkedTo(this.self, pop.byId.get(id));
      },
      visibleAt(this: TurnView, idx: number): AgentSlot | undefined {
        const s = linkedTo(this.self, pop.slots[idx]);
        return s && pop.remember(s);
      },
      firstVisible(this: TurnView, test: (s: AgentSlot) => boolean): AgentSlot | undefined {
        const s = neighbours(this).find(test);
        return s && pop.remember(s);
      },
      chooseVisible(this: TurnView, subset: VisibleSubset): AgentSlot | undefined {
        // random.choice over the neighbours passing the test, without building their list.
        const list = neighbours(this);
        const test = subset.test;
        let count = 0;
        for (let k = 0; k < list.length; k++) if (test(list[k])) count++;
        if (count === 0) return undefined;
        let pick = this.rng.below(count);
        for (let k = 0; k < list.length; k++) if (test(list[k]) && pick-- === 0) return pop.remember(list[k]);
        return undefined;
      },
      forEachVisible(this: TurnView, fn: (s: AgentSlot) => void): void {
        const list = neighbours(this);
        for (let k = 0; k < list.length; k++) fn(list[k]);
      },
    };
  }
  return {
    networked: false,
    visibleCount(this: TurnView): number {
      return pop.active.size - (this.self.frozen ? 0 : 1);
    },
    visible(this: TurnView, id: string): AgentSlot | undefined {
      return activeOther(this.self, pop.byId.get(id));
    },
    visibleAt(this: TurnView, idx: number): AgentSlot | undefined {
      // The active set answers for "not frozen".
      return idx >= 0 && idx !== this.self.idx && pop.active.has(idx) ? pop.remember(pop.slots[idx]) : undefined;
    },
    firstVisible(this: TurnView, test: (s: AgentSlot) => boolean): AgentSlot | undefined {
      // Walk the active agents in registration order, skipping frozen ones in O(log n) each.
      const active = pop.active;
      for (let k = 0; k < active.size; k++) {
        const s = pop.slots[active.kth(k)];
        if (s !== this.self && test(s)) return pop.remember(s);
      }
      return undefined;
    },
    chooseVisible(this: TurnView, subset: VisibleSubset): AgentSlot | undefined {
      const base = subset.base ?? pop.active;
      const excluded = subset.excluded ? subset.excluded() : NONE;
      // Self is skipped as one more excluded index, merged in order (no copy of the list).
      const self = base.has(this.self.idx) ? this.self.idx : -1;
      const count = base.size - excluded.length - (self >= 0 ? 1 : 0);
      if (count <= 0) return undefined;
      return pop.remember(pop.slots[base.kthExcluding(this.rng.below(count), excluded, self)]);
    },
    forEachVisible(this: TurnView, fn: (s: AgentSlot) => void): void {
      const slots = pop.slots;
      for (let k = 0; k < slots.length; k++) {
        const s = slots[k];
        if (!s.frozen && s !== this.self) fn(s);
      }
    },
  };
}

const NONE: readonly number[] = [];

const activeOther = (self: AgentSlot, s: AgentSlot | undefined): AgentSlot | undefined => (s && s !== self && !s.frozen ? s : undefined);
