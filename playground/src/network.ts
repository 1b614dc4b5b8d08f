/**
 * The network view, drawn by sigma.js (graphology's WebGL renderer): agents on
 * a circle in registration order (the report's layout, so the same run always
 * looks the same), coloured by kind, sized by reputation, frozen agents drawn
 * as squares. Edges are the topology's, or — in a scenario without one — who
 * has interacted with whom, wider the more they have.
 */
import { UndirectedGraph } from "graphology";
import type Sigma from "sigma";
import type { AgentRecord } from "../../src/engine/index.ts";
import { circleLayout, type Kinds } from "../../src/report/model.ts";
import type { NetworkState } from "./protocol.ts";

type SigmaModule = typeof import("sigma");
type SquareModule = typeof import("@sigma/node-square");

let libraries: Promise<{ sigma: SigmaModule; square: SquareModule }> | null = null;
const load = () => (libraries ??= Promise.all([import("sigma"), import("@sigma/node-square")]).then(([sigma, square]) => ({ sigma, square })));

/** Node sizes in pixels: the lowest reputation of the moment to the highest. */
const SIZE = { min: 5, max: 16 } as const;

export interface NetworkFrame {
  readonly agents: readonly AgentRecord[];
  readonly kinds: Kinds;
  readonly network: NetworkState;
}

export class NetworkView {
  private readonly graph = new UndirectedGraph();
  private renderer: Sigma | null = null;
  private failed = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly caption: HTMLElement,
  ) {}

  async show(frame: NetworkFrame): Promise<void> {
    const g = this.graph;
    const ids = frame.agents.map((a) => a.id);
    const layout = new Map(circleLayout(ids).map((p) => [p.id, p]));
    const reps = frame.agents.map((a) => a.reputation);
    const lo = Math.min(...reps);
    const hi = Math.max(...reps);
    for (const a of frame.agents) {
      const p = layout.get(a.id)!;
      const kind = frame.kinds.of(a.id);
      const attrs = {
        x: p.x,
        y: p.y,
        size: hi > lo ? SIZE.min + ((a.reputation - lo) / (hi - lo)) * (SIZE.max - SIZE.min) : (SIZE.min + SIZE.max) / 2,
        color: frame.kinds.colours[frame.kinds.names.indexOf(kind)] ?? "#7F7F7F",
        label: a.frozen ? `${a.id} (frozen)` : a.id,
        type: a.frozen ? "square" : "circle",
        kind,
        reputation: a.reputation,
        frozen: a.frozen,
      };
      if (g.hasNode(a.id)) g.replaceNodeAttributes(a.id, attrs);
      else g.addNode(a.id, attrs);
    }
    const maxWeight = Math.max(1, ...frame.network.edges.map((e) => e[2]));
    const keep = new Set<string>();
    for (const [a, b, w] of frame.network.edges) {
      if (!g.hasNode(a) || !g.hasNode(b) || a === b) continue;
      const key = g.hasEdge(a, b) ? g.edge(a, b)! : g.addEdge(a, b);
      keep.add(key);
      g.replaceEdgeAttributes(key, { size: 0.5 + (4 * w) / maxWeight, color: "#9ca3af", weight: w });
    }
    for (const key of g.edges()) if (!keep.has(key)) g.dropEdge(key);

    const frozen = frame.agents.filter((a) => a.frozen).length;
    this.caption.textContent =
      `${frame.network.kind === "topology" ? "The network" : "Who interacted with whom (accepted interactions; the scenario declares no network)"}: ` +
      `${ids.length} agents, ${g.size} edges. Colour: kind; size: reputation (${lo.toFixed(2)} to ${hi.toFixed(2)}); squares: frozen${frozen ? ` (${frozen} now)` : ""}.`;
    await this.draw();
  }

  private async draw(): Promise<void> {
    if (this.failed) return;
    if (this.renderer) {
      this.renderer.refresh();
      return;
    }
    try {
      const { sigma, square } = await load();
      this.renderer = new sigma.Sigma(this.graph, this.container, {
        nodeProgramClasses: { square: square.NodeSquareProgram },
        renderEdgeLabels: false,
        labelRenderedSizeThreshold: 0,
        labelDensity: 1,
        stagePadding: 24,
        allowInvalidContainer: true,
      });
    } catch (e) {
      // Sigma draws with WebGL: say so when the browser has none.
      this.failed = true;
      this.container.textContent = `The network view needs WebGL, which this browser does not offer (${(e as Error).message}). report.html draws the final network without it.`;
    }
  }

  /** The graph as drawn (for tests): nodes with their attributes, edges with their weights. */
  snapshot(): { nodes: Record<string, unknown>[]; edges: [string, string, number][] } {
    return {
      nodes: this.graph.mapNodes((id, attrs) => ({ id, ...attrs })),
      edges: this.graph.mapEdges((_key, attrs, a, b) => [a, b, attrs["weight"] as number]),
    };
  }

  clear(): void {
    this.graph.clear();
    this.renderer?.refresh();
    this.caption.textContent = "";
  }
}
