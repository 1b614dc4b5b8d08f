/**
 * A run's final agents are the last epoch's records themselves when nothing
 * changed after that epoch (src/engine/scheduler.ts recordsDescribe), and a
 * set of their own when something did: never two equal sets of a million.
 */
import { describe, expect, it } from "vitest";
import { agentRecord, recordsDescribe, Scheduler } from "../../src/engine/scheduler.ts";
import { runPlan } from "../../src/engine/index.ts";
import { testPlan } from "../support/reference-plans.ts";

const plan = (profile: "swarm-0.1" | "sbx") => testPlan({ profile, seed: 7, epochs: 3, agents: [["honest", 3], ["opportunistic", 2], ["deceptive", 2], ["adversarial", 1]] });

describe("a run's final agents", () => {
  it("are the last epoch's records when the run ends at an epoch's end, equal to the agents' state", () => {
    for (const profile of ["swarm-0.1", "sbx"] as const) {
      const scheduler = new Scheduler(plan(profile));
      const result = scheduler.run();
      expect(result.agents).toBe(result.epochs.at(-1)!.agents);
      expect(result.agents).toEqual(scheduler.world.population.slots.map(agentRecord));
      // The same run without sharing gives the same text.
      expect(JSON.stringify(runPlan(plan(profile)).agents)).toBe(JSON.stringify(scheduler.world.population.slots.map(agentRecord)));
    }
  });

  it("are recorded alone, the epochs' metrics unchanged, when the epochs' agents are not asked for", () => {
    for (const profile of ["swarm-0.1", "sbx"] as const) {
      const full = runPlan(plan(profile));
      const lean = runPlan(plan(profile), { epochAgents: false });
      expect(lean.epochs.map((e) => e.agents.length)).toEqual([0, 0, 0]);
      expect(JSON.stringify(lean.agents)).toBe(JSON.stringify(full.agents));
      expect(JSON.stringify(lean.epochs.map(({ agents: _, ...e }) => e))).toBe(JSON.stringify(full.epochs.map(({ agents: _, ...e }) => e)));
    }
  });

  it("tell any change of a field apart, -0 from 0 included", () => {
    const scheduler = new Scheduler(plan("sbx"));
    scheduler.run();
    const slots = scheduler.world.population.slots;
    const records = slots.map(agentRecord);
    expect(recordsDescribe(records, slots)).toBe(true);
    expect(recordsDescribe(records.slice(1), slots)).toBe(false);
    const changes: ((r: ReturnType<typeof agentRecord>) => void)[] = [
      (r) => (r.reputation = r.reputation === 0 ? -0 : r.reputation + 1e-12),
      (r) => (r.resources = Number.NaN),
      (r) => (r.payoff += 1),
      (r) => (r.frozen = !r.frozen),
      (r) => (r.interactionsInitiated += 1),
      (r) => (r.interactionsReceived += 1),
      (r) => (r.interactionsRejected = (r.interactionsRejected ?? 0) + 1),
      (r) => (r.id = `${r.id}'`),
      (r) => (r.kind = `${r.kind}'`),
      (r) => (r.group = `${r.group}'`),
    ];
    for (const change of changes) {
      const copy = slots.map(agentRecord);
      change(copy[3]!);
      expect(recordsDescribe(copy, slots)).toBe(false);
    }
  });
});
