/**
 * Mission economies (src/mechanisms/missions): rewards sum to the pool under
 * every rule, the exact Shapley value is the Shapley value (checked against
 * the average over every order of arrival), the reference's leave-one-out
 * approximation, effort adaptation, and replay.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, ReplayError, runWithEvents, toJsonl, type SimEvent } from "../../src/engine/index.ts";
import { DISTRIBUTIONS, OBJECTIVE_METRICS, type Distribution } from "../../src/mechanisms/missions/language.ts";
import { evaluate, exactShapley, leaveOneOut, marginal, payout, share, shapleyError, tallyOf, type ObjectiveSpec, type Tally } from "../../src/mechanisms/missions/rules.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";
import { runs } from "../support/property-runs.ts";

const SCALE = { sPlus: 2, sMinus: 1 };

const tallies = fc.array(fc.array(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { maxLength: 6 }), { minLength: 1, maxLength: 7 }).map((ps) => ps.map((p) => tallyOf(p, SCALE)));

const objectives = fc.array(
  fc.record({ name: fc.constantFrom(...OBJECTIVE_METRICS), target: fc.double({ min: 0.1, max: 12, noNaN: true }), weight: fc.double({ min: 0.1, max: 3, noNaN: true }) }),
  { minLength: 1, maxLength: 3 },
);

/** The Shapley value by definition: each player's marginal contribution averaged over every order of arrival. */
function shapleyByPermutations(objs: readonly ObjectiveSpec[], ts: readonly Tally[]): number[] {
  const players = ts.map((_, i) => i);
  const phi = ts.map(() => 0);
  const v = (coalition: readonly number[]) => (coalition.length ? evaluate(objs, tallyOf(coalition.flatMap((i) => pValues[i]), SCALE)).score : 0);
  let pValues: number[][] = [];
  let orders = 0;
  const permute = (rest: number[], prefix: number[]) => {
    if (rest.length === 0) {
      orders++;
      for (let k = 0; k < prefix.length; k++) phi[prefix[k]] += v(prefix.slice(0, k + 1)) - v(prefix.slice(0, k));
      return;
    }
    rest.forEach((x, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...prefix, x]));
  };
  pValues = ts.map((t) => (t as Tally & { ps: number[] }).ps);
  permute(players, []);
  return phi.map((x) => x / orders);
}

/** Tallies that remember their p values, for the brute force. */
const withPs = (ps: number[][]) => ps.map((p) => Object.assign(tallyOf(p, SCALE), { ps: p }));

function plan(text: string): Plan {
  const c = compileText(text);
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return c.scenarios[0].plan!;
}

const SCENARIO = (seed: number, distribution: Distribution, adapt = "10%") => `scenario s {
  seed = ${seed}
  epochs = 8
  steps = 4
  population { honest = 3   opportunistic = 3   adversarial = 2 }
  missions {
    min_participants = 2
    adapt_rate = ${adapt}
    mission build {
      distribution = ${distribution}
      reward = 40
      deadline = 2 epochs
      objective avg_p { target = 0.4 }
      objective total_count { target = 8 }
    }
    mission review {
      members = ["honest", "adversarial"]
      distribution = ${distribution}
      reward = 25
      deadline = 1 epochs
      objective acceptance_rate { target = 0.3 }
    }
  }
}`;

describe("missions", () => {
  it("rewards sum to the pool under every rule, and only contributors are paid", () => {
    fc.assert(
      fc.property(tallies, fc.constantFrom(...DISTRIBUTIONS), fc.double({ min: 1, max: 1000, noNaN: true }), (ts, rule, pool) => {
        const paid = share(rule, ts, pool);
        ts.forEach((t, i) => {
          if (t.count === 0) expect(paid[i]).toBe(0);
          expect(paid[i]).toBeGreaterThanOrEqual(0);
        });
        if (ts.some((t) => t.count > 0)) expect(paid.reduce((s, x) => s + x, 0)).toBeCloseTo(pool, 9);
        else expect(paid.every((x) => x === 0)).toBe(true);
      }),
      { numRuns: runs(300) },
    );
  });

  it("the exact Shapley value averages marginal contributions over every order of arrival, and is efficient", () => {
    const ps = fc.array(fc.array(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { minLength: 0, maxLength: 4 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(ps, objectives, (p, objs) => {
        const ts = withPs(p);
        const exact = exactShapley(objs, ts);
        const brute = shapleyByPermutations(objs, ts);
        exact.forEach((x, i) => expect(x).toBeCloseTo(brute[i], 9));
        const all = evaluate(objs, tallyOf(p.flat(), SCALE)).score;
        expect(exact.reduce((s, x) => s + x, 0)).toBeCloseTo(p.flat().length ? all : 0, 9);
        ts.forEach((t, i) => t.count === 0 && expect(exact[i]).toBe(0));
      }),
      { numRuns: runs(120) },
    );
  });

  it("approximates Shapley the reference's way: quality gained by leaving one out (never negative) plus volume share", () => {
    const ts = [tallyOf([0.9, 0.8], SCALE), tallyOf([0.2], SCALE), tallyOf([], SCALE)];
    const full = (0.9 + 0.8 + 0.2) / 3;
    expect(leaveOneOut(ts)).toEqual([Math.max(0, full - 0.2) + 2 / 3, Math.max(0, full - 0.85) + 1 / 3, 0]);
    // Where leave-one-out and Shapley agree (identical contributors), the distance is 0.
    expect(shapleyError([{ name: "avg_p", target: 0.5, weight: 1 }], [tallyOf([0.6, 0.7], SCALE), tallyOf([0.6, 0.7], SCALE)])).toBeCloseTo(0, 12);
  });

  it("pays nothing unless every objective is met, and one more contribution is worth nothing at the margin under equal sharing", () => {
    const objs: ObjectiveSpec[] = [{ name: "total_count", target: 3, weight: 1 }];
    const ts = [tallyOf([0.7, 0.7], SCALE), tallyOf([0.6], SCALE)];
    expect(payout(objs, "equal", ts, 30)).toEqual([15, 15]);
    expect(payout([{ name: "total_count", target: 4, weight: 1 }], "equal", ts, 30)).toEqual([0, 0]);
    expect(marginal(objs, "equal", ts, 30, 0, SCALE)).toBe(0);
    expect(marginal(objs, "proportional", ts, 30, 0, SCALE)).toBeGreaterThan(0);
    // One short of the count: one more unit is pivotal, worth a full share.
    expect(marginal([{ name: "total_count", target: 4, weight: 1 }], "equal", ts, 30, 1, SCALE)).toBe(15);
  });

  it("settlements pay exactly the reward, effort adapts within [0, 1], and replay rebuilds every metric", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(...DISTRIBUTIONS), (seed, rule) => {
        const { result, events } = runWithEvents(plan(SCENARIO(seed, rule)));
        const settled = events.filter((e): e is Extract<SimEvent, { type: "mission_settled" }> => e.type === "mission_settled");
        const proposed = new Map(events.flatMap((e) => (e.type === "mission_proposed" ? [[e.mission, e.template] as const] : [])));
        for (const e of settled) {
          const paid = e.rewards.reduce((s, [, x]) => s + x, 0);
          if (e.status === "succeeded" && e.rewards.length) expect(paid).toBeCloseTo(proposed.get(e.mission) === "build" ? 40 : 25, 9);
          else expect(paid).toBe(0);
          for (const [, x] of e.efforts) expect(x >= 0 && x <= 1).toBe(true);
        }
        expect(settled.length).toBeGreaterThan(0);
        // Resources: 100 + credited payoffs + governance changes + mission rewards − contribution costs.
        const account = new Map(result.agents.map((a) => [a.id, 100]));
        const add = (id: string, x: number) => account.set(id, account.get(id)! + x);
        for (const e of events) {
          if (e.type === "interaction_completed" && e.credited) {
            add(e.interaction.initiator, e.resourceDeltaA ?? 0);
            add(e.interaction.counterparty, e.resourceDeltaB ?? 0);
          }
          if (e.type === "resources_changed") add(e.agent, e.delta);
          if (e.type === "mission_contributed") add(e.agent, -e.cost);
          if (e.type === "mission_settled") for (const [id, x] of e.rewards) add(id, x);
        }
        for (const a of result.agents) expect(a.resources).toBeCloseTo(account.get(a.id)!, 9);
        expect(reconstruct(fromJsonl(toJsonl(events))).result).toEqual(result);
        const rewards = result.epochs.reduce((s, e) => s + (e.metrics["missions.rewards"] as number), 0);
        expect(rewards).toBeCloseTo(settled.reduce((s, e) => s + e.rewards.reduce((a, [, x]) => a + x, 0), 0), 9);
      }),
      { numRuns: runs(9) },
    );
  });

  it("only members propose and join, and contributions count only while a mission is active", () => {
    const { events } = runWithEvents(plan(SCENARIO(17, "shapley")));
    const template = new Map<number, string>();
    const participants = new Map<number, Set<string>>();
    for (const e of events) {
      if (e.type === "mission_proposed") {
        template.set(e.mission, e.template);
        participants.set(e.mission, new Set([e.agent]));
      }
      if (e.type === "mission_joined") participants.get(e.mission)!.add(e.agent);
      if ((e.type === "mission_proposed" || e.type === "mission_joined") && template.get(e.mission) === "review") expect(e.agent).toMatch(/^(honest|adversarial)_/);
      // min_participants = 2: a contribution needs two participants.
      if (e.type === "mission_contributed") expect(participants.get(e.mission)!.size).toBeGreaterThanOrEqual(2);
    }
  });

  it("replay rejects a settlement that does not follow from the contributions", () => {
    const { events } = runWithEvents(plan(SCENARIO(5, "proportional")));
    const tampered = fromJsonl(toJsonl(events));
    const e = tampered.find((x): x is Extract<SimEvent, { type: "mission_settled" }> => x.type === "mission_settled" && x.rewards.length > 0)!;
    e.rewards[0][1] += 1;
    expect(() => reconstruct(tampered)).toThrow(ReplayError);
  });

  it("is inert unless written", () => {
    const text = SCENARIO(5, "equal");
    const without = text.replace(/  missions \{[\s\S]*\n  \}\n/, "");
    const a = runWithEvents(plan(text));
    const b = runWithEvents(plan(without));
    expect(b.events.some((e) => e.type.startsWith("mission_"))).toBe(false);
    expect(b.result.epochs.every((e) => !("missions.effort" in e.metrics))).toBe(true);
    expect(a.events.some((e) => e.type === "mission_contributed")).toBe(true);
    // It draws from its own stream: missions that never gather their participants (nobody joins)
    // move no resources, and leave every other event of the run as it was.
    const idle = runWithEvents(plan(text.replace("min_participants = 2", "min_participants = 2\n    join_probability = 0%")));
    expect(idle.events.some((e) => e.type === "mission_settled" && e.status === "expired")).toBe(true);
    const rest = (events: SimEvent[]) => events.filter((e) => !e.type.startsWith("mission_") && e.type !== "epoch_completed" && e.type !== "run_started");
    expect(rest(idle.events)).toEqual(rest(b.events));
  });
});
