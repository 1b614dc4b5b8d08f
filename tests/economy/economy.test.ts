/** The compute economy: its rules on small runs, inertness without its block, replay, and LLM agents billed their real tokens. */
import { describe, expect, it } from "vitest";
import { reconstruct, runPlanAsync, runWithEvents, toJsonl, fromJsonl, llmPolicies, type SimEvent } from "../../src/engine/index.ts";
import { inferenceFee, gini, hhi, marketRules } from "../../src/mechanisms/economy/rules.ts";
import type { Economy } from "../../src/mechanisms/economy/language.ts";
import { parseAction } from "../../src/llm/parse.ts";
import { CASSETTE_FORMAT, CASSETTE_VERSION, parseCassette, ReplayClient, requestHash, type CassetteEntry } from "../../src/platform/llm/cassette.ts";
import type { ModelClient, ModelRequest } from "../../src/llm/types.ts";
import { planOf } from "./support.ts";

const FIRMS = (extra = "") => `
import "std/economy" { baseline }
scenario s {
  seed = 101   epochs = 12   steps = 1   mode = async
  population { firm extends baseline { count = 6 } }
  economy extends baseline { ${extra} }
}`;

const of = <T extends SimEvent["type"]>(events: readonly SimEvent[], type: T) => events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);

describe("inference billing", () => {
  const rules = marketRules({ ...planOf(FIRMS()).economy! } as Economy, null);

  it("bills ⌊rate · (output + discount·thinking − threshold)⌋ above the commons, nothing below it", () => {
    expect(inferenceFee(rules, 50, 120, 0)).toBe(25); // 120 + 5 − 100
    expect(inferenceFee(rules, 10, 90, 0)).toBe(0); // 91 ≤ 100
    expect(inferenceFee({ ...rules, inferenceRate: 3, commonsThreshold: 60 }, 55, 99, 0)).toBe(Math.floor(3 * 44.5));
    expect(inferenceFee({ ...rules, studyDiscount: 0.5 }, 0, 140, 2)).toBe(10); // 40 · 0.25
  });

  it("bills every firm every turn except those that took a job, with the draws logged", () => {
    const { events } = runWithEvents(planOf(FIRMS()));
    const bills = of(events, "inference_billed");
    const jobs = of(events, "job_done");
    expect(bills.length + jobs.length).toBe(6 * 12);
    for (const b of bills) {
      expect(b.source).toBe("scripted");
      expect(b.thinking).toBeGreaterThanOrEqual(10);
      expect(b.thinking).toBeLessThanOrEqual(100);
      expect(b.output).toBeGreaterThanOrEqual(20);
      expect(b.output).toBeLessThanOrEqual(180);
      expect(b.fee).toBe(inferenceFee(rules, b.thinking, b.output, b.level));
    }
    for (const j of jobs) expect(bills.some((b) => b.agent === j.agent && b.turn === j.turn)).toBe(false);
  });
});

describe("cores and dividends", () => {
  it("auctions the cores on turn 1 and pays ⌊fees / cores⌋ per owned core from turn 2; turn 1's fees are destroyed", () => {
    const { events } = runWithEvents(planOf(FIRMS()));
    const [auction] = of(events, "core_auction_resolved");
    expect(auction!.turn).toBe(1);
    expect(auction!.owners.every((o) => o !== null)).toBe(true);
    const bids = of(events, "core_bid");
    // Each core to its highest bid; the winners pay, the others are refunded.
    for (const p of auction!.paid) expect(Math.max(...bids.filter((b) => b.core === p.core).map((b) => b.amount))).toBe(p.amount);
    const refunded = auction!.refunded.reduce((a, r) => a + r.amount, 0);
    const paid = auction!.paid.reduce((a, r) => a + r.amount, 0);
    expect(refunded + paid).toBe(bids.reduce((a, b) => a + b.amount, 0));
    for (const d of of(events, "dividends_paid")) {
      const paidOut = d.payouts.reduce((a, p) => a + p.amount, 0);
      if (d.turn === 1) expect(paidOut).toBe(0);
      else expect(paidOut).toBe(4 * Math.floor(d.fees / 4));
      expect(d.destroyed).toBe(d.fees - paidOut);
      for (const p of d.payouts) expect(auction!.owners).toContain(p.agent);
    }
  });
});

describe("interest", () => {
  it("charges ⌊rate·|balance|⌋ on negative balances each turn, destroyed", () => {
    const { events, result } = runWithEvents(planOf(FIRMS("genesis = 0   inference_rate = 3   commons_threshold = 0")));
    const interest = of(events, "interest_charged");
    expect(interest.length).toBeGreaterThan(0);
    expect(interest.every((i) => i.amount > 0)).toBe(true);
    expect(result.epochs.reduce((a, e) => a + (e.metrics["economy.interest"] as number), 0)).toBe(interest.reduce((a, i) => a + i.amount, 0));
  });
});

describe("the block lottery", () => {
  it("produces a block only at the threshold, the winner among the turn's entrants", () => {
    const { events } = runWithEvents(planOf(FIRMS()));
    const entries = of(events, "validation_entered");
    for (const d of of(events, "lottery_drawn")) {
      const entrants = entries.filter((v) => v.turn === d.turn);
      if (d.winner === null) continue;
      expect(d.total).toBeGreaterThanOrEqual(20);
      expect(entrants.map((v) => v.agent)).toContain(d.winner);
    }
  });

  it("Slimcoin: after a stake or burn block only miners may win the next one", () => {
    // Stakes weigh enough to win alone; miners too.
    const plan = planOf(`
import "std/economy" { baseline }
scenario s {
  seed = 3   epochs = 30   steps = 1   mode = async
  population { firm extends baseline { count = 6   mine = 40%   stake = 60%   burn = 0%   transfer = 0%   propose = 0% } }
  economy extends baseline { lottery { stake_weight = 1   threshold = 5 } }
}`);
    for (const slimcoin of [true, false]) {
      const { events } = runWithEvents({ ...plan, economy: { ...plan.economy!, lottery: { ...plan.economy!.lottery, slimcoin } } });
      const blocks = of(events, "lottery_drawn").filter((d) => d.winner !== null);
      const consecutive = blocks.slice(1).filter((b, i) => b.via !== "mine" && blocks[i]!.via !== "mine").length;
      if (slimcoin) expect(consecutive).toBe(0);
      else expect(consecutive).toBeGreaterThan(0);
    }
  });
});

describe("without an economy block", () => {
  const plain = planOf(`scenario s { seed = 1   epochs = 2   steps = 2   population { honest = 2   firm = 2 } }`);

  it("the plan has no economy key, the run no economy event or metric, and firms act in vain", () => {
    expect("economy" in plain).toBe(false);
    const { events, result } = runWithEvents(plain);
    expect(events.some((e) => e.type.startsWith("economy") || e.type === "inference_billed" || e.type === "lottery_drawn")).toBe(false);
    expect(Object.keys(result.epochs[0]!.metrics).some((k) => k.startsWith("economy."))).toBe(false);
  });
});

describe("replay", () => {
  it("rebuilds every economy metric from the event log", () => {
    const plan = planOf(`
import "std/economy" { baseline, high_compute_cost }
scenario s {
  seed = 104   epochs = 25   steps = 1   mode = async   max_actions_per_step = 12
  population {
    firm base extends baseline { count = 6 }
    firm high extends high_compute_cost { count = 6 }
  }
  economy extends baseline { market high { commons_threshold = 60   inference_rate = 3   interest_rate = 2% } }
  expect { final(economy.gini_wealth[high]) > final(economy.gini_wealth[base]) }
}`);
    const { result, events } = runWithEvents(plan);
    const rebuilt = reconstruct(fromJsonl(toJsonl(events))).result;
    expect(rebuilt.epochs.map((e) => e.metrics)).toEqual(result.epochs.map((e) => e.metrics));
    expect(rebuilt.epochs.map((e) => e.observed)).toEqual(result.epochs.map((e) => e.observed));
    const names = Object.keys(result.epochs.at(-1)!.metrics).filter((k) => k.startsWith("economy."));
    expect(names).toHaveLength(15);
    expect(of(events, "contract_changed").length).toBeGreaterThan(0);
  });

  it("refuses a log whose fee does not follow from its units", () => {
    const { events } = runWithEvents(planOf(FIRMS()));
    const i = events.findIndex((e) => e.type === "inference_billed" && e.fee > 0);
    const tampered = events.map((e, k) => (k === i ? { ...e, fee: (e as { fee: number }).fee + 1 } : e));
    expect(() => reconstruct(tampered)).toThrow(/inference_billed/);
  });
});

describe("markets", () => {
  it("keep separate ledgers: fees of one market pay dividends only to its own owners", () => {
    const plan = planOf(`
import "std/economy" { baseline }
scenario s {
  seed = 9   epochs = 8   steps = 1   mode = async
  population {
    firm a extends baseline { count = 4 }
    firm b extends baseline { count = 4 }
  }
  economy extends baseline { market b { inference_rate = 5 } }
}`);
    const { events } = runWithEvents(plan);
    const group = new Map(plan.agents.map((x) => [x.id, x.group]));
    for (const d of of(events, "dividends_paid")) for (const p of d.payouts) expect(group.get(p.agent)).toBe(d.market ?? "a");
    const fees = (g: string) => of(events, "inference_billed").filter((b) => group.get(b.agent) === g).reduce((s, b) => s + b.fee, 0);
    expect(fees("b")).toBeGreaterThan(2 * fees("a"));
  });
});

describe("metric helpers", () => {
  it("Gini: the paper's fixed shift clamps at 0; without one, shift by |min|", () => {
    expect(gini([1, 1, 1, 1], null)).toBe(0);
    expect(gini([-100, 100], null)).toBeCloseTo(0.5);
    expect(gini([-3000, 1000], 2000)).toBeCloseTo(0.5); // [0, 3000]
    expect(hhi([3, 1])).toBeCloseTo(0.625);
    expect(hhi([0, 0])).toBeNull();
  });
});

// ---- LLM agents ---------------------------------------------------------------------

const LLM_PLAN = `
import "std/economy" { baseline }
scenario s {
  seed = 5   epochs = 4   steps = 1
  population {
    llm traders { count = 2   provider = anthropic   model = "claude-3-haiku-20240307" }
    firm extends baseline { count = 3 }
  }
  economy extends baseline { commons_threshold = 20 }
}`;

/** A model that bids on the auction turn, mines afterwards, and reports token counts of its own. */
class EconomyModel implements ModelClient {
  readonly requests: ModelRequest[] = [];
  async complete(request: ModelRequest) {
    this.requests.push(request);
    const bid = request.user.includes("(now: BID_CORE)");
    const text = JSON.stringify(bid ? { action_type: "BID_CORE", reasoning: "a core earns rent", params: { core: 1, amount: 150 } } : { action_type: "MINE", reasoning: "lottery", params: {} });
    return { kind: "response" as const, text, tokensIn: 300 + (request.callId.length % 7), tokensOut: 60 + request.attempt, refusal: false };
  }
}

describe("LLM agents in the economy", () => {
  it("see the economy, take economy actions checked by zod, and are billed the tokens their calls used", async () => {
    const plan = planOf(LLM_PLAN);
    const model = new EconomyModel();
    const events: SimEvent[] = [];
    await runPlanAsync(plan, { policyFor: llmPolicies(plan, model, { sleep: async () => {} }).policyFor, events: (e) => events.push(e) });
    expect(model.requests[0]!.system).toContain("- MINE:");
    expect(model.requests[0]!.system).toContain("- PROPOSE_CONTRACT:");
    expect(model.requests[0]!.user).toContain("## Economy");
    expect(of(events, "core_bid").filter((b) => b.agent.startsWith("llm_")).map((b) => b.amount)).toEqual([150, 150]);
    const llmBills = of(events, "inference_billed").filter((b) => b.source === "llm");
    expect(llmBills).toHaveLength(2 * 4);
    for (const b of llmBills) {
      const calls = of(events, "llm_call").filter((c) => c.agent === b.agent && c.epoch === b.epoch);
      expect(b.thinking).toBe(calls.reduce((a, c) => a + c.tokensIn, 0));
      expect(b.output).toBe(calls.reduce((a, c) => a + c.tokensOut, 0));
      expect(b.fee).toBe(Math.floor(b.output + 0.1 * b.thinking - 20 + 1e-9));
    }
  });

  it("bill the same from a cassette replay, byte for byte", async () => {
    const plan = planOf(LLM_PLAN);
    const model = new EconomyModel();
    const live: SimEvent[] = [];
    await runPlanAsync(plan, { policyFor: llmPolicies(plan, model, { sleep: async () => {} }).policyFor, events: (e) => live.push(e) });
    const entries: CassetteEntry[] = [];
    for (const r of model.requests) {
      const outcome = await new EconomyModel().complete(r);
      entries.push({ call: r.callId, decision: r.decision, attempt: r.attempt, requestHash: requestHash(r), request: { provider: r.provider, model: r.model, system: r.system, user: r.user, temperature: r.temperature, maxTokens: r.maxTokens, timeoutSeconds: r.timeoutSeconds }, outcome });
    }
    const header = { format: CASSETTE_FORMAT, version: CASSETTE_VERSION, scenario: "s", planHash: "", seed: 5 };
    const cassette = parseCassette([header, ...entries].map((x) => JSON.stringify(x)).join("\n"));
    const replayed: SimEvent[] = [];
    await runPlanAsync(plan, { policyFor: llmPolicies(plan, new ReplayClient(cassette), { sleep: async () => {} }).policyFor, events: (e) => replayed.push(e) });
    expect(toJsonl(replayed)).toBe(toJsonl(live));
    expect(of(replayed, "inference_billed").some((b) => b.source === "llm" && b.fee > 0)).toBe(true);
  });

  it("check economy answers with their schemas: a bad amount is an invalid answer, retried", async () => {
    const plan = planOf(LLM_PLAN);
    const model: ModelClient = {
      async complete(request) {
        const amount = request.user.includes("## Your previous answer could not be used") ? 25 : -5;
        return { kind: "response", text: JSON.stringify({ action_type: "STAKE", reasoning: "stake", params: { amount } }), tokensIn: 100, tokensOut: 10, refusal: false };
      },
    };
    const events: SimEvent[] = [];
    await runPlanAsync(plan, { policyFor: llmPolicies(plan, model, { sleep: async () => {} }).policyFor, events: (e) => events.push(e) });
    const faults = of(events, "llm_fault").filter((f) => f.agent === "llm_1" && f.epoch === 1);
    expect(faults.map((f) => f.fault)).toEqual(["invalid"]);
    expect(faults[0]!.detail).toContain("amount");
    expect(of(events, "validation_entered").filter((v) => v.agent === "llm_1" && v.via === "stake").map((v) => v.amount)).toContain(25);
  });
});

describe("the LLM action space", () => {
  it("accepts extra actions by their zod schema and names them when the type is unknown", async () => {
    const { z } = await import("zod");
    const extra = [{ type: "STAKE", doc: "", params: z.looseObject({ amount: z.number().positive() }), toAction: (p: { amount: number }) => ({ kind: "stake" as const, amount: p.amount }) }];
    const options = { faithful: false, transfers: true, extra };
    expect(parseAction('{"action_type": "stake", "params": {"amount": 12}}', options)).toMatchObject({ ok: true, value: { kind: "stake", amount: 12 } });
    expect(parseAction('{"action_type": "STAKE", "params": {"amount": -1}}', options)).toMatchObject({ ok: false, fault: "invalid" });
    const unknown = parseAction('{"action_type": "HOARD"}', options);
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.error).toContain("STAKE");
    // Without extras, economy types are unknown as before.
    expect(parseAction('{"action_type": "STAKE", "params": {"amount": 1}}', { faithful: false, transfers: true }).ok).toBe(false);
  });
});
