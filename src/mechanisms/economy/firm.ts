/**
 * The paper's firm: the driver's `choose_action` (research/run_experiments.py
 * in the seed), rule for rule and in the same order, with a regime's
 * probabilities as parameters. Its draws come from the agent's own stream;
 * its token usage is drawn by the economy, as the driver draws it per turn.
 *
 *  1. rule on a dispute it arbitrates (for the proposer with `ruling_for_proposer`);
 *  2. sign a contract proposed to it (`sign`) or one it arbitrates (`arbitrator_sign`);
 *  3. confirm (`confirm`) or else dispute (`dispute`) a contract due for delivery;
 *  4. on the auction turn, bid |normal(mean, std)| (at most 35% of its balance) for a random core;
 *  5. in debt: a job with `debt_job`, else mine; below `low_balance`: a job with `low_balance_job`;
 *  6. one draw down the cascade mine, stake 5–25%, burn 3–20%, transfer 1–8% (≤ 30),
 *     propose a contract (balance > 80, not in the last two turns), each needing
 *     a balance above 20 (15 for a transfer); else study (`study`, balance > 100); else mine.
 */
import { NOOP, type Action } from "../../kernel/actions.ts";
import type { Outcome, Policy, PolicyContext, TurnView } from "../../kernel/policy.ts";
import type { Proposal } from "../../kernel/population.ts";
import type { Rng } from "../../kernel/rng/types.ts";
import type { ContractType } from "../contracts/state.ts";
import type { FirmParams } from "./language.ts";

const CONTRACT_TYPES: readonly ContractType[] = ["service", "information_sale", "forward", "loan"];

/** A standard normal draw (Box–Muller on two uniforms of the agent's stream). */
function gauss(rng: Rng, mean: number, std: number): number {
  const u1 = rng.random();
  const u2 = rng.random();
  return mean + std * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

export class FirmPolicy implements Policy {
  constructor(
    private readonly id: string,
    private readonly p: FirmParams,
    private readonly _ctx: PolicyContext,
  ) {}

  act(view: TurnView): Action {
    const eco = view.economy();
    if (!eco) return NOOP;
    const p = this.p;
    const rng = view.rng;
    const me = this.id;
    const contracts = view.contracts?.() ?? null;

    if (contracts) {
      for (const c of contracts.disputed) {
        if (c.arbitrator === me && c.status === "disputed") {
          const ruling = rng.random() < p.rulingForProposer ? c.proposer : c.counterparty;
          return { kind: "arbitrator_ruling", contract: c.id, ruling };
        }
      }
      for (const c of contracts.pendingSign) {
        if (c.counterparty === me && c.status === "proposed" && rng.random() < p.sign) return { kind: "sign_contract", contract: c.id };
        if (c.arbitrator === me && (c.status === "proposed" || c.status === "countersigned") && rng.random() < p.arbitratorSign) return { kind: "sign_contract", contract: c.id };
      }
      for (const c of contracts.due) {
        if (c.status !== "active") continue;
        if (c.proposer === me || c.counterparty === me) {
          if (rng.random() < p.confirm) return { kind: "confirm_delivery", contract: c.id };
          if (rng.random() < p.dispute) return { kind: "dispute_delivery", contract: c.id };
        }
      }
    }

    const balance = eco.balance;
    if (eco.auctionOpen) {
      const core = rng.below(eco.rules.cores);
      let bid = Math.max(1, Math.trunc(Math.abs(gauss(rng, p.coreBidMean, p.coreBidStd))));
      bid = Math.min(bid, Math.max(1, Math.trunc(balance * 0.35)));
      return { kind: "bid_core", core, amount: bid };
    }

    if (balance < 0) return rng.random() < p.debtJob ? { kind: "job" } : { kind: "mine" };
    if (balance < p.lowBalance && rng.random() < p.lowBalanceJob) return { kind: "job" };

    let r = rng.random();
    if (r < p.mine) return { kind: "mine" };
    r -= p.mine;
    if (r < p.stake && balance > 20) {
      const amount = Math.min(Math.trunc(balance * rng.uniform(0.05, 0.25)), Math.max(5, Math.trunc(balance) - 1));
      return { kind: "stake", amount: Math.max(1, amount) };
    }
    r -= p.stake;
    if (r < p.burn && balance > 20) {
      const amount = Math.min(Math.trunc(balance * rng.uniform(0.03, 0.2)), Math.max(3, Math.trunc(balance) - 1));
      return { kind: "burn", amount: Math.max(1, amount) };
    }
    r -= p.burn;
    if (r < p.transfer && balance > 15 && eco.peers.length) {
      const to = eco.peers[rng.below(eco.peers.length)]!;
      const amount = Math.max(1, Math.min(Math.trunc(balance * rng.uniform(0.01, 0.08)), 30));
      return { kind: "transfer", to, amount };
    }
    r -= p.transfer;
    if (r < p.propose && eco.turn < eco.maxTurns - 2 && balance > 80 && eco.peers.length >= 2 && contracts) {
      const counterparty = eco.peers[rng.below(eco.peers.length)]!;
      const others = eco.peers.filter((a) => a !== counterparty);
      const arbitrator = others[rng.below(others.length)]!;
      const delivery = Math.min(eco.maxTurns - 1, eco.turn + rng.randint(2, 6));
      const price = rng.randint(15, 80);
      const collateral = { proposer: rng.randint(10, 40), counterparty: rng.randint(10, 40), arbitrator: rng.randint(5, 20) };
      const type = CONTRACT_TYPES[rng.below(CONTRACT_TYPES.length)]!;
      const penalty = rng.randint(5, 20);
      const arbitratorFee = rng.randint(2, 8);
      return { kind: "propose_contract", counterparty, arbitrator, type, price, delivery, collateral, settlement: "attested", penalty, arbitratorFee };
    }
    if (balance > 100 && rng.random() < p.study) return { kind: "study" };
    return { kind: "mine" };
  }

  /** Firms trade through contracts, not interaction proposals. */
  accept(_proposal: Proposal, _view: TurnView): boolean {
    return false;
  }

  onOutcome(_o: Outcome): void {}
}
