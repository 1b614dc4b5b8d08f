/** Economy plans for tests, compiled from .sbx by the real compiler, and the ledger an event log implies. */
import { expect } from "vitest";
import type { SimEvent } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";

/** The one scenario of `text`, compiled without errors. */
export function planOf(text: string): Plan {
  const c = compileText(text);
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const plan = c.scenarios[0]?.plan;
  if (!plan) throw new Error("no plan");
  return plan;
}

/** What an event adds to the token supply (genesis and mints) or takes from it (burns, interest, slashing, …). */
export function supplyChange(e: SimEvent): number {
  switch (e.type) {
    case "economy_genesis":
      return e.amount;
    case "job_done":
      return e.pay;
    case "lottery_drawn":
      return e.winner ? e.reward : 0;
    case "validation_entered":
      return e.via === "burn" ? -e.amount : 0;
    case "interest_charged":
      return -e.amount;
    case "dividends_paid":
      return -e.destroyed;
    case "core_auction_resolved":
      return -e.paid.reduce((a, p) => a + p.amount, 0);
    case "tokens_transferred":
      return -e.fee;
    case "contract_changed":
      return -e.destroyed;
    // Outside the economy: what interactions create (payoffs flow into balances in profile sbx) and governance moves into the pool.
    case "interaction_completed":
      return (e.resourceDeltaA ?? 0) + (e.resourceDeltaB ?? 0) + (e.pool ?? 0);
    case "task_verified":
      return e.passed ? e.bounty : 0;
    default:
      return 0;
  }
}
