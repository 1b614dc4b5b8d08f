/**
 * Dworkin-style auctions (docs/mechanisms.md, "Dworkin-style auctions"): at
 * the start of every `every`-th epoch, after governance, the agents that are
 * not frozen (of the `bidders` group or kind, if given) bid for the declared
 * resource pool with equal endowments. Their valuations of a unit of each
 * resource are drawn afresh, uniform in [0, 1), from the auction's own
 * stream — the reference takes them from its caller. The auction itself is
 * the pure function of ./dworkin.ts; its whole outcome is logged in
 * `auction_cleared`, which the reducer keeps for the metrics and which replay
 * recomputes from the logged valuations. Allocations are measured, not paid:
 * they move no agent's resources.
 */
import type { At, EventOf, SimEvent } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { World } from "../../kernel/world.ts";
import type { ScenarioFacts } from "../../spec/types.ts";
import { checkGroups, inGroups } from "./groups.ts";
import { gini, runAuction, type AuctionOutcome, type AuctionRules } from "./dworkin.ts";
import { AUCTION, AUCTION_SLICE } from "./language.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /**
     * One auction, whole: the bidders and their valuations (the decision), and
     * what the tâtonnement made of them — prices, rounds, allocations (bidder ×
     * resource, in the pool's order), utilities and envy violations
     * [envious, envied, utility gap].
     */
    auction_cleared: At & {
      bidders: string[];
      valuations: number[][];
      prices: number[];
      rounds: number;
      converged: boolean;
      maxExcess: number;
      allocations: number[][];
      utilities: number[];
      violations: [string, string, number][];
    };
  }
}

function createAuction(w: World) {
  const spec = w.slice(AUCTION_SLICE);
  const state = { last: null as EventOf<"auction_cleared"> | null };
  const reduce = {
    epoch_started: () => {
      state.last = null;
    },
    auction_cleared: (e: EventOf<"auction_cleared">) => {
      state.last = e;
    },
  };
  if (!spec?.enabled) return { state, reduce };
  const rules: AuctionRules = { endowment: spec.endowment, maxRounds: spec.maxRounds, rate: spec.rate, tolerance: spec.tolerance, envyTolerance: spec.envyTolerance };
  const supply = spec.resources.map((r) => r.supply);
  const rng = w.random.stream("auction");

  return {
    state,
    reduce,
    epochStart(): void {
      if (w.epoch % spec.every !== 0) return;
      const bidders = w.population.slots.filter((s) => !s.frozen && inGroups(spec.bidders, w.plan.agents[s.idx]));
      const valuations = bidders.map(() => supply.map(() => rng.random()));
      const outcome = runAuction(valuations, supply, rules);
      w.emit({ type: "auction_cleared", ...w.at(), ...logged(bidders.map((s) => s.id), valuations, outcome) });
    },
    verify(e: SimEvent): string | null {
      if (e.type !== "auction_cleared") return null;
      const again = logged(e.bidders, e.valuations, runAuction(e.valuations, supply, rules));
      for (const key of ["prices", "rounds", "converged", "maxExcess", "allocations", "utilities", "violations"] as const) {
        if (JSON.stringify(again[key]) !== JSON.stringify(e[key])) return `auction_cleared: ${key} differs from the auction recomputed from the logged valuations`;
      }
      return null;
    },
  };
}

function logged(bidders: string[], valuations: number[][], o: AuctionOutcome): Omit<EventOf<"auction_cleared">, "type" | "epoch" | "step"> {
  return {
    bidders,
    valuations,
    prices: o.prices,
    rounds: o.rounds,
    converged: o.converged,
    maxExcess: o.maxExcess,
    allocations: o.allocations,
    utilities: o.utilities,
    violations: o.violations.map((v) => [bidders[v.envious], bidders[v.envied], v.gap]),
  };
}

type AuctionInstance = ReturnType<typeof createAuction>;
type Select = ReadonlySet<string> | null;

/** This epoch's auction, if one ran. */
const last = (m: AuctionInstance) => m.state.last;

/** Bidder indices kept by a selection. */
function selected(e: EventOf<"auction_cleared">, select: Select): number[] {
  return e.bidders.flatMap((id, i) => (select === null || select.has(id) ? [i] : []));
}

function violationsOf(e: EventOf<"auction_cleared">, select: Select) {
  return select === null ? e.violations : e.violations.filter(([envious]) => select.has(envious));
}

/** Scenario checks: the pool has resources; the bidders are groups or kinds of at least two agents. */
function check(facts: ScenarioFacts): void {
  for (const b of facts.blocks("auction")) {
    if (!b.on) continue;
    if (b.children("resource").length === 0) facts.report("SBX3450", {}, b);
    const agents = checkGroups(facts, b, "bidders", "auction.bidders");
    if (agents !== null && agents < 2) facts.report("SBX3451", { agents }, b, b.has("bidders") ? "bidders" : undefined);
  }
}

export const auction = mechanism({
  name: "auction",
  doc: "Dworkin-style auctions of a declared resource pool: equal endowments, tâtonnement prices, envy-freeness checked.",
  plan: [AUCTION_SLICE],
  language: [{ under: "scenario", block: AUCTION }],
  check,
  create: createAuction,
  metrics: [
    series<AuctionInstance>("auction", "none", "flow", "auction.rounds", "rounds", "Rounds of tâtonnement this epoch's auction ran (undefined in epochs without an auction, as are the other auction metrics).", "rounds", (m) => last(m)?.rounds ?? null, true),
    series<AuctionInstance>("auction", "none", "flow", "auction.converged", "0/1", "1 when this epoch's tâtonnement brought the largest absolute excess demand under the tolerance before the round cap, else 0.", "[max |excess| < tolerance]", (m) => (last(m) ? (last(m)!.converged ? 1 : 0) : null), true),
    series<AuctionInstance>("auction", "none", "flow", "auction.max_excess", "units", "The largest absolute excess demand of the auction's last round, before allocations were scaled to the supply.", "max_r |Σ_i q_ir − supply_r|", (m) => last(m)?.maxExcess ?? null, true),
    series<AuctionInstance>("auction", "none", "flow", "auction.price", "tokens/unit", "Mean clearing price over the pool's resources.", "mean_r p_r", (m) => {
      const e = last(m);
      return e && e.prices.length ? e.prices.reduce((s, p) => s + p, 0) / e.prices.length : null;
    }, true),
    series<AuctionInstance>("auction", "none", "stock", "auction.allocated", "share", "Share of the pool allocated: allocated units over supplied units, summed over resources (never above 1).", "Σ_ir q_ir / Σ_r supply_r", (m, _s, w) => {
      const e = last(m);
      const spec = w.slice(AUCTION_SLICE);
      if (!e || !spec) return null;
      const supplied = spec.resources.reduce((s, r) => s + r.supply, 0);
      return e.allocations.reduce((s, q) => s + q.reduce((a, b) => a + b, 0), 0) / supplied;
    }, true),
    series<AuctionInstance>("auction", "agent", "flow", "auction.envy_violations", "pairs", "Envy violations of this epoch's auction: ordered pairs (i, j) where i could afford j's bundle and values it more than its own by more than the envy tolerance. A selection keeps the pairs whose envious bidder it selects.", "|{(i, j) : u_i(q_j) − u_i(q_i) > tol}|", (m, s) => {
      const e = last(m);
      return e ? violationsOf(e, s).length : null;
    }, true),
    series<AuctionInstance>("auction", "agent", "flow", "auction.envy_share", "share", "Envy violations over the ordered pairs of bidders that could have one (n·(n − 1); a selection: its bidders × the other bidders).", "violations / (n·(n − 1))", (m, s) => {
      const e = last(m);
      if (!e) return null;
      const pairs = selected(e, s).length * (e.bidders.length - 1);
      return pairs > 0 ? violationsOf(e, s).length / pairs : null;
    }, true),
    series<AuctionInstance>("auction", "none", "flow", "auction.envy_free", "0/1", "1 when this epoch's allocation is envy-free within the tolerance (no violation), else 0.", "[violations = 0]", (m) => (last(m) ? (last(m)!.violations.length === 0 ? 1 : 0) : null), true),
    series<AuctionInstance>("auction", "agent", "flow", "auction.max_envy_gap", "utility", "The largest utility gap of an envy violation (0 when envy-free within the tolerance). A selection keeps the violations whose envious bidder it selects.", "max u_i(q_j) − u_i(q_i)", (m, s) => {
      const e = last(m);
      return e ? violationsOf(e, s).reduce((x, [, , gap]) => Math.max(x, gap), 0) : null;
    }, true),
    series<AuctionInstance>("auction", "agent", "flow", "auction.utility", "utility", "Mean utility Σ v·q of the bidders' allocations (of the selected bidders).", "mean_i Σ_r v_ir·q_ir", (m, s) => {
      const e = last(m);
      const keep = e ? selected(e, s) : [];
      return e && keep.length ? keep.reduce((x, i) => x + e.utilities[i], 0) / keep.length : null;
    }, true),
    series<AuctionInstance>("auction", "none", "flow", "auction.utility_gini", "index", "Gini coefficient of the bidders' utilities (0: equal).", "Gini(u)", (m) => (last(m) ? gini(last(m)!.utilities) : null), true),
  ],
});
