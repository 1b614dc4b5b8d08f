/** Prompts (the reference's layout, its quirks kept in swarm-0.1 and fixed in sbx) and the parsing of answers. */
import { describe, expect, it } from "vitest";
import { scratchDir } from "./support/scratch.ts";
import { parseAccept, parseAction } from "../../src/llm/parse.ts";
import { actionPrompt, actionSchema, formatObservation, systemPrompt, type MemoryItem, type Observation } from "../../src/llm/prompt.ts";
import { createLlmHost, runWithLlm } from "../../src/platform/llm/host.ts";
import { readCassette } from "../../src/platform/llm/cassette.ts";
import { join } from "node:path";
import { llmPlan } from "./support/plans.ts";

const observation: Observation = {
  epoch: 2,
  step: 1,
  self: { id: "llm_1", reputation: 0.5, resources: 100, payoff: 1.25 },
  canPost: true,
  canInteract: false,
  canVote: true,
  canClaimTask: true,
  posts: [{ id: 3, author: "honest_1", content: "A post long enough to be cut short after fifty characters of text", score: 4, replies: 2 }],
  proposals: [{ id: 9, from: "honest_2", type: "collaboration", content: "Work together?", transfer: 0 }],
  availableTasks: [{ id: 0, bounty: 12.5, difficulty: "medium", status: "open" }],
  activeTasks: [],
  agents: [{ id: "honest_1", reputation: 0.25, resources: 90 }],
  ecosystem: { agents: 4, active: 4, frozen: 0, pendingProposals: 1, avgReputation: 0.3, totalResources: 390 },
};

const sbx = { faithful: false, transfers: true };
const reference = { faithful: true, transfers: false };

describe("prompts", () => {
  it("format the observation in the reference's sections and order", () => {
    const text = formatObservation(observation, sbx);
    const order = ["## Current State", "## Rate Limits", "## Visible Posts (top 5)", "## Pending Proposals", "## Available Tasks (top 5)", "## Other Agents (top 10)", "## Ecosystem Health"];
    const at = order.map((h) => text.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).toContain("Epoch: 2, Step: 1");
    expect(text).toContain("Can interact: False");
    expect(text).toContain(`- post_id 3 by honest_1: ${observation.posts[0]!.content.slice(0, 50)}... (votes: 4, replies: 2)`);
    expect(text).toContain("avg_reputation: 0.300");
  });

  it("show real vote scores and bounties in sbx, the reference's 0 and 0.0 in swarm-0.1", () => {
    expect(formatObservation(observation, sbx)).toContain("(votes: 4, replies: 2)");
    expect(formatObservation(observation, sbx)).toContain("(reward: 12.5)");
    expect(formatObservation(observation, reference)).toContain("(votes: 0)");
    expect(formatObservation(observation, reference)).toContain("(reward: 0.0)");
    expect(actionSchema(sbx)).toContain('"collaboration", "trade", "reply", "vote"');
    expect(actionSchema(reference)).toContain('"delegation", "verification"');
  });

  it("render a persona's Big-Five traits; a custom system prompt replaces the persona", () => {
    const persona = { name: "anxious", prompt: "You worry.", traits: { openness: 0, conscientiousness: 0.3, extraversion: -0.5, agreeableness: -0.2, neuroticism: 0.9 } };
    const text = systemPrompt(persona, null, "SCHEMA");
    expect(text).toMatch(/^You worry\.\n\n## Your Personality/);
    expect(text).toContain("- Neuroticism: 0.90 (very high)");
    expect(text).toContain("- Extraversion: -0.50 (low)");
    expect(text.endsWith("\n\nSCHEMA")).toBe(true);
    expect(systemPrompt(persona, "Be brief.", "SCHEMA")).toBe("Be brief.\n\nSCHEMA");
  });

  it("show recent outcomes: the last five in sbx; in swarm-0.1 only those among the last five memory items", () => {
    const memory: MemoryItem[] = [
      { type: "interaction_outcome", counterparty: "a", initiated: true, accepted: true, p: 0.8 },
      ...Array.from({ length: 5 }, (_, i): MemoryItem => ({ type: "action_reasoning", action: "post", reasoning: `r${i}` })),
    ];
    expect(actionPrompt(observation, memory, sbx)).toContain("## Recent Memory\n- you proposed to a: accepted, p = 0.80");
    expect(actionPrompt(observation, memory, reference)).not.toContain("## Recent Memory");
  });

  it("in a run: sbx prompts carry real vote scores, swarm-0.1 prompts always 0", async () => {
    const votes = async (profile: "sbx" | "swarm-0.1") => {
      const plan = llmPlan({ seed: 4, epochs: 3, steps: 4, profile, groups: [{ name: "m", provider: "openai", count: 3 }], honest: 3 });
      const file = join(scratchDir("prompt"), "c.jsonl");
      await runWithLlm(plan, createLlmHost(plan, { mode: "dry-run", record: file }));
      return [...readCassette(file).entries.values()].flatMap((e) => [...e.request.user.matchAll(/\(votes: (-?[\d.]+)/g)].map((m) => Number(m[1])));
    };
    const live = await votes("sbx");
    expect(live.some((v) => v !== 0)).toBe(true);
    const ref = await votes("swarm-0.1");
    expect(ref.length).toBeGreaterThan(0);
    expect(ref.every((v) => v === 0)).toBe(true);
  });
});

describe("answers", () => {
  it("find the JSON the reference's way: a fenced block, else the outermost braces", () => {
    expect(parseAction('Sure.\n```json\n{"action_type": "vote", "params": {"post_id": "3", "direction": -1}}\n```', sbx)).toMatchObject({ ok: true, value: { kind: "vote", postId: 3, direction: -1 } });
    expect(parseAction('I will post {"action_type": "POST", "reasoning": "why", "params": {"content": "hi"}} ok', sbx)).toEqual({ ok: true, value: { kind: "post", content: "hi" }, reasoning: "why" });
    expect(parseAction("no json here", sbx)).toEqual({ ok: false, fault: "malformed", error: "No JSON found in response" });
    expect(parseAction('{"action_type": "POST", }', sbx)).toMatchObject({ ok: false, fault: "malformed", error: expect.stringMatching(/^Invalid JSON: /) });
  });

  it("check actions with the schema; swarm-0.1 keeps the reference's lenient mapping", () => {
    expect(parseAction('{"action_type": "DANCE"}', sbx)).toMatchObject({ ok: false, fault: "invalid", error: expect.stringMatching(/unknown action "DANCE"/) });
    expect(parseAction('{"action_type": "DANCE"}', reference)).toMatchObject({ ok: true, value: { kind: "noop" } });
    expect(parseAction('{"action_type": "REPLY", "params": {"content": "x"}}', sbx)).toMatchObject({ ok: false, fault: "invalid", error: expect.stringMatching(/post_id/) });
    const delegation = '{"action_type": "propose_interaction", "params": {"counterparty_id": "h_1", "interaction_type": "delegation"}}';
    expect(parseAction(delegation, sbx)).toMatchObject({ ok: false, fault: "invalid" });
    expect(parseAction(delegation, reference)).toMatchObject({ ok: true, value: { kind: "propose", counterparty: "h_1", type: "collaboration", transfer: 0 } });
    expect(parseAction('{"action_type": "PROPOSE_INTERACTION", "params": {"counterparty_id": "h_1", "interaction_type": "trade", "transfer": 2}}', sbx)).toMatchObject({ ok: true, value: { type: "trade", transfer: 2 } });
    // Params at the top level are accepted too.
    expect(parseAction('{"action_type": "CLAIM_TASK", "task_id": 4}', sbx)).toMatchObject({ ok: true, value: { kind: "claim_task", taskId: 4 } });
  });

  it("read accept decisions strictly in sbx, with Python truthiness in swarm-0.1", () => {
    expect(parseAccept('{"accept": false, "reasoning": "risky"}', sbx)).toEqual({ ok: true, value: false, reasoning: "risky" });
    expect(parseAccept('{"accept": "false"}', sbx)).toMatchObject({ ok: false, fault: "invalid" });
    expect(parseAccept('{"accept": "false"}', reference)).toMatchObject({ ok: true, value: true });
    expect(parseAccept("{}", reference)).toMatchObject({ ok: true, value: false });
  });
});
