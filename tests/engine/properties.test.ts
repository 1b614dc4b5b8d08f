/**
 * Whole-run properties over generated plans: determinism, replay, and the
 * reference's invariants.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { reconstruct, runWithEvents, toJsonl, fromJsonl, type InteractionRecord, type SimEvent } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { STRICT_GOVERNANCE, testPlan } from "../support/reference-plans.ts";

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    profile: fc.constantFrom("swarm-0.1" as const, "sbx" as const),
    honest: fc.integer({ min: 0, max: 4 }),
    opportunistic: fc.integer({ min: 0, max: 3 }),
    deceptive: fc.integer({ min: 0, max: 2 }),
    adversarial: fc.integer({ min: 0, max: 3 }),
    seed: fc.integer({ min: 0, max: 10_000 }),
    epochs: fc.integer({ min: 1, max: 4 }),
    steps: fc.integer({ min: 1, max: 8 }),
    schedule: fc.constantFrom("round_robin" as const, "random" as const, "priority" as const),
    mode: fc.constantFrom("sync" as const, "async" as const),
    levers: fc.boolean(),
    network: fc.constantFrom(null, "small_world" as const, "ring" as const, "random_erdos_renyi" as const, "scale_free" as const),
    maxActions: fc.integer({ min: 1, max: 20 }),
    bots: fc.integer({ min: 0, max: 2 }),
    botTarget: fc.constantFrom("random" as const, "most_trusted" as const, "highest_reputation" as const, "lowest_reputation" as const),
  })
  .map((r) => {
    const plan = testPlan({
      profile: r.profile,
      agents: [
        ["honest", r.honest],
        ["opportunistic", r.opportunistic],
        ["deceptive", r.deceptive],
        ["adversarial", r.adversarial],
      ],
      seed: r.seed,
      epochs: r.epochs,
      steps: r.steps,
      schedule: r.schedule,
      mode: r.mode,
      maxActionsPerStep: r.maxActions,
      governance: r.levers
        ? {
            transactionTax: { rate: 0.1, split: 0.6 },
            reputationDecay: { rate: 0.85 },
            staking: { enabled: true, minStake: 95 },
            circuitBreaker: { enabled: true, toxicityThreshold: 0.4, violations: 2, freezeEpochs: 1 },
            audit: { enabled: true, probability: 0.3, penaltyMultiplier: 3, thresholdP: 0.6 },
            collusion: { enabled: true, minInteractions: 2, scoreThreshold: 0.2, realtimePenalty: true },
          }
        : undefined,
      network: r.network ? { topology: r.network, dynamic: true, decayRate: 0.3, minEdgeWeight: 0.5, exactPathLengthUpTo: 5, pathLengthSamples: 3 } : null,
    });
    for (let i = 1; i <= r.bots; i++) plan.agents.push(bot(`bot_${i}`, r.botTarget));
    return plan;
  });

/** A stochastic user policy mixing every action. */
function bot(id: string, target: "random" | "most_trusted" | "highest_reputation" | "lowest_reputation"): Plan["agents"][number] {
  return {
    id,
    kind: "stochastic",
    group: "bots",
    params: {
      policy: "bot",
      actions: { post: 0.2, reply: 0.1, vote: 0.2, propose: 0.4, claimTask: 0.05, noop: 0.05 },
      acceptProbability: 0.6,
      proposeType: "collaboration",
      target,
      upvoteProbability: 0.5,
      observables: {
        taskProgress: { dist: "uniform", low: -0.2, high: 0.6 },
        rework: { dist: "randint", low: 0, high: 2 },
        rejections: { dist: "constant", value: 0 },
        misuse: { dist: "randint", low: 0, high: 1 },
        engagement: { dist: "uniform", low: -0.3, high: 0.5 },
      },
      transfer: 0.2,
    },
  };
}

function run(plan: Plan) {
  const interactions: InteractionRecord[] = [];
  const { result, events } = runWithEvents(plan, { onInteraction: (x) => interactions.push(x) });
  return { result, events, interactions };
}

// The engine runs hundreds of small plans a second: a few hundred cases each cost seconds.
const RUNS = { numRuns: runs(300) };

describe("run properties", () => {
  it("is deterministic: same plan and seed ⇒ byte-identical event log, in both profiles", () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const a = toJsonl(run(plan).events);
        const b = toJsonl(run(structuredClone(plan)).events);
        return a === b;
      }),
      { numRuns: runs(150) },
    );
  });

  it("replay reproduces every epoch metric, agent and interaction (through JSONL)", () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const { result, events, interactions } = run(plan);
        const back = reconstruct(fromJsonl(toJsonl(events)));
        expect(back.result).toEqual(result);
        expect(back.interactions).toEqual(interactions);
        // The replay recomputes: stripping the recorded metrics changes nothing.
        const stripped = events.map((e) => (e.type === "epoch_completed" ? ({ ...e, metrics: {}, observed: {} } as SimEvent) : e));
        expect(reconstruct(stripped).result).toEqual(result);
      }),
      RUNS,
    );
  });

  it("keeps the reference's invariants", () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const { result, events, interactions } = run(plan);
        // The dormant mechanisms stay dormant in swarm-0.1; sbx switches them on (tests/profiles).
        const reference = plan.profile === "swarm-0.1";
        expect(result.epochsCompleted).toBe(plan.simulation.epochs);
        for (const x of interactions) {
          expect(x.p).toBeGreaterThanOrEqual(0);
          expect(x.p).toBeLessThanOrEqual(1);
          expect(Math.abs(x.vHat)).toBeLessThanOrEqual(1);
          expect(x.cA).toBeGreaterThanOrEqual(0);
          expect(x.cB).toBeGreaterThanOrEqual(0);
          if (reference) expect(x.tau).toBe(0); // transfers are dormant
          if (!x.accepted) expect(x.observables.engagement).toBeLessThanOrEqual(0);
        }
        for (const e of result.epochs) {
          const xs = interactions.filter((x) => x.epoch === e.epoch);
          let welfare = 0;
          for (const x of xs) if (x.accepted) welfare += x.payoffA + x.payoffB;
          expect(e.metrics.welfare).toBe(welfare);
          expect(e.metrics.interactions).toBe(xs.length);
          const t = e.metrics.toxicity as number;
          expect(t >= 0 && t <= 1).toBe(true);
          expect(Math.abs(e.metrics.quality_gap as number)).toBeLessThanOrEqual(1);
        }
        // Counters count accepted interactions only (every one in sbx); total payoffs are the credited payoffs.
        for (const a of result.agents) {
          if (!reference) continue;
          const init = interactions.filter((x) => x.accepted && x.initiator === a.id);
          const recv = interactions.filter((x) => x.accepted && x.counterparty === a.id);
          expect(a.interactionsInitiated).toBe(init.length);
          expect(a.interactionsReceived).toBe(recv.length);
          if (!plan.governance.collusion.enabled) expect(a.resources).toBe(100);
          if (plan.governance.reputationDecay.rate === 1 && !plan.governance.collusion.enabled) {
            let rep = 0;
            for (const x of init) rep += x.p - 0.5;
            expect(a.reputation).toBe(rep); // only the initiator's reputation moves, by p − 0.5
          }
        }
        // A frozen agent initiates nothing while frozen.
        const frozen = new Set<string>();
        for (const ev of events) {
          if (ev.type === "agent_frozen") frozen.add(ev.agent);
          else if (ev.type === "agent_unfrozen") frozen.delete(ev.agent);
          else if (ev.type === "interaction_proposed") expect(frozen.has(ev.initiator)).toBe(false);
          else if (ev.type === "post_created") expect(frozen.has(ev.author)).toBe(false);
          else if (ev.type === "vote_cast") expect(frozen.has(ev.voter)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("freezes someone in a harsh configuration, and the frozen agent stays out until released", () => {
    const { events } = run(STRICT_GOVERNANCE);
    const frozenAt = events.findIndex((e) => e.type === "agent_frozen");
    expect(frozenAt).toBeGreaterThan(0);
  });

  it("the sbx profile runs the same mechanisms on separate streams", () => {
    const a = run(testPlan({ seed: 3, epochs: 2, steps: 6 }));
    const b = run(testPlan({ seed: 3, epochs: 2, steps: 6, profile: "sbx" }));
    expect(b.result.profile).toBe("sbx");
    expect(b.interactions.length).toBeGreaterThan(0);
    expect(toJsonl(b.events)).not.toBe(toJsonl(a.events));
  });
});
