/**
 * The network (docs/sandbox.md §6.4): who sees and may propose to whom. Without a network
 * every active agent sees every other. With one, agents see their active
 * neighbours; accepted interactions strengthen edges and every epoch decays
 * them (dynamic networks); in profile sbx an agent whose reputation falls
 * below `disconnect_below_reputation` loses all its edges.
 */
import type { Action } from "../../kernel/actions.ts";
import type { Effect } from "../../kernel/effect.ts";
import type { At, EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { MetricSpec } from "../../kernel/metric.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { RunResult } from "../../kernel/records.ts";
import { ReplayMismatch, type World } from "../../kernel/world.ts";
import { AgentNetwork, buildTopology, type NetworkMetrics } from "./graph.ts";
import { NETWORK, NETWORK_SLICE } from "./language.ts";
import { visibility } from "./visibility.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** The initial topology (edges as [a, b, weight], registration order). */
    network_initialized: { nodes: string[]; edges: [string, string, number][] };
    edge_strengthened: At & { a: string; b: string; weight: number };
    /** End-of-epoch decay: every weight times (1 − rate); `pruned` fell below the minimum and were removed (registration order). */
    edges_decayed: At & { pruned: [string, string][] };
    /** The agent's reputation fell below network.disconnectBelowReputation: these edges were removed (sbx). */
    agent_disconnected: At & { agent: string; edges: [string, string][] };
  }
}

const RANDOM_TOPOLOGIES = new Set(["random_erdos_renyi", "small_world", "scale_free"]);

function createNetwork(w: World) {
  const plan = w.slice(NETWORK_SLICE);
  const pop = w.population;
  const ids = w.population.slots.map((s) => s.id);
  const net = plan ? new AgentNetwork(ids, plan) : null;
  const disconnectBelow = plan && w.semantics.reputationDisconnect ? plan.disconnectBelowReputation : null;
  const tally = { pruned: 0 };
  let measured: { epoch: number; metrics: NetworkMetrics } | null = null;

  /** Agents below the disconnect threshold lose every edge. */
  function checkDisconnect(s: AgentSlot | undefined): void {
    if (!s || !net || disconnectBelow === null || !(s.reputation < disconnectBelow)) return;
    const neighbours = net.neighbours(s.id);
    if (neighbours.length === 0) return;
    w.emit({ type: "agent_disconnected", ...w.at(), agent: s.id, edges: neighbours.map((n): [string, string] => [s.id, n]) });
  }

  return {
    graph: net,
    tally,
    /** Network metrics of the current epoch's end (computed once per epoch). */
    metricsAt(epoch: number): NetworkMetrics | null {
      if (!net) return null;
      if (measured?.epoch !== epoch) measured = { epoch, metrics: net.metrics(w.plan.simulation.seed, epoch) };
      return measured.metrics;
    },
    turn: visibility(w, net),

    start(): void {
      if (!net || !plan) return;
      // Only random topologies draw (numpy rejects negative seeds).
      const rng = RANDOM_TOPOLOGIES.has(plan.topology) ? w.random.topology() : { random: () => 0, below: () => 0 };
      const cap = Math.min(1.0, plan.maxEdgeWeight);
      const custom = new Map<string, number>();
      if (plan.topology === "custom") for (const [a, b, weight] of plan.edges) custom.set(`${a}\u0000${b}`, weight);
      const initial = new AgentNetwork(ids, plan);
      for (const [a, b] of buildTopology(plan, ids, rng)) {
        const weight = plan.topology === "custom" ? (custom.get(`${ids[a]}\u0000${ids[b]}`) ?? custom.get(`${ids[b]}\u0000${ids[a]}`) ?? 1.0) : cap;
        initial.setEdge(ids[a], ids[b], weight);
      }
      w.emit({ type: "network_initialized", nodes: ids, edges: initial.edgeList() });
    },

    allow(actor: AgentSlot, action: Action): boolean {
      return action.kind !== "propose" || !net || net.hasEdge(actor.id, action.counterparty);
    },

    afterInteraction(e: EventOf<"interaction_completed">): void {
      const x = e.interaction;
      if (!net || !x.accepted) return;
      // A disconnected agent stays disconnected: strengthening does not recreate an edge removed this epoch.
      const linked = !w.semantics.reputationDisconnect || net.hasEdge(x.initiator, x.counterparty);
      if (plan?.dynamic && linked) {
        // The clock written out, not spread from w.at(): one event per accepted interaction, and a spread is a generic copy.
        w.emit({ type: "edge_strengthened", epoch: w.epoch, step: w.step, a: x.initiator, b: x.counterparty, weight: net.strengthened(x.initiator, x.counterparty) });
      }
      if (disconnectBelow === null) return;
      checkDisconnect(pop.byId.get(x.initiator));
      if (e.reputationDeltaB !== 0) checkDisconnect(pop.byId.get(x.counterparty));
    },

    afterEffect(effect: Effect): void {
      if (disconnectBelow === null) return;
      for (const id of effect.reputation.keys()) checkDisconnect(pop.byId.get(id));
    },

    epochEnd(): void {
      if (net && plan?.dynamic) w.emit({ type: "edges_decayed", ...w.at(), pruned: net.decayVictims() });
    },

    finish(result: RunResult): void {
      result.network = net ? { nodes: [...net.ids], edges: net.edgeList() } : null;
    },

    reduce: {
      epoch_started: () => {
        tally.pruned = 0;
      },
      network_initialized: (e: EventOf<"network_initialized">) => {
        for (const [a, b, weight] of e.edges) net?.setEdge(a, b, weight);
      },
      edge_strengthened: (e: EventOf<"edge_strengthened">) => net?.setEdge(e.a, e.b, e.weight),
      agent_disconnected: (e: EventOf<"agent_disconnected">) => {
        for (const [a, b] of e.edges) net?.removeEdge(a, b);
      },
      edges_decayed: (e: EventOf<"edges_decayed">) => {
        if (!net) return;
        const pruned = net.decay();
        tally.pruned = pruned.length;
        if (w.replaying && JSON.stringify(pruned) !== JSON.stringify(e.pruned)) {
          throw new ReplayMismatch(`epoch ${e.epoch}: decay pruned different edges than the log records`);
        }
      },
    },
  };
}

type Network = ReturnType<typeof createNetwork>;

const N = "none" as const;
const measure = (key: keyof NetworkMetrics) => (m: Network, _sel: ReadonlySet<string> | null, w: World) => m.metricsAt(w.epoch)?.[key] ?? null;

const METRICS: readonly MetricSpec<Network>[] = [
  series("network", N, "stock", "network.edges", "count", "Undirected edges in the network.", "Σ degree / 2", measure("edges"), true),
  series("network", N, "stock", "network.avg_degree", "count", "Mean number of neighbours per agent.", "Σ degree / n", measure("avgDegree"), true),
  series("network", N, "stock", "network.avg_clustering", "ratio", "Mean local clustering coefficient.", "mean_i links(N(i)) / C(deg i, 2)", measure("avgClustering"), true),
  series("network", N, "stock", "network.avg_path_length", "hops", "Mean shortest-path length over reachable pairs.", "mean_{i<j reachable} d(i, j)", measure("avgPathLength"), true),
  series("network", N, "stock", "network.connected", "bool", "1 when every agent can reach every other, else 0.", "[components = 1]", measure("connected"), true),
  series("network", N, "stock", "network.components", "count", "Connected components.", "|components|", measure("components"), true),
  series("network", N, "stock", "network.density", "ratio", "Edges over possible edges.", "edges / C(n, 2)", measure("density"), true),
  series("network", N, "flow", "network.pruned", "count", "Edges pruned by decay at the end of the epoch.", "|{e : w·(1 − decay) < min_weight}|", (m) => (m.graph ? m.tally.pruned : null), true),
];

export const network = mechanism({
  name: "network",
  doc: "Who sees and may propose to whom: the topology, its dynamics and disconnection.",
  plan: [NETWORK_SLICE],
  language: [{ under: "scenario", block: NETWORK }],
  create: createNetwork,
  metrics: METRICS,
});
