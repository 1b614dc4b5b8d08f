/**
 * High-frequency negotiation (docs/mechanisms.md, "High-frequency
 * negotiation"). At every step's end each market runs `ticks` ticks. In a
 * tick every trader that is not frozen (while the market is not halted)
 * decides its orders by its kind — from the negotiation's own stream — and
 * each order gets a latency drawn uniformly from [0, latency_noise):
 *
 * | kind | orders when it acts (chance `activity` per tick) |
 * |---|---|
 * | honest | value trader: cancels its orders, bids 1 unit at 1·(1 − u·spread), asks 1 unit at 1·(1 + u·spread) (the fundamental value is 1) |
 * | opportunistic | momentum trader: after a fall of the last price, cancels and asks 1 unit at P·(1 − spread); after a rise, bids at P·(1 + spread) |
 * | adversarial | with chance `dump_probability` per tick, cancels and dumps: asks `dump_size` units at P·(1 − dump_discount); otherwise a noise trader |
 * | every other | noise trader: cancels, then bids or asks 1 unit at P·(1 + u·spread), u uniform in [−1, 1) |
 *
 * The tick's orders are logged in `market_ticked`, whose reducer runs the
 * market (./market.ts): arrivals, matching, halts and flash-crash detection
 * are rules, not decisions, so replay reruns them from the logged orders.
 * A crash's onset and its recovery are logged too (`flash_crash`,
 * `crash_recovered`), and replay checks them against the market it rebuilt.
 */
import type { At, EventOf, SimEvent } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { Rng } from "../../kernel/rng/types.ts";
import type { World } from "../../kernel/world.ts";
import type { ScenarioFacts } from "../../spec/types.ts";
import { gini } from "../auction/dworkin.ts";
import { checkGroups, inGroups } from "../auction/groups.ts";
import { NEGOTIATION, NEGOTIATION_SLICE, type MarketSpec, type Negotiation } from "./language.ts";
import { Market, type LoggedOrder, type TickReport } from "./market.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** A market's tick and the orders sent in it: [agent, side, price, quantity, latency ms]. */
    market_ticked: At & { market: string; tick: number; orders: LoggedOrder[] };
    /** The price fell at least crash_drop from its rolling maximum: a flash crash, which halts the market until tick `haltUntil`. */
    flash_crash: At & { market: string; tick: number; drop: number; severity: number; from: number; haltUntil: number };
    /** The price is back to `recovery` × the maximum it fell from, `ticks` ticks after the crash began. */
    crash_recovered: At & { market: string; tick: number; ticks: number };
  }
}

/** The fundamental value honest traders quote around. */
const FUNDAMENTAL = 1.0;

interface Tally {
  crashes: number;
  severity: number;
  maxDrop: number;
  recoveries: number[];
  haltedTicks: number;
  trades: number;
  volume: number;
  orders: number;
  rejected: number;
  executions: Map<string, number>;
  returns: number[];
}

const emptyTally = (): Tally => ({ crashes: 0, severity: 0, maxDrop: 0, recoveries: [], haltedTicks: 0, trades: 0, volume: 0, orders: 0, rejected: 0, executions: new Map(), returns: [] });

interface MarketState {
  readonly spec: MarketSpec;
  readonly market: Market;
  /** Every agent that may trade in it (frozen or not). */
  readonly traders: ReadonlySet<string>;
  tally: Tally;
  last: TickReport | null;
}

const NO_NEGOTIATION: Negotiation = { enabled: false, ticks: 1, tickMs: 1, latencyNoiseMs: 0, maxOrders: 1, activity: 0, spread: 0, dumpProbability: 0, dumpSize: 1, dumpDiscount: 0, crashDrop: 1, crashWindow: 1, recovery: 1, markets: [] };

function createNegotiation(w: World) {
  const spec = w.slice(NEGOTIATION_SLICE) ?? NO_NEGOTIATION;
  const pop = w.population;
  const markets = new Map<string, MarketState>(
    spec.markets.map((m) => [
      m.name,
      {
        spec: m,
        market: new Market({ tickMs: spec.tickMs, clearing: m.clearing, batchInterval: m.batchInterval, speedPriority: m.speedPriority, halt: m.halt, crashDrop: spec.crashDrop, window: spec.crashWindow, recovery: spec.recovery }),
        traders: new Set(pop.slots.filter((s) => inGroups(m.traders, w.plan.agents[s.idx])).map((s) => s.id)),
        tally: emptyTally(),
        last: null,
      },
    ]),
  );

  const reduce = {
    epoch_started: () => {
      for (const m of markets.values()) m.tally = emptyTally();
    },
    market_ticked: (e: EventOf<"market_ticked">) => {
      const m = markets.get(e.market) as MarketState;
      const before = m.market.price;
      const r = m.market.tick(e.tick, e.orders);
      m.last = r;
      const t = m.tally;
      t.orders += e.orders.length;
      t.rejected += r.rejected;
      if (r.halted) t.haltedTicks++;
      t.maxDrop = Math.max(t.maxDrop, r.drop);
      t.returns.push((r.price - before) / before);
      for (const trade of r.trades) {
        t.trades++;
        t.volume += trade.qty;
        for (const id of [trade.buyer, trade.seller]) t.executions.set(id, (t.executions.get(id) ?? 0) + 1);
      }
      if (r.crash) {
        t.crashes++;
        t.severity = Math.max(t.severity, r.crash.severity);
      }
      if (r.recoveredAfter !== null) t.recoveries.push(r.recoveredAfter);
    },
  };
  const state = { markets, spec };
  if (!spec.enabled) return { state, reduce };

  const rng = w.random.stream("negotiation");

  /** One trader's orders for this tick, by its kind. */
  function decide(s: AgentSlot, m: Market, r: Rng): LoggedOrder[] {
    const P = m.price;
    const orders: [LoggedOrder[1], number, number][] = [];
    const cancel = () => {
      if (m.holds(s.id)) orders.push(["cancel", 0, 0]);
    };
    if (s.kind === "adversarial" && r.random() < spec.dumpProbability) {
      cancel();
      orders.push(["ask", P * (1 - spec.dumpDiscount), spec.dumpSize]);
    } else if (r.random() < spec.activity) {
      switch (s.kind) {
        case "honest":
          cancel();
          orders.push(["bid", FUNDAMENTAL * (1 - r.random() * spec.spread), 1]);
          orders.push(["ask", FUNDAMENTAL * (1 + r.random() * spec.spread), 1]);
          break;
        case "opportunistic": {
          const h = m.history;
          const move = h.length >= 2 ? h[h.length - 1] - h[h.length - 2] : 0;
          if (move < 0) {
            cancel();
            orders.push(["ask", P * (1 - spec.spread), 1]);
          } else if (move > 0) {
            cancel();
            orders.push(["bid", P * (1 + spec.spread), 1]);
          }
          break;
        }
        default: {
          cancel();
          const side = r.random() < 0.5 ? "bid" : "ask";
          orders.push([side, P * (1 + r.uniform(-1, 1) * spec.spread), 1]);
        }
      }
    }
    return orders.slice(0, spec.maxOrders).map(([side, price, qty]) => [s.id, side, price, qty, r.random() * spec.latencyNoiseMs]);
  }

  function stepEnd(): void {
    for (let k = 0; k < spec.ticks; k++) {
      const tick = w.stepSerial * spec.ticks + k;
      for (const m of markets.values()) {
        const orders = m.market.halted ? [] : pop.slots.filter((s) => !s.frozen && m.traders.has(s.id)).flatMap((s) => decide(s, m.market, rng));
        w.emit({ type: "market_ticked", ...w.at(), market: m.spec.name, tick, orders });
        const r = m.last as TickReport;
        if (r.crash) w.emit({ type: "flash_crash", ...w.at(), market: m.spec.name, tick, drop: r.crash.drop, severity: r.crash.severity, from: r.crash.from, haltUntil: tick + 1 + m.spec.halt });
        if (r.recoveredAfter !== null) w.emit({ type: "crash_recovered", ...w.at(), market: m.spec.name, tick, ticks: r.recoveredAfter });
      }
    }
  }

  return {
    state,
    reduce,
    stepEnd,
    verify(e: SimEvent): string | null {
      if (e.type !== "flash_crash" && e.type !== "crash_recovered") return null;
      const r = markets.get(e.market)?.last;
      if (!r || r.tick !== e.tick) return `${e.type}: market ${e.market} did not tick ${e.tick} before it`;
      const halt = markets.get(e.market)!.spec.halt;
      if (e.type === "flash_crash" && (r.crash?.drop !== e.drop || r.crash.severity !== e.severity || r.crash.from !== e.from || e.haltUntil !== e.tick + 1 + halt)) return `flash_crash: market ${e.market} at tick ${e.tick} replays as ${r.crash ? `a drop of ${r.crash.drop}` : "no crash"}`;
      if (e.type === "crash_recovered" && r.recoveredAfter !== e.ticks) return `crash_recovered: market ${e.market} at tick ${e.tick} replays as ${r.recoveredAfter === null ? "no recovery" : `a recovery after ${r.recoveredAfter} ticks`}`;
      return null;
    },
  };
}

type NegotiationInstance = ReturnType<typeof createNegotiation>;
type Select = ReadonlySet<string> | null;

/** The markets a selection trades in (all: no selection); none when the block is absent. */
function marketsFor(m: NegotiationInstance, select: Select): MarketState[] {
  if (!m.state.spec.enabled) return [];
  const all = [...m.state.markets.values()];
  return select === null ? all : all.filter((x) => [...x.traders].some((id) => select.has(id)));
}

const sum = (f: (t: Tally) => number) => (m: NegotiationInstance, s: Select) => {
  const ms = marketsFor(m, s);
  return ms.length ? ms.reduce((a, x) => a + f(x.tally), 0) : null;
};

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : null);

function std(xs: readonly number[]): number {
  const mu = xs.reduce((a, x) => a + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mu) ** 2, 0) / xs.length);
}

/** Scenario checks: there is a market; its traders are groups or kinds of the population; batch_interval is not set on a continuous market. */
function check(facts: ScenarioFacts): void {
  for (const b of facts.blocks("negotiation")) {
    if (!b.on) continue;
    const ms = b.children("market");
    if (ms.length === 0) facts.report("SBX3455", {}, b);
    for (const m of ms) {
      checkGroups(facts, m, "traders", `market '${m.name}'`);
      if (m.value("clearing") === "continuous" && m.has("batch_interval")) facts.report("SBX3456", { market: m.name ?? "" }, m, "batch_interval");
    }
  }
}

export const negotiation = mechanism({
  name: "negotiation",
  doc: "High-frequency negotiation: order books with latency noise, continuous or batch clearing, speed priority, and a flash-crash detector that halts a market.",
  plan: [NEGOTIATION_SLICE],
  language: [{ under: "scenario", block: NEGOTIATION }],
  check,
  create: createNegotiation,
  metrics: [
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.crashes", "count", "Flash crashes that began this epoch: ticks at which the price fell at least crash_drop from its rolling maximum (outside a crash). A selection counts the markets its agents trade in.", "|{t : (max_window − P_t)/max_window ≥ crash_drop}|", sum((t) => t.crashes), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.crash_severity", "×crash_drop", "The largest severity of this epoch's crashes: drop / crash_drop.", "max drop/crash_drop", (m, s) => {
      const ms = marketsFor(m, s).filter((x) => x.tally.crashes > 0);
      return ms.length ? Math.max(...ms.map((x) => x.tally.severity)) : null;
    }, true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.max_drop", "fraction", "The largest drop of the price from its rolling maximum at any tick this epoch (0: never below it), crash or not.", "max_t (max_window − P_t)/max_window", (m, s) => {
      const ms = marketsFor(m, s);
      return ms.length ? Math.max(...ms.map((x) => x.tally.maxDrop)) : null;
    }, true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.recovery_ticks", "ticks", "Mean ticks from a crash's onset to its recovery, over the crashes that recovered this epoch.", "mean (t_recovered − t_onset)", (m, s) => mean(marketsFor(m, s).flatMap((x) => x.tally.recoveries)), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.halted_ticks", "ticks", "Ticks the market was halted this epoch.", "|{t : halted}|", sum((t) => t.haltedTicks), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.trades", "count", "Trades this epoch.", "|trades|", sum((t) => t.trades), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.volume", "units", "Units traded this epoch.", "Σ quantity", sum((t) => t.volume), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.orders", "count", "Orders sent this epoch (bids, asks and cancels).", "|orders|", sum((t) => t.orders), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.rejected", "count", "Orders that arrived while their market was halted, and were dropped.", "|{o : arrived halted}|", sum((t) => t.rejected), true),
    series<NegotiationInstance>("negotiation", "agent", "stock", "negotiation.price", "price", "The last trade's price at the epoch's end (the mean over markets); it starts at the fundamental value 1.", "P", (m, s) => mean(marketsFor(m, s).map((x) => x.market.price)), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.volatility", "fraction", "Standard deviation of the price's tick-to-tick returns this epoch (the mean over markets).", "std_t (P_t − P_{t−1})/P_{t−1}", (m, s) => mean(marketsFor(m, s).filter((x) => x.tally.returns.length > 0).map((x) => std(x.tally.returns))), true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.executions", "count", "Trades this epoch the agents (selected) took part in, as buyer or seller.", "|{trades of i}|", (m, s) => {
      if (!m.state.spec.enabled) return null;
      let n = 0;
      for (const x of m.state.markets.values()) for (const [id, c] of x.tally.executions) if (s === null || s.has(id)) n += c;
      return n;
    }, true),
    series<NegotiationInstance>("negotiation", "agent", "flow", "negotiation.speed_gini", "index", "The speed advantage: Gini coefficient of executions across the agents that traded this epoch (the mean over markets).", "Gini(executions)", (m, s) => mean(marketsFor(m, s).filter((x) => x.tally.executions.size > 0).map((x) => gini([...x.tally.executions.values()]))), true),
  ],
});
