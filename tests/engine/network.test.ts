import { UndirectedGraph } from "graphology";
import { describe, expect, it } from "vitest";
import { AgentNetwork, buildTopology } from "../../src/mechanisms/network/graph.ts";
import { NumpyGenerator } from "../../src/kernel/rng/numpy.ts";
import type { Network } from "../../src/plan/schema.ts";
import { DEFAULT_NETWORK } from "../support/reference-plans.ts";

function build(topology: Network["topology"], n: number, extra: Partial<Network> = {}, seed = 42) {
  const plan: Network = { ...DEFAULT_NETWORK, topology, ...extra };
  const ids = Array.from({ length: n }, (_, i) => `agent_${i}`);
  const edges = buildTopology(plan, ids, new NumpyGenerator(seed));
  const net = new AgentNetwork(ids, plan);
  for (const [a, b] of edges) net.setEdge(ids[a], ids[b], 1.0);
  const pairs = edges
    .map(([a, b]) => (a < b ? [a, b] : [b, a]))
    .sort((x, y) => x[0] - y[0] || x[1] - y[1])
    .map(([a, b]) => `(${a},${b})`)
    .join("");
  return { net, pairs, metrics: net.metrics(seed, 0) };
}

describe("topologies (§6.4, §12.3 with seed 42)", () => {
  it("small world n=10, k=4, p=0.1: one rewire, 2–3 → 2–7", () => {
    const { pairs, metrics } = build("small_world", 10, { kNeighbors: 4, rewireProbability: 0.1 });
    expect(pairs).toBe("(0,1)(0,2)(0,8)(0,9)(1,2)(1,3)(1,9)(2,4)(2,7)(3,4)(3,5)(4,5)(4,6)(5,6)(5,7)(6,7)(6,8)(7,8)(7,9)(8,9)");
    expect(metrics).toMatchObject({ edges: 20, avgDegree: 4.0, avgClustering: 0.3966666666666666, avgPathLength: 1.6444444444444444, connected: 1, components: 1 });
  });

  it("small world n=6", () => {
    const { pairs, metrics } = build("small_world", 6, { kNeighbors: 4, rewireProbability: 0.1 });
    expect(pairs).toBe("(0,1)(0,2)(0,4)(0,5)(1,2)(1,3)(1,5)(2,4)(2,5)(3,4)(3,5)(4,5)");
    expect(metrics.avgClustering).toBe(0.7277777777777777);
    expect(metrics.avgPathLength).toBe(1.2);
  });

  it("Erdős–Rényi n=6, p=0.5", () => {
    const { pairs, metrics } = build("random_erdos_renyi", 6, { edgeProbability: 0.5 });
    expect(pairs).toBe("(0,2)(0,5)(1,5)(2,3)(2,4)(4,5)");
    expect(metrics.avgPathLength).toBe(1.8666666666666667);
    expect(build("random_erdos_renyi", 6, { edgeProbability: 0 }).metrics.edges).toBe(0);
    expect(build("random_erdos_renyi", 6, { edgeProbability: 1 }).metrics.edges).toBe(15);
  });

  it("scale free (Barabási–Albert) n=6 and n=10, m=2", () => {
    const six = build("scale_free", 6, { mEdges: 2 });
    expect(six.pairs).toBe("(0,1)(0,2)(0,5)(1,2)(1,3)(2,3)(2,4)(3,4)(4,5)");
    expect(six.metrics.avgClustering).toBe(0.4166666666666667);
    expect(six.metrics.avgPathLength).toBe(1.4);
    const ten = build("scale_free", 10, { mEdges: 2 });
    expect(ten.pairs).toBe("(0,1)(0,2)(0,5)(0,6)(1,2)(1,3)(1,9)(2,3)(2,4)(2,7)(3,4)(3,9)(4,5)(4,6)(4,8)(6,7)(6,8)");
    expect([ten.metrics.edges, ten.metrics.avgDegree]).toEqual([17, 3.4]);
  });

  it("star, ring and complete", () => {
    expect(build("star", 6).metrics).toMatchObject({ avgDegree: 1.6666666666666667, avgPathLength: 1.6666666666666667, avgClustering: 0 });
    expect(build("ring", 6).metrics.avgPathLength).toBe(1.8);
    expect(build("complete", 6).metrics).toMatchObject({ edges: 15, avgPathLength: 1.0, avgClustering: 1, density: 1 });
    expect(build("ring", 2).metrics.edges).toBe(1);
    expect(build("small_world", 2).metrics.edges).toBe(0); // k=1, h=0
    expect(build("small_world", 3).metrics.edges).toBe(3);
  });
});

describe("dynamic edges", () => {
  it("decays, prunes below the minimum, strengthens with a cap", () => {
    const { net } = build("complete", 3, { dynamic: true, decayRate: 0.05, minEdgeWeight: 0.2 });
    expect(net.decay()).toEqual([]);
    expect(net.weight("agent_0", "agent_1")).toBe(0.95);
    expect(strengthen(net, "agent_0", "agent_1")).toBe(1.0);
    let pruned = 0;
    for (let i = 0; i < 31; i++) pruned += net.decay().length;
    expect(pruned).toBe(2); // the two untouched edges go on their 32nd decay
    expect(net.hasEdge("agent_0", "agent_1")).toBe(true);
    expect(net.metrics(0, 0).components).toBe(2);
    // strengthening a missing edge creates it from 0
    expect(strengthen(net, "agent_1", "agent_2")).toBe(0.1);
  });

  it("measures the edge set as it is after edges appear and disappear (measures kept between epochs are dropped)", () => {
    const { net } = build("small_world", 30, { kNeighbors: 4, rewireProbability: 0.2 }, 7);
    const fresh = () => {
      const copy = new AgentNetwork(net.ids, { ...DEFAULT_NETWORK });
      for (const [a, b, w] of net.edgeList()) copy.setEdge(a, b, w);
      return copy.metrics(0, 1);
    };
    const before = net.metrics(0, 0);
    const far = net.ids.find((id, i) => i > 2 && !net.hasEdge("agent_0", id)) as string;
    net.setEdge("agent_0", far, 0.5);
    const added = net.metrics(0, 1);
    expect(added).toEqual(fresh());
    expect(added.edges).toBe(before.edges + 1);
    expect(added.avgPathLength).toBeLessThan(before.avgPathLength);
    net.removeEdge("agent_0", far);
    net.removeEdge("agent_0", net.neighbours("agent_0")[0]);
    const removed = net.metrics(0, 2);
    expect(removed).toEqual(fresh());
    expect(removed.edges).toBe(before.edges - 1);
  });

  it("reports unreachable pairs out of the path length and counts components", () => {
    const plan: Network = { ...DEFAULT_NETWORK, topology: "custom", edges: [["a", "b", 0.5], ["c", "d", 1]] };
    const ids = ["a", "b", "c", "d", "e"];
    const net = new AgentNetwork(ids, plan);
    for (const [a, b] of buildTopology(plan, ids, new NumpyGenerator(0))) net.setEdge(ids[a], ids[b], 1);
    const m = net.metrics(0, 0);
    expect([m.components, m.connected, m.avgPathLength]).toEqual([3, 0, 1]);
  });

  it("samples path lengths deterministically above the exact threshold", () => {
    const exact = build("small_world", 60, { kNeighbors: 4, rewireProbability: 0.2 }).metrics.avgPathLength;
    const sampled = build("small_world", 60, { kNeighbors: 4, rewireProbability: 0.2, exactPathLengthUpTo: 10, pathLengthSamples: 30 });
    const again = build("small_world", 60, { kNeighbors: 4, rewireProbability: 0.2, exactPathLengthUpTo: 10, pathLengthSamples: 30 });
    expect(sampled.metrics.avgPathLength).toBe(again.metrics.avgPathLength);
    expect(Math.abs(sampled.metrics.avgPathLength - exact)).toBeLessThan(0.25);
  });
});

describe("path lengths and components agree with graphology's", () => {
  it("on random small-world and Erdős–Rényi graphs", async () => {
    const { singleSourceLength } = await import("graphology-shortest-path");
    const { countConnectedComponents } = await import("graphology-components");
    for (const [topology, seed] of [["small_world", 1], ["small_world", 2], ["random_erdos_renyi", 3], ["random_erdos_renyi", 4], ["scale_free", 5]] as const) {
      const { net, metrics } = build(topology, 40, { kNeighbors: 4, rewireProbability: 0.3, edgeProbability: 0.06, mEdges: 1 }, seed);
      // graphology is the oracle: the same nodes and edges, measured by its own algorithms.
      const graph = new UndirectedGraph();
      for (const id of net.ids) graph.addNode(id);
      for (const [a, b] of net.edgeList()) graph.addEdge(a, b);
      let total = 0;
      let count = 0;
      const ids = net.ids;
      for (let i = 0; i < ids.length; i++) {
        const d = singleSourceLength(graph, ids[i]);
        for (let j = i + 1; j < ids.length; j++) {
          const v = d[ids[j]];
          if (v !== undefined && v > 0) {
            total += v;
            count++;
          }
        }
      }
      expect(metrics.avgPathLength).toBe(count ? total / count : 0);
      expect(metrics.components).toBe(countConnectedComponents(graph));
    }
  });
});

/** What an edge_strengthened event does: the new weight, applied. */
function strengthen(net: AgentNetwork, a: string, b: string): number {
  const weight = net.strengthened(a, b);
  net.setEdge(a, b, weight);
  return weight;
}

describe("buildTopology keeps the edge order of removal by splicing", () => {
  /** The construction as it was written before removals stopped searching the list: splice at the found index. */
  function spliced(n: number, k: number, p: number, seed: number): [number, number][] {
    const rng = new NumpyGenerator(seed);
    const adj = Array.from({ length: n }, () => new Set<number>());
    const edges: [number, number][] = [];
    const add = (a: number, b: number) => {
      if (adj[a].has(b)) return;
      adj[a].add(b);
      adj[b].add(a);
      edges.push([a, b]);
    };
    const h = Math.floor(Math.min(k, n - 1) / 2);
    for (let i = 0; i < n; i++) for (let j = 1; j <= h; j++) add(i, (i + j) % n);
    for (let i = 0; i < n; i++) {
      for (let j = 1; j <= h; j++) {
        if (rng.random() < p) {
          const old = (i + j) % n;
          if (adj[i].has(old)) {
            adj[i].delete(old);
            adj[old].delete(i);
            edges.splice(edges.findIndex(([x, y]) => (x === i && y === old) || (x === old && y === i)), 1);
          }
          const excluded = [...adj[i], i].sort((x, y) => x - y);
          const count = n - excluded.length;
          if (count > 0) {
            let v = rng.below(count);
            for (const e of excluded) if (e <= v) v++;
            else break;
            add(i, v);
          }
        }
      }
    }
    return edges;
  }

  it("small world, many rewires (edges removed and added again)", () => {
    for (const [n, k, p, seed] of [
      [12, 4, 0.5, 1],
      [30, 6, 0.9, 7],
      [50, 4, 0.3, 42],
      [8, 7, 1, 3],
    ] as const) {
      const ids = Array.from({ length: n }, (_, i) => `agent_${i}`);
      const plan: Network = { ...DEFAULT_NETWORK, topology: "small_world", kNeighbors: k, rewireProbability: p };
      expect(buildTopology(plan, ids, new NumpyGenerator(seed))).toEqual(spliced(n, k, p, seed));
    }
  });
});
