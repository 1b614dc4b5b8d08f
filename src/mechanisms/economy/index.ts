/**
 * The compute-rationed token economy (docs/economy.md): every agent holds a
 * token balance — its `resources` — from a genesis allocation; each turn
 * (a step) its inference above a commons threshold is billed, the fees go to
 * the owners of the cores auctioned on the first turn, negative balances pay
 * interest that is destroyed, and the agents that mine, stake or burn enter
 * a block lottery. Contracts are their own mechanism (src/mechanisms/contracts).
 *
 * The turn, in the paper's order: actions as agents take them; then, at the
 * step's end, per market: inference billing, dividends, interest, unstaked
 * tokens returning, the lottery, and on the auction turn the core auction;
 * then contract settlement (the next mechanism in the list).
 *
 * Inert without an `economy` block: no events, no metrics, every economy
 * action refused without a trace.
 */
import type { Action } from "../../kernel/actions.ts";
import type { EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { TurnView } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { pool } from "../pool/index.ts";
import { FirmPolicy } from "./firm.ts";
import { ECONOMY, ECONOMY_SLICE, FIRM, FirmParams, type Economy as EconomyPlan } from "./language.ts";
import { Ledger, type Market, type Via } from "./ledger.ts";
import { economyLlm } from "./llm.ts";
import { turnOf } from "./turn.ts";
import { ECONOMY_METRICS } from "./metrics.ts";
import { burnWeight, drawUnits, inferenceFee, interestOn } from "./rules.ts";

declare module "../../kernel/actions.ts" {
  interface ActionMap {
    bid_core: { readonly kind: "bid_core"; readonly core: number; readonly amount: number };
    mine: { readonly kind: "mine" };
    stake: { readonly kind: "stake"; readonly amount: number };
    unstake: { readonly kind: "unstake"; readonly amount: number };
    burn: { readonly kind: "burn"; readonly amount: number };
    transfer: { readonly kind: "transfer"; readonly to: string; readonly amount: number };
    job: { readonly kind: "job" };
    study: { readonly kind: "study" };
  }
}

declare module "../../kernel/mechanism.ts" {
  interface Instance {
    /** Tokens of an agent another mechanism holds in escrow (contract collateral): part of its wealth and of the supply. */
    escrowHeld?(agent: AgentSlot): number;
  }
}

/** What an agent sees of the economy on its turn. */
export interface EconomySight {
  /** This turn, counted from 1, and the run's last turn. */
  readonly turn: number;
  readonly maxTurns: number;
  readonly balance: number;
  readonly staked: number;
  readonly level: number;
  readonly market: string | null;
  /** The other agents of its market, in registration order. */
  readonly peers: readonly string[];
  readonly rules: Market["rules"];
  /** Core owners once the auction resolved (null before). */
  readonly owners: readonly (string | null)[] | null;
  readonly auctionOpen: boolean;
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** The agent's view of the economy, or null when the scenario has none. */
    economy(): EconomySight | null;
  }
}

export { turnOf };

function createEconomy(w: World) {
  const plan = w.slice(ECONOMY_SLICE) as EconomyPlan | undefined;
  if (!plan) return inert();
  const pop = w.population;
  const ledger = new Ledger(plan, pop);
  const maxTurns = w.plan.simulation.epochs * w.plan.simulation.stepsPerEpoch;
  const usage = ledger.markets.map((m) => w.random.stream(`economy:usage:${m.name ?? ""}`));
  const lottery = ledger.markets.map((m) => w.random.stream(`economy:lottery:${m.name ?? ""}`));

  const refuse = (actor: AgentSlot, action: Action, reason: string): false => {
    w.emit({ type: "economy_action_refused", ...w.at(), agent: actor.id, action: action.kind, reason });
    return false;
  };
  const amountOk = (x: number) => Number.isFinite(x) && x > 0;

  /** The end of a turn in one market: billing, dividends, interest, unstakes, the lottery, the auction. */
  function closeTurn(m: Market, turn: number): void {
    const at = w.at();
    const r = m.rules;
    for (const s of m.members) {
      if (s.frozen || ledger.jobbed[s.idx]) continue;
      const level = ledger.level[s.idx]!;
      if (s.kind === "llm") {
        const thinking = ledger.llmIn[s.idx]!;
        const output = ledger.llmOut[s.idx]!;
        if (!ledger.llmCalled[s.idx]) continue;
        w.emit({ type: "inference_billed", ...at, turn, agent: s.id, source: "llm", thinking, output, level, fee: inferenceFee(r, thinking, output, level) });
      } else {
        const thinking = drawUnits(r.thinkingUnits, usage[m.index]!);
        const output = drawUnits(r.outputUnits, usage[m.index]!);
        w.emit({ type: "inference_billed", ...at, turn, agent: s.id, source: "scripted", thinking, output, level, fee: inferenceFee(r, thinking, output, level) });
      }
    }
    if (m.pot > 0) {
      const payouts: { agent: string; amount: number }[] = [];
      if (m.owners && r.cores > 0) {
        const share = Math.floor(m.pot / r.cores);
        for (const owner of m.owners) {
          if (owner === null || share === 0) continue;
          const p = payouts.find((x) => x.agent === owner);
          if (p) p.amount += share;
          else payouts.push({ agent: owner, amount: share });
        }
      }
      const paid = payouts.reduce((a, p) => a + p.amount, 0);
      w.emit({ type: "dividends_paid", ...at, turn, market: m.name, fees: m.pot, payouts, destroyed: m.pot - paid });
    }
    for (const s of m.members) {
      const amount = interestOn(r, s.resources);
      if (amount > 0) w.emit({ type: "interest_charged", ...at, turn, agent: s.id, amount });
    }
    for (const u of ledger.pendingUnstakes.filter((x) => x.due <= turn && ledger.marketOf[x.agent.idx] === m.index)) {
      w.emit({ type: "unstake_released", ...at, turn, agent: u.agent.id, amount: u.amount });
    }
    draw(m, turn);
    if (turn === r.auctionTurn && m.owners === null) resolveAuction(m, turn);
  }

  /** The lottery: entries (Slimcoin: only miners after a stake or burn block), a block at the threshold, the winner ∝ weight. */
  function draw(m: Market, turn: number): void {
    const r = m.rules.lottery;
    const eligible = m.entrants.filter((e) => !(r.slimcoin && m.lastVia !== "mine" && e.via !== "mine") && e.weight > 0);
    const total = eligible.reduce((a, e) => a + e.weight, 0);
    let winner: (typeof eligible)[number] | null = null;
    if (eligible.length && total >= r.threshold) {
      let u = lottery[m.index]!.random() * total;
      for (const e of eligible) {
        winner = e;
        u -= e.weight;
        if (u < 0) break;
      }
    }
    w.emit({ type: "lottery_drawn", ...w.at(), turn, market: m.name, total, winner: winner?.agent.id ?? null, via: winner?.via ?? null, reward: winner ? r.reward : 0 });
  }

  /**
   * Each core to its highest bid (the first of equal bids); cores nobody bid
   * for go round the bidders, those without a core first (the paper's
   * driver). Winning bids are paid (destroyed), the rest refunded.
   */
  function resolveAuction(m: Market, turn: number): void {
    const cores = m.rules.cores;
    const winning: ({ agent: string; core: number; amount: number } | null)[] = Array.from({ length: cores }, () => null);
    for (const b of m.bids) {
      if (b.core >= cores) continue;
      const best = winning[b.core];
      if (!best || b.amount > best.amount) winning[b.core] = b;
    }
    const owners: (string | null)[] = winning.map((b) => b?.agent ?? null);
    const bidders = m.members.filter((s) => m.bids.some((b) => b.agent === s.id)).map((s) => s.id);
    if (bidders.length) {
      const fill = [...bidders.filter((a) => !owners.includes(a)), ...bidders];
      let i = 0;
      for (let c = 0; c < cores; c++) if (owners[c] === null) owners[c] = fill[i++ % fill.length]!;
    }
    const paid = winning.filter((b): b is NonNullable<typeof b> => b !== null).map((b) => ({ agent: b.agent, core: b.core, amount: b.amount }));
    const refundBy = new Map<string, number>();
    for (const b of m.bids) if (!winning.includes(b)) refundBy.set(b.agent, (refundBy.get(b.agent) ?? 0) + b.amount);
    const refunded = m.members.filter((s) => refundBy.has(s.id)).map((s) => ({ agent: s.id, amount: refundBy.get(s.id)! }));
    w.emit({ type: "core_auction_resolved", ...w.at(), turn, market: m.name, owners, paid, refunded });
  }

  return {
    active: true as const,
    ledger,
    maxTurns,
    refuse,
    /** Tokens other mechanisms hold for the agent (contract escrow). */
    escrowOf(s: AgentSlot): number {
      let held = 0;
      for (const h of w.hooks("escrowHeld")) held += h(s);
      return held;
    },
    /** Everything an agent owns. */
    wealthOf(s: AgentSlot): number {
      return ledger.holdings(s) + this.escrowOf(s);
    },
    /** The public pool's balance (governance charges), part of the supply. */
    poolBalance(): number {
      return w.get(pool).state.balance;
    },
    start(): void {
      const at = w.at();
      for (const s of pop.slots) w.emit({ type: "economy_genesis", ...at, agent: s.id, amount: ledger.market(s).rules.genesis });
    },
    stepEnd(): void {
      const turn = turnOf(w);
      for (const m of ledger.markets) if (m.members.length) closeTurn(m, turn);
    },
    turn: {
      economy(this: TurnView): EconomySight | null {
        const s = this.self;
        const m = ledger.market(s);
        const turn = turnOf(w);
        return {
          turn,
          maxTurns,
          balance: s.resources,
          staked: ledger.staked[s.idx]!,
          level: ledger.level[s.idx]!,
          market: m.name,
          peers: m.members.filter((o) => o !== s).map((o) => o.id),
          rules: m.rules,
          owners: m.owners,
          auctionOpen: turn === m.rules.auctionTurn && m.owners === null && m.rules.cores > 0,
        };
      },
    },
    llmExtension: () => economyLlm(w, ledger, maxTurns),
    actions: {
      bid_core(actor: AgentSlot, a: { core: number; amount: number; kind: "bid_core" }): boolean {
        const m = ledger.market(actor);
        if (turnOf(w) !== m.rules.auctionTurn || m.owners !== null) return refuse(actor, a, `the core auction takes bids on turn ${m.rules.auctionTurn} only`);
        if (!Number.isInteger(a.core) || a.core < 0 || a.core >= m.rules.cores) return refuse(actor, a, `no core ${a.core} (cores 0–${m.rules.cores - 1})`);
        if (!amountOk(a.amount)) return refuse(actor, a, "a bid must be a positive amount");
        if (a.amount > actor.resources) return refuse(actor, a, "the bid exceeds the balance");
        w.emit({ type: "core_bid", ...w.at(), turn: turnOf(w), agent: actor.id, core: a.core, amount: a.amount });
        return true;
      },
      mine(actor: AgentSlot): boolean {
        const r = ledger.market(actor).rules.lottery;
        w.emit({ type: "validation_entered", ...w.at(), turn: turnOf(w), agent: actor.id, via: "mine", amount: 0, weight: r.mineWeight });
        return true;
      },
      stake(actor: AgentSlot, a: { kind: "stake"; amount: number }): boolean {
        if (!amountOk(a.amount)) return refuse(actor, a, "a stake must be a positive amount");
        if (a.amount > actor.resources) return refuse(actor, a, "the stake exceeds the balance");
        const r = ledger.market(actor).rules.lottery;
        const weight = r.stakeWeight * (ledger.staked[actor.idx]! + a.amount);
        w.emit({ type: "validation_entered", ...w.at(), turn: turnOf(w), agent: actor.id, via: "stake", amount: a.amount, weight });
        return true;
      },
      unstake(actor: AgentSlot, a: { kind: "unstake"; amount: number }): boolean {
        if (!amountOk(a.amount)) return refuse(actor, a, "an unstake must be a positive amount");
        if (a.amount > ledger.staked[actor.idx]! + 1e-9) return refuse(actor, a, "more than is staked");
        const turn = turnOf(w);
        w.emit({ type: "unstake_requested", ...w.at(), turn, agent: actor.id, amount: a.amount, due: turn + ledger.market(actor).rules.lottery.unstakeDelay });
        return true;
      },
      burn(actor: AgentSlot, a: { kind: "burn"; amount: number }): boolean {
        if (!amountOk(a.amount)) return refuse(actor, a, "a burn must be a positive amount");
        if (a.amount > actor.resources) return refuse(actor, a, "the burn exceeds the balance");
        const turn = turnOf(w);
        const weight = burnWeight(ledger.market(actor).rules, ledger.burns[actor.idx]!, turn);
        w.emit({ type: "validation_entered", ...w.at(), turn, agent: actor.id, via: "burn", amount: a.amount, weight });
        return true;
      },
      transfer(actor: AgentSlot, a: { kind: "transfer"; to: string; amount: number }): boolean {
        const to = pop.byId.get(a.to);
        if (!to || to === actor) return refuse(actor, a, `no other agent '${a.to}'`);
        if (ledger.marketOf[to.idx] !== ledger.marketOf[actor.idx]) return refuse(actor, a, `${a.to} trades in another market`);
        if (!amountOk(a.amount)) return refuse(actor, a, "a transfer must be a positive amount");
        const fee = ledger.market(actor).rules.transferFee;
        if (a.amount + fee > actor.resources) return refuse(actor, a, "the transfer and its fee exceed the balance");
        w.emit({ type: "tokens_transferred", ...w.at(), turn: turnOf(w), from: actor.id, to: to.id, amount: a.amount, fee });
        return true;
      },
      job(actor: AgentSlot): boolean {
        const r = ledger.market(actor).rules;
        w.emit({ type: "job_done", ...w.at(), turn: turnOf(w), agent: actor.id, pay: r.jobPay * r.inferenceRate });
        return true;
      },
      study(actor: AgentSlot): boolean {
        w.emit({ type: "study_done", ...w.at(), turn: turnOf(w), agent: actor.id, level: ledger.level[actor.idx]! + 1 });
        return true;
      },
    },
    reduce: ledger.reducers(),
    verify(e: { type: string }): string | null {
      // Replay: what an event records must follow from what it logged.
      if (e.type === "inference_billed") {
        const b = e as EventOf<"inference_billed">;
        const s = pop.byId.get(b.agent);
        const fee = s ? inferenceFee(ledger.market(s).rules, b.thinking, b.output, b.level) : NaN;
        return fee === b.fee ? null : `inference_billed for ${b.agent} on turn ${b.turn} records fee ${b.fee}, but its units give ${fee}`;
      }
      if (e.type === "dividends_paid") {
        const d = e as EventOf<"dividends_paid">;
        const paid = d.payouts.reduce((a, p) => a + p.amount, 0);
        return paid + d.destroyed === d.fees && paid <= d.fees ? null : `dividends_paid on turn ${d.turn}: payouts ${paid} + destroyed ${d.destroyed} ≠ fees ${d.fees}`;
      }
      return null;
    },
  };
}

/** Without an economy block: nothing happens, and economy actions are refused without a trace. */
function inert() {
  const no = (): boolean => false;
  return {
    active: false as const,
    actions: { bid_core: no, mine: no, stake: no, unstake: no, burn: no, transfer: no, job: no, study: no },
    turn: {
      economy(this: TurnView): EconomySight | null {
        return null;
      },
    },
  };
}

export type EconomyInstance = ReturnType<typeof createEconomy>;
export type ActiveEconomy = Extract<EconomyInstance, { active: true }>;

export const economy = mechanism({
  name: "economy",
  doc: "The compute-rationed token economy: balances, inference billing, cores and dividends, interest and the block lottery.",
  plan: [ECONOMY_SLICE],
  language: [
    { under: "scenario", block: ECONOMY },
    { under: "declarations", block: FIRM },
  ],
  create: createEconomy,
  metrics: ECONOMY_METRICS,
  agents: {
    firm: { params: FirmParams, block: FIRM, policy: (a, ctx) => new FirmPolicy(a.id, a.params as FirmParams, ctx) },
  },
});

export type { Via };
