/**
 * The budget against servers that bill differently from the host's own bound
 * (prompt bytes + framing as input tokens, max_tokens as output), so the tests
 * are not circular: a server that bills any usage up to that bound never
 * takes the run past the budget; one that bills more tokens than the prompt
 * has bytes (no real tokenizer does) can take one phase past it, by no more
 * than its over-billing, and no later phase calls at all.
 */
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimEvent } from "../../src/engine/index.ts";
import { FRAMING_TOKENS } from "../../src/llm/cost.ts";
import { createLlmHost, runWithLlm } from "../../src/platform/llm/host.ts";
import { startModelServer, type Ask, type ModelServer, type Reply } from "./support/server.ts";
import { llmPlan } from "./support/plans.ts";

let under: ModelServer;
let over: ModelServer;
let worst: ModelServer;
let salt = 0;
const stats: [number, boolean][] = [];

/** Some 500s and unusable answers, so retries draw on the budget too. */
function script(ask: Ask): Reply | null {
  let h = salt;
  for (const c of `${ask.decision}#${ask.seen}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  if (h % 7 === 0) return { kind: "status", status: 500 };
  if (h % 7 === 1) return { kind: "answer", text: "I would rather not say." };
  return null;
}

/** A hash of the decision, for usage that varies from call to call but not from run to run. */
const hashOf = (ask: Ask): number => [...`${ask.decision}#${ask.seen}#${salt}`].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

beforeAll(async () => {
  // Bills anything from 1 token to the host's bound, different on every call.
  under = await startModelServer({ script, usage: (ask, bytes) => ({ tokensIn: 1 + (hashOf(ask) % (bytes + FRAMING_TOKENS)), tokensOut: hashOf(ask) % (ask.maxTokens + 1) }) });
  // Bills four times the prompt's bytes as input: more than the host can have reserved.
  over = await startModelServer({ script, usage: (ask, bytes) => ({ tokensIn: 4 * bytes + FRAMING_TOKENS, tokensOut: ask.maxTokens }) });
  worst = await startModelServer({ worstCaseUsage: true, script });
});
afterAll(async () => {
  await Promise.all([under.close(), over.close(), worst.close()]);
});

const phaseOf = (e: { epoch: number; step: number; decision?: string }) => `${e.epoch}/${e.step}/${e.decision ?? ""}`;
type Call = Extract<SimEvent, { type: "llm_call" }>;

interface Billed {
  readonly events: SimEvent[];
  readonly calls: Call[];
  /** What the server reported, at the plan's prices, summed in the log's order. */
  readonly billed: number;
  /** What the server billed beyond the host's bound for each call (0 when within it). */
  readonly overBilled: number;
  readonly committed: number;
  readonly exhausted: boolean;
}

async function runBilled(server: ModelServer, seed: number, input: number, output: number, budget: number, maxTokens: number): Promise<Billed> {
  salt = seed;
  const base = llmPlan(
    { seed, epochs: 2, steps: 3, groups: [{ name: "m", provider: "openai", count: 3, maxRetries: 2 }], honest: 1 },
    { budgetUsd: budget, prices: { "gpt-4o-mini": { inputPerMTok: input, outputPerMTok: output } }, concurrency: { openai: 3 } },
  );
  const plan = { ...base, agents: base.agents.map((a) => (a.kind === "llm" ? { ...a, params: { ...a.params, maxTokens } } : a)) };
  const events: SimEvent[] = [];
  const seen = server.requests.length;
  const host = createLlmHost(plan, { mode: "live", env: server.env(), runtime: { retryBaseSeconds: 0 } });
  await runWithLlm(plan, host, { events: (e) => events.push(e) });
  const calls = events.filter((e): e is Call => e.type === "llm_call");
  const cost = (tokensIn: number, tokensOut: number) => (tokensIn / 1e6) * input + (tokensOut / 1e6) * output;
  const billed = calls.reduce((s, c) => s + cost(c.tokensIn, c.tokensOut), 0);
  // The host's bound for each request the server answered, from the request itself.
  const bytes = (t: string) => Buffer.byteLength(t, "utf8");
  // Requests of this run, each numbered within its decision (the server counts across runs).
  const attempts = new Map<string, number>();
  const overBilled = server.requests.slice(seen).reduce((s, r) => {
    const attempt = (attempts.get(r.ask.decision) ?? 0) + 1;
    attempts.set(r.ask.decision, attempt);
    if (r.status !== 200) return s;
    const bound = cost(bytes(r.ask.system) + bytes(r.ask.user) + FRAMING_TOKENS, r.ask.maxTokens);
    const call = calls.find((c) => `${c.agent}/${c.epoch}/${c.step}/${c.decision === "act" ? "act" : `p${c.proposal}`}` === r.ask.decision && c.attempt === attempt);
    if (!call) throw new Error(`no llm_call for ${r.ask.decision} attempt ${attempt}`);
    return s + Math.max(0, cost(call.tokensIn, call.tokensOut) - bound);
  }, 0);
  return { events, calls, billed, overBilled, committed: host.runtime.budget.committed, exhausted: events.some((e) => e.type === "llm_budget_exhausted") };
}

const arbitraries = [fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0.05, max: 30, noNaN: true }), fc.double({ min: 0.05, max: 60, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 16, max: 600 })] as const;

describe("the LLM budget", () => {
  it("is never exceeded by a provider that bills within the host's bound, whatever it bills, the seed, prices and budget", async () => {
    await fc.assert(
      fc.asyncProperty(...arbitraries, async (seed, input, output, budget, maxTokens) => {
        const run = await runBilled(under, seed, input, output, budget, maxTokens);
        stats.push([run.calls.length, run.exhausted]);
        expect(run.billed).toBeLessThanOrEqual(budget);
        expect(run.committed).toBeLessThanOrEqual(budget);
        const at = run.events.findIndex((e) => e.type === "llm_budget_exhausted");
        expect(run.events.filter((e) => e.type === "llm_budget_exhausted").length).toBeLessThanOrEqual(1);
        if (at >= 0) {
          const e = run.events[at] as Extract<SimEvent, { type: "llm_budget_exhausted" }>;
          expect(e.budgetUsd).toBe(budget);
          // The phase that ran out may finish its calls in flight; no later phase calls.
          const stop = run.events.slice(at).find((x): x is Extract<SimEvent, { type: "llm_fallback" }> => x.type === "llm_fallback" && x.reason === "budget");
          for (const c of run.events.slice(at)) if (c.type === "llm_call") expect(phaseOf(c)).toBe(phaseOf(stop ?? c));
        }
      }),
      // At least 30 cases whatever FC_RUNS says: the coverage checks below need them.
      { numRuns: Math.max(30, runs(30)) },
    );
    // The runs cover both regimes: budgets that run out and budgets that last.
    expect(stats.some(([, ex]) => ex)).toBe(true);
    expect(stats.some(([n, ex]) => !ex && n > 20)).toBe(true);
    expect(stats.some(([n, ex]) => ex && n > 5)).toBe(true);
  });

  it("holds against a provider billing exactly the host's bound", async () => {
    await fc.assert(
      fc.asyncProperty(...arbitraries, async (seed, input, output, budget, maxTokens) => {
        const run = await runBilled(worst, seed, input, output, budget, maxTokens);
        expect(run.overBilled).toBeLessThanOrEqual(1e-12);
        expect(run.billed).toBeLessThanOrEqual(budget);
      }),
      { numRuns: runs(10) },
    );
  });

  it("against a provider billing more tokens than the prompt has bytes: commits what it billed, overruns by at most the over-billing, and stops calling", async () => {
    let overran = 0;
    await fc.assert(
      fc.asyncProperty(...arbitraries, async (seed, input, output, budget, maxTokens) => {
        const run = await runBilled(over, seed, input, output, budget, maxTokens);
        // The host counts what the provider billed, not its own bound.
        expect(run.committed).toBeCloseTo(run.billed, 12);
        expect(run.billed).toBeLessThanOrEqual(budget + run.overBilled + 1e-12);
        if (run.billed > budget) overran++;
        // Once the bill reaches the budget, no later phase makes a call.
        let total = 0;
        let reachedIn: string | null = null;
        for (const c of run.calls) {
          if (reachedIn !== null) expect(phaseOf(c), "a call after the budget was spent").toBe(reachedIn);
          total += (c.tokensIn / 1e6) * input + (c.tokensOut / 1e6) * output;
          if (reachedIn === null && total >= budget) reachedIn = phaseOf(c);
        }
      }),
      { numRuns: Math.max(20, runs(20)) },
    );
    // The over-billing really took some runs past the budget (else this test shows nothing).
    expect(overran).toBeGreaterThan(0);
  });

  it("falls back for every decision once exhausted, and says so once", async () => {
    salt = 1;
    // Room for a few worst-case calls only.
    const plan = llmPlan(
      { seed: 3, epochs: 3, steps: 3, groups: [{ name: "m", provider: "openai", count: 2, fallback: "honest" }] },
      { budgetUsd: 0.02, prices: { "gpt-4o-mini": { inputPerMTok: 5, outputPerMTok: 15 } } },
    );
    const events: SimEvent[] = [];
    const host = createLlmHost(plan, { mode: "live", env: worst.env(), runtime: { retryBaseSeconds: 0 } });
    await runWithLlm(plan, host, { events: (e) => events.push(e) });
    const at = events.findIndex((e) => e.type === "llm_budget_exhausted");
    expect(at).toBeGreaterThan(0);
    const later = events.slice(at);
    const fallbacks = later.filter((e) => e.type === "llm_fallback");
    expect(fallbacks.length).toBeGreaterThan(4);
    expect(fallbacks.every((e) => e.type === "llm_fallback" && e.reason === "budget" && e.fallback === "honest")).toBe(true);
    const epochs = events.filter((e): e is Extract<SimEvent, { type: "epoch_completed" }> => e.type === "epoch_completed");
    expect(epochs.at(-1)!.metrics["llm.requests"]).toBe(0);
    expect(epochs.at(-1)!.metrics["llm.fallbacks"]).toBeGreaterThan(0);
    expect(host.report().exhausted!.committedUsd).toBeLessThanOrEqual(0.02);
  });
});
