/**
 * The real SDKs (Anthropic messages, OpenAI chat completions, Ollama chat)
 * against a local server that injects every kind of fault: the run
 * completes, every fault is counted in the metrics and logged as an event,
 * no decision is lost, and the log does not depend on which call finished
 * first.
 */
import { afterEach, describe, expect, it } from "vitest";
import { reconstruct, toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { createLlmHost, runWithLlm } from "../../src/platform/llm/host.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { faultScript, FAULT_PLAN_SPEC } from "./support/faults.ts";
import { plausible, startModelServer, type Ask, type ModelServer } from "./support/server.ts";
import { llmPlan } from "./support/plans.ts";

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function runAgainst(server: ModelServer, plan: Plan): Promise<{ events: SimEvent[]; host: ReturnType<typeof createLlmHost>; epochs: number }> {
  const events: SimEvent[] = [];
  const host = createLlmHost(plan, { mode: "live", env: server.env(), runtime: { retryBaseSeconds: 0.01 } });
  const result = await runWithLlm(plan, host, { events: (e) => events.push(e) });
  return { events, host, epochs: result.epochsCompleted };
}

const ofType = <T extends SimEvent["type"]>(events: readonly SimEvent[], type: T) => events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);

describe("LLM agents against a faulty server", () => {
  it("complete the run, count every fault, and lose no decision", async () => {
    const server = await startModelServer({ script: faultScript, latencyMs: 5 });
    servers.push(server);
    const plan = llmPlan(FAULT_PLAN_SPEC, { timeoutSeconds: 0.5 });
    const { events, host, epochs } = await runAgainst(server, plan);
    expect(epochs).toBe(2);

    // Every protocol was spoken, each with its own provider's key (the keys differ, so swapped keys would show).
    expect(new Set(server.requests.map((r) => `${r.protocol} ${r.path}`))).toEqual(new Set(["anthropic /v1/messages", "openai /v1/chat/completions", "ollama /api/chat"]));
    const env = server.env();
    expect(env.ANTHROPIC_API_KEY).not.toBe(env.OPENAI_API_KEY);
    expect(server.requests.filter((r) => r.protocol === "anthropic").map((r) => r.ask.credential)).toEqual(server.requests.filter((r) => r.protocol === "anthropic").map(() => env.ANTHROPIC_API_KEY));
    expect(server.requests.filter((r) => r.protocol === "openai").map((r) => r.ask.credential)).toEqual(server.requests.filter((r) => r.protocol === "openai").map(() => env.OPENAI_API_KEY));

    // Every kind of fault happened and was logged.
    const faults = ofType(events, "llm_fault");
    const kinds = new Set(faults.map((f) => f.fault));
    for (const k of ["timeout", "rate_limited", "server_error", "bad_response", "malformed", "empty", "refusal", "invalid"]) expect(kinds, k).toContain(k);
    // 429 says how long to wait (and the agent retries).
    expect(faults.filter((f) => f.fault === "rate_limited").every((f) => f.retryAfterSeconds === 0.05 && f.next === "retry")).toBe(true);
    // A decision that keeps failing falls back: after transport faults to its scripted kind, after unusable answers too.
    const fallbacks = ofType(events, "llm_fallback");
    expect(fallbacks.filter((f) => f.reason === "faults").map((f) => f.agent).sort()).toEqual(["llm_1", "llm_3", "llm_5"]);
    expect(fallbacks.filter((f) => f.reason === "invalid").map((f) => `${f.agent}@${f.step}`).sort()).toEqual(["llm_2@0", "llm_2@1", "llm_4@0", "llm_4@1", "llm_6@0", "llm_6@1"]);

    // An unusable answer is retried once, with the reason appended to the prompt.
    const retried = server.requests.filter((r) => r.ask.decision === "llm_2/0/1/act");
    expect(retried).toHaveLength(2);
    expect(retried[0]!.ask.user).not.toMatch(/previous answer could not be used/);
    expect(retried[1]!.ask.user).toMatch(/## Your previous answer could not be used\nNo JSON found in response/);

    // No decision lost: every act turn of every LLM agent ended in a usable answer or a fallback, exactly once.
    const calls = ofType(events, "llm_call");
    for (const agent of ["llm_1", "llm_2", "llm_3", "llm_4", "llm_5", "llm_6"]) {
      for (let e = 0; e < 2; e++) {
        for (let s = 0; s < 3; s++) {
          const mine = (x: { agent: string; epoch: number; step: number; decision: string }) => x.agent === agent && x.epoch === e && x.step === s && x.decision === "act";
          const answered = calls.filter((c) => mine(c) && c.ok).length;
          const fellBack = fallbacks.filter(mine).length;
          expect(answered + fellBack, `${agent} e${e}s${s}`).toBe(1);
        }
      }
    }

    // Metrics agree with the events and with what the server saw.
    const sum = (m: string) => ofType(events, "epoch_completed").reduce((a, e) => a + (e.metrics[m] ?? 0), 0);
    expect(sum("llm.requests")).toBe(calls.length);
    expect(sum("llm.requests")).toBe(server.requests.length);
    expect(sum("llm.failures")).toBe(faults.length);
    expect(sum("llm.fallbacks")).toBe(fallbacks.length);
    expect(sum("llm.tokens_in")).toBe(calls.reduce((a, c) => a + c.tokensIn, 0));
    expect(sum("llm.cost_usd")).toBeCloseTo(calls.reduce((a, c) => a + c.costUsd, 0), 12);
    expect(sum("llm.cost_usd")).toBeGreaterThan(0);
    expect(host.report().totals).toMatchObject({ requests: calls.length, failures: faults.length, fallbacks: fallbacks.length });

    // The replay rebuilds every epoch's metrics (it checks them against the log).
    const rebuilt = reconstruct(events).result;
    expect(rebuilt.epochs.map((e) => e.metrics["llm.failures"])).toEqual(ofType(events, "epoch_completed").map((e) => e.metrics["llm.failures"]));
  });

  it("time out a response whose body stalls after its headers", async () => {
    for (const provider of ["anthropic", "openai", "ollama"] as const) {
      const server = await startModelServer({ script: (ask) => (ask.seen === 1 && !ask.isAccept ? { kind: "stall", delayMs: 2500 } : null) });
      servers.push(server);
      const plan = llmPlan({ seed: 2, epochs: 1, steps: 1, groups: [{ name: "m", provider, count: 1 }] }, { timeoutSeconds: 0.3 });
      const { events } = await runAgainst(server, plan);
      const faults = ofType(events, "llm_fault");
      expect(faults.map((f) => f.fault), provider).toEqual(["timeout"]);
      expect(ofType(events, "llm_call").filter((c) => c.ok), provider).toHaveLength(1);
    }
  });

  it("logs the same events whichever call finishes first", async () => {
    const plan = llmPlan(FAULT_PLAN_SPEC, { timeoutSeconds: 0.5 });
    const logs: string[] = [];
    for (const salt of [1, 2]) {
      // Latencies that differ between the two runs (and between requests), reordering completions.
      const server = await startModelServer({
        script: (ask) => faultScript(ask) ?? { kind: "answer", text: defaultAnswer(ask), delayMs: jitter(ask.decision, salt) },
      });
      servers.push(server);
      logs.push(toJsonl((await runAgainst(server, plan)).events));
    }
    expect(logs[0]).toBe(logs[1]);
  });
});

function jitter(key: string, salt: number): number {
  let h = salt * 2654435761;
  for (const c of key) h = (Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0) as number;
  return h % 40;
}

const defaultAnswer = (ask: Ask): string => plausible(ask);
