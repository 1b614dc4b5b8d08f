/**
 * What LLM agents see of the economy and the economy actions they may take,
 * each checked with a zod schema (src/llm/extension.ts). Their inference is
 * billed from the tokens their calls really used (the llm_call events).
 */
import { z } from "zod";
import type { LlmExtension } from "../../llm/extension.ts";
import type { World } from "../../kernel/world.ts";
import type { Ledger } from "./ledger.ts";
import { turnOf } from "./turn.ts";

const Amount = z.number().finite().positive();
const AgentId = z.union([z.string().min(1), z.number().transform(String)]);
const Whole = z.union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/, "expected a whole number").transform(Number)]);

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** For a run with an economy: what its LLM agents see and may do. */
export function economyLlm(w: World, ledger: Ledger, maxTurns: number): LlmExtension {
  const pop = w.population;
  return {
    actions: [
      { type: "MINE", doc: "- MINE: enter this turn's block lottery by mining. params: {}", params: z.looseObject({}), toAction: () => ({ kind: "mine" }) },
      { type: "STAKE", doc: '- STAKE: lock tokens as stake and enter the lottery with them. params: {"amount": number}', params: z.looseObject({ amount: Amount }), toAction: (p: { amount: number }) => ({ kind: "stake", amount: p.amount }) },
      { type: "UNSTAKE", doc: '- UNSTAKE: release staked tokens (they return after the unstake delay). params: {"amount": number}', params: z.looseObject({ amount: Amount }), toAction: (p: { amount: number }) => ({ kind: "unstake", amount: p.amount }) },
      { type: "BURN", doc: '- BURN: destroy tokens for lottery weight once they mature. params: {"amount": number}', params: z.looseObject({ amount: Amount }), toAction: (p: { amount: number }) => ({ kind: "burn", amount: p.amount }) },
      { type: "TRANSFER_TOKENS", doc: '- TRANSFER_TOKENS: send tokens to another agent (plus the transfer fee). params: {"to": string, "amount": number}', params: z.looseObject({ to: AgentId, amount: Amount }), toAction: (p: { to: string; amount: number }) => ({ kind: "transfer", to: p.to, amount: p.amount }) },
      { type: "JOB", doc: "- JOB: work a job for tokens; the turn's inference is not billed. params: {}", params: z.looseObject({}), toAction: () => ({ kind: "job" }) },
      { type: "STUDY", doc: "- STUDY: study, lowering your future inference fees. params: {}", params: z.looseObject({}), toAction: () => ({ kind: "study" }) },
      { type: "BID_CORE", doc: '- BID_CORE: bid for a CPU core on the auction turn (its owner earns a share of every inference fee). params: {"core": number, "amount": number}', params: z.looseObject({ core: Whole, amount: Amount }), toAction: (p: { core: number; amount: number }) => ({ kind: "bid_core", core: p.core, amount: p.amount }) },
    ],
    section(agent: string): string | null {
      const s = pop.byId.get(agent);
      if (!s) return null;
      const m = ledger.market(s);
      const r = m.rules;
      const turn = turnOf(w);
      const owned = (m.owners ?? []).map((o, i) => (o === agent ? i : -1)).filter((i) => i >= 0);
      const lines = [
        "## Economy",
        `Turn: ${turn} of ${maxTurns}`,
        `Your balance: ${fmt(s.resources)} tokens (staked ${fmt(ledger.staked[s.idx]!)}, study level ${ledger.level[s.idx]})`,
        `Inference: your prompt and completion tokens are billed each turn at ${fmt(r.inferenceRate)} token per unit above ${fmt(r.commonsThreshold)} free units (prompt tokens count ${fmt(r.thinkingDiscount)}); a negative balance pays ${fmt(r.interestRate * 100)}% interest per turn.`,
        m.owners === null
          ? `Cores: ${r.cores}, auctioned on turn ${r.auctionTurn}${turn === r.auctionTurn ? " (now: BID_CORE)" : ""}; owners share every fee.`
          : `Cores: ${m.owners.map((o, i) => `core ${i}: ${o ?? "no owner"}`).join(", ")}${owned.length ? ` (you own ${owned.join(", ")})` : ""}.`,
        `Block lottery: mining weighs ${fmt(r.lottery.mineWeight)}; a block needs ${fmt(r.lottery.threshold)}.`,
        `Agents in your market: ${m.members.filter((o) => o !== s).map((o) => o.id).join(", ") || "none"}`,
      ];
      return lines.join("\n");
    },
  };
}
