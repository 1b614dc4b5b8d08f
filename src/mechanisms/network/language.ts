/** The `network` block (with its `dynamic` part) and its plan slice; null when no network is written. */
import { z } from "zod";
import { nonNeg, nonNegInt, posInt, prob, slice } from "../../spec/plan.ts";
import { attr, block, enabled, enumOf, INT, NUM, prob as probAttr, SWARM } from "../../spec/build.ts";

export const TOPOLOGIES = ["complete", "ring", "star", "random_erdos_renyi", "small_world", "scale_free", "custom"] as const;

export const Network = z.strictObject({
  topology: z.enum(TOPOLOGIES),
  edgeProbability: prob,
  kNeighbors: z.number().int().min(2),
  rewireProbability: prob,
  mEdges: posInt,
  /** Explicit edges for the custom topology: [a, b, weight]. */
  edges: z.array(z.tuple([z.string(), z.string(), z.number()])),
  dynamic: z.boolean(),
  strengthenRate: nonNeg,
  decayRate: prob,
  minEdgeWeight: nonNeg,
  maxEdgeWeight: nonNeg,
  disconnectBelowReputation: z.number().nullable(),
  /** Average path length is all-pairs BFS; above this many agents it is estimated from sampled sources. */
  exactPathLengthUpTo: nonNegInt,
  pathLengthSamples: posInt,
});
export type Network = z.infer<typeof Network>;

export const NETWORK_SLICE = slice(["network"], Network.nullable());

const DYNAMIC = block("dynamic", "Edges that evolve: accepted interactions strengthen them, every epoch decays them, and weak ones are pruned.", [
  enabled(),
  attr("strengthen_rate", NUM, "Weight added to an edge by an accepted interaction.", { key: "strengthenRate", reference: "network.edge_strengthen_rate", default: 0.1 }),
  probAttr("decay_rate", 0.05, "Fraction of every edge's weight lost at the end of each epoch.", { key: "decayRate", reference: "network.edge_decay_rate" }),
  attr("min_weight", NUM, "Edges decayed below this weight are pruned.", { key: "minEdgeWeight", reference: "network.min_edge_weight", default: 0.1 }),
  attr("max_weight", NUM, "Cap on an edge's weight.", { key: "maxEdgeWeight", reference: "network.max_edge_weight", default: 1.0 }),
], { reference: "network.dynamic", enabledByPresence: true, lower: { merge: true, presence: "dynamic" } });

const TOPOLOGY_PARAM = (values: string[]) => ({ attr: "topology", values });

export const NETWORK = block("network", "Who can see and interact with whom. Without a network block everyone sees everyone.", [
  { ...enabled("Switch the network off: everyone sees everyone."), reference: "network.enabled" },
  attr("topology", enumOf(TOPOLOGIES), "Graph family.", { key: "topology", default: "complete", reference: "network.topology" }),
  probAttr("edge_probability", 0.5, "Chance of each edge in an Erdős–Rényi graph.", { key: "edgeProbability", reference: "network.params.edge_probability", relevantWhen: TOPOLOGY_PARAM(["random_erdos_renyi"]) }),
  attr("k_neighbors", INT, "Neighbours of each agent in the small-world lattice before rewiring.", { key: "kNeighbors", default: 4, relevantWhen: TOPOLOGY_PARAM(["small_world"]), reference: "network.params.k" }),
  probAttr("rewire_probability", 0.1, "Chance of rewiring each lattice edge in a small-world graph.", { key: "rewireProbability", reference: "network.params.p", relevantWhen: TOPOLOGY_PARAM(["small_world"]) }),
  attr("m_edges", INT, "Edges each new agent attaches in a scale-free graph.", { key: "mEdges", reference: "network.params.m", default: 2, relevantWhen: TOPOLOGY_PARAM(["scale_free"]) }),
  attr("edges", { t: "edges" }, "Edges of a custom network as [agent, agent] or [agent, agent, weight] pairs.", { key: "edges", default: [], relevantWhen: TOPOLOGY_PARAM(["custom"]) }),
  attr("disconnect_below_reputation", NUM, "Agents whose reputation falls below this lose all their edges.", {
    key: "disconnectBelowReputation",
    reference: "network.reputation_disconnect_threshold",
    default: null,
    inert: { profiles: SWARM, why: "the reference never disconnects anyone" },
  }),
  attr("exact_path_length_up_to", INT, "Average path length is exact (all-pairs BFS) up to this many agents and estimated from sampled sources above.", { key: "exactPathLengthUpTo", default: 1000, unit: "agents" }),
  attr("path_length_samples", INT, "BFS sources sampled to estimate the average path length of large networks.", { key: "pathLengthSamples", default: 256 }),
], { blocks: [DYNAMIC], preset: true, lower: { slice: NETWORK_SLICE, absent: "null", byCompiler: true } });
