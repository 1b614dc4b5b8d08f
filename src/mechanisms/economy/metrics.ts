/**
 * The economy's metrics, each per turn (an epoch of one step is a turn; with
 * more steps, the epoch's sum or end-of-epoch level) and per run through the
 * criteria's aggregations. Selected (`economy.fees[group]`), each is taken
 * over the selected agents — for a market's group, that market. Without an
 * economy they are not recorded at all (undefined).
 */
import type { MetricSpec } from "../../kernel/metric.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { EconomyInstance } from "./index.ts";
import { gini, hhi } from "./rules.ts";

type Active = Extract<EconomyInstance, { active: true }>;
type Select = ReadonlySet<string> | null;

/** The selected agents in registration order. */
function members(m: Active, select: Select): AgentSlot[] {
  const all = m.ledger.markets.flatMap((x) => x.members).sort((a, b) => a.idx - b.idx);
  return select ? all.filter((s) => select.has(s.id)) : all;
}

const sum = (m: Active, select: Select, f: (s: AgentSlot) => number): number => members(m, select).reduce((a, s) => a + f(s), 0);

/** A metric of an active economy; undefined (not recorded) without one. */
function metric(flow: "flow" | "stock", name: string, unit: string, doc: string, formula: string, compute: (m: Active, select: Select) => number | null, optional = false): MetricSpec<EconomyInstance> {
  return series<EconomyInstance>("economy", "agent", flow, name, unit, doc, formula, (m, select) => (m.active ? compute(m, select) : undefined), optional);
}

export const ECONOMY_METRICS: readonly MetricSpec<EconomyInstance>[] = [
  metric("flow", "economy.fees", "tokens", "Inference fees billed this epoch (paid by the selected agents).", "Σ ⌊rate·max(0, output + discount·thinking − threshold)⌋", (m, sel) => sum(m, sel, (s) => m.ledger.tally.fees[s.idx]!)),
  metric("flow", "economy.dividends", "tokens", "Dividends paid to core owners this epoch (received by the selected agents).", "Σ_turns Σ_owned cores ⌊fees / cores⌋", (m, sel) => sum(m, sel, (s) => m.ledger.tally.dividends[s.idx]!)),
  metric("flow", "economy.dividend_share", "ratio", "Dividends ÷ fees this epoch (of the selected agents: what they received over what they paid; undefined without fees). Over a run: sum(economy.dividends) / sum(economy.fees).", "dividends / fees", (m, sel) => {
    const fees = sum(m, sel, (s) => m.ledger.tally.fees[s.idx]!);
    return fees > 0 ? sum(m, sel, (s) => m.ledger.tally.dividends[s.idx]!) / fees : null;
  }, true),
  metric("flow", "economy.interest", "tokens", "Interest charged on negative balances this epoch, and destroyed.", "Σ ⌊rate·|balance|⌋ over negative balances", (m, sel) => sum(m, sel, (s) => m.ledger.tally.interest[s.idx]!)),
  metric("stock", "economy.supply", "tokens", "Tokens in existence at the end of the epoch: balances, stakes (and unstaking), escrowed bids and collateral, plus the public pool (governance charges) when unselected.", "Σ holdings (+ pool)", (m, sel) => sum(m, sel, (s) => m.wealthOf(s)) + (sel ? 0 : m.poolBalance())),
  metric("stock", "economy.gini_wealth", "ratio", "Gini of the selected agents' wealth (balance + stake + escrow) at the end of the epoch, after the economy's negative-balance rule (gini_shift: +shift, clamped at 0; unset: shift by the magnitude of the lowest).", "Gini(shift(wealth))", (m, sel) => gini(members(m, sel).map((s) => m.wealthOf(s)), m.ledger.economy.giniShift), true),
  metric("stock", "economy.gini_balance", "ratio", "Gini of the selected agents' balances at the end of the epoch, with the same negative-balance rule.", "Gini(shift(balance))", (m, sel) => gini(members(m, sel).map((s) => s.resources), m.ledger.economy.giniShift), true),
  metric("stock", "economy.negative_balance_agents", "count", "Selected agents with a negative balance at the end of the epoch.", "|{agents : balance < 0}|", (m, sel) => members(m, sel).filter((s) => s.resources < 0).length),
  metric("flow", "economy.blocks", "count", "Blocks produced this epoch (won by the selected agents).", "|blocks|", (m, sel) => sum(m, sel, (s) => m.ledger.tally.blocks[s.idx]!)),
  metric("stock", "economy.winner_hhi", "ratio", "Concentration of block wins since the run started: the Herfindahl–Hirschman index of the winners' shares (among the selected agents; undefined before the first block).", "Σ_winners (wins / blocks)²", (m, sel) => hhi(members(m, sel).map((s) => m.ledger.wins[s.idx]!)), true),
  metric("flow", "economy.errors", "count", "Economy and contract actions refused this epoch (the paper's engine errors), taken by the selected agents.", "|refused actions|", (m, sel) => sum(m, sel, (s) => m.ledger.tally.refused[s.idx]!)),
];
