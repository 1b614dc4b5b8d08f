/** The `transaction_tax` lever and its plan slice. */
import { z } from "zod";
import { prob, slice } from "../../spec/plan.ts";
import { lever, prob as probAttr, SWARM } from "../../spec/build.ts";

export const TAX_SLICE = slice(["governance", "transactionTax"], z.strictObject({ rate: prob, split: prob }));

export const TRANSACTION_TAX = lever("transaction_tax", "Tax on the transfer τ of each interaction, split between the parties.", [
  probAttr("rate", 0, "Fraction of |τ| charged.", { key: "rate", live: true, off: 0, advise: { max: 0.5, why: "the whitepaper studies tax rates in [0, 0.5]" }, reference: "governance.transaction_tax_rate" }),
  probAttr("split", 0.5, "Initiator's share of the tax; the counterparty pays the rest.", { key: "split", live: true, reference: "governance.transaction_tax_split" }),
], { inert: { profiles: SWARM, why: "the reference's transfers are always 0, so the tax never charges anything" }, lower: { slice: TAX_SLICE } });
