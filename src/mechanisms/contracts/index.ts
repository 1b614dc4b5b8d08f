/**
 * Contracts between the agents of a market (docs/economy.md): a proposer
 * names a counterparty and an arbitrator; each of the three posts
 * collateral; the counterparty countersigns (and receives the signing bonus),
 * the arbitrator signs last and the contract is active. At the delivery turn
 * an attested contract settles once both parties confirm within the
 * confirmation window, an automatic one when its on-chain condition holds
 * (the buyer can pay; an information sale's seller delivered). A party may
 * dispute instead; the arbitrator rules. Timeouts and failed conditions are
 * defaults: the defaulters' collateral is slashed (destroyed) and they pay
 * their penalty to the other party.
 *
 * Part of the economy: without an `economy` block it is inert.
 */
import type { Action, ActionOf } from "../../kernel/actions.ts";
import type { EventOf } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { TurnView } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { economy, turnOf, type ActiveEconomy } from "../economy/index.ts";
import { contractsLlm } from "./llm.ts";
import { CONTRACT_METRICS } from "./metrics.ts";
import { CONTRACT_TYPES, SETTLEMENTS, TERMINAL, viewOf, type ChangeReason, type Collateral, type Contract, type ContractsSight, type ContractType, type Flow, type Settlement, type Status, type Terms } from "./state.ts";

declare module "../../kernel/actions.ts" {
  interface ActionMap {
    propose_contract: { readonly kind: "propose_contract" } & Terms;
    sign_contract: { readonly kind: "sign_contract"; readonly contract: number };
    confirm_delivery: { readonly kind: "confirm_delivery"; readonly contract: number };
    dispute_delivery: { readonly kind: "dispute_delivery"; readonly contract: number };
    arbitrator_ruling: { readonly kind: "arbitrator_ruling"; readonly contract: number; readonly ruling: string };
    sell_information: { readonly kind: "sell_information"; readonly contract: number };
  }
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** The contracts of the agent's market, or null when the scenario has no economy. */
    contracts(): ContractsSight | null;
  }
}

/** Per-agent contract tallies: this epoch's (by proposer) and the run's. */
export interface ContractTally {
  proposed: Int32Array;
  settled: Int32Array;
  defaulted: Int32Array;
  proposedTotal: Int32Array;
  settledTotal: Int32Array;
}

/** Flows of a transition, one entry per agent in order of first appearance. */
class Flows {
  private readonly list: { agent: string; balance: number; escrow: number }[] = [];
  destroyed = 0;
  private at(agent: string) {
    let f = this.list.find((x) => x.agent === agent);
    if (!f) this.list.push((f = { agent, balance: 0, escrow: 0 }));
    return f;
  }
  balance(agent: string, delta: number): this {
    if (delta !== 0) this.at(agent).balance += delta;
    return this;
  }
  escrow(agent: string, delta: number): this {
    if (delta !== 0) this.at(agent).escrow += delta;
    return this;
  }
  pay(from: string, to: string, amount: number): this {
    if (amount > 0 && from !== to) this.balance(from, -amount).balance(to, amount);
    return this;
  }
  release(agent: string, amount: number): this {
    return this.escrow(agent, -amount).balance(agent, amount);
  }
  slash(agent: string, amount: number): this {
    this.destroyed += amount;
    return this.escrow(agent, -amount);
  }
  done(): Flow[] {
    return this.list.filter((f) => f.balance !== 0 || f.escrow !== 0);
  }
}

function createContracts(w: World) {
  const eco = w.get(economy);
  if (!eco.active) return inert();
  const e: ActiveEconomy = eco;
  const pop = w.population;
  const contracts: Contract[] = [];
  /** Open contracts per market index, in id order. */
  const open: Contract[][] = e.ledger.markets.map(() => []);
  const escrow = new Float64Array(pop.size);
  const n = pop.size;
  const tally: ContractTally = { proposed: new Int32Array(n), settled: new Int32Array(n), defaulted: new Int32Array(n), proposedTotal: new Int32Array(n), settledTotal: new Int32Array(n) };
  const slot = (id: string): AgentSlot | undefined => pop.byId.get(id);

  const refuse = (actor: AgentSlot, a: Action, reason: string) => e.refuse(actor, a, reason);
  const find = (id: number): Contract | undefined => (Number.isInteger(id) ? contracts[id] : undefined);
  const held = (c: Contract, agent: string) => c.escrow.get(agent) ?? 0;

  const change = (c: Contract, to: Status, reason: ChangeReason, by: string | null, flows: Flows, defaulters: string[] = [], learned: string | null = null): void => {
    w.emit({ type: "contract_changed", ...w.at(), turn: turnOf(w), id: c.id, from: c.status, to, reason, by, flows: flows.done(), destroyed: flows.destroyed, defaulters, learned });
  };

  /** Every escrowed token back to its owner. */
  const releaseAll = (c: Contract, flows: Flows): Flows => {
    for (const [agent, amount] of c.escrow) if (amount) flows.release(agent, amount);
    return flows;
  };

  function settle(c: Contract, reason: ChangeReason, by: string | null, feePayer: string): void {
    const t = c.terms;
    const flows = releaseAll(c, new Flows()).pay(t.counterparty, c.proposer, t.price).pay(feePayer, t.arbitrator, t.arbitratorFee);
    change(c, "settled", reason, by, flows, [], t.type === "information_sale" ? t.counterparty : null);
  }

  function fail(c: Contract, reason: ChangeReason, by: string | null, defaulters: string[], feePayer: string | null): void {
    const t = c.terms;
    const flows = new Flows();
    for (const [agent, amount] of c.escrow) {
      if (!amount) continue;
      if (defaulters.includes(agent)) flows.slash(agent, amount);
      else flows.release(agent, amount);
    }
    const parties = [c.proposer, t.counterparty];
    const wronged = parties.filter((p) => !defaulters.includes(p));
    if (wronged.length === 1) for (const d of defaulters) if (parties.includes(d)) flows.pay(d, wronged[0]!, t.penalty);
    if (feePayer) flows.pay(feePayer, t.arbitrator, t.arbitratorFee);
    change(c, "defaulted", reason, by, flows, defaulters);
  }

  /** The end of a turn: settlement, defaults, expiries, in contract order (after the economy's turn). */
  function settleTurn(turn: number): void {
    for (const list of open) {
      for (const c of [...list]) {
        const t = c.terms;
        const window = e.ledger.markets[marketIndex(c)]!.rules.contracts;
        // Proposals never expire: a proposal nobody signs keeps its escrow (the sources give no expiry, and
        // the paper's signature traffic and final supply need the open proposals: docs/economy.md).
        if (c.status === "active") {
          if (turn < t.delivery) continue;
          if (t.settlement === "attested") {
            if (c.confirmed.has(c.proposer) && c.confirmed.has(t.counterparty)) settle(c, "confirmed", null, c.proposer);
            else if (turn >= t.delivery + window.confirmationWindow) {
              const silent = [c.proposer, t.counterparty].filter((p) => !c.confirmed.has(p));
              fail(c, "timeout", null, window.slashBothOnTimeout ? [c.proposer, t.counterparty] : silent, null);
            }
          } else if (t.type === "information_sale" && !c.delivered) fail(c, "undelivered", null, [c.proposer], null);
          else if ((slot(t.counterparty)?.resources ?? 0) >= t.price) settle(c, "automatic", null, c.proposer);
          else fail(c, "unpaid", null, [t.counterparty], null);
        } else if (c.status === "disputed") {
          if (turn >= (c.disputedAt ?? turn) + window.confirmationWindow) fail(c, "dispute_timeout", null, [c.proposer, t.counterparty, t.arbitrator], null);
        }
      }
    }
  }

  const marketIndex = (c: Contract): number => e.ledger.markets.findIndex((m) => m.name === c.market);

  const due = (c: Contract, turn: number): boolean => turn >= c.terms.delivery;

  return {
    active: true as const,
    contracts,
    tally,
    escrowHeld: (s: AgentSlot): number => escrow[s.idx]!,
    stepEnd(): void {
      settleTurn(turnOf(w));
    },
    llmExtension: () => contractsLlm(w, contracts),
    turn: {
      contracts(this: TurnView): ContractsSight {
        const turn = turnOf(w);
        const list = open[e.ledger.marketOf[this.self.idx]!]!;
        const views = list.map(viewOf);
        return {
          turn,
          pendingSign: views.filter((c) => c.status === "proposed" || c.status === "countersigned"),
          disputed: views.filter((c) => c.status === "disputed"),
          due: views.filter((c) => c.status === "active" && c.delivery <= turn),
        };
      },
    },
    actions: {
      propose_contract(actor: AgentSlot, a: ActionOf<"propose_contract">): boolean {
        const turn = turnOf(w);
        const m = e.ledger.market(actor);
        const cp = slot(a.counterparty);
        const arb = slot(a.arbitrator);
        if (!cp || cp === actor) return refuse(actor, a, `no other agent '${a.counterparty}' to contract with`);
        if (!arb || arb === actor || arb === cp) return refuse(actor, a, `the arbitrator must be a third agent, not '${a.arbitrator}'`);
        if (e.ledger.marketOf[cp.idx] !== m.index || e.ledger.marketOf[arb.idx] !== m.index) return refuse(actor, a, "all three parties must trade in the same market");
        if (!(CONTRACT_TYPES as readonly string[]).includes(a.type)) return refuse(actor, a, `unknown contract type '${a.type}'`);
        if (!(SETTLEMENTS as readonly string[]).includes(a.settlement)) return refuse(actor, a, `unknown settlement '${a.settlement}'`);
        if (!Number.isInteger(a.delivery) || a.delivery <= turn) return refuse(actor, a, `the delivery turn must come after this turn (${turn})`);
        const amounts = [a.price, a.penalty, a.arbitratorFee, a.collateral.proposer, a.collateral.counterparty, a.collateral.arbitrator];
        if (!amounts.every((x) => Number.isFinite(x) && x >= 0)) return refuse(actor, a, "prices, fees and collateral must be amounts of at least 0");
        const bonus = m.rules.contracts.signingBonus;
        const locked = a.collateral.proposer + bonus + (a.type === "loan" ? a.price : 0);
        if (locked > actor.resources) return refuse(actor, a, `the proposer's collateral${bonus ? ", signing bonus" : ""}${a.type === "loan" ? " and the loan" : ""} (${locked}) exceed the balance`);
        const terms: Terms = { counterparty: cp.id, arbitrator: arb.id, type: a.type, price: a.price, delivery: a.delivery, collateral: { ...a.collateral }, settlement: a.settlement, penalty: a.penalty, arbitratorFee: a.arbitratorFee };
        const flows = new Flows().balance(actor.id, -locked).escrow(actor.id, locked);
        w.emit({ type: "contract_proposed", ...w.at(), turn, id: contracts.length, market: m.name, proposer: actor.id, terms, bonus, flows: flows.done() });
        return true;
      },
      sign_contract(actor: AgentSlot, a: ActionOf<"sign_contract">): boolean {
        const c = find(a.contract);
        if (!c || TERMINAL.has(c.status)) return refuse(actor, a, `no open contract ${a.contract}`);
        const t = c.terms;
        if (actor.id === t.counterparty) {
          if (c.status !== "proposed") return refuse(actor, a, `contract ${c.id} is already ${c.status}`);
          if (t.collateral.counterparty > actor.resources) return refuse(actor, a, "the counterparty's collateral exceeds the balance");
          const flows = new Flows().balance(actor.id, -t.collateral.counterparty).escrow(actor.id, t.collateral.counterparty).escrow(c.proposer, -c.bonus).balance(actor.id, c.bonus);
          change(c, "countersigned", "countersigned", actor.id, flows);
          return true;
        }
        if (actor.id === t.arbitrator) {
          if (c.status === "proposed") return refuse(actor, a, `contract ${c.id} waits for its counterparty's signature first`);
          if (c.status !== "countersigned") return refuse(actor, a, `contract ${c.id} is already ${c.status}`);
          if (t.collateral.arbitrator > actor.resources) return refuse(actor, a, "the arbitrator's collateral exceeds the balance");
          const flows = new Flows().balance(actor.id, -t.collateral.arbitrator).escrow(actor.id, t.collateral.arbitrator);
          if (t.type === "loan") flows.escrow(c.proposer, -t.price).balance(t.counterparty, t.price);
          change(c, "active", "signed", actor.id, flows);
          return true;
        }
        return refuse(actor, a, `${actor.id} is not a party to sign contract ${c.id}`);
      },
      confirm_delivery(actor: AgentSlot, a: ActionOf<"confirm_delivery">): boolean {
        const c = find(a.contract);
        const turn = turnOf(w);
        if (!c || c.status !== "active") return refuse(actor, a, `contract ${a.contract} is not active`);
        if (actor.id !== c.proposer && actor.id !== c.terms.counterparty) return refuse(actor, a, `${actor.id} is not a party to contract ${c.id}`);
        if (c.terms.settlement !== "attested") return refuse(actor, a, `contract ${c.id} settles automatically`);
        if (!due(c, turn)) return refuse(actor, a, `contract ${c.id} is due on turn ${c.terms.delivery}`);
        if (c.confirmed.has(actor.id)) return refuse(actor, a, `${actor.id} already confirmed contract ${c.id}`);
        w.emit({ type: "contract_confirmed", ...w.at(), turn, id: c.id, by: actor.id });
        return true;
      },
      dispute_delivery(actor: AgentSlot, a: ActionOf<"dispute_delivery">): boolean {
        const c = find(a.contract);
        const turn = turnOf(w);
        if (!c || c.status !== "active") return refuse(actor, a, `contract ${a.contract} is not active`);
        if (actor.id !== c.proposer && actor.id !== c.terms.counterparty) return refuse(actor, a, `${actor.id} is not a party to contract ${c.id}`);
        if (!due(c, turn)) return refuse(actor, a, `contract ${c.id} is due on turn ${c.terms.delivery}`);
        change(c, "disputed", "disputed", actor.id, new Flows());
        return true;
      },
      arbitrator_ruling(actor: AgentSlot, a: ActionOf<"arbitrator_ruling">): boolean {
        const c = find(a.contract);
        if (!c || c.status !== "disputed") return refuse(actor, a, `contract ${a.contract} is not disputed`);
        if (actor.id !== c.terms.arbitrator) return refuse(actor, a, `${actor.id} does not arbitrate contract ${c.id}`);
        if (a.ruling === c.proposer) settle(c, "ruling", actor.id, c.terms.counterparty);
        else if (a.ruling === c.terms.counterparty) fail(c, "ruling", actor.id, [c.proposer], c.proposer);
        else return refuse(actor, a, `a ruling is for ${c.proposer} or ${c.terms.counterparty}, not '${a.ruling}'`);
        return true;
      },
      sell_information(actor: AgentSlot, a: ActionOf<"sell_information">): boolean {
        const c = find(a.contract);
        if (!c || c.status !== "active") return refuse(actor, a, `contract ${a.contract} is not active`);
        if (c.terms.type !== "information_sale" || actor.id !== c.proposer) return refuse(actor, a, `${actor.id} does not sell information under contract ${c.id}`);
        if (c.delivered) return refuse(actor, a, `contract ${c.id}'s information was already delivered`);
        w.emit({ type: "contract_delivered", ...w.at(), turn: turnOf(w), id: c.id, by: actor.id });
        return true;
      },
    },
    reduce: {
      epoch_started: () => {
        tally.proposed.fill(0);
        tally.settled.fill(0);
        tally.defaulted.fill(0);
      },
      contract_proposed: (ev: EventOf<"contract_proposed">) => {
        const c: Contract = { id: ev.id, market: ev.market, proposer: ev.proposer, terms: ev.terms, bonus: ev.bonus, proposedTurn: ev.turn, status: "proposed", confirmed: new Set(), delivered: false, disputedAt: null, escrow: new Map() };
        contracts[ev.id] = c;
        open[marketIndex(c)]!.push(c);
        apply(c, ev.flows);
        const p = slot(ev.proposer)!;
        tally.proposed[p.idx]!++;
        tally.proposedTotal[p.idx]!++;
      },
      contract_changed: (ev: EventOf<"contract_changed">) => {
        const c = contracts[ev.id]!;
        apply(c, ev.flows);
        c.status = ev.to;
        if (ev.to === "disputed") c.disputedAt = ev.turn;
        const p = slot(c.proposer)!;
        if (ev.to === "settled") {
          tally.settled[p.idx]!++;
          tally.settledTotal[p.idx]!++;
        }
        if (ev.to === "defaulted") tally.defaulted[p.idx]!++;
        if (TERMINAL.has(ev.to)) {
          const list = open[marketIndex(c)]!;
          list.splice(list.indexOf(c), 1);
        }
      },
      contract_confirmed: (ev: EventOf<"contract_confirmed">) => {
        contracts[ev.id]!.confirmed.add(ev.by);
      },
      contract_delivered: (ev: EventOf<"contract_delivered">) => {
        contracts[ev.id]!.delivered = true;
      },
    },
    verify(ev: { type: string }): string | null {
      if (ev.type !== "contract_changed") return null;
      const x = ev as EventOf<"contract_changed">;
      const c = contracts[x.id];
      if (!c) return `contract_changed for unknown contract ${x.id}`;
      if (c.status !== x.from) return `contract ${x.id} changes from ${x.from}, but it is ${c.status}`;
      const sum = x.flows.reduce((a, f) => a + f.balance + f.escrow, 0) + x.destroyed;
      return Math.abs(sum) < 1e-6 ? null : `contract ${x.id}'s ${x.from} → ${x.to} flows do not balance (${sum})`;
    },
  };

  function apply(c: Contract, flows: readonly Flow[]): void {
    for (const f of flows) {
      const s = slot(f.agent)!;
      if (f.balance) pop.addResources(s, f.balance);
      if (f.escrow) {
        escrow[s.idx]! += f.escrow;
        c.escrow.set(f.agent, (c.escrow.get(f.agent) ?? 0) + f.escrow);
      }
    }
  }
}

function inert() {
  const no = (): boolean => false;
  return {
    active: false as const,
    actions: { propose_contract: no, sign_contract: no, confirm_delivery: no, dispute_delivery: no, arbitrator_ruling: no, sell_information: no },
    turn: {
      contracts(this: TurnView): ContractsSight | null {
        return null;
      },
    },
  };
}

export type ContractsInstance = ReturnType<typeof createContracts>;

export const contractsMechanism = mechanism({
  name: "contracts",
  doc: "Three-party contracts with collateral, delivery, settlement, disputes and slashing, in the economy's markets.",
  create: createContracts,
  metrics: CONTRACT_METRICS,
});
