import { describe, expect, it } from "vitest";
import { InvalidPlanError, planProblems, runPlan, runPlanAsync, runWithEvents, toJsonl, UnsupportedAgentError, type InteractionRecord, type Policy, type TurnView } from "../../src/engine/index.ts";
import type { Agent, Plan } from "../../src/plan/schema.ts";
import { testPlan } from "../support/reference-plans.ts";

function stochastic(id: string, params: Partial<Extract<Agent, { kind: "stochastic" }>["params"]> = {}): Agent {
  return {
    id,
    kind: "stochastic",
    group: "bots",
    params: {
      policy: "bot",
      actions: { post: 0, reply: 0, vote: 0, propose: 1, claimTask: 0, noop: 0 },
      acceptProbability: 1,
      proposeType: "trade",
      target: "random",
      upvoteProbability: 1,
      observables: {
        taskProgress: { dist: "constant", value: 0.5 },
        rework: { dist: "randint", low: 0, high: 0 },
        rejections: { dist: "constant", value: 0 },
        misuse: { dist: "constant", value: 0 },
        engagement: { dist: "uniform", low: 0.1, high: 0.1 },
      },
      transfer: 0.5,
      ...params,
    },
  } as Agent;
}

function withAgents(plan: Plan, agents: Agent[]): Plan {
  return { ...plan, agents, groups: [{ name: "bots", kind: "bot", agentIds: agents.map((a) => a.id) }] };
}

function collect(plan: Plan) {
  const xs: InteractionRecord[] = [];
  const { result, events } = runWithEvents(plan, { onInteraction: (x) => xs.push(x) });
  return { result, events, xs };
}

describe("stochastic policies", () => {
  it("draw actions from the table and observables from their own distributions", () => {
    const plan = withAgents(testPlan({ epochs: 2, steps: 4 }), [stochastic("bot_1"), stochastic("bot_2"), stochastic("bot_3")]);
    const { xs } = collect(plan);
    expect(xs.length).toBeGreaterThan(0);
    for (const x of xs) {
      expect(x.type).toBe("trade");
      expect(x.initiator).not.toBe(x.counterparty);
      expect(x.observables).toEqual({ taskProgress: 0.5, rework: 0, rejections: 0, misuse: 0, engagement: x.accepted ? 0.1 : 0 });
      expect(x.tau).toBe(0); // transfers stay dormant
    }
  });

  it("answer proposals with their accept probability", () => {
    const plan = withAgents(testPlan({ epochs: 1, steps: 5 }), [stochastic("a", { acceptProbability: 0 }), stochastic("b", { acceptProbability: 0 })]);
    const { xs } = collect(plan);
    expect(xs.length).toBeGreaterThan(0);
    expect(xs.every((x) => !x.accepted)).toBe(true);
  });

  it("target the highest-reputation visible agent when asked", () => {
    const agents = [stochastic("a", { target: "highest_reputation" }), stochastic("b", { target: "highest_reputation", acceptProbability: 1 }), stochastic("c", { target: "highest_reputation" })];
    const { xs, result } = collect(withAgents(testPlan({ epochs: 1, steps: 3 }), agents));
    // Step 0: everyone is at reputation 0, so each proposes to the first other agent.
    const first = xs.filter((x) => x.step === 0);
    expect(first.map((x) => [x.initiator, x.counterparty])).toContainEqual(["a", "b"]);
    expect(result.agents.length).toBe(3);
  });
});

describe("orchestration", () => {
  it("rejects LLM agents with a clear error", () => {
    const plan = testPlan({});
    const llm = {
      id: "llm_1",
      kind: "llm",
      group: "llm",
      params: {
        provider: "anthropic",
        model: "claude-sonnet-4-20250514",
        persona: { name: "open", prompt: "", traits: null },
        systemPrompt: null,
        temperature: 0.7,
        maxTokens: 512,
        timeoutSeconds: 30,
        maxRetries: 3,
        fallback: "noop",
        costTracking: true,
      },
    } as Agent;
    // LLM agents run only in async mode (as the compiler lowers them); runPlan, which cannot await a model, says so.
    const async = { ...plan, simulation: { ...plan.simulation, mode: "async" as const }, agents: [...plan.agents, llm] };
    expect(() => runPlan(async)).toThrow(UnsupportedAgentError);
    expect(() => runPlan(async)).toThrow(/LLM agent/);
    // In sync mode the plan itself cannot run: a plan problem (SBX5070 at the CLI), found before any agent is built.
    expect(planProblems({ ...plan, agents: [...plan.agents, llm] })).toEqual(['LLM agents decide asynchronously: they need simulation.mode "async"']);
    expect(() => runPlan({ ...plan, agents: [...plan.agents, llm] })).toThrow(InvalidPlanError);
  });

  it("refuses a plan outside the schema as a plan problem naming where, not as the schema library's error", () => {
    const plan = testPlan({});
    const broken = { ...plan, simulation: { ...plan.simulation, epochs: "ten" } } as unknown as Plan;
    let thrown: unknown;
    try {
      runPlan(broken);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidPlanError);
    expect((thrown as InvalidPlanError).problems).toEqual([expect.stringMatching(/^simulation\.epochs: /)]);
  });

  it("async mode decides before executing: different trajectory, still deterministic", () => {
    const sync = collect(testPlan({ seed: 42, epochs: 3, steps: 10 }));
    const asyncA = collect(testPlan({ seed: 42, epochs: 3, steps: 10, mode: "async" }));
    const asyncB = collect(testPlan({ seed: 42, epochs: 3, steps: 10, mode: "async" }));
    expect(toJsonl(asyncA.events)).toBe(toJsonl(asyncB.events));
    expect(toJsonl(asyncA.events)).not.toBe(toJsonl(sync.events));
    // Without freezes nothing stays pending across steps, so in async mode every completion of a step comes
    // from its end-of-step resolution, after all of the step's actions; in sync mode agents answer mid-step.
    const interleaved = (events: typeof sync.events) => {
      const lastAction = new Map<string, number>();
      const firstCompletion = new Map<string, number>();
      events.forEach((e, i) => {
        if (e.type === "post_created" || e.type === "vote_cast" || e.type === "interaction_proposed") lastAction.set(`${e.epoch}:${e.step}`, i);
        if (e.type === "interaction_completed" && !firstCompletion.has(`${e.epoch}:${e.step}`)) firstCompletion.set(`${e.epoch}:${e.step}`, i);
      });
      return [...firstCompletion].some(([k, i]) => (lastAction.get(k) ?? -1) > i);
    };
    expect(interleaved(asyncA.events)).toBe(false);
    expect(interleaved(sync.events)).toBe(true);
  });

  it("counts at most maxActionsPerStep successful turns per step", () => {
    const { events } = collect(testPlan({ seed: 5, epochs: 2, steps: 8, maxActionsPerStep: 1 }));
    const perStep = new Map<string, number>();
    for (const e of events) {
      if (e.type === "post_created" || e.type === "vote_cast" || e.type === "interaction_proposed") {
        const k = `${e.epoch}:${e.step}`;
        perStep.set(k, (perStep.get(k) ?? 0) + 1);
      }
    }
    expect(Math.max(...perStep.values())).toBe(1);
  });

  it("enforces per-epoch post and vote limits", () => {
    const { events } = collect(testPlan({ seed: 9, epochs: 2, steps: 20, rateLimits: [2, 5, 3, 3] }));
    const posts = new Map<string, number>();
    const votes = new Map<string, number>();
    for (const e of events) {
      if (e.type === "post_created") posts.set(`${e.epoch}:${e.author}`, (posts.get(`${e.epoch}:${e.author}`) ?? 0) + 1);
      if (e.type === "vote_cast") votes.set(`${e.epoch}:${e.voter}`, (votes.get(`${e.epoch}:${e.voter}`) ?? 0) + 1);
    }
    expect(Math.max(...posts.values())).toBeLessThanOrEqual(2);
    expect(Math.max(...votes.values())).toBeLessThanOrEqual(3);
  });

  it("honest agents never vote on the same post twice; adversaries target honest agents", () => {
    const { events, xs } = collect(testPlan({ seed: 11, epochs: 3, steps: 10, agents: [["honest", 3], ["adversarial", 2]] }));
    const seen = new Set<string>();
    for (const e of events) {
      if (e.type === "vote_cast" && e.voter.startsWith("honest")) {
        const k = `${e.voter}:${e.post}`;
        expect(seen.has(k)).toBe(false);
        seen.add(k);
      }
    }
    const adversarial = xs.filter((x) => x.initiator.startsWith("adversarial"));
    expect(adversarial.length).toBeGreaterThan(0);
    expect(adversarial.every((x) => x.counterparty.startsWith("honest"))).toBe(true);
  });

  it("with a network, proposals only go to neighbours", () => {
    const plan = testPlan({ seed: 4, epochs: 3, steps: 8, agents: [["honest", 4], ["opportunistic", 3], ["adversarial", 2]], network: { topology: "ring" } });
    const { events } = collect(plan);
    const init = events.find((e) => e.type === "network_initialized");
    if (init?.type !== "network_initialized") throw new Error("no network");
    const edges = new Set(init.edges.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));
    const proposals = events.filter((e) => e.type === "interaction_proposed");
    expect(proposals.length).toBeGreaterThan(0);
    for (const e of proposals) if (e.type === "interaction_proposed") expect(edges.has(`${e.initiator}|${e.counterparty}`)).toBe(true);
  });

  it("random and priority schedules change the trajectory deterministically", () => {
    const rr = toJsonl(collect(testPlan({ seed: 2, epochs: 2, steps: 6 })).events);
    const rnd = toJsonl(collect(testPlan({ seed: 2, epochs: 2, steps: 6, schedule: "random" })).events);
    expect(rnd).not.toBe(rr);
    expect(toJsonl(collect(testPlan({ seed: 2, epochs: 2, steps: 6, schedule: "random" })).events)).toBe(rnd);
    expect(toJsonl(collect(testPlan({ seed: 2, epochs: 2, steps: 6, schedule: "priority" })).events)).not.toBe(rr);
  });
});

describe("hosting asynchronous decisions", () => {
  const llmAgent = {
    id: "llm_1",
    kind: "llm",
    group: "llm",
    params: {
      provider: "anthropic",
      model: "claude-sonnet-4-20250514",
      persona: { name: "open", prompt: "", traits: null },
      systemPrompt: null,
      temperature: 0.7,
      maxTokens: 512,
      timeoutSeconds: 30,
      maxRetries: 3,
      fallback: "noop",
      costTracking: true,
    },
  } as Agent;

  it("runPlanAsync equals runPlan for synchronous policies, in both modes", async () => {
    for (const mode of ["sync", "async"] as const) {
      const plan = testPlan({ seed: 8, epochs: 2, steps: 6, mode });
      expect(await runPlanAsync(plan)).toEqual(runPlan(plan));
    }
  });

  it("awaits a policy whose decisions arrive later, and drops failed decisions", async () => {
    const plan = { ...testPlan({ seed: 8, epochs: 2, steps: 5, mode: "async" }) };
    plan.agents = [...plan.agents, llmAgent];
    let calls = 0;
    const delayed: Policy = {
      act: () => ({ kind: "noop" }),
      actAsync: async (view: TurnView) => {
        calls++;
        await new Promise((r) => setTimeout(r, 0));
        if (calls % 3 === 0) throw new Error("model unavailable");
        return { kind: "propose", counterparty: "honest_1", type: "collaboration", content: "hi", transfer: 0 };
      },
      acceptAsync: async () => true,
      accept: () => true,
      onOutcome: () => {},
    };
    const xs: InteractionRecord[] = [];
    const result = await runPlanAsync(plan, { policyFor: (a) => (a.kind === "llm" ? delayed : undefined), onInteraction: (x) => xs.push(x) });
    expect(calls).toBeGreaterThan(3);
    const fromLlm = xs.filter((x) => x.initiator === "llm_1");
    expect(fromLlm.length).toBeGreaterThan(0);
    expect(fromLlm.length).toBeLessThan(calls);
    // An LLM agent is typed honest: its observables come from the honest row (task progress in [0.3, 0.8)).
    expect(fromLlm.every((x) => x.observables.taskProgress >= 0.3 && x.observables.taskProgress < 0.8)).toBe(true);
    expect(result.agents.find((a) => a.id === "llm_1")?.kind).toBe("llm");
    expect(() => runPlan(plan, { policyFor: (a) => (a.kind === "llm" ? delayed : undefined) })).toThrow(/runPlanAsync/);
  });
});
