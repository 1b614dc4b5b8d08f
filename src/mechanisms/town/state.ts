/**
 * The town's reduced state: where everyone is, what they hold, what they
 * know, what they think, whom they are tied to, and the tallies the metrics
 * read. Only the reducers (src/mechanisms/town/index.ts) change it, from the
 * town's events, so a run and its replay build the same state.
 */
import { UndirectedGraph } from "graphology";
import type { Traits } from "../personas/language.ts";
import type { Room, Rule, Town } from "./language.ts";
import { ACTION_INDEX, actionDistribution, K } from "./temperament.ts";
import { CONFLICT, COOPERATIVE, describeOther, describeOwn, type TownActionRecord } from "./record.ts";

/** Navigation tokens a room holds at the start. */
export const roomTokens = (r: Room, difficulty: number): number => r.tokens ?? Math.max(3, 2 * difficulty);

export interface Observation {
  readonly tick: number;
  readonly text: string;
  readonly importance: number;
}

export class TownState {
  readonly n: number;
  readonly rooms: readonly Room[];
  readonly roomIndex = new Map<string, number>();
  readonly neighbours: number[][];
  readonly topics: readonly string[];
  readonly rules: readonly Rule[];
  readonly member: Uint8Array;
  /** LLM agents of the town (they keep memories). */
  readonly llm: Uint8Array;
  readonly ids: readonly string[];
  readonly idx = new Map<string, number>();

  readonly room: Int32Array;
  readonly credits: Int32Array;
  readonly occupancy: Int32Array;
  readonly purse: Int32Array;
  readonly tokens: Int32Array;
  /** The agent scanned the room it is in since it arrived there. */
  readonly scanned: Uint8Array;
  /** Visits per agent and room. */
  readonly visits: Int32Array;
  /** This tick's encounter of each agent (-1: none), and the encounters. */
  readonly encounterOf: Int32Array;
  groups: { room: number; members: number[] }[] = [];

  // research sprint
  facts: boolean[] = [];
  known: Uint8Array = new Uint8Array(0);
  cited: Uint8Array = new Uint8Array(0);
  readonly knownCount: Int32Array;
  // policy checklist
  readonly fields: Int32Array;
  readonly draft: (string | null)[];
  // navigation
  readonly held: Int32Array;
  /** Unreported thefts: [victim·n + thief], and each victim's total. */
  readonly thefts: Int32Array;
  readonly unreported: Int32Array;
  readonly enacted = new Set<string>();
  /** Per action: the product of enacted rules' propensity factors, and the sum of their costs. */
  readonly factors = new Float64Array(K).fill(1);
  readonly costs = new Int32Array(K);

  readonly opinions: Float64Array;
  readonly graph = new UndirectedGraph<{ cohort?: string }, { ties: number; sanctions: number }>();

  // this epoch's tallies
  readonly attempts: Int32Array;
  readonly cooperated: Int32Array;
  readonly conflicts: Int32Array;
  readonly grades: Float64Array;
  readonly encounters: Int32Array;
  readonly kinds: Int32Array;
  // cumulative, for persona adherence
  readonly observed: Int32Array;
  readonly predicted: Float64Array;
  readonly decisions: Int32Array;
  readonly probeSum: Float64Array;
  readonly probeCount: Int32Array;
  /** The tick of each agent's last self-report probe. */
  readonly lastProbe: Int32Array;

  /** Bumped by every change the graph or opinions see (homophily is computed once per version). */
  version = 0;
  homophilyCache: { version: number; value: { traits: number | null; opinions: number | null } } | null = null;

  /** LLM agents' observation stores. */
  readonly memories: Observation[][];
  private readonly scratch = new Float64Array(K);

  constructor(
    readonly town: Town,
    agents: readonly { id: string; kind: string }[],
    private readonly labelOf: (idx: number) => Traits | null,
    private readonly driveOf: (idx: number) => Traits | null,
    readonly ticksPerEpoch: number,
  ) {
    const n = (this.n = agents.length);
    this.ids = agents.map((a) => a.id);
    agents.forEach((a, i) => this.idx.set(a.id, i));
    this.member = Uint8Array.from(agents, (a) => (a.kind === "resident" || a.kind === "llm" ? 1 : 0));
    this.llm = Uint8Array.from(agents, (a) => (a.kind === "llm" ? 1 : 0));
    this.rooms = town.rooms;
    town.rooms.forEach((r, i) => this.roomIndex.set(r.name, i));
    this.neighbours = town.rooms.map(() => []);
    for (const [a, b] of town.paths) {
      const ia = this.roomIndex.get(a)!;
      const ib = this.roomIndex.get(b)!;
      this.neighbours[ia]!.push(ib);
      this.neighbours[ib]!.push(ia);
    }
    for (const list of this.neighbours) list.sort((x, y) => x - y);
    this.topics = town.topics.map((t) => t.name);
    this.rules = town.rules;
    const R = town.rooms.length;
    this.room = new Int32Array(n).fill(-1);
    this.credits = new Int32Array(n);
    this.occupancy = new Int32Array(R);
    this.purse = Int32Array.from(town.rooms, (r) => r.credits);
    this.tokens = Int32Array.from(town.rooms, (r) => roomTokens(r, town.difficulty));
    this.scanned = new Uint8Array(n);
    this.visits = new Int32Array(n * R);
    this.encounterOf = new Int32Array(n).fill(-1);
    this.knownCount = new Int32Array(n);
    this.fields = new Int32Array(n);
    this.draft = new Array<string | null>(n).fill(null);
    this.held = new Int32Array(n);
    this.thefts = new Int32Array(n * n);
    this.unreported = new Int32Array(n);
    this.opinions = new Float64Array(n * town.topics.length);
    this.attempts = new Int32Array(n);
    this.cooperated = new Int32Array(n);
    this.conflicts = new Int32Array(n);
    this.grades = new Float64Array(n);
    this.encounters = new Int32Array(n);
    this.kinds = new Int32Array(n * K);
    this.observed = new Int32Array(n * K);
    this.predicted = new Float64Array(n * K);
    this.decisions = new Int32Array(n);
    this.probeSum = new Float64Array(n);
    this.probeCount = new Int32Array(n);
    this.lastProbe = new Int32Array(n);
    this.memories = agents.map(() => []);
    for (const r of town.rules) if (r.active) this.enact(r.name);
  }

  label(i: number): Traits | null {
    return this.labelOf(i);
  }

  drive(i: number): Traits | null {
    return this.driveOf(i);
  }

  /** Town members, in registration order. */
  *members(select: ReadonlySet<string> | null = null): IterableIterator<number> {
    for (let i = 0; i < this.n; i++) if (this.member[i] && (select === null || select.has(this.ids[i]!))) yield i;
  }

  tick(at: { epoch: number; step: number }): number {
    return at.epoch * this.ticksPerEpoch + at.step;
  }

  stressed(i: number): boolean {
    return this.credits[i]! < this.town.stressBelow;
  }

  /** Others in the agent's encounter this tick, in the encounter's order. */
  peers(i: number): number[] {
    const e = this.encounterOf[i]!;
    return e < 0 ? [] : this.groups[e]!.members.filter((j) => j !== i);
  }

  opinion(i: number, t: number): number {
    return this.opinions[i * this.topics.length + t]!;
  }

  // ---------------------------------------------------------------- reducers

  founded(facts: readonly boolean[]): void {
    this.facts = facts.slice();
    this.known = new Uint8Array(this.n * facts.length);
    this.cited = new Uint8Array(this.n * facts.length);
  }

  arrive(i: number, room: number, credits: number, opinions: readonly number[]): void {
    this.version++;
    this.room[i] = room;
    this.occupancy[room]!++;
    this.visits[i * this.rooms.length + room]!++;
    this.credits[i] = credits;
    opinions.forEach((x, t) => (this.opinions[i * this.topics.length + t] = x));
    this.graph.mergeNode(this.ids[i]!);
  }

  /** A new tick: purses refilled, last tick's encounters dissolved, this tick's formed. */
  encountersFormed(groups: { room: number; members: number[] }[], at: { epoch: number; step: number }): void {
    this.town.rooms.forEach((r, k) => (this.purse[k] = r.credits));
    this.encounterOf.fill(-1);
    this.groups = groups;
    const tick = this.tick(at);
    groups.forEach((g, e) => {
      for (const i of g.members) {
        this.encounterOf[i] = e;
        this.encounters[i]!++;
        if (this.llm[i]) {
          const others = g.members.filter((j) => j !== i).map((j) => this.ids[j]);
          this.remember(i, tick, `You met ${others.join(" and ")} in the ${this.rooms[g.room]!.name}.`);
        }
      }
    });
  }

  epochStarted(): void {
    for (const a of [this.attempts, this.cooperated, this.conflicts, this.encounters, this.kinds]) a.fill(0);
    this.grades.fill(0);
  }

  probed(i: number, score: number, at: { epoch: number; step: number }): void {
    this.probeSum[i]! += score;
    this.probeCount[i]!++;
    this.lastProbe[i] = this.tick(at);
  }

  enact(rule: string): void {
    if (this.enacted.has(rule)) return;
    const r = this.rules.find((x) => x.name === rule);
    if (!r) return;
    this.enacted.add(rule);
    this.factors[ACTION_INDEX[r.action]]! *= r.propensity;
    this.costs[ACTION_INDEX[r.action]]! += r.cost;
  }

  /** Applies one action (its outcome decided and logged by the handler). */
  act(e: TownActionRecord, at: { epoch: number; step: number }): void {
    const i = this.idx.get(e.agent);
    if (i === undefined) return;
    const k = ACTION_INDEX[e.action];
    this.attempts[i]!++;
    this.kinds[i * K + k]!++;
    if (!e.source) this.expect(i, k, e.options, e.stressed === true);
    const j = e.target === undefined ? -1 : (this.idx.get(e.target) ?? -1);
    const tick = this.tick(at);
    if (this.llm[i]) this.remember(i, tick, describeOwn(e));
    if (j >= 0 && this.llm[j] && e.ok) this.remember(j, tick, describeOther(e));
    if (!e.ok) return;
    this.version++;
    if (COOPERATIVE.has(e.action)) this.cooperated[i]!++;
    if (CONFLICT.has(e.action)) this.conflicts[i]!++;
    const amount = e.amount ?? 0;
    switch (e.action) {
      case "move": {
        const to = this.roomIndex.get(e.room!)!;
        this.occupancy[this.room[i]!]!--;
        this.room[i] = to;
        this.occupancy[to]!++;
        this.visits[i * this.rooms.length + to]!++;
        this.scanned[i] = 0;
        // Leaving the room is leaving its encounter: an encounter's members always share a room.
        const enc = this.encounterOf[i]!;
        if (enc >= 0) {
          const g = this.groups[enc]!;
          g.members = g.members.filter((x) => x !== i);
          this.encounterOf[i] = -1;
        }
        break;
      }
      case "talk":
        this.tie(i, j, 1, 0);
        if (e.topic !== undefined) this.influence(i, j, this.topics.indexOf(e.topic));
        break;
      case "work":
        this.credits[i]! += amount;
        this.purse[this.room[i]!]! -= amount;
        break;
      case "gift":
        this.credits[i]! -= amount;
        this.credits[j]! += amount;
        this.tie(i, j, 1, 0);
        break;
      case "help":
        this.credits[j]! += amount;
        this.tie(i, j, 1, 0);
        break;
      case "scan":
        this.tokens[this.room[i]!]!--;
        this.scanned[i] = 1;
        this.held[i]!++;
        if (this.held[i]! >= this.town.difficulty) {
          this.held[i] = 0;
          this.grades[i]! += 1;
        }
        break;
      case "research":
        this.known[i * this.facts.length + e.fact!] = 1;
        this.knownCount[i]!++;
        break;
      case "cite":
        this.cited[i * this.facts.length + e.fact!] = 1;
        break;
      case "submit_report": {
        this.grades[i]! += this.reportGrade(i);
        const F = this.facts.length;
        this.known.fill(0, i * F, (i + 1) * F);
        this.cited.fill(0, i * F, (i + 1) * F);
        this.knownCount[i] = 0;
        break;
      }
      case "fill_field":
        this.fields[i]!++;
        break;
      case "propose_plan":
        this.draft[i] = e.rule ?? "";
        break;
      case "submit_plan":
        if (e.rule) this.enact(e.rule);
        this.fields[i] = 0;
        this.draft[i] = null;
        this.grades[i]! += 1;
        break;
      case "steal":
        this.credits[j]! -= amount;
        this.credits[i]! += amount;
        this.thefts[j * this.n + i]!++;
        this.unreported[j]!++;
        this.tie(i, j, 0, 2);
        break;
      case "report":
        this.credits[j]! -= amount;
        this.credits[i]! += amount;
        this.thefts[i * this.n + j]!--;
        this.unreported[i]!--;
        this.tie(i, j, 0, 1);
        break;
      case "rest":
        break;
    }
    if (e.paid) this.credits[i]! -= e.paid;
  }

  /** The normalised grade of the report agent i would submit now: (true facts + ½·valid citations) / (1.5·difficulty), at most 1. */
  reportGrade(i: number): number {
    const F = this.facts.length;
    let correct = 0;
    let valid = 0;
    for (let f = 0; f < F; f++) {
      if (!this.known[i * F + f]) continue;
      if (this.facts[f]) correct++;
      if (this.cited[i * F + f] && this.facts[f]) valid++;
    }
    return Math.min(1, (correct + 0.5 * valid) / (1.5 * this.town.difficulty));
  }

  /** What the agent's own (label) traits predict it would have done, for persona adherence. */
  private expect(i: number, k: number, options: number, stressed: boolean): void {
    const traits = this.labelOf(i);
    if (!traits) return;
    const p = actionDistribution(this.town.temperament, traits, options, stressed, this.factors, this.scratch);
    for (let a = 0; a < K; a++) this.predicted[i * K + a]! += p[a]!;
    this.observed[i * K + k]!++;
    this.decisions[i]!++;
  }

  private tie(i: number, j: number, ties: number, sanctions: number): void {
    if (j < 0 || i === j) return;
    const a = this.ids[i]!;
    const b = this.ids[j]!;
    const edge = this.graph.edge(a, b);
    if (edge === undefined) this.graph.addEdge(a, b, { ties, sanctions });
    else {
      this.graph.updateEdgeAttribute(a, b, "ties", (v) => (v ?? 0) + ties);
      this.graph.updateEdgeAttribute(a, b, "sanctions", (v) => (v ?? 0) + sanctions);
    }
  }

  /**
   * Bounded confidence (Deffuant–Weisbuch): each of the two moves a fraction
   * `rate` toward the other when their opinions differ by less than its
   * confidence ε·(1 + openness·O), O its openness (drive). Both from the old values.
   */
  private influence(i: number, j: number, t: number): void {
    if (t < 0 || j < 0) return;
    const T = this.topics.length;
    const { confidence, rate, openness } = this.town.opinions;
    const xi = this.opinions[i * T + t]!;
    const xj = this.opinions[j * T + t]!;
    const d = Math.abs(xi - xj);
    const eps = (x: number) => {
      const o = this.driveOf(x)?.openness ?? 0;
      return Math.max(0, confidence * (1 + openness * o));
    };
    if (d < eps(i)) this.opinions[i * T + t] = xi + rate * (xj - xi);
    if (d < eps(j)) this.opinions[j * T + t] = xj + rate * (xi - xj);
  }

  private remember(i: number, tick: number, text: string): void {
    const words = text.split(/\s+/).filter(Boolean).length;
    const store = this.memories[i]!;
    store.push({ tick, text, importance: Math.min(1, 0.3 + 0.05 * words) });
    if (store.length > 400) store.splice(0, store.length - 200);
  }
}
