/** Builds each agent's policy from its plan entry. */
import type { Agent } from "../../plan/schema.ts";
import { AdversarialPolicy } from "./adversarial.ts";
import { DeceptivePolicy } from "./deceptive.ts";
import { HonestPolicy } from "./honest.ts";
import { OpportunisticPolicy } from "./opportunistic.ts";
import { StochasticPolicy } from "./stochastic.ts";
import type { Policy, PolicyContext } from "./types.ts";

export class UnsupportedAgentError extends Error {}

export function createPolicy(agent: Agent, ctx: PolicyContext): Policy {
  switch (agent.kind) {
    case "honest":
      return new HonestPolicy(agent.id, agent.params, ctx);
    case "opportunistic":
      return new OpportunisticPolicy(agent.id, agent.params, ctx);
    case "deceptive":
      return new DeceptivePolicy(agent.id, agent.params, ctx);
    case "adversarial":
      return new AdversarialPolicy(agent.id, agent.params, ctx);
    case "stochastic":
      return new StochasticPolicy(agent.id, agent.params, ctx);
    case "llm":
      throw new UnsupportedAgentError(
        `agent "${agent.id}" is an LLM agent: it needs a model client (run it with \`sbx run\`, or runPlanAsync with policyFor from llmPolicies)`,
      );
  }
}

export type { Action, Policy, PolicyContext, TurnView } from "./types.ts";
