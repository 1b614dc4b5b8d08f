/** Helpers for the profile tests: one plan run in either profile, and a configurable stochastic agent. */
import { runWithEvents, type InteractionRecord, type RunOptions, type RunResult, type SimEvent } from "../../src/engine/index.ts";
import type { Agent, Plan, Profile } from "../../src/plan/schema.ts";

export interface Run {
  result: RunResult;
  events: SimEvent[];
  xs: InteractionRecord[];
}

/** Runs `plan` under `profile` (a copy: the plan is not changed). */
export function runAs(profile: Profile, plan: Plan, options: Omit<RunOptions, "events" | "onInteraction"> = {}): Run {
  const p = structuredClone(plan);
  p.profile = profile;
  const xs: InteractionRecord[] = [];
  const { result, events } = runWithEvents(p, { ...options, onInteraction: (x) => xs.push(x) });
  return { result, events, xs };
}

/** The same plan in both profiles. */
export function both(plan: Plan, options: Omit<RunOptions, "events" | "onInteraction"> = {}): { sbx: Run; swarm: Run } {
  return { sbx: runAs("sbx", plan, options), swarm: runAs("swarm-0.1", plan, options) };
}

export function eventsOf<T extends SimEvent["type"]>(run: Run, type: T): Extract<SimEvent, { type: T }>[] {
  return run.events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);
}

type StochasticParams = Extract<Agent, { kind: "stochastic" }>["params"];

/** A stochastic agent that always proposes (by default), accepts everything and interacts like an honest initiator. */
export function bot(id: string, params: Partial<StochasticParams> = {}, group = "bots"): Agent {
  return {
    id,
    kind: "stochastic",
    group,
    params: {
      policy: group,
      actions: { post: 0, reply: 0, vote: 0, propose: 1, claimTask: 0, noop: 0 },
      acceptProbability: 1,
      proposeType: "trade",
      target: "random",
      upvoteProbability: 1,
      observables: {
        taskProgress: { dist: "uniform", low: 0.3, high: 0.8 },
        rework: { dist: "randint", low: 0, high: 1 },
        rejections: { dist: "constant", value: 0 },
        misuse: { dist: "constant", value: 0 },
        engagement: { dist: "uniform", low: 0.2, high: 0.6 },
      },
      transfer: 0,
      ...params,
    },
  };
}

/** Observables of a toxic initiator (p well below 0.5). */
export const TOXIC: StochasticParams["observables"] = {
  taskProgress: { dist: "uniform", low: -0.8, high: -0.3 },
  rework: { dist: "randint", low: 2, high: 4 },
  rejections: { dist: "randint", low: 1, high: 2 },
  misuse: { dist: "randint", low: 0, high: 1 },
  engagement: { dist: "uniform", low: -0.6, high: -0.2 },
};

/** Replaces the plan's population with `agents` (groups by each agent's group). */
export function withAgents(plan: Plan, agents: Agent[]): Plan {
  const groups = new Map<string, string[]>();
  for (const a of agents) groups.set(a.group, [...(groups.get(a.group) ?? []), a.id]);
  return {
    ...plan,
    agents,
    groups: [...groups].map(([name, agentIds]) => ({ name, kind: agents.find((a) => a.group === name)!.kind === "stochastic" ? name : agents.find((a) => a.group === name)!.kind, agentIds })),
  };
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
export const mean = (xs: readonly number[]): number => sum(xs) / xs.length;
