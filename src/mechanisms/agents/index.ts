/**
 * Agents: every agent's reputation, resources, payoff and freeze, as the
 * kernel's events change them, and the metrics over them (for a selection
 * `metric[name]`, over its agents).
 */
import { mechanism } from "../../kernel/mechanism.ts";
import type { MetricSpec } from "../../kernel/metric.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";

function createAgents(w: World) {
  const pop = w.population;
  const slot = (id: string): AgentSlot | undefined => pop.slot(id);
  return {
    slots: pop.slots,
    reduce: {
      agent_frozen: (e: { agent: string }) => {
        const s = slot(e.agent);
        if (s) pop.setFrozen(s, true);
      },
      agent_unfrozen: (e: { agent: string }) => {
        const s = slot(e.agent);
        if (s) pop.setFrozen(s, false);
      },
      reputation_changed: (e: { agent: string; delta: number }) => {
        const s = slot(e.agent);
        if (s) pop.addReputation(s, e.delta);
      },
      resources_changed: (e: { agent: string; delta: number }) => {
        const s = slot(e.agent);
        if (s) pop.addResources(s, e.delta);
      },
    },
  };
}

type Agents = ReturnType<typeof createAgents>;

const A = "agent" as const;

/** Sums over the selected agents in registration order, as the reference sums. */
function over(m: Agents, select: ReadonlySet<string> | null, f: (s: AgentSlot) => number): { sum: number; n: number } {
  let sum = 0;
  let n = 0;
  for (const s of m.slots) {
    if (select && !select.has(s.id)) continue;
    sum += f(s);
    n++;
  }
  return { sum, n };
}

const METRICS: readonly MetricSpec<Agents>[] = [
  series("agents", A, "stock", "payoff", "payoff", "Total payoff accumulated by the selected agents.", "Σ_agents total_payoff", (m, sel) => over(m, sel, (s) => s.totalPayoff).sum),
  series("agents", A, "stock", "mean_payoff", "payoff", "Mean accumulated payoff per selected agent.", "mean_agents total_payoff", (m, sel) => {
    const { sum, n } = over(m, sel, (s) => s.totalPayoff);
    return n ? sum / n : 0;
  }),
  series("agents", A, "stock", "reputation", "reputation", "Mean reputation of the selected agents.", "mean_agents reputation", (m, sel) => {
    const { sum, n } = over(m, sel, (s) => s.reputation);
    return n ? sum / n : 0;
  }),
  series("agents", A, "stock", "resources", "resources", "Total resources held by the selected agents.", "Σ_agents resources", (m, sel) => over(m, sel, (s) => s.resources).sum),
  series("agents", A, "stock", "frozen", "count", "Selected agents frozen at the end of the epoch.", "|{agents : frozen}|", (m, sel) => over(m, sel, (s) => (s.frozen ? 1 : 0)).sum),
];

export const agents = mechanism({
  name: "agents",
  doc: "Every agent's reputation, resources, payoff and freeze, and the metrics over them.",
  create: createAgents,
  metrics: METRICS,
});
