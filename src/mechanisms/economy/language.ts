/**
 * The compute-rationed token economy in the language: the `economy` block
 * (balances, inference billing, cores and dividends, interest, the block
 * lottery, the contract rules, markets), the `firm` agent kind (the paper's
 * driver policy, docs/economy.md) and the checks that tie them to the
 * population. Every default is the paper's baseline regime.
 */
import { z } from "zod";
import { Distribution } from "../interactions/language.ts";
import { nonNeg, nonNegInt, posInt, prob, slice, optionalSlice } from "../../spec/plan.ts";
import { attr, block, BOOL, INT, NUM, prob as probAttr } from "../../spec/build.ts";
import type { AttrSpec, BlockCheck, BlockSpec } from "../../spec/types.ts";
import { count } from "../scripted-agents/language.ts";

// ---- plan slices ------------------------------------------------------------------

export const Lottery = z.strictObject({
  mineWeight: nonNeg,
  stakeWeight: nonNeg,
  burnWeight: nonNeg,
  burnDecay: prob,
  burnMaturity: nonNegInt,
  unstakeDelay: nonNegInt,
  threshold: nonNeg,
  reward: nonNeg,
  slimcoin: z.boolean(),
});

export const ContractRules = z.strictObject({
  signingBonus: nonNeg,
  confirmationWindow: nonNegInt,
  slashBothOnTimeout: z.boolean(),
});

/** The rules of one market (the economy's own, or a market's with its overrides merged in). */
export const MarketRules = z.strictObject({
  genesis: nonNeg,
  commonsThreshold: nonNeg,
  inferenceRate: nonNeg,
  thinkingDiscount: prob,
  thinkingUnits: Distribution,
  outputUnits: Distribution,
  interestRate: prob,
  cores: nonNegInt,
  auctionTurn: posInt,
  transferFee: nonNeg,
  jobPay: nonNeg,
  studyDiscount: prob,
  lottery: Lottery,
  contracts: ContractRules,
});
export type MarketRules = z.infer<typeof MarketRules>;

/** A market's overrides: only what it writes. */
export const MarketOverrides = MarketRules.extend({ lottery: Lottery.partial(), contracts: ContractRules.partial() }).partial();
export type MarketOverrides = z.infer<typeof MarketOverrides>;

export const Economy = MarketRules.extend({
  /** Tokens added to every holding before a Gini is taken (values still negative count as 0); null: shift by |min|. */
  giniShift: nonNeg.nullable(),
  /** Markets by population group: separate ledgers, cores, lotteries and contracts, each with its own rules. */
  markets: z.record(z.string(), MarketOverrides),
});
export type Economy = z.infer<typeof Economy>;

/** Absent from plans without an economy block, so they (and their hashes) are unchanged. */
export const ECONOMY_SLICE = optionalSlice(["economy"], Economy);

/** The paper's firm: the driver's choose_action with a regime's probabilities (docs/economy.md). */
export const FirmParams = z.strictObject({
  mine: prob,
  stake: prob,
  burn: prob,
  transfer: prob,
  propose: prob,
  study: prob,
  sign: prob,
  arbitratorSign: prob,
  confirm: prob,
  dispute: prob,
  rulingForProposer: prob,
  debtJob: prob,
  lowBalanceJob: prob,
  lowBalance: z.number(),
  coreBidMean: nonNeg,
  coreBidStd: nonNeg,
});
export type FirmParams = z.infer<typeof FirmParams>;

// ---- blocks -----------------------------------------------------------------------

const TURNS = "turns";

const DIST = (name: string, key: string, doc: string, def: Distribution): AttrSpec => attr(name, { t: "distribution", int: true }, doc, { key, default: def, unit: "units" });

/** The rules a market may override, in the economy block and in each market. */
function ruleAttrs(): AttrSpec[] {
  return [
    attr("genesis", NUM, "Tokens every agent holds when the run starts; the balance replaces the usual starting resources (paper: `genesis_tokens_per_agent`).", { key: "genesis", default: 1000, unit: "tokens" }),
    attr("commons_threshold", NUM, "Inference units per agent per turn that are free: the commons (paper: `commons_threshold_per_turn`).", { key: "commonsThreshold", default: 100, unit: "units" }),
    attr("inference_rate", NUM, "Tokens per inference unit above the commons threshold (paper: `base_inference_rate`).", { key: "inferenceRate", default: 1, unit: "tokens/unit" }),
    probAttr("thinking_discount", 0.1, "Weight of a thinking unit against an output unit; for LLM agents, of a prompt token against a completion token (paper: `thinking_layer_discount`).", { key: "thinkingDiscount" }),
    DIST("thinking_units", "thinkingUnits", "Thinking units a scripted agent uses per turn (LLM agents are billed the prompt tokens they really used; paper: `thinking_units`).", { dist: "randint", low: 10, high: 100 }),
    DIST("output_units", "outputUnits", "Output units a scripted agent uses per turn (LLM agents are billed the completion tokens they really used; paper: `output_units`).", { dist: "randint", low: 20, high: 180 }),
    probAttr("interest_rate", 0.01, "Interest per turn on a negative balance; the interest is destroyed (paper: `interest_rate_per_turn`).", { key: "interestRate" }),
    attr("cores", INT, "CPU cores auctioned on the auction turn; each pays its owner an equal share of the turn's fees (paper: `num_cores`).", { key: "cores", default: 4, unit: "cores" }),
    attr("auction_turn", INT, "The turn whose `bid_core` actions the core auction takes (turns count from 1).", { key: "auctionTurn", default: 1, unit: TURNS }),
    attr("transfer_fee", NUM, "Tokens a transfer costs on top of the amount sent; destroyed (paper: `fee`).", { key: "transferFee", default: 1, unit: "tokens" }),
    attr("job_pay", NUM, "Inference units a job pays, at the inference rate; a job's turn is not billed (reconstructed, docs/economy.md).", { key: "jobPay", default: 60, unit: "units" }),
    probAttr("study_discount", 0.05, "Fee discount per level of study (compounding).", { key: "studyDiscount" }),
  ];
}

const lotteryBlock = (sparse: boolean): BlockSpec =>
  block("lottery", "The block lottery: each turn the agents that mine, stake or burn enter with their weights; a block is produced when the total reaches the threshold, and its winner is drawn in proportion to weight.", [
    attr("mine_weight", NUM, "Weight of one agent mining this turn (paper: `mine_base_weight`).", { key: "mineWeight", default: 10, unit: "weight" }),
    attr("stake_weight", NUM, "Weight per staked token of an agent staking this turn (paper: `stake_weight_per_token`).", { key: "stakeWeight", default: 0.01, unit: "weight/token" }),
    attr("burn_weight", NUM, "Weight per burned token of an agent burning this turn (matured burns only) (paper: `burn_weight_per_token`).", { key: "burnWeight", default: 0.05, unit: "weight/token" }),
    probAttr("burn_decay", 0.02, "Share of a matured burn's weight lost per turn (paper: `burn_decay_rate`).", { key: "burnDecay" }),
    attr("burn_maturity", INT, "Turns before a burn counts (paper: `burn_maturity_turns`).", { key: "burnMaturity", default: 3, unit: TURNS }),
    attr("unstake_delay", INT, "Turns before unstaked tokens return to the balance (paper: `unstake_delay_turns`).", { key: "unstakeDelay", default: 5, unit: TURNS }),
    attr("threshold", NUM, "Total weight needed for a block (paper: `block_threshold`).", { key: "threshold", default: 20, unit: "weight" }),
    attr("reward", NUM, "Tokens minted for the winner of each block.", { key: "reward", default: 0, unit: "tokens" }),
    attr("slimcoin", BOOL, "Slimcoin's ordering rule: a stake or burn block may only follow a mine block (mining is the clock).", { key: "slimcoin", default: true }),
  ], { lower: { field: "lottery", ...(sparse ? { sparse: true } : {}) } });

const contractsBlock = (sparse: boolean): BlockSpec =>
  block("contracts", "Contract rules: three signatures with collateral, delivery, settlement, disputes and slashing (docs/economy.md).", [
    attr("signing_bonus", NUM, "Tokens the proposer pays the counterparty when it countersigns (escrowed at proposal) (paper: `signing_bonus`).", { key: "signingBonus", default: 50, unit: "tokens" }),
    attr("confirmation_window", INT, "Turns after the delivery turn within which both parties must confirm, or the arbitrator rule on a dispute (paper: `attested_confirmation_window`).", { key: "confirmationWindow", default: 3, unit: TURNS }),
    attr("slash_both_on_timeout", BOOL, "On a timeout both parties' collateral is slashed, not only the collateral of a party that did not confirm (paper: `slash_both_on_timeout`).", { key: "slashBothOnTimeout", default: true }),
  ], { lower: { field: "contracts", ...(sparse ? { sparse: true } : {}) } });

/** Overrides without defaults: a market's unwritten settings are the economy's. */
const sparseAttrs = (attrs: AttrSpec[]): AttrSpec[] => attrs.map(({ default: _d, ...a }) => ({ ...a, default: null }));

export const MARKET = block("market", "A market of its own for one population group (named after it): its own ledger, cores, lottery and contracts, with these rules overriding the economy's.", sparseAttrs(ruleAttrs()), {
  blocks: [lotteryBlock(true), contractsBlock(true)].map((b) => ({ ...b, attrs: sparseAttrs([...b.attrs]) })),
  named: "required",
  repeatable: true,
  lower: { field: "markets", keyed: true, sparse: true },
});

export const ECONOMY = block("economy", "The compute-rationed token economy: balances, inference billing above a commons threshold, cores and dividends, interest, the block lottery and contracts. Defaults are the paper's baseline regime (docs/economy.md).", [
  ...ruleAttrs(),
  attr("gini_shift", NUM, "Tokens added to every holding before a Gini is taken, values still negative counting as 0 (the paper's driver adds 2000); unset: shift by the magnitude of the lowest.", { key: "giniShift", default: null, unit: "tokens" }),
], {
  blocks: [lotteryBlock(false), contractsBlock(false), MARKET],
  preset: true,
  lower: { slice: ECONOMY_SLICE },
  check: checkEconomy,
});

export const FIRM = block("firm", "The paper's firms: each turn a firm rules on disputes it arbitrates, signs and confirms contracts, bids for a core on the auction turn, takes a job when in debt, and otherwise draws mine, stake, burn, transfer, propose or study (docs/economy.md).", [
  count,
  probAttr("mine", 0.46, "Chance of mining on a free turn (paper: `mine_prob`).", { key: "mine" }),
  probAttr("stake", 0.14, "Chance of staking 5–25% of the balance (paper: `stake_prob`).", { key: "stake" }),
  probAttr("burn", 0.1, "Chance of burning 3–20% of the balance (paper: `burn_prob`).", { key: "burn" }),
  probAttr("transfer", 0.1, "Chance of sending 1–8% of the balance (at most 30) to another firm (paper: `transfer_prob`).", { key: "transfer" }),
  probAttr("propose", 0.12, "Chance of proposing a contract (balance above 80, not in the last two turns) (paper: `propose_prob`).", { key: "propose" }),
  probAttr("study", 0.08, "Chance of studying when nothing else was drawn (balance above 100) (paper: `study_prob`).", { key: "study" }),
  probAttr("sign", 0.62, "Chance of countersigning a contract proposed to it (paper: `sign_prob`).", { key: "sign" }),
  probAttr("arbitrator_sign", 0.58, "Chance of signing a contract it arbitrates (paper: `arb_sign_prob`).", { key: "arbitratorSign" }),
  probAttr("confirm", 0.66, "Chance of confirming a contract due for delivery (paper: `confirm_prob`).", { key: "confirm" }),
  probAttr("dispute", 0.08, "Chance of disputing a due contract it did not confirm (paper: `dispute_prob`).", { key: "dispute" }),
  probAttr("ruling_for_proposer", 0.55, "Chance an arbitrating firm rules for the proposer.", { key: "rulingForProposer" }),
  probAttr("debt_job", 0.6, "Chance of taking a job when the balance is negative (else it mines).", { key: "debtJob" }),
  probAttr("low_balance_job", 0.35, "Chance of taking a job when the balance is below `low_balance`.", { key: "lowBalanceJob" }),
  attr("low_balance", NUM, "Balance below which a firm may take a job (paper: `low_balance_threshold`).", { key: "lowBalance", default: 120, unit: "tokens" }),
  attr("core_bid_mean", NUM, "Mean of a core bid (the magnitude of a normal(mean, std) draw, at most 35% of the balance) (paper: `core_bid_mean`).", { key: "coreBidMean", default: 120, unit: "tokens" }),
  attr("core_bid_std", NUM, "Standard deviation of a core bid (paper: `core_bid_std`).", { key: "coreBidStd", default: 55, unit: "tokens" }),
], { named: "optional", repeatable: true, preset: true, lower: { slice: slice([], FirmParams) } });

// ---- checks -----------------------------------------------------------------------

/** The share of free turns the driver's cascade draws for mine, stake, burn, transfer and propose. */
const CASCADE = ["mine", "stake", "burn", "transfer", "propose"] as const;

/**
 * The economy against its scenario: markets must name population groups;
 * firms need an economy; a market whose agents never bid leaves its cores
 * without owners; a firm's cascade above 100% never reaches its later actions.
 */
function checkEconomy(ctx: BlockCheck): void {
  const firms = ctx.groups.filter((g) => g.kind === "firm");
  for (const g of firms) {
    const probs = CASCADE.map((k) => (g.values.value(k) as number | undefined) ?? (FIRM.attrs.find((a) => a.name === k)!.default as number));
    let sum = 0;
    for (let i = 0; i < probs.length; i++) {
      sum += probs[i]!;
      if (sum > 1 + 1e-9) {
        ctx.report("SBX3102", { group: g.name, sum: `${Number((sum * 100).toPrecision(10))}%`, unreachable: CASCADE.slice(i).join(", ") }, { group: g.name });
        break;
      }
    }
  }
  if (!ctx.values) {
    for (const g of firms) ctx.report("SBX3100", { group: g.name }, { group: g.name });
    return;
  }
  if (!ctx.values.on) return;
  const names = new Set(ctx.groups.map((g) => g.name));
  const markets = ctx.values.children("market");
  for (const m of markets) {
    const name = m.name ?? "";
    if (!names.has(name)) ctx.report("SBX2200", { name, suggestion: ctx.closest(name, names) }, { child: "market", name: m.name });
  }
  // Who can bid: firms and LLM agents. A market of agents that never bid pays every fee into the void.
  const bidders = (groups: readonly { kind: string; count: number }[]) => groups.some((g) => (g.kind === "firm" || g.kind === "llm") && g.count > 0);
  const cores = (v: { value(n: string): unknown } | null) => v?.value("cores") as number | undefined;
  const economyCores = cores(ctx.values) ?? 4;
  const inMarket = new Set(markets.map((m) => m.name));
  const rest = ctx.groups.filter((g) => !inMarket.has(g.name) && g.count > 0);
  if (rest.length && economyCores > 0 && !bidders(rest)) ctx.report("SBX3101", { market: "the economy's own market", what: rest.map((g) => g.name).join(", ") }, null);
  for (const m of markets) {
    const group = ctx.groups.find((g) => g.name === m.name);
    if (!group || group.count === 0) continue;
    if ((cores(m.values) ?? economyCores) > 0 && !bidders([group])) ctx.report("SBX3101", { market: `market '${m.name}'`, what: group.name }, { child: "market", name: m.name });
  }
}
