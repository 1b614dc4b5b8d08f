/**
 * The reference's scripted agents (docs/sandbox.md §5) — honest, opportunistic, deceptive,
 * adversarial — and user policies given as action-probability tables
 * (kind `stochastic`). Each is ported decision for decision, draw for draw.
 */
import type { z } from "zod";
import { ADVERSARIAL, AdversarialParams, DECEPTIVE, DeceptiveParams, HONEST, HonestParams, OPPORTUNISTIC, OpportunisticParams, POLICY, StochasticParams } from "./language.ts";
import type { At } from "../../kernel/events.ts";
import { mechanism, type AgentEntry } from "../../kernel/mechanism.ts";
import { series } from "../../kernel/metric.ts";
import type { World } from "../../kernel/world.ts";
import { AdversarialPolicy } from "./adversarial.ts";
import { DeceptivePolicy } from "./deceptive.ts";
import { HonestPolicy } from "./honest.ts";
import { OpportunisticPolicy } from "./opportunistic.ts";
import { StochasticPolicy } from "./stochastic.ts";

declare module "../../kernel/events.ts" {
  interface EventMap {
    /** A deceptive agent turned on a partner: past the trust-building phase and trusted enough (sbx). */
    exploitation_started: At & { agent: string; partner: string };
  }
}

const params = <T extends z.ZodType>(agent: AgentEntry) => agent.params as z.infer<T>;

function createScripted(_w: World) {
  const exploiting = new Set<string>();
  return {
    exploiting,
    reduce: {
      exploitation_started: (e: { agent: string }) => {
        exploiting.add(e.agent);
      },
    },
  };
}

type Scripted = ReturnType<typeof createScripted>;

export const scriptedAgents = mechanism({
  name: "scripted-agents",
  doc: "The reference's honest, opportunistic, deceptive and adversarial agents, and stochastic user policies.",
  create: createScripted,
  language: [{ under: "declarations", block: POLICY }],
  agents: {
    honest: { params: HonestParams, block: HONEST, policy: (a, ctx) => new HonestPolicy(a.id, params<typeof HonestParams>(a), ctx) },
    opportunistic: { params: OpportunisticParams, block: OPPORTUNISTIC, policy: (a, ctx) => new OpportunisticPolicy(a.id, params<typeof OpportunisticParams>(a), ctx) },
    deceptive: { params: DeceptiveParams, block: DECEPTIVE, policy: (a, ctx) => new DeceptivePolicy(a.id, params<typeof DeceptiveParams>(a), ctx) },
    adversarial: { params: AdversarialParams, block: ADVERSARIAL, policy: (a, ctx) => new AdversarialPolicy(a.id, params<typeof AdversarialParams>(a), ctx) },
    // Populated by groups of a declared `policy`, not by a block of its own.
    stochastic: { params: StochasticParams, policy: (a, ctx) => new StochasticPolicy(a.id, params<typeof StochasticParams>(a), ctx) },
  },
  metrics: [
    series<Scripted>("agents", "none", "stock", "exploiting", "count", "Agents in an exploitation phase: deceptive agents that have turned on at least one partner (profile sbx; never reached in swarm-0.1).", "|{agents : exploiting}|", (m) => m.exploiting.size),
  ],
});
