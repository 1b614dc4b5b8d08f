/**
 * Contract metrics, by proposer: a selection `economy.contracts[group]`
 * counts the contracts the group's agents proposed (a market's group: the
 * market's contracts). Not recorded without an economy.
 */
import type { MetricSpec } from "../../kernel/metric.ts";
import { series } from "../../kernel/metric.ts";
import type { ContractsInstance } from "./index.ts";

type Active = Extract<ContractsInstance, { active: true }>;
type Select = ReadonlySet<string> | null;

function total(m: Active, select: Select, counts: Int32Array, w: { population: { slots: readonly { id: string; idx: number }[] } }): number {
  let n = 0;
  for (const s of w.population.slots) if (!select || select.has(s.id)) n += counts[s.idx]!;
  return n;
}

function metric(flow: "flow" | "stock", name: string, unit: string, doc: string, formula: string, compute: (m: Active, select: Select, w: Parameters<MetricSpec<ContractsInstance>["compute"]>[2]) => number | null, optional = false): MetricSpec<ContractsInstance> {
  return series<ContractsInstance>("economy", "agent", flow, name, unit, doc, formula, (m, select, w) => (m.active ? compute(m, select, w) : undefined), optional);
}

export const CONTRACT_METRICS: readonly MetricSpec<ContractsInstance>[] = [
  metric("flow", "economy.contracts", "count", "Contracts proposed this epoch (by the selected agents).", "|proposals|", (m, sel, w) => total(m, sel, m.tally.proposed, w)),
  metric("flow", "economy.contracts_settled", "count", "Contracts settled this epoch (proposed by the selected agents).", "|settled|", (m, sel, w) => total(m, sel, m.tally.settled, w)),
  metric("flow", "economy.contracts_defaulted", "count", "Contracts defaulted this epoch: timeouts, failed conditions, rulings against the proposer (proposed by the selected agents).", "|defaulted|", (m, sel, w) => total(m, sel, m.tally.defaulted, w)),
  metric("stock", "economy.settlement_rate", "ratio", "Contracts settled ÷ contracts proposed since the run started (by the selected agents; undefined before the first proposal). final(economy.settlement_rate) is the run's rate.", "settled / proposed", (m, sel, w) => {
    const proposed = total(m, sel, m.tally.proposedTotal, w);
    return proposed > 0 ? total(m, sel, m.tally.settledTotal, w) / proposed : null;
  }, true),
];
