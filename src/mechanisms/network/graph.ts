/**
 * The agent network (docs/sandbox.md §6.4): topology generation that reproduces the
 * reference's numpy-driven constructions draw for draw, dynamic edges, and
 * per-epoch metrics. The live graph is kept by node number (an agent's
 * registration index): each node's edges as neighbour number → weight, so the
 * hot path's edge questions (visibility, strengthening) never build strings or
 * objects. Path lengths, clustering and components are computed on a compact
 * index snapshot, and only when the edge set changed since they were last
 * computed (weights change every epoch; edges rarely do).
 */
import type { Network as NetworkPlan } from "./language.ts";
import { SbxStream, streamKey } from "../../kernel/rng/streams.ts";
import type { TopologyRng } from "../../kernel/rng/types.ts";
import { weightedSampleNoReplace } from "../../kernel/rng/numpy.ts";
import { allPairsDistanceSums, componentCount, type CompressedRows } from "./paths.ts";

export interface NetworkMetrics {
  edges: number;
  avgDegree: number;
  avgClustering: number;
  avgPathLength: number;
  connected: number;
  components: number;
  density: number;
}

/** A removed edge's place in `buildTopology`'s list. */
const STRUCK: [number, number] = [-1, -1];

/** Edges as [a, b] index pairs (a < b not required), built exactly like the reference. */
export function buildTopology(plan: NetworkPlan, ids: readonly string[], rng: TopologyRng): [number, number][] {
  const n = ids.length;
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const edges: [number, number][] = [];
  // Each live edge's position in `edges` (by its unordered pair); a removed edge is struck out there and
  // dropped at the end, so the list keeps the order a removal by splicing gave, without a search per removal.
  const at = new Map<number, number>();
  let removed = 0;
  const pair = (a: number, b: number) => (a < b ? a * n + b : b * n + a);
  const add = (a: number, b: number) => {
    if (adj[a].has(b)) return;
    adj[a].add(b);
    adj[b].add(a);
    at.set(pair(a, b), edges.length);
    edges.push([a, b]);
  };
  const remove = (a: number, b: number) => {
    adj[a].delete(b);
    adj[b].delete(a);
    const key = pair(a, b);
    const i = at.get(key);
    if (i === undefined) return;
    at.delete(key);
    edges[i] = STRUCK;
    removed++;
  };
  const live = () => (removed === 0 ? edges : edges.filter((e) => e !== STRUCK));
  if (plan.topology === "custom") {
    const index = new Map(ids.map((id, i) => [id, i]));
    for (const [a, b] of plan.edges) {
      const ia = index.get(a);
      const ib = index.get(b);
      if (ia === undefined || ib === undefined) throw new Error(`custom network edge [${a}, ${b}] names an unknown agent`);
      if (ia !== ib) add(ia, ib);
    }
    return live();
  }
  if (n < 2) return live();
  switch (plan.topology) {
    case "complete":
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) add(i, j);
      break;
    case "ring":
      for (let i = 0; i < n; i++) {
        add(i, (i + 1) % n);
        add(i, (i - 1 + n) % n);
      }
      break;
    case "star":
      for (let i = 1; i < n; i++) add(0, i);
      break;
    case "random_erdos_renyi":
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rng.random() < plan.edgeProbability) add(i, j);
      break;
    case "small_world": {
      const k = Math.min(plan.kNeighbors, n - 1);
      const h = Math.floor(k / 2);
      for (let i = 0; i < n; i++) for (let j = 1; j <= h; j++) add(i, (i + j) % n);
      for (let i = 0; i < n; i++) {
        for (let j = 1; j <= h; j++) {
          if (rng.random() < plan.rewireProbability) {
            const old = (i + j) % n;
            if (adj[i].has(old)) remove(i, old);
            // Candidates: every other agent not currently linked to i, in registration order.
            const excluded = [...adj[i], i].sort((x, y) => x - y);
            const count = n - excluded.length;
            if (count > 0) add(i, nthNotIn(rng.below(count), excluded));
          }
        }
      }
      break;
    }
    case "scale_free": {
      const m = plan.mEdges;
      if (n <= m) {
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) add(i, j);
        break;
      }
      for (let i = 0; i <= m; i++) for (let j = i + 1; j <= m; j++) add(i, j);
      for (let i = m + 1; i < n; i++) {
        let total = 0;
        for (let j = 0; j < i; j++) total += adj[j].size;
        if (total === 0) throw new Error("scale-free construction reached a graph without edges");
        const p: number[] = [];
        for (let j = 0; j < i; j++) p.push(adj[j].size / total);
        for (const pick of weightedSampleNoReplace(rng, p, Math.min(m, i))) add(i, pick);
      }
      break;
    }
  }
  return live();
}

/** The k-th non-negative integer (0-based) not in `excluded` (sorted ascending). */
function nthNotIn(k: number, excluded: readonly number[]): number {
  let v = k;
  for (const e of excluded) {
    if (e <= v) v++;
    else break;
  }
  return v;
}

export class AgentNetwork {
  /** Node number by id: the agents by registration index, then any other node an edge named (a log edited by hand). */
  private readonly index: Map<string, number>;
  private readonly nodeIds: string[];
  /** Each node's edges: neighbour number → weight (both directions stored). */
  private readonly weights: Map<number, number>[];
  /** Each node's neighbours by number, ascending, built on first use after a change. */
  private readonly sorted: (number[] | undefined)[] = [];
  private readonly sortedIds: (string[] | undefined)[] = [];
  private edgeCount = 0;
  /** Bumped whenever an edge appears or disappears (not when a weight changes). */
  private topologyVersion = 0;
  private structure: { version: number; clustering: number; components: number; exactPathLength: number | null } | null = null;

  constructor(
    readonly ids: readonly string[],
    private readonly plan: NetworkPlan,
  ) {
    this.index = new Map(ids.map((id, i) => [id, i]));
    this.nodeIds = [...ids];
    this.weights = ids.map(() => new Map<number, number>());
  }

  /** Changes whenever an edge appears or disappears (not when a weight changes). */
  get edgeVersion(): number {
    return this.topologyVersion;
  }

  /** Undirected edges. */
  get size(): number {
    return this.edgeCount;
  }

  private node(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.nodeIds.length;
      this.index.set(id, i);
      this.nodeIds.push(id);
      this.weights.push(new Map());
    }
    return i;
  }

  /** Adds (or overwrites) an edge, capped at the maximum weight. */
  setEdge(a: string, b: string, weight: number): void {
    if (a === b) throw new Error(`the network allows no edge from an agent to itself (${JSON.stringify(a)})`);
    const w = Math.min(weight, this.plan.maxEdgeWeight);
    const ia = this.node(a);
    const ib = this.node(b);
    const from = this.weights[ia];
    if (!from.has(ib)) this.changed(ia, ib, 1);
    from.set(ib, w);
    this.weights[ib].set(ia, w);
  }

  removeEdge(a: string, b: string): void {
    const ia = this.index.get(a);
    const ib = this.index.get(b);
    if (ia === undefined || ib === undefined || !this.weights[ia].delete(ib)) {
      throw new Error(`the network has no edge between ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
    }
    this.weights[ib].delete(ia);
    this.changed(ia, ib, -1);
  }

  private changed(ia: number, ib: number, delta: number): void {
    this.edgeCount += delta;
    this.topologyVersion++;
    this.sorted[ia] = this.sorted[ib] = undefined;
    this.sortedIds[ia] = this.sortedIds[ib] = undefined;
  }

  hasEdge(a: string, b: string): boolean {
    const ia = this.index.get(a);
    const ib = this.index.get(b);
    return ia !== undefined && ib !== undefined && this.weights[ia].has(ib);
  }

  /** Whether agents with these registration indices are linked. */
  linked(ia: number, ib: number): boolean {
    return this.weights[ia].has(ib);
  }

  weight(a: string, b: string): number {
    const ia = this.index.get(a);
    const ib = this.index.get(b);
    return ia !== undefined && ib !== undefined ? (this.weights[ia].get(ib) ?? 0) : 0;
  }

  /** A node's neighbours by number, ascending (registration order); the caller must not change it. */
  neighbourIndices(i: number): readonly number[] {
    let list = this.sorted[i];
    if (list === undefined) {
      list = [...this.weights[i].keys()].sort((x, y) => x - y);
      this.sorted[i] = list;
    }
    return list;
  }

  /** Neighbours in registration order. */
  neighbours(id: string): readonly string[] {
    const i = this.index.get(id);
    if (i === undefined) return [];
    let list = this.sortedIds[i];
    if (list === undefined) {
      list = this.neighbourIndices(i).map((j) => this.nodeIds[j]);
      this.sortedIds[i] = list;
    }
    return list;
  }

  /** The weight an accepted interaction gives an edge: min(w + rate, max), from 0 when missing. */
  strengthened(a: string, b: string): number {
    return Math.min(this.weight(a, b) + this.plan.strengthenRate, this.plan.maxEdgeWeight);
  }

  /** The edges the next decay prunes (those falling below the minimum), in registration order. */
  decayVictims(): [string, string][] {
    return this.decayPass(false);
  }

  /** Every edge decays by (1 − rate); edges falling below the minimum are pruned and returned, in registration order. */
  decay(): [string, string][] {
    const pruned = this.decayPass(true);
    for (const [a, b] of pruned) this.removeEdge(a, b);
    return pruned;
  }

  /** Each edge once (from its earlier-registered end, in registration order): the pruned ones, and with `apply` the decayed weights. */
  private decayPass(apply: boolean): [string, string][] {
    const pruned: [string, string][] = [];
    const factor = 1 - this.plan.decayRate;
    const min = this.plan.minEdgeWeight;
    for (let i = 0; i < this.weights.length; i++) {
      const from = this.weights[i];
      if (from.size === 0) continue;
      for (const j of this.neighbourIndices(i)) {
        if (j < i) continue;
        const w = (from.get(j) as number) * factor;
        if (w < min) pruned.push([this.nodeIds[i], this.nodeIds[j]]);
        else if (apply) {
          from.set(j, w);
          this.weights[j].set(i, w);
        }
      }
    }
    return pruned;
  }

  /** Edges as [a, b, weight], a before b in registration order, sorted. */
  edgeList(): [string, string, number][] {
    const out: [string, string, number][] = [];
    for (let i = 0; i < this.weights.length; i++) {
      const from = this.weights[i];
      for (const j of this.neighbourIndices(i)) if (j > i) out.push([this.nodeIds[i], this.nodeIds[j], from.get(j) as number]);
    }
    return out;
  }

  /**
   * The reference's get_metrics(), plus density. Average path length is
   * exact (all-pairs BFS) up to plan.exactPathLengthUpTo agents; above, it is
   * the mean over BFS from plan.pathLengthSamples distinct sources drawn from
   * a stream keyed by the seed and epoch (so replay draws the same sources).
   * Clustering, components and the exact path length depend on the edge set
   * alone, so they are recomputed only after an edge appeared or disappeared.
   */
  metrics(seed: number, epoch: number): NetworkMetrics {
    const n = this.ids.length;
    const edges = this.edgeCount;
    let s = this.structure;
    let csr: CompressedRows | null = null;
    if (s === null || s.version !== this.topologyVersion) {
      csr = this.snapshot();
      const exact = n >= 2 && n <= this.plan.exactPathLengthUpTo;
      s = this.structure = {
        version: this.topologyVersion,
        clustering: this.clusteringSum(csr, n),
        components: componentCount(csr),
        exactPathLength: exact ? exactAveragePathLength(csr) : null,
      };
    }
    let avgPathLength: number;
    if (n < 2) avgPathLength = 0;
    else if (s.exactPathLength !== null) avgPathLength = s.exactPathLength;
    else avgPathLength = this.sampledPathLength(csr ?? this.snapshot(), n, seed, epoch);
    return {
      edges,
      avgDegree: n > 0 ? (2 * edges) / n : 0,
      avgClustering: n > 0 ? s.clustering / n : 0,
      avgPathLength,
      connected: n < 2 || s.components === 1 ? 1 : 0,
      components: s.components,
      density: n < 2 ? 0 : edges / ((n * (n - 1)) / 2),
    };
  }

  /** Σ over the agents of the local clustering coefficient: links among a node's neighbours over C(k, 2). */
  private clusteringSum(csr: CompressedRows, n: number): number {
    const mark = new Int32Array(csr.offsets.length - 1).fill(-1);
    let clusteringSum = 0;
    for (let i = 0; i < n; i++) {
      const from = csr.offsets[i];
      const to = csr.offsets[i + 1];
      const k = to - from;
      if (k < 2) {
        clusteringSum += 0;
        continue;
      }
      for (let e = from; e < to; e++) mark[csr.targets[e]] = i;
      let twice = 0;
      for (let e = from; e < to; e++) {
        const j = csr.targets[e];
        for (let f = csr.offsets[j]; f < csr.offsets[j + 1]; f++) if (mark[csr.targets[f]] === i) twice++;
      }
      clusteringSum += twice / 2 / ((k * (k - 1)) / 2);
    }
    return clusteringSum;
  }

  /** Adjacency as compressed rows over node numbers (the agents, then any other node). */
  private snapshot(): CompressedRows {
    const nodes = this.weights.length;
    const offsets = new Int32Array(nodes + 1);
    for (let i = 0; i < nodes; i++) offsets[i + 1] = offsets[i] + this.weights[i].size;
    const targets = new Int32Array(offsets[nodes]);
    for (let i = 0; i < nodes; i++) {
      let at = offsets[i];
      for (const j of this.weights[i].keys()) targets[at++] = j;
    }
    return { offsets, targets };
  }

  /** The mean over BFS from plan.pathLengthSamples distinct sources (a stream keyed by the seed and epoch). */
  private sampledPathLength(csr: CompressedRows, n: number, seed: number, epoch: number): number {
    const nodes = csr.offsets.length - 1;
    const dist = new Int32Array(nodes);
    const queue = new Int32Array(nodes);
    let total = 0;
    let count = 0;
    const rng = new SbxStream(streamKey(seed, `path-length/${epoch}`));
    const order = Array.from({ length: n }, (_, i) => i);
    const samples = Math.min(this.plan.pathLengthSamples, n);
    for (let s = 0; s < samples; s++) {
      const j = s + rng.below(n - s);
      [order[s], order[j]] = [order[j], order[s]];
      // Sums d(source, v) > 0 over every reachable v.
      const source = order[s];
      dist.fill(-1);
      dist[source] = 0;
      let head = 0;
      let tail = 0;
      queue[tail++] = source;
      while (head < tail) {
        const u = queue[head++];
        const du = dist[u];
        if (du > 0) {
          total += du;
          count++;
        }
        for (let e = csr.offsets[u]; e < csr.offsets[u + 1]; e++) {
          const v = csr.targets[e];
          if (dist[v] < 0) {
            dist[v] = du + 1;
            queue[tail++] = v;
          }
        }
      }
    }
    return count > 0 ? total / count : 0;
  }
}

/** Unordered pairs i < j, as the reference counts them: half the ordered sums, which are whole numbers, so exact. */
function exactAveragePathLength(csr: CompressedRows): number {
  const { total, count } = allPairsDistanceSums(csr, csr.offsets.length - 1);
  return count > 0 ? total / 2 / (count / 2) : 0;
}
