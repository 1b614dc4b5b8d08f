/** The `auction` block (with its `resource` pool) and its plan slice, present only when the block is written. */
import { z } from "zod";
import { nonNeg, optionalSlice, posInt } from "../../spec/plan.ts";
import { attr, block, enabled, INT, NUM, NAMES } from "../../spec/build.ts";

const positive = z.number().gt(0);

export const AuctionResource = z.strictObject({ name: z.string(), supply: positive });

export const Auction = z.strictObject({
  enabled: z.boolean(),
  /** Population groups or agent kinds that bids (null: every agent). */
  bidders: z.array(z.string()).nullable(),
  every: posInt,
  endowment: positive,
  maxRounds: posInt,
  rate: z.number().gt(0).max(1),
  tolerance: positive,
  envyTolerance: nonNeg,
  resources: z.array(AuctionResource),
});
export type Auction = z.infer<typeof Auction>;

export const AUCTION_SLICE = optionalSlice(["auction"], Auction);

const RESOURCE = block("resource", "A resource of the pool the auction allocates, with the quantity on offer.", [
  attr("supply", NUM, "Units of the resource in the pool, allocated in full or in part at every auction.", { key: "supply", unit: "units" }),
], { named: "required", repeatable: true, lower: { field: "resources", list: true } });

export const AUCTION = block("auction", "A Dworkin-style auction of a resource pool: equal endowments, tâtonnement prices, allocations scaled to the supply, and an envy-freeness check. It runs at the start of every `every`-th epoch among the agents that are not frozen.", [
  enabled(),
  attr("bidders", NAMES, "The population groups or agent kinds that bid; every agent when absent.", { key: "bidders", default: null }),
  attr("every", { t: "duration", unit: "epochs" }, "Epochs between auctions (the first is at epoch 0).", { key: "every", default: 1, unit: "epochs" }),
  attr("endowment", NUM, "Every bidder's budget of tokens (equal endowments).", { key: "endowment", default: 100, unit: "tokens", swarmField: "initial_endowment" }),
  attr("rounds", INT, "The tâtonnement's round cap.", { key: "maxRounds", default: 50, unit: "rounds", swarmField: "max_rounds" }),
  attr("rate", NUM, "Price adjustment rate: p ← max(0.01, p·(1 + rate·excess/supply)).", { key: "rate", default: 0.1, swarmField: "price_adjustment_rate" }),
  attr("tolerance", NUM, "The tâtonnement stops when the largest absolute excess demand is below this.", { key: "tolerance", default: 0.01, unit: "units", swarmField: "convergence_tolerance" }),
  attr("envy_tolerance", NUM, "Utility gaps up to this are not envy.", { key: "envyTolerance", default: 0.05, unit: "utility", swarmField: "envy_tolerance" }),
], { blocks: [RESOURCE], enabledByPresence: true, lower: { slice: AUCTION_SLICE, presence: "enabled" } });
