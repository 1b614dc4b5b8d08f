/**
 * Agent state (the reference's AgentState) and the indices that answer
 * "which agents can this agent see" without building lists: order-statistic
 * sets over registration indices, kept current as agents freeze, unfreeze or
 * change reputation and resources. State a single mechanism needs per agent
 * (rate-limit counters, bandwidth, inboxes) lives in that mechanism, in arrays
 * indexed by the agent's registration number.
 */
import type { InteractionType } from "../spec/plan.ts";
import { BTree } from "./btree.ts";
import { OrderIndex } from "./order-index.ts";

/** An offer of an interaction, waiting for its counterparty's answer. */
export interface Proposal {
  readonly id: number;
  readonly initiator: string;
  readonly counterparty: string;
  readonly type: InteractionType;
  readonly content: string;
  /** Offered transfer τ, initiator → counterparty (always 0 in swarm-0.1, where transfers are dormant). */
  readonly transfer: number;
  readonly epoch: number;
  readonly step: number;
}

// Each agent's real-valued state is a row of one Float64Array shared by the population, not fields of
// its slot: V8 keeps a double field as a separate heap number, so a random agent's numbers were as many
// cache misses as the fields read (at 100,000 agents, each party of an interaction); a row is one.
const REPUTATION = 0;
const RESOURCES = 1;
const PAYOFF = 2;
const AVG_P_INITIATED = 3;
const AVG_P_RECEIVED = 4;
/** Doubles per row: the five above, padded to a cache line's 64 bytes. */
const ROW = 8;

export class AgentSlot {
  frozen = false;
  interactionsInitiated = 0;
  interactionsReceived = 0;
  interactionsAccepted = 0;
  /** Rejected initiated interactions (always 0 in swarm-0.1, as in the reference). */
  interactionsRejected = 0;
  /** Where this agent's row of `numbers` starts. */
  private readonly row: number;

  constructor(
    readonly idx: number,
    readonly id: string,
    readonly kind: string,
    readonly group: string,
    /** The type other agents see (LLM agents report "honest", as in the reference). */
    readonly reportedType: string,
    /** The population's rows of real-valued state (see ROW). */
    private readonly numbers: Float64Array,
  ) {
    this.row = idx * ROW;
    numbers[this.row + REPUTATION] = 0.0;
    numbers[this.row + RESOURCES] = 100.0;
    numbers[this.row + PAYOFF] = 0.0;
    numbers[this.row + AVG_P_INITIATED] = 0.5;
    numbers[this.row + AVG_P_RECEIVED] = 0.5;
  }

  get reputation(): number {
    return this.numbers[this.row + REPUTATION];
  }
  set reputation(v: number) {
    this.numbers[this.row + REPUTATION] = v;
  }
  get resources(): number {
    return this.numbers[this.row + RESOURCES];
  }
  set resources(v: number) {
    this.numbers[this.row + RESOURCES] = v;
  }
  get totalPayoff(): number {
    return this.numbers[this.row + PAYOFF];
  }
  set totalPayoff(v: number) {
    this.numbers[this.row + PAYOFF] = v;
  }
  get avgPInitiated(): number {
    return this.numbers[this.row + AVG_P_INITIATED];
  }
  get avgPReceived(): number {
    return this.numbers[this.row + AVG_P_RECEIVED];
  }

  /** record_initiated(accepted, p): the reference only ever calls it with accepted = true. */
  recordInitiated(p: number, accepted = true): void {
    const n = ++this.interactionsInitiated;
    if (accepted) this.interactionsAccepted++;
    else this.interactionsRejected++;
    const at = this.row + AVG_P_INITIATED;
    this.numbers[at] = (this.numbers[at] * (n - 1) + p) / n;
  }

  recordReceived(p: number): void {
    const n = ++this.interactionsReceived;
    const at = this.row + AVG_P_RECEIVED;
    this.numbers[at] = (this.numbers[at] * (n - 1) + p) / n;
  }
}

/** A membership rule kept as an order-statistic set over active agents. */
interface PredicateIndex {
  readonly index: OrderIndex;
  readonly test: (s: AgentSlot) => boolean;
}

/** A membership rule kept as the set of agents satisfying it. */
interface TrackedSet {
  readonly set: Set<AgentSlot>;
  readonly test: (s: AgentSlot) => boolean;
}

export class Population {
  readonly slots: AgentSlot[] = [];
  readonly byId = new Map<string, AgentSlot>();
  /** Active (non-frozen) agents. */
  readonly active: OrderIndex;
  private readonly predicates = new Map<string, PredicateIndex>();
  private readonly trackedSets = new Map<string, TrackedSet>();
  // The same rules in arrays, walked by touch() at every reputation or resource change (no iterator to run).
  private readonly predicateList: PredicateIndex[] = [];
  private readonly trackedList: TrackedSet[] = [];
  /** Bumped on every freeze or unfreeze. */
  freezeVersion = 0;
  /** All agents by (reputation, index), built on first use (stochastic reputation targeting). */
  private byReputation: BTree<[number, number], AgentSlot> | null = null;

  /** `reportedType`: the type other agents see for an agent of a kind (LLM agents pass as honest, as in the reference). */
  constructor(agents: readonly { readonly id: string; readonly kind: string; readonly group: string }[], reportedType: (kind: string) => string = (kind) => kind) {
    this.active = new OrderIndex(agents.length);
    const numbers = new Float64Array(agents.length * ROW);
    agents.forEach((a, i) => {
      const slot = new AgentSlot(i, a.id, a.kind, a.group, reportedType(a.kind), numbers);
      this.slots.push(slot);
      this.byId.set(a.id, slot);
      this.active.set(i, true);
    });
  }

  get size(): number {
    return this.slots.length;
  }

  private lastId = "";
  private lastSlot: AgentSlot | undefined = undefined;
  private previousId = "";
  private previousSlot: AgentSlot | undefined = undefined;

  /**
   * The agent with an id (byId.get), remembering the last two answers: an
   * interaction's code and its event's reducers look up its two parties one
   * after the other, and the actor of a turn owns most of its events. Agents
   * are never removed, so it never goes stale.
   */
  slot(id: string): AgentSlot | undefined {
    if (id === this.lastId) return this.lastSlot;
    const s = id === this.previousId ? this.previousSlot : this.byId.get(id);
    this.cacheFirst(id, s);
    return s;
  }

  /**
   * Makes `slot(s.id)` answer from the cache: for an agent a policy picked,
   * whose id the action it returns names (at 100,000 agents, finding it again
   * by id was a cache miss in a large hash table at every proposal).
   */
  remember(s: AgentSlot): AgentSlot {
    // By identity: ids are not interned, and comparing two agents' ids read both strings (cache misses).
    if (s !== this.lastSlot) this.cacheFirst(s.id, s);
    return s;
  }

  /** The cache's last answer becomes its previous one. */
  private cacheFirst(id: string, s: AgentSlot | undefined): void {
    this.previousId = this.lastId;
    this.previousSlot = this.lastSlot;
    this.lastId = id;
    this.lastSlot = s;
  }

  /** An order-statistic set of active agents satisfying `test`, created on first use and kept current. */
  where(name: string, test: (s: AgentSlot) => boolean): OrderIndex {
    let p = this.predicates.get(name);
    if (!p) {
      const index = new OrderIndex(this.slots.length);
      for (const s of this.slots) index.set(s.idx, !s.frozen && test(s));
      p = { index, test };
      this.predicates.set(name, p);
      this.predicateList.push(p);
    }
    return p.index;
  }

  /**
   * The set of agents (frozen or not) satisfying `test`, created on first use
   * and kept current; meant for small sets such as "honest agents an
   * adversary cannot target right now".
   */
  tracked(name: string, test: (s: AgentSlot) => boolean): ReadonlySet<AgentSlot> {
    let t = this.trackedSets.get(name);
    if (!t) {
      t = { set: new Set(this.slots.filter(test)), test };
      this.trackedSets.set(name, t);
      this.trackedList.push(t);
    }
    return t.set;
  }

  /** Re-evaluate an agent's memberships after its reputation, resources or freeze changed. */
  touch(s: AgentSlot): void {
    const predicates = this.predicateList;
    for (let i = 0; i < predicates.length; i++) predicates[i]!.index.set(s.idx, !s.frozen && predicates[i]!.test(s));
    const tracked = this.trackedList;
    for (let i = 0; i < tracked.length; i++) {
      const t = tracked[i]!;
      if (t.test(s)) t.set.add(s);
      else t.set.delete(s);
    }
  }

  private get watched(): boolean {
    return this.predicateList.length > 0 || this.trackedList.length > 0;
  }

  setFrozen(s: AgentSlot, frozen: boolean): void {
    if (s.frozen === frozen) return;
    s.frozen = frozen;
    this.active.set(s.idx, !frozen);
    this.freezeVersion++;
    this.touch(s);
  }

  addReputation(s: AgentSlot, delta: number): void {
    if (this.byReputation) this.byReputation.delete([s.reputation, s.idx]);
    s.reputation += delta;
    if (this.byReputation) this.byReputation.set([s.reputation, s.idx], s);
    if (this.watched) this.touch(s);
  }

  /** Agents ordered by reputation ascending, ties by registration index. */
  reputationOrder(): BTree<[number, number], AgentSlot> {
    if (!this.byReputation) {
      this.byReputation = new BTree<[number, number], AgentSlot>(undefined, (a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const s of this.slots) this.byReputation.set([s.reputation, s.idx], s);
    }
    return this.byReputation;
  }

  addResources(s: AgentSlot, delta: number): void {
    s.resources += delta;
    if (this.watched) this.touch(s);
  }
}
