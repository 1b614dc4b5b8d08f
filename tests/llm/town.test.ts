/**
 * LLM residents of a town, through the real SDKs against the local model
 * server: they see their room, encounter, work, memories and options; a
 * usable answer becomes their action (decision source "model"), an unusable
 * one after its retry falls back on the planner's suggestion ("planner");
 * self-report probes come on their cooldown; the run records to a cassette
 * and replays from it with the server gone, to the same log; and the
 * offline responder answers town prompts in the town's terms.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reconstruct, resultJson, toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { createLlmHost, runWithLlm } from "../../src/platform/llm/host.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compilePlan } from "./support/plans.ts";
import { startModelServer, type Ask, type ModelServer, type Reply } from "./support/server.ts";

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const TOWN = `
persona chatty { prompt = "You love company."  traits { extraversion = 0.9  agreeableness = 0.6 } }
persona plain  { prompt = "You keep to yourself."  traits { conscientiousness = 0.5 } }
scenario llm_town {
  seed = 5   epochs = 6   steps = 1   max_actions_per_step = 50
  population {
    llm talkers { count = 2  provider = openai  model = "gpt-4o-mini"  persona = chatty  max_retries = 0 }
    resident locals { count = 4  persona = plain }
  }
  town {
    room hall { capacity = 10  credits = 10  work = true }
    topic housing {}
    probes { every = 2 }
  }
}
`;

const ofType = <T extends SimEvent["type"]>(events: readonly SimEvent[], type: T) => events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);

/** Answers a town prompt: talk to the first peer offered (else work), with a probe answer when asked; llm_2 answers nonsense at tick 3. */
function townScript(ask: Ask): Reply | null {
  if (!ask.user.startsWith("# Town")) return null;
  if (ask.decision.startsWith("llm_2/3/")) return { kind: "answer", text: JSON.stringify({ action: "fly", reasoning: "Why not?" }) };
  const peers = /^- talk: "target" one of ([^;]+);/m.exec(ask.user)?.[1]?.split(", ") ?? [];
  const probe = ask.user.includes("## Self-report") ? { probe: 4 } : {};
  const answer = peers.length
    ? { action: "talk", target: peers[0], topic: "housing", utterance: `Hello ${peers[0]}, what do you think about housing in this town of ours? ${"Long words ".repeat(40)}`, reasoning: "Company.", ...probe }
    : { action: "work", reasoning: "Credits.", ...probe };
  return { kind: "answer", text: `\`\`\`json\n${JSON.stringify(answer)}\n\`\`\`` };
}

async function run(plan: Plan, options: Parameters<typeof createLlmHost>[1]): Promise<SimEvent[]> {
  const events: SimEvent[] = [];
  const host = createLlmHost(plan, options);
  await runWithLlm(plan, host, { events: (e) => events.push(e) });
  host.flush();
  return events;
}

describe("LLM residents of a town", () => {
  it("decide from town prompts; fall back on the planner; answer probes; record and replay to the same log", async () => {
    const server = await startModelServer({ script: townScript });
    servers.push(server);
    const plan = compilePlan(TOWN);
    const cassette = join(mkdtempSync(join(tmpdir(), "sbx-town-llm-")), "calls.jsonl");
    const live = await run(plan, { mode: "live", env: server.env(), record: cassette, runtime: { retryBaseSeconds: 0.01 } });

    // Every LLM decision went to the server as a town prompt naming the agent, its room and its options.
    const asks = server.requests.map((r) => r.ask);
    expect(asks.length).toBeGreaterThanOrEqual(12);
    expect(asks.every((a) => a.user.startsWith("# Town\nYour ID: llm_") && a.user.includes("Room: hall") && a.user.includes("## Options"))).toBe(true);
    expect(asks[0]!.system).toMatch(/You love company\.[\s\S]*Extraversion: 0\.90[\s\S]*"action"/);

    const actions = ofType(live, "town_action").filter((e) => e.agent.startsWith("llm_"));
    expect(actions).toHaveLength(12);
    // llm_2's nonsense at tick 3 was retried once, then the planner decided; every other decision was the model's.
    expect(actions.filter((a) => a.source === "planner").map((a) => `${a.agent}@${a.epoch}`)).toEqual(["llm_2@3"]);
    expect(actions.filter((a) => a.source === "model")).toHaveLength(11);
    expect(ofType(live, "llm_fallback")).toEqual([expect.objectContaining({ agent: "llm_2", epoch: 3, reason: "invalid", fallback: "planner" })]);
    expect(asks.filter((a) => a.decision === "llm_2/3/0/act")).toHaveLength(2);
    expect(asks.filter((a) => a.decision === "llm_2/3/0/act")[1]!.user).toMatch(/action must be one of/);
    // Talk carries the utterance, truncated; scripted residents have no decision source.
    const talks = actions.filter((a) => a.action === "talk" && a.source === "model");
    expect(talks.length).toBeGreaterThan(0);
    expect(talks.every((t) => t.utterance!.startsWith("Hello ") && t.utterance!.length <= 283)).toBe(true);
    expect(ofType(live, "town_action").filter((e) => e.agent.startsWith("resident_")).every((e) => e.source === undefined)).toBe(true);
    // Probes every 2 ticks, scored into persona adherence.
    const probes = ofType(live, "persona_probed");
    expect(probes.length).toBeGreaterThanOrEqual(4);
    expect(probes.every((p) => p.answer === 4)).toBe(true);
    expect(probes.filter((p) => p.agent === "llm_1").map((p) => p.epoch)).toEqual([2, 4]);
    const { result } = reconstruct(live);
    expect(result.town!.agents.find((a) => a.id === "llm_1")!.adherence).not.toBeNull();

    // The cassette replays the run with the server gone: the same log, event for event.
    await server.close();
    servers.splice(0);
    const replayed = await run(plan, { mode: "replay", replay: cassette });
    expect(toJsonl(replayed)).toBe(toJsonl(live));
    expect(resultJson(reconstruct(replayed).result)).toBe(resultJson(result));
  });

  it("offline, the responder answers town prompts in the town's terms, and its probes agree with the persona", async () => {
    const plan = compilePlan(TOWN);
    const events = await run(plan, { mode: "dry-run" });
    const actions = ofType(events, "town_action").filter((e) => e.agent.startsWith("llm_"));
    expect(actions).toHaveLength(12);
    expect(actions.every((a) => a.source === "model")).toBe(true);
    expect(ofType(events, "llm_fault")).toEqual([]);
    // Item 0 is "I am the life of the party." (extraversion +): a persona at 0.9 answers 5.
    const first = ofType(events, "persona_probed").filter((p) => p.item === 0);
    expect(first.length).toBe(2);
    expect(first.every((p) => p.answer === 5)).toBe(true);
    expect(toJsonl(await run(plan, { mode: "dry-run" }))).toBe(toJsonl(events));
  });
});
