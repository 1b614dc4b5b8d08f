/**
 * The governance levers driven one hook at a time: the real mechanisms of a
 * real run's World, with agents named as the test needs, so a lever's rule
 * can be checked interaction by interaction.
 */
import { Effect } from "../../src/kernel/effect.ts";
import type { SimEvent } from "../../src/kernel/events.ts";
import type { InteractionRecord } from "../../src/kernel/records.ts";
import { World } from "../../src/kernel/world.ts";
import { MECHANISMS } from "../../src/mechanisms/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { testPlan } from "./reference-plans.ts";

export interface Levers {
  readonly world: World;
  readonly events: SimEvent[];
  /** Every lever's contribution to one interaction's effect, in lever order (the record is updated as the levers update it). */
  onInteraction(x: Partial<InteractionRecord> & { p: number }, epoch: number): Effect & { x: InteractionRecord };
  /** Every lever's contribution at an epoch's start, with agents' reputations set first; then the epoch-start hooks run (collusion logs its analysis). */
  epochStart(epoch: number, reputations?: Record<string, number>): Effect;
  /** Whether governance lets an agent with these resources act. */
  mayAct(id: string, resources: number): boolean;
  /** Hands a completed interaction to the levers that keep a history (collusion). */
  record(x: Partial<InteractionRecord> & { p: number }): void;
}

export function interaction(x: Partial<InteractionRecord> & { p: number }): InteractionRecord {
  return {
    id: 1,
    epoch: 0,
    step: 0,
    initiator: "a",
    counterparty: "b",
    type: "collaboration",
    accepted: true,
    observables: { taskProgress: 0, rework: 0, rejections: 0, misuse: 0, engagement: 0 },
    vHat: 0,
    tau: 0,
    cA: 0,
    cB: 0,
    rA: 0,
    rB: 0,
    payoffA: 0,
    payoffB: 0,
    groundTruth: null,
    tax: 0,
    audited: false,
    auditPenalty: 0,
    collusionCost: 0,
    froze: false,
    ...x,
  };
}

export function levers(governance: Plan["governance"], ids: readonly string[] = ["a", "b"], options: { profile?: Plan["profile"]; seed?: number } = {}): Levers {
  const plan = testPlan({ profile: options.profile ?? "swarm-0.1", seed: options.seed ?? 1, agents: [["honest", ids.length]] });
  plan.governance = governance;
  plan.agents = plan.agents.map((a, i) => ({ ...a, id: ids[i] }));
  plan.groups = [{ name: "honest", kind: "honest", agentIds: [...ids] }];
  const events: SimEvent[] = [];
  const world = new World(plan, MECHANISMS, { sink: (e) => events.push(e) });
  return {
    world,
    events,
    onInteraction(partial, epoch) {
      world.epoch = epoch;
      const x = interaction(partial);
      const effect = Object.assign(new Effect(), { x });
      for (const govern of world.hooks("governInteraction")) govern(x, effect);
      return effect;
    },
    epochStart(epoch, reputations = {}) {
      world.epoch = epoch;
      for (const [id, rep] of Object.entries(reputations)) world.population.byId.get(id)!.reputation = rep;
      const effect = new Effect();
      for (const govern of world.hooks("governEpoch")) govern(effect);
      for (const begin of world.hooks("epochStart")) begin();
      return effect;
    },
    mayAct(id, resources) {
      const s = world.population.byId.get(id)!;
      s.resources = resources;
      return world.mayAct(s);
    },
    record(partial) {
      const x = interaction(partial);
      for (const after of world.hooks("afterInteraction")) after({ type: "interaction_completed", epoch: world.epoch, step: 0, interaction: x, credited: x.accepted, reputationDeltaA: 0, reputationDeltaB: 0 });
    },
  };
}
