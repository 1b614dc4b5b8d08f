/**
 * One high-frequency market (the reference's swarm/env/hfn.py, HFNEngine
 * and FlashCrashDetector) as a deterministic state machine: a tick's new
 * orders go in, and arrivals, matching, halts and the flash-crash detector
 * follow from the rules alone — so the same code is the live run's state and
 * the replay's. Decisions (who sends what, and each order's latency) are
 * made outside and logged.
 *
 * - An order sent in tick t arrives at t·tick_ms + latency and is handled in
 *   the tick that time falls in. Arrivals are handled in order of arrival
 *   time with speed priority, else in the order they were sent.
 * - A cancel removes the sender's resting orders sent before it.
 * - Continuous matching: each arriving bid or ask trades at once against the
 *   best opposite orders at their (resting) prices; what is left rests.
 * - Batch clearing: arriving orders rest; every `batchInterval` ticks the
 *   book is cleared the reference's way — while the best bid ≥ the best ask,
 *   they trade min(quantity) at their midpoint.
 * - Within a price level, priority goes to the earlier arrival (speed
 *   priority) or the earlier sending.
 * - The market price is the last trade's price. Each tick's price enters a
 *   rolling window of `window` ticks; a drop of at least `crashDrop` from the
 *   window's maximum starts a crash (severity = drop / crashDrop) and halts
 *   the market for the next `halt` ticks: nothing is accepted and nothing
 *   trades; it reopens with one batch clearing. A crash ends (recovers) when
 *   the price is back to `recovery` × the pre-crash maximum.
 */

export type Side = "bid" | "ask" | "cancel";

/** An order as logged: [agent, side, price, quantity, latency in ms]. */
export type LoggedOrder = [string, Side, number, number, number];

export interface MarketRules {
  readonly tickMs: number;
  readonly clearing: "batch" | "continuous";
  readonly batchInterval: number;
  readonly speedPriority: boolean;
  readonly halt: number;
  readonly crashDrop: number;
  readonly window: number;
  readonly recovery: number;
}

interface Order {
  readonly seq: number;
  readonly agent: string;
  readonly side: Side;
  readonly price: number;
  qty: number;
  /** Arrival time in ms from the market's start. */
  readonly arrival: number;
}

export interface Trade {
  readonly buyer: string;
  readonly seller: string;
  readonly price: number;
  readonly qty: number;
}

export interface Crash {
  readonly tick: number;
  readonly drop: number;
  readonly severity: number;
  /** The rolling maximum the price fell from. */
  readonly from: number;
}

/** What one tick did. */
export interface TickReport {
  readonly tick: number;
  readonly trades: readonly Trade[];
  /** Orders dropped: they arrived while the market was halted. */
  readonly rejected: number;
  readonly cancels: number;
  readonly halted: boolean;
  readonly price: number;
  /** The drop from the rolling maximum at this tick (0 at a new maximum). */
  readonly drop: number;
  readonly crash: Crash | null;
  /** Ticks from the onset of the crash that recovered at this tick. */
  readonly recoveredAfter: number | null;
}

const EPS = 1e-10;

export class Market {
  price = 1.0;
  /** Prices at the end of the last `window` ticks, oldest first. */
  readonly history: number[] = [];
  readonly bids: Order[] = [];
  readonly asks: Order[] = [];
  /** Sent, not yet arrived. */
  private inFlight: Order[] = [];
  private seq = 0;
  halted = false;
  private haltUntil = 0;
  /** The crash in progress: its onset tick and the maximum the price fell from. */
  crash: { tick: number; from: number } | null = null;

  constructor(readonly rules: MarketRules) {}

  /** The orders an agent has resting or in flight. */
  holds(agent: string): boolean {
    return this.bids.some((o) => o.agent === agent) || this.asks.some((o) => o.agent === agent) || this.inFlight.some((o) => o.agent === agent && o.side !== "cancel");
  }

  /** Tick `t`: the orders sent in it, then arrivals, matching, halts and detection. */
  tick(t: number, sent: readonly LoggedOrder[]): TickReport {
    const r = this.rules;
    for (const [agent, side, price, qty, latency] of sent) {
      this.inFlight.push({ seq: ++this.seq, agent, side, price, qty, arrival: t * r.tickMs + latency });
    }
    const end = (t + 1) * r.tickMs;
    const arriving = this.inFlight.filter((o) => o.arrival < end);
    this.inFlight = this.inFlight.filter((o) => o.arrival >= end);
    arriving.sort((a, b) => (r.speedPriority ? a.arrival - b.arrival : 0) || a.seq - b.seq);

    const trades: Trade[] = [];
    if (this.halted && t >= this.haltUntil) {
      this.halted = false;
      this.clear(trades); // the reopening auction
    }
    let rejected = 0;
    let cancels = 0;
    for (const o of arriving) {
      if (this.halted) {
        rejected++;
        continue;
      }
      if (o.side === "cancel") {
        cancels += this.cancel(o);
        continue;
      }
      if (r.clearing === "continuous") this.match(o, trades);
      else this.rest(o);
    }
    if (!this.halted && r.clearing === "batch" && (t + 1) % r.batchInterval === 0) this.clear(trades);
    const halted = this.halted;

    this.history.push(this.price);
    if (this.history.length > r.window) this.history.shift();
    const max = Math.max(...this.history);
    const drop = max > 0 ? (max - this.price) / max : 0;
    let crash: Crash | null = null;
    let recoveredAfter: number | null = null;
    if (this.crash === null) {
      if (this.history.length >= 2 && drop >= r.crashDrop) {
        crash = { tick: t, drop, severity: drop / r.crashDrop, from: max };
        this.crash = { tick: t, from: max };
        this.halted = true;
        this.haltUntil = t + 1 + r.halt;
      }
    } else if (this.price / this.crash.from >= r.recovery) {
      recoveredAfter = t - this.crash.tick;
      this.crash = null;
    }
    return { tick: t, trades, rejected, cancels, halted, price: this.price, drop, crash, recoveredAfter };
  }

  /** Whether the book is crossed (a bid at or above an ask). */
  crossed(): boolean {
    return this.bids.length > 0 && this.asks.length > 0 && this.bids[0].price >= this.asks[0].price;
  }

  private priority(a: Order, b: Order): number {
    return (this.rules.speedPriority ? a.arrival - b.arrival : 0) || a.seq - b.seq;
  }

  /** Inserts a resting order: bids by price descending, asks ascending, then priority. */
  private rest(o: Order): void {
    const book = o.side === "bid" ? this.bids : this.asks;
    const better = o.side === "bid" ? (x: Order) => x.price > o.price || (x.price === o.price && this.priority(x, o) < 0) : (x: Order) => x.price < o.price || (x.price === o.price && this.priority(x, o) < 0);
    let i = 0;
    while (i < book.length && better(book[i])) i++;
    book.splice(i, 0, o);
  }

  private cancel(c: Order): number {
    let n = 0;
    for (const book of [this.bids, this.asks]) {
      for (let i = book.length - 1; i >= 0; i--) {
        if (book[i].agent === c.agent && book[i].seq < c.seq) {
          book.splice(i, 1);
          n++;
        }
      }
    }
    return n;
  }

  /** Continuous matching: trade against the best opposite orders at their prices, then rest what is left. */
  private match(o: Order, trades: Trade[]): void {
    const opposite = o.side === "bid" ? this.asks : this.bids;
    const crosses = (x: Order) => (o.side === "bid" ? o.price >= x.price : o.price <= x.price);
    while (o.qty > EPS && opposite.length > 0 && crosses(opposite[0])) {
      const best = opposite[0];
      const qty = Math.min(o.qty, best.qty);
      trades.push(o.side === "bid" ? { buyer: o.agent, seller: best.agent, price: best.price, qty } : { buyer: best.agent, seller: o.agent, price: best.price, qty });
      this.price = best.price;
      o.qty -= qty;
      best.qty -= qty;
      if (best.qty <= EPS) opposite.shift();
    }
    if (o.qty > EPS) this.rest(o);
  }

  /** The reference's batch clearing: best bid against best ask at their midpoint while they cross. */
  private clear(trades: Trade[]): void {
    while (this.crossed()) {
      const bid = this.bids[0];
      const ask = this.asks[0];
      const price = (bid.price + ask.price) / 2;
      const qty = Math.min(bid.qty, ask.qty);
      trades.push({ buyer: bid.agent, seller: ask.agent, price, qty });
      this.price = price;
      bid.qty -= qty;
      ask.qty -= qty;
      if (bid.qty <= EPS) this.bids.shift();
      if (ask.qty <= EPS) this.asks.shift();
    }
  }
}
