/** Contract actions for LLM agents, checked with zod, and the contracts they are party to. */
import { z } from "zod";
import type { LlmExtension } from "../../llm/extension.ts";
import type { World } from "../../kernel/world.ts";
import { economy, turnOf } from "../economy/index.ts";
import type { Contract } from "./state.ts";
import { CONTRACT_TYPES, SETTLEMENTS, TERMINAL, type Collateral, type ContractType, type Settlement } from "./state.ts";

const Id = z.union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/, "expected a whole number").transform(Number)]);
const AgentId = z.union([z.string().min(1), z.number().transform(String)]);
const Amount = z.number().finite().nonnegative();
const Propose = z.looseObject({
  counterparty_id: AgentId,
  arbitrator_id: AgentId,
  contract_type: z.enum(CONTRACT_TYPES),
  price: Amount,
  delivery_turn: z.number().int().positive(),
  collateral: z.looseObject({ proposer: Amount, counterparty: Amount, arbitrator: Amount }),
  settlement: z.enum(SETTLEMENTS).optional(),
  penalty: Amount.optional(),
  arbitrator_fee: Amount.optional(),
});
type ProposeParams = { counterparty_id: string; arbitrator_id: string; contract_type: ContractType; price: number; delivery_turn: number; collateral: Collateral; settlement?: Settlement; penalty?: number; arbitrator_fee?: number };

/** For a run with contracts (and so an economy): what its LLM agents see of contracts and may do. */
export function contractsLlm(w: World, contracts: readonly Contract[]): LlmExtension | null {
  const e = w.get(economy);
  if (!e.active) return null;
  const byId = (kind: "sign_contract" | "confirm_delivery" | "dispute_delivery" | "sell_information") => (p: { contract_id: number }) => ({ kind, contract: p.contract_id });
  return {
    actions: [
      {
        type: "PROPOSE_CONTRACT",
        doc: `- PROPOSE_CONTRACT: propose a contract; you, the counterparty and the arbitrator each lock collateral, and you escrow the signing bonus (a loan also its price). params: {"counterparty_id": string, "arbitrator_id": string, "contract_type": one of ${CONTRACT_TYPES.map((t) => `"${t}"`).join(", ")}, "price": number, "delivery_turn": number, "collateral": {"proposer": number, "counterparty": number, "arbitrator": number}, "settlement": "attested" or "automatic" (optional), "penalty": number (optional), "arbitrator_fee": number (optional)}`,
        params: Propose,
        toAction: (p: ProposeParams) => ({
          kind: "propose_contract",
          counterparty: p.counterparty_id,
          arbitrator: p.arbitrator_id,
          type: p.contract_type,
          price: p.price,
          delivery: p.delivery_turn,
          collateral: { proposer: p.collateral.proposer, counterparty: p.collateral.counterparty, arbitrator: p.collateral.arbitrator },
          settlement: p.settlement ?? "attested",
          penalty: p.penalty ?? 0,
          arbitratorFee: p.arbitrator_fee ?? 0,
        }),
      },
      { type: "SIGN_CONTRACT", doc: '- SIGN_CONTRACT: sign a contract you are counterparty to (first) or arbitrate (last). params: {"contract_id": number}', params: z.looseObject({ contract_id: Id }), toAction: byId("sign_contract") },
      { type: "CONFIRM_DELIVERY", doc: '- CONFIRM_DELIVERY: confirm a due contract you are party to. params: {"contract_id": number}', params: z.looseObject({ contract_id: Id }), toAction: byId("confirm_delivery") },
      { type: "DISPUTE_DELIVERY", doc: '- DISPUTE_DELIVERY: dispute a due contract you are party to; its arbitrator rules. params: {"contract_id": number}', params: z.looseObject({ contract_id: Id }), toAction: byId("dispute_delivery") },
      {
        type: "ARBITRATOR_RULING",
        doc: '- ARBITRATOR_RULING: rule on a disputed contract you arbitrate. params: {"contract_id": number, "ruling_for": string (its proposer or counterparty)}',
        params: z.looseObject({ contract_id: Id, ruling_for: AgentId }),
        toAction: (p: { contract_id: number; ruling_for: string }) => ({ kind: "arbitrator_ruling", contract: p.contract_id, ruling: p.ruling_for }),
      },
      { type: "SELL_INFORMATION", doc: '- SELL_INFORMATION: deliver the information of an information sale you proposed. params: {"contract_id": number}', params: z.looseObject({ contract_id: Id }), toAction: byId("sell_information") },
    ],
    section(agent: string): string | null {
      const s = w.population.byId.get(agent);
      if (!s) return null;
      const turn = turnOf(w);
      const mine = contracts.filter((x) => !TERMINAL.has(x.status) && (x.proposer === agent || x.terms.counterparty === agent || x.terms.arbitrator === agent));
      const lines = ["## Your Contracts"];
      if (!mine.length) lines.push("none open");
      for (const x of mine) {
        const t = x.terms;
        const role = x.proposer === agent ? "proposer" : t.counterparty === agent ? "counterparty" : "arbitrator";
        const todo =
          x.status === "proposed" && role === "counterparty" ? " - SIGN_CONTRACT to accept" :
          x.status === "countersigned" && role === "arbitrator" ? " - SIGN_CONTRACT to activate" :
          x.status === "disputed" && role === "arbitrator" ? " - ARBITRATOR_RULING needed" :
          x.status === "active" && role !== "arbitrator" && turn >= t.delivery && t.settlement === "attested" && !x.confirmed.has(agent) ? " - CONFIRM_DELIVERY or DISPUTE_DELIVERY" : "";
        lines.push(`- contract ${x.id}: ${t.type}, ${x.status}, you are ${role}; ${x.proposer} -> ${t.counterparty}, arbitrator ${t.arbitrator}, price ${t.price}, delivery turn ${t.delivery}, ${t.settlement}${todo}`);
      }
      return lines.join("\n");
    },
  };
}
