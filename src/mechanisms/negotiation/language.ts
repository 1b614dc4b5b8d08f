/** The `negotiation` block (its `market`s) and its plan slice, present only when the block is written. */
import { z } from "zod";
import { nonNeg, optionalSlice, posInt, prob } from "../../spec/plan.ts";
import { attr, block, BOOL, enabled, enumOf, INT, NUM, prob as probAttr, NAMES } from "../../spec/build.ts";

export const CLEARINGS = ["batch", "continuous"] as const;

const positive = z.number().gt(0);

export const MarketSpec = z.strictObject({
  name: z.string(),
  /** Population groups or agent kinds that trades in it (null: every agent). */
  traders: z.array(z.string()).nullable(),
  clearing: z.enum(CLEARINGS),
  batchInterval: posInt,
  speedPriority: z.boolean(),
  halt: posInt,
});
export type MarketSpec = z.infer<typeof MarketSpec>;

export const Negotiation = z.strictObject({
  enabled: z.boolean(),
  ticks: posInt,
  tickMs: positive,
  latencyNoiseMs: nonNeg,
  maxOrders: posInt,
  activity: prob,
  spread: prob,
  dumpProbability: prob,
  dumpSize: positive,
  dumpDiscount: prob,
  crashDrop: z.number().gt(0).max(1),
  crashWindow: posInt,
  recovery: prob,
  markets: z.array(MarketSpec),
});
export type Negotiation = z.infer<typeof Negotiation>;

export const NEGOTIATION_SLICE = optionalSlice(["negotiation"], Negotiation);

const MARKET = block("market", "A market of one resource with its own order book, clearing rule and halts.", [
  attr("traders", NAMES, "The population groups or agent kinds that trade in it; every agent when absent.", { key: "traders", default: null }),
  attr("clearing", enumOf(CLEARINGS), "`continuous`: an arriving order trades at once against the book at the resting orders' prices; `batch`: orders rest, and every `batch_interval` ticks the book is cleared at midpoints (the reference's rule).", { key: "clearing", default: "batch" }),
  attr("batch_interval", INT, "Ticks between batch clearings (batch clearing only).", { key: "batchInterval", default: 5, unit: "ticks", swarmField: "batch_interval_ticks" }),
  attr("speed_priority", BOOL, "Faster orders go first: arrivals are handled, and equal prices served, by arrival time (latency included); otherwise by the order they were sent.", { key: "speedPriority", default: true, swarmField: "priority_by_speed" }),
  attr("halt", INT, "Ticks a flash crash halts the market: nothing is accepted and nothing trades; it reopens with one batch clearing.", { key: "halt", default: 20, unit: "ticks", swarmField: "halt_duration_ticks" }),
], { named: "required", repeatable: true, lower: { field: "markets", list: true } });

export const NEGOTIATION = block("negotiation", "High-frequency negotiation: markets that run `ticks` ticks per step, where agents send bid, ask and cancel orders with latency noise, cleared continuously or in batches, with a flash-crash detector that halts a market. Agents trade by their kind: honest agents quote both sides around the fundamental value 1, opportunistic agents follow the last price move, adversarial agents now and then dump a large sell order, and every other kind trades noise.", [
  enabled(),
  attr("ticks", INT, "Market ticks per step.", { key: "ticks", default: 10, unit: "ticks" }),
  attr("tick_ms", NUM, "A tick's duration.", { key: "tickMs", default: 100, unit: "ms", swarmField: "tick_duration_ms" }),
  attr("latency_noise", NUM, "Each order arrives after a latency drawn uniformly from [0, latency_noise).", { key: "latencyNoiseMs", default: 10, unit: "ms", swarmField: "latency_noise_ms" }),
  attr("max_orders", INT, "Orders an agent may send per tick (cancels included); more are not sent.", { key: "maxOrders", default: 10, unit: "orders", swarmField: "max_orders_per_tick" }),
  probAttr("activity", 0.5, "Chance that a trader acts in a tick.", { key: "activity" }),
  probAttr("spread", 0.05, "How far from the reference price quotes are placed: honest agents within this fraction of the fundamental value, others of the last price.", { key: "spread", unit: "fraction" }),
  probAttr("dump_probability", 0.02, "Chance per tick that an adversarial agent dumps: a large ask far below the last price.", { key: "dumpProbability" }),
  attr("dump_size", NUM, "Units of a dump (other orders are of one unit).", { key: "dumpSize", default: 20, unit: "units" }),
  probAttr("dump_discount", 0.5, "How far below the last price a dump is offered.", { key: "dumpDiscount", unit: "fraction" }),
  probAttr("crash_drop", 0.1, "A drop of at least this fraction from the rolling maximum is a flash crash.", { key: "crashDrop", unit: "fraction" }),
  attr("crash_window", INT, "Ticks of the rolling maximum.", { key: "crashWindow", default: 10, unit: "ticks" }),
  probAttr("recovery", 0.95, "A crash has recovered when the price is back to this fraction of the maximum it fell from.", { key: "recovery", unit: "fraction" }),
], { blocks: [MARKET], enabledByPresence: true, lower: { slice: NEGOTIATION_SLICE, presence: "enabled" } });
