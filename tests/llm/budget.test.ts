/**
 * The budget is a hard ceiling: across seeds, prices and budgets, what the
 * server bills (it reports the most tokens a call could use) never exceeds
 * it, and once a call is refused no later phase calls again.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimEvent } from "../../src/engine/index.ts";
import { createLlmHost, runWithLlm } from "../../src/platform/llm/host.ts";
import { startModelServer, type Ask, type ModelServer, type Reply } from "./support/server.ts";
import { llmPlan } from "./support/plans.ts";

let server: ModelServer;
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

beforeAll(async () => {
  server = await startModelServer({ worstCaseUsage: true, script });
});
afterAll(async () => {
  await server.close();
});

const phaseOf = (e: { epoch: number; step: number; decision?: string }) => `${e.epoch}/${e.step}/${e.decision ?? ""}`;

describe("the LLM budget", () => {
  it("is never exceeded, whatever the seed, prices and budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0.05, max: 30, noNaN: true }),
        fc.double({ min: 0.05, max: 60, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 16, max: 600 }),
        async (seed, input, output, budget, maxTokens) => {
          salt = seed;
          const base = llmPlan(
            { seed, epochs: 2, steps: 3, groups: [{ name: "m", provider: "openai", count: 3, maxRetries: 2 }], honest: 1 },
            { budgetUsd: budget, prices: { "gpt-4o-mini": { inputPerMTok: input, outputPerMTok: output } }, concurrency: { openai: 3 } },
          );
          const plan = { ...base, agents: base.agents.map((a) => (a.kind === "llm" ? { ...a, params: { ...a.params, maxTokens } } : a)) };
          const events: SimEvent[] = [];
          const host = createLlmHost(plan, { mode: "live", env: server.env(), runtime: { retryBaseSeconds: 0 } });
          await runWithLlm(plan, host, { events: (e) => events.push(e) });

          const calls = events.filter((e): e is Extract<SimEvent, { type: "llm_call" }> => e.type === "llm_call");
          stats.push([calls.length, events.some((e) => e.type === "llm_budget_exhausted")]);
          // What the provider billed, at the plan's prices, from the usage it reported.
          const billed = calls.reduce((s, c) => s + (c.tokensIn / 1e6) * input + (c.tokensOut / 1e6) * output, 0);
          expect(billed).toBeLessThanOrEqual(budget);
          expect(host.runtime.budget.committed).toBeLessThanOrEqual(budget);

          const at = events.findIndex((e) => e.type === "llm_budget_exhausted");
          const exhausted = events.filter((e) => e.type === "llm_budget_exhausted");
          expect(exhausted.length).toBeLessThanOrEqual(1);
          if (at >= 0) {
            const e = events[at] as Extract<SimEvent, { type: "llm_budget_exhausted" }>;
            expect(e.budgetUsd).toBe(budget);
            expect(host.report().exhausted).not.toBeNull();
            // The phase that ran out may finish its calls in flight; no later phase calls.
            const stop = events.slice(at).find((x): x is Extract<SimEvent, { type: "llm_fallback" }> => x.type === "llm_fallback" && x.reason === "budget");
            for (const c of events.slice(at)) if (c.type === "llm_call") expect(phaseOf(c)).toBe(phaseOf(stop ?? c));
          }
        },
      ),
      { numRuns: 30, seed: 20261120 },
    );
    // The runs cover both regimes: budgets that run out and budgets that last.
    expect(stats.some(([, ex]) => ex)).toBe(true);
    expect(stats.some(([n, ex]) => !ex && n > 20)).toBe(true);
    expect(stats.some(([n, ex]) => ex && n > 5)).toBe(true);
  });

  it("falls back for every decision once exhausted, and says so once", async () => {
    salt = 1;
    // Room for a few worst-case calls only.
    const plan = llmPlan(
      { seed: 3, epochs: 3, steps: 3, groups: [{ name: "m", provider: "openai", count: 2, fallback: "honest" }] },
      { budgetUsd: 0.02, prices: { "gpt-4o-mini": { inputPerMTok: 5, outputPerMTok: 15 } } },
    );
    const events: SimEvent[] = [];
    const host = createLlmHost(plan, { mode: "live", env: server.env(), runtime: { retryBaseSeconds: 0 } });
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
