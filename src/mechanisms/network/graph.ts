/**
 * The agent network (docs/sandbox.md §6.4): topology generation that reproduces the
 * reference's numpy-driven constructions draw for draw, dynamic edges, and
 * per-epoch metrics. The live graph is a graphology UndirectedGraph, with its
 * edge weights mirrored by agent index for the hot path; path lengths,
 * clustering and components are computed on a compact index snapshot.
 */
import { UndirectedGraph } from "graphology";
import { countConnectedComponents } from "graphology-components";
import type { Network as NetworkPlan } from "./language.ts";
import { SbxStream, streamKey } from "../../kernel/rng/streams.ts";
import type { TopologyRng } from "../../kernel/rng/types.ts";
import { weightedSampleNoReplace } from "../../kernel/rng/numpy.ts";
import { allPairsDistanceSums, componentCount } from "./paths.ts";

export interface NetworkMetrics {
  edges: number;
  avgDegree: number;
  avgClustering: number;
  avgPathLength: number;
  connected: number;
  components: number;
  density: number;
}

/** Edges as [a, b] index pairs (a < b not required), built exactly like the reference. */
export function buildTopology(plan: NetworkPlan, ids: readonly string[], rng: TopologyRng): [number, number][] {
  const n = ids.length;
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const edges: [number, number][] = [];
  const add = (a: number, b: number) => {
    if (adj[a].has(b)) return;
    adj[a].add(b);
    adj[b].add(a);
    edges.push([a, b]);
  };
  const remove = (a: number, b: number) => {
    adj[a].delete(b);
    adj[b].delete(a);
    const i = edges.findIndex(([x, y]) => (x === a && y === b) || (x === b && y === a));
    if (i >= 0) edges.splice(i, 1);
  };
  if (plan.topology === "custom") {
    const index = new Map(ids.map((id, i) => [id, i]));
    for (const [a, b] of plan.edges) {
      const ia = index.get(a);
      const ib = index.get(b);
      if (ia === undefined || ib === undefined) throw new Error(`custom network edge [${a}, ${b}] names an unknown agent`);
      if (ia !== ib) add(ia, ib);
    }
    return edges;
  }
  if (n < 2) return edges;
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
  return edges;
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
  readonly graph = new UndirectedGraph({ allowSelfLoops: false });
  private readonly index: Map<string, number>;
  private readonly sortedNeighbours = new Map<string, string[]>();
  /**
   * Each agent's edges by neighbour index → weight: the same edges and
   * weights as the graph, kept beside it so the hot path's edge questions
   * (visibility, strengthening) are answered without graphology's string-keyed lookups.
   */
  private readonly weights: Map<number, number>[];

  constructor(
    readonly ids: readonly string[],
    private readonly plan: NetworkPlan,
  ) {
    this.index = new Map(ids.map((id, i) => [id, i]));
    this.weights = ids.map(() => new Map<number, number>());
    for (const id of ids) this.graph.addNode(id);
  }

  /** Adds (or overwrites) an edge, capped at the maximum weight. */
  setEdge(a: string, b: string, weight: number): void {
    const w = Math.min(weight, this.plan.maxEdgeWeight);
    if (!this.graph.hasNode(a)) this.graph.addNode(a);
    if (!this.graph.hasNode(b)) this.graph.addNode(b);
    if (this.graph.hasEdge(a, b)) this.graph.setEdgeAttribute(a, b, "weight", w);
    else {
      this.graph.addEdge(a, b, { weight: w });
      this.sortedNeighbours.delete(a);
      this.sortedNeighbours.delete(b);
    }
    this.mirror(a, b, w);
  }

  removeEdge(a: string, b: string): void {
    this.graph.dropEdge(a, b);
    this.sortedNeighbours.delete(a);
    this.sortedNeighbours.delete(b);
    this.mirror(a, b, undefined);
  }

  /** Keeps `weights` equal to the graph's edge (undefined: removed); nodes outside the agents are the graph's alone. */
  private mirror(a: string, b: string, weight: number | undefined): void {
    const ia = this.index.get(a);
    const ib = this.index.get(b);
    if (ia === undefined || ib === undefined) return;
    if (weight === undefined) {
      this.weights[ia].delete(ib);
      this.weights[ib].delete(ia);
    } else {
      this.weights[ia].set(ib, weight);
      this.weights[ib].set(ia, weight);
    }
  }

  hasEdge(a: string, b: string): boolean {
    const ia = this.index.get(a);
    const ib = this.index.get(b);
    if (ia !== undefined && ib !== undefined) return this.weights[ia].has(ib);
    return this.graph.hasNode(a) && this.graph.hasNode(b) && this.graph.hasEdge(a, b);
  }

  /** Whether agents with these registration indices are linked. */
  linked(ia: number, ib: number): boolean {
    return this.weights[ia].has(ib);
  }

  weight(a: string, b: string): number {
    const ia = this.index.get(a);
    const ib = this.index.get(b);
    if (ia !== undefined && ib !== undefined) return this.weights[ia].get(ib) ?? 0;
    return this.hasEdge(a, b) ? (this.graph.getEdgeAttribute(a, b, "weight") as number) : 0;
  }

  /** Neighbours in registration order. */
  neighbours(id: string): readonly string[] {
    let list = this.sortedNeighbours.get(id);
    if (!list) {
      list = this.graph.hasNode(id) ? this.graph.neighbors(id) : [];
      list.sort((x, y) => (this.index.get(x) ?? Infinity) - (this.index.get(y) ?? Infinity));
      this.sortedNeighbours.set(id, list);
    }
    return list;
  }

  /** The weight an accepted interaction gives an edge: min(w + rate, max), from 0 when missing. */
  strengthened(a: string, b: string): number {
    return Math.min(this.weight(a, b) + this.plan.strengthenRate, this.plan.maxEdgeWeight);
  }

  /** The edges the next decay prunes (those falling below the minimum), in registration order. */
  decayVictims(): [string, string][] {
    const pruned: [string, string][] = [];
    const factor = 1 - this.plan.decayRate;
    this.graph.forEachEdge((_edge, attrs, source, target) => {
      if ((attrs.weight as number) * factor < this.plan.minEdgeWeight) pruned.push(this.ordered(source, target));
    });
    return pruned.sort((x, y) => this.compareEdges(x, y));
  }

  /** Every edge decays by (1 − rate); edges falling below the minimum are pruned and returned, in registration order. */
  decay(): [string, string][] {
    const pruned: [string, string][] = [];
    const factor = 1 - this.plan.decayRate;
    this.graph.forEachEdge((edge, attrs, source, target) => {
      const w = (attrs.weight as number) * factor;
      if (w < this.plan.minEdgeWeight) pruned.push(this.ordered(source, target));
      else {
        this.graph.setEdgeAttribute(edge, "weight", w);
        this.mirror(source, target, w);
      }
    });
    for (const [a, b] of pruned) this.removeEdge(a, b);
    return pruned.sort((x, y) => this.compareEdges(x, y));
  }

  /** An edge's ends, the earlier-registered agent first. */
  private ordered(s: string, t: string): [string, string] {
    return (this.index.get(s) ?? 0) <= (this.index.get(t) ?? 0) ? [s, t] : [t, s];
  }

  private compareEdges(x: readonly [string, string, ...unknown[]], y: readonly [string, string, ...unknown[]]): number {
    return (this.index.get(x[0]) as number) - (this.index.get(y[0]) as number) || (this.index.get(x[1]) as number) - (this.index.get(y[1]) as number);
  }

  /** Edges as [a, b, weight], a before b in registration order, sorted. */
  edgeList(): [string, string, number][] {
    const out: [string, string, number][] = [];
    this.graph.forEachEdge((_e, attrs, s, t) => out.push([...this.ordered(s, t), attrs.weight as number]));
    return out.sort((x, y) => this.compareEdges(x, y));
  }

  /**
   * The reference's get_metrics(), plus density. Average path length is
   * exact (all-pairs BFS) up to plan.exactPathLengthUpTo agents; above, it is
   * the mean over BFS from plan.pathLengthSamples distinct sources drawn from
   * a stream keyed by the seed and epoch (so replay draws the same sources).
   * BFS, clustering and components run on a compact index snapshot of the
   * graph (graphology-components counts them when the graph holds nodes that
   * are not agents).
   */
  metrics(seed: number, epoch: number): NetworkMetrics {
    const n = this.ids.length;
    const csr = this.snapshot();
    const edges = this.graph.size;
    // Clustering: mark each node's neighbours, count links among them.
    const mark = new Int32Array(n).fill(-1);
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
    // Every node is an agent (the usual case): components from the snapshot; otherwise graphology's count.
    const components = this.graph.order === n ? componentCount(csr) : countConnectedComponents(this.graph);
    return {
      edges,
      avgDegree: n > 0 ? (2 * edges) / n : 0,
      avgClustering: n > 0 ? clusteringSum / n : 0,
      avgPathLength: this.averagePathLength(csr, seed, epoch),
      connected: n < 2 || components === 1 ? 1 : 0,
      components,
      density: n < 2 ? 0 : edges / ((n * (n - 1)) / 2),
    };
  }

  /** Adjacency as compressed rows over registration indices. */
  private snapshot(): { offsets: Int32Array; targets: Int32Array } {
    const n = this.ids.length;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + this.graph.degree(this.ids[i]);
    const targets = new Int32Array(offsets[n]);
    for (let i = 0; i < n; i++) {
      let at = offsets[i];
      this.graph.forEachNeighbor(this.ids[i], (nb) => {
        targets[at++] = this.index.get(nb) as number;
      });
    }
    return { offsets, targets };
  }

  private averagePathLength(csr: { offsets: Int32Array; targets: Int32Array }, seed: number, epoch: number): number {
    const n = this.ids.length;
    if (n < 2) return 0;
    const dist = new Int32Array(n);
    const queue = new Int32Array(n);
    let total = 0;
    let count = 0;
    /** Sums d(source, j) > 0 over reachable j with index above `after`. */
    const bfs = (source: number, after: number) => {
      dist.fill(-1);
      dist[source] = 0;
      let head = 0;
      let tail = 0;
      queue[tail++] = source;
      while (head < tail) {
        const u = queue[head++];
        const du = dist[u];
        if (du > 0 && u > after) {
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
    };
    if (n <= this.plan.exactPathLengthUpTo) {
      // Unordered pairs i < j, as the reference counts them: half the ordered sums, which are whole numbers, so exact.
      const { total: orderedTotal, count: orderedCount } = allPairsDistanceSums(csr, n);
      return orderedCount > 0 ? orderedTotal / 2 / (orderedCount / 2) : 0;
    } else {
      const rng = new SbxStream(streamKey(seed, `path-length/${epoch}`));
      const order = Array.from({ length: n }, (_, i) => i);
      const samples = Math.min(this.plan.pathLengthSamples, n);
      for (let s = 0; s < samples; s++) {
        const j = s + rng.below(n - s);
        [order[s], order[j]] = [order[j], order[s]];
        bfs(order[s], -1);
      }
    }
    return count > 0 ? total / count : 0;
  }
}

