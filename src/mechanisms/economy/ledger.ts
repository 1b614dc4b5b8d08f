/**
 * The economy's state and its reducers: markets, balances (an agent's
 * balance is its `resources`), stakes, burns, study levels, core bids and
 * owners, the turn's usage and lottery entries, and the tallies the metrics
 * read. Only reducers change it, live and in replay alike.
 */
import type { At, EventOf } from "../../kernel/events.ts";
import type { AgentSlot, Population } from "../../kernel/population.ts";
import type { Economy, MarketRules } from "./language.ts";
import { marketRules } from "./rules.ts";

export type Via = "mine" | "stake" | "burn";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** The agent's genesis allocation: its balance (resources) becomes `amount`. Minted. */
    economy_genesis: At & { agent: string; amount: number };
    /** A bid for a core, escrowed until the auction resolves. */
    core_bid: At & { turn: number; agent: string; core: number; amount: number };
    /** The core auction: each core's owner (null: none), the winning bids paid (destroyed), the other bids refunded. */
    core_auction_resolved: At & { turn: number; market: string | null; owners: (string | null)[]; paid: { agent: string; core: number; amount: number }[]; refunded: { agent: string; amount: number }[] };
    /** The agent validates this turn: mines, stakes `amount` (balance → stake) or burns `amount` (destroyed); its lottery weight. */
    validation_entered: At & { turn: number; agent: string; via: Via; amount: number; weight: number };
    /** Staked tokens start their way back to the balance, arriving on turn `due`. */
    unstake_requested: At & { turn: number; agent: string; amount: number; due: number };
    unstake_released: At & { turn: number; agent: string; amount: number };
    /** `fee` on top of the amount is destroyed. */
    tokens_transferred: At & { turn: number; from: string; to: string; amount: number; fee: number };
    /** A job: `pay` minted to the agent; its turn is not billed. */
    job_done: At & { turn: number; agent: string; pay: number };
    study_done: At & { turn: number; agent: string; level: number };
    /** One agent's inference this turn: the units it used (LLM agents: their real prompt and completion tokens) and the fee. */
    inference_billed: At & { turn: number; agent: string; source: "scripted" | "llm"; thinking: number; output: number; level: number; fee: number };
    /** The turn's fees of a market paid to core owners, ⌊fees / cores⌋ per owned core; the rest destroyed. */
    dividends_paid: At & { turn: number; market: string | null; fees: number; payouts: { agent: string; amount: number }[]; destroyed: number };
    /** Interest on a negative balance, destroyed. */
    interest_charged: At & { turn: number; agent: string; amount: number };
    /** A market's lottery this turn: the total weight that entered, and the winner when a block was produced (its reward minted). */
    lottery_drawn: At & { turn: number; market: string | null; total: number; winner: string | null; via: Via | null; reward: number };
    /** The economy refused an action (the engine's "errors"). */
    economy_action_refused: At & { agent: string; action: string; reason: string };
  }
}

export interface Market {
  readonly index: number;
  /** null: the economy's own market. */
  readonly name: string | null;
  readonly rules: MarketRules;
  readonly members: AgentSlot[];
  /** Core owners once the auction resolved (null: no owner). */
  owners: (string | null)[] | null;
  bids: { agent: string; core: number; amount: number }[];
  /** Fees billed this turn, not yet paid out. */
  pot: number;
  /** Lottery entries this turn, in the order they came. */
  entrants: { agent: AgentSlot; via: Via; weight: number }[];
  /** How the last block was won (Slimcoin: a stake or burn block only after a mine block). */
  lastVia: Via;
}

export interface Unstake {
  readonly agent: AgentSlot;
  readonly amount: number;
  readonly due: number;
}

/** Per-agent sums over the current epoch, reset when it starts. */
export interface EpochTally {
  fees: Float64Array;
  dividends: Float64Array;
  interest: Float64Array;
  blocks: Int32Array;
  refused: Int32Array;
}

export class Ledger {
  readonly markets: Market[] = [];
  readonly marketOf: Int32Array;
  readonly staked: Float64Array;
  /** Unstaked tokens on their way back, per agent. */
  readonly unstaking: Float64Array;
  readonly pendingUnstakes: Unstake[] = [];
  /** Escrowed core bids, per agent. */
  readonly bidEscrow: Float64Array;
  readonly burns: { turn: number; amount: number }[][];
  readonly level: Int32Array;
  /** This turn's LLM usage (prompt, completion tokens) and whether the agent made a call. */
  readonly llmIn: Float64Array;
  readonly llmOut: Float64Array;
  readonly llmCalled: Uint8Array;
  /** The agent took a job this turn. */
  readonly jobbed: Uint8Array;
  readonly wins: Int32Array;
  readonly tally: EpochTally;

  constructor(
    readonly economy: Economy,
    private readonly pop: Population,
  ) {
    const n = pop.size;
    this.marketOf = new Int32Array(n);
    this.staked = new Float64Array(n);
    this.unstaking = new Float64Array(n);
    this.bidEscrow = new Float64Array(n);
    this.burns = Array.from({ length: n }, () => []);
    this.level = new Int32Array(n);
    this.llmIn = new Float64Array(n);
    this.llmOut = new Float64Array(n);
    this.llmCalled = new Uint8Array(n);
    this.jobbed = new Uint8Array(n);
    this.wins = new Int32Array(n);
    this.tally = { fees: new Float64Array(n), dividends: new Float64Array(n), interest: new Float64Array(n), blocks: new Int32Array(n), refused: new Int32Array(n) };
    // The economy's own market first, then the named markets by name (whatever order the plan's keys came in).
    const named = Object.keys(economy.markets).sort();
    const make = (name: string | null): Market => ({
      index: this.markets.length,
      name,
      rules: marketRules(economy, name === null ? null : economy.markets[name]!),
      members: [],
      owners: null,
      bids: [],
      pot: 0,
      entrants: [],
      lastVia: "mine",
    });
    this.markets.push(make(null));
    for (const name of named) this.markets.push(make(name));
    for (const s of pop.slots) {
      const i = named.indexOf(s.group);
      const m = this.markets[i < 0 ? 0 : i + 1]!;
      this.marketOf[s.idx] = m.index;
      m.members.push(s);
    }
  }

  market(s: AgentSlot): Market {
    return this.markets[this.marketOf[s.idx]!]!;
  }

  marketNamed(name: string | null): Market | undefined {
    return this.markets.find((m) => m.name === name);
  }

  /** Everything the agent owns: balance, stake (and unstaking), escrowed bids; contract escrow comes from `escrowHeld` hooks. */
  holdings(s: AgentSlot): number {
    return s.resources + this.staked[s.idx]! + this.unstaking[s.idx]! + this.bidEscrow[s.idx]!;
  }

  private slot(id: string): AgentSlot {
    const s = this.pop.byId.get(id);
    if (!s) throw new Error(`economy: unknown agent ${id}`);
    return s;
  }

  private add(s: AgentSlot, delta: number): void {
    if (delta !== 0) this.pop.addResources(s, delta);
  }

  /** The reducers: the only code that changes the economy's state. */
  reducers() {
    const t = this.tally;
    return {
      epoch_started: () => {
        t.fees.fill(0);
        t.dividends.fill(0);
        t.interest.fill(0);
        t.blocks.fill(0);
        t.refused.fill(0);
      },
      economy_genesis: (e: EventOf<"economy_genesis">) => {
        const s = this.slot(e.agent);
        this.add(s, e.amount - s.resources);
      },
      core_bid: (e: EventOf<"core_bid">) => {
        const s = this.slot(e.agent);
        this.add(s, -e.amount);
        this.bidEscrow[s.idx]! += e.amount;
        this.market(s).bids.push({ agent: e.agent, core: e.core, amount: e.amount });
      },
      core_auction_resolved: (e: EventOf<"core_auction_resolved">) => {
        const m = this.marketNamed(e.market)!;
        m.owners = [...e.owners];
        m.bids = [];
        for (const p of e.paid) this.bidEscrow[this.slot(p.agent).idx]! -= p.amount;
        for (const r of e.refunded) {
          const s = this.slot(r.agent);
          this.bidEscrow[s.idx]! -= r.amount;
          this.add(s, r.amount);
        }
      },
      validation_entered: (e: EventOf<"validation_entered">) => {
        const s = this.slot(e.agent);
        if (e.via === "stake") {
          this.add(s, -e.amount);
          this.staked[s.idx]! += e.amount;
        } else if (e.via === "burn") {
          this.add(s, -e.amount);
          this.burns[s.idx]!.push({ turn: e.turn, amount: e.amount });
        }
        this.market(s).entrants.push({ agent: s, via: e.via, weight: e.weight });
      },
      unstake_requested: (e: EventOf<"unstake_requested">) => {
        const s = this.slot(e.agent);
        this.staked[s.idx]! -= e.amount;
        this.unstaking[s.idx]! += e.amount;
        this.pendingUnstakes.push({ agent: s, amount: e.amount, due: e.due });
      },
      unstake_released: (e: EventOf<"unstake_released">) => {
        const s = this.slot(e.agent);
        const i = this.pendingUnstakes.findIndex((u) => u.agent === s && u.amount === e.amount && u.due <= e.turn);
        if (i >= 0) this.pendingUnstakes.splice(i, 1);
        this.unstaking[s.idx]! -= e.amount;
        this.add(s, e.amount);
      },
      tokens_transferred: (e: EventOf<"tokens_transferred">) => {
        this.add(this.slot(e.from), -(e.amount + e.fee));
        this.add(this.slot(e.to), e.amount);
      },
      job_done: (e: EventOf<"job_done">) => {
        const s = this.slot(e.agent);
        this.add(s, e.pay);
        this.jobbed[s.idx] = 1;
      },
      study_done: (e: EventOf<"study_done">) => {
        this.level[this.slot(e.agent).idx] = e.level;
      },
      llm_call: (e: EventOf<"llm_call">) => {
        const s = this.pop.byId.get(e.agent);
        if (!s) return;
        this.llmIn[s.idx]! += e.tokensIn;
        this.llmOut[s.idx]! += e.tokensOut;
        this.llmCalled[s.idx] = 1;
      },
      inference_billed: (e: EventOf<"inference_billed">) => {
        const s = this.slot(e.agent);
        this.add(s, -e.fee);
        this.market(s).pot += e.fee;
        t.fees[s.idx]! += e.fee;
      },
      dividends_paid: (e: EventOf<"dividends_paid">) => {
        this.marketNamed(e.market)!.pot = 0;
        for (const p of e.payouts) {
          const s = this.slot(p.agent);
          this.add(s, p.amount);
          t.dividends[s.idx]! += p.amount;
        }
      },
      interest_charged: (e: EventOf<"interest_charged">) => {
        const s = this.slot(e.agent);
        this.add(s, -e.amount);
        t.interest[s.idx]! += e.amount;
      },
      lottery_drawn: (e: EventOf<"lottery_drawn">) => {
        const m = this.marketNamed(e.market)!;
        if (e.winner !== null) {
          const s = this.slot(e.winner);
          this.add(s, e.reward);
          this.wins[s.idx]!++;
          t.blocks[s.idx]!++;
          m.lastVia = e.via!;
        }
        // The market's turn is over: clear what the turn gathered.
        m.entrants = [];
        m.pot = 0;
        for (const s of m.members) {
          this.llmIn[s.idx] = 0;
          this.llmOut[s.idx] = 0;
          this.llmCalled[s.idx] = 0;
          this.jobbed[s.idx] = 0;
        }
      },
      economy_action_refused: (e: EventOf<"economy_action_refused">) => {
        const s = this.pop.byId.get(e.agent);
        if (s) t.refused[s.idx]!++;
      },
    };
  }
}
