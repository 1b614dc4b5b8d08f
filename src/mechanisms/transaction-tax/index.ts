/**
 * Transaction tax: a share `rate` of the transfer |τ| of every interaction
 * (accepted ones only in profile sbx), split between the parties by `split`.
 * In profile sbx the tax goes to the public pool; in swarm-0.1 transfers are
 * always 0, so it never charges anything.
 */
import { TRANSACTION_TAX, TAX_SLICE } from "./language.ts";
import type { Effect } from "../../kernel/effect.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { InteractionRecord } from "../../kernel/records.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";

function createTax(w: World) {
  // Read on every interaction, not once: a parameter shock may change the rate mid-run.
  const tax = w.slice(TAX_SLICE);
  const acceptedOnly = w.semantics.governAcceptedOnly;
  if (tax.rate === 0) return {};
  return {
    governInteraction(x: InteractionRecord, effect: Effect): void {
      if (acceptedOnly && !x.accepted) return;
      const total = tax.rate * Math.abs(x.tau);
      const a = total * tax.split;
      const b = total * (1 - tax.split);
      effect.costA += a;
      effect.costB += b;
      x.tax = a + b;
    },
  };
}

type Tax = ReturnType<typeof createTax>;

export const transactionTax = mechanism({
  name: "transaction-tax",
  doc: "Tax on each interaction's transfer, split between the parties.",
  plan: [TAX_SLICE],
  language: [{ under: "governance", block: TRANSACTION_TAX }],
  create: createTax,
  metrics: [
    series<Tax>("governance", "none", "flow", "governance.tax", "payoff", "Transaction tax charged this epoch.", "Σ rate·|τ|", (_m, _sel, w) => w.get(interactions).epoch.tax),
  ],
});
