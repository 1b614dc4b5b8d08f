/**
 * Whole-run properties over generated plans with every mechanism in play,
 * in both profiles: replay is lossless, resources are conserved (transfers
 * and charges only move value; taxes, audit penalties, collusion charges and
 * slashed stakes land in the public pool), and the sbx mechanisms keep their
 * promises on every run.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { fromJsonl, reconstruct, toJsonl } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { testPlan } from "../support/reference-plans.ts";
import { bot, eventsOf, runAs, sum, TOXIC, withAgents, type Run } from "./support.ts";

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    profile: fc.constantFrom("swarm-0.1" as const, "sbx" as const),
    honest: fc.integer({ min: 0, max: 3 }),
    opportunistic: fc.integer({ min: 0, max: 2 }),
    deceptive: fc.integer({ min: 0, max: 2 }),
    adversarial: fc.integer({ min: 0, max: 2 }),
    bots: fc.integer({ min: 0, max: 3 }),
    transfer: fc.constantFrom(0, 0.5, -1, 3),
    toxicBots: fc.boolean(),
    seed: fc.integer({ min: 0, max: 10_000 }),
    epochs: fc.integer({ min: 1, max: 5 }),
    steps: fc.integer({ min: 1, max: 8 }),
    mode: fc.constantFrom("sync" as const, "async" as const),
    schedule: fc.constantFrom("round_robin" as const, "random" as const),
    tax: fc.constantFrom(0, 0.1, 0.5),
    staking: fc.constantFrom(null, 0, 60, 99),
    slashRate: fc.constantFrom(0.1, 0.5),
    audit: fc.boolean(),
    breaker: fc.boolean(),
    collusion: fc.boolean(),
    votes: fc.boolean(),
    bandwidth: fc.constantFrom(null, 1, 4),
    tasks: fc.integer({ min: 0, max: 3 }),
    deadline: fc.integer({ min: 0, max: 2 }),
    ttl: fc.integer({ min: 0, max: 3 }),
    network: fc.constantFrom(null, "complete" as const, "small_world" as const),
    disconnect: fc.constantFrom(null, -0.5, 0.2),
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
      mode: r.mode,
      schedule: r.schedule,
      governance: {
        transactionTax: { rate: r.tax, split: 0.6 },
        reputationDecay: { rate: 0.9 },
        staking: r.staking === null ? { enabled: false } : { enabled: true, minStake: r.staking, slashRate: r.slashRate },
        audit: { enabled: r.audit, probability: 0.5, penaltyMultiplier: 3, thresholdP: 0.6 },
        circuitBreaker: { enabled: r.breaker, toxicityThreshold: 0.45, violations: 2, freezeEpochs: 1, violationDecay: 1 },
        collusion: { enabled: r.collusion, minInteractions: 2, scoreThreshold: 0.2, realtimePenalty: true },
        voteNormalization: { enabled: r.votes, maxWeightPerAgent: 3 },
        bandwidth: r.bandwidth === null ? { enabled: false } : { enabled: true, cap: r.bandwidth },
      },
      network: r.network ? { topology: r.network, dynamic: true, decayRate: 0.2, minEdgeWeight: 0.3, disconnectBelowReputation: r.disconnect } : null,
    });
    const bots = Array.from({ length: r.bots }, (_, i) =>
      bot(`bot_${i + 1}`, {
        actions: { post: 0.15, reply: 0.1, vote: 0.2, propose: 0.4, claimTask: 0.1, noop: 0.05 },
        acceptProbability: 0.6,
        upvoteProbability: 0.5,
        transfer: r.transfer,
        ...(r.toxicBots ? { observables: TOXIC } : {}),
      }),
    );
    const out = withAgents(plan, [...plan.agents, ...bots]);
    out.tasks = { perEpoch: r.tasks, bounty: 4, difficulty: "easy", minReputation: 0, deadlineEpochs: r.deadline, proposalTtlSteps: r.ttl };
    return out;
  });

// The engine runs hundreds of small plans a second: a few hundred cases each cost seconds.
const RUNS = { numRuns: runs(400) };

/** |a − b| within a relative tolerance (sums of many payoffs in a different order). */
function close(a: number, b: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
}

/** Per-agent resource flows read off the event log. */
function flows(run: Run) {
  const slashed = new Map<string, number>();
  const fined = new Map<string, number>();
  const bounty = new Map<string, number>();
  const add = (m: Map<string, number>, id: string, v: number) => m.set(id, (m.get(id) ?? 0) + v);
  let pool = 0;
  for (const e of run.events) {
    if (e.type === "stake_slashed") {
      add(slashed, e.agent, e.amount);
      pool += e.amount;
    } else if (e.type === "resources_changed") {
      add(fined, e.agent, -e.delta);
      pool += e.pool ?? 0;
    } else if (e.type === "task_verified" && e.passed) add(bounty, e.agent, e.bounty);
    else if (e.type === "interaction_completed" && e.credited) pool += e.pool ?? 0;
  }
  return { slashed, fined, bounty, pool };
}

describe("profile properties", () => {
  it("replay rebuilds every metric, agent and interaction from the log (through JSONL), in both profiles", () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const run = runAs(plan.profile, plan);
        const back = reconstruct(fromJsonl(toJsonl(run.events)));
        expect(back.result).toEqual(run.result);
        expect(back.interactions).toEqual(run.xs);
      }),
      RUNS,
    );
  });

  it("conserves resources: transfers and charges move value, charges land in the public pool", () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const run = runAs(plan.profile, plan);
        const { slashed, fined, bounty, pool } = flows(run);
        const sbx = plan.profile === "sbx";
        const reported = run.result.epochs.at(-1)?.metrics["governance.pool"] ?? 0;
        close(reported as number, pool);
        if (!sbx) expect(pool).toBe(0);
        // Each agent: resources = 100 + credited payoffs − slashed − fined + bounties.
        for (const a of run.result.agents) {
          const credited = sbx ? a.payoff : 0;
          close(a.resources, 100 + credited - (slashed.get(a.id) ?? 0) - (fined.get(a.id) ?? 0) + (bounty.get(a.id) ?? 0));
        }
        // The whole economy: what interactions created (π_a + π_b + charges) and bounties paid, nothing else.
        const created = sum(run.xs.filter((x) => x.accepted).map((x) => x.payoffA + x.payoffB + x.cA + x.cB));
        const total = sum(run.result.agents.map((a) => a.resources)) + pool;
        const burned = sbx ? 0 : sum([...fined.values()]);
        close(total, 100 * plan.agents.length + (sbx ? created : 0) + sum([...bounty.values()]) - burned);
        // Transfers cancel: π_a + π_b is what the payoff formula gives without τ at all —
        // S_soft − c_a − c_b − (ρ_a + ρ_b)·E_soft + w_rep·(r_a + r_b), recomputed here from p and the plan.
        const c = plan.payoff;
        for (const x of run.xs) {
          const surplus = x.p * c.sPlus - (1 - x.p) * c.sMinus;
          const harm = (1 - x.p) * c.h;
          close(x.payoffA + x.payoffB, surplus - x.cA - x.cB - (c.rhoA + c.rhoB) * harm + c.wRep * (x.rA + x.rB));
        }
      }),
      RUNS,
    );
  });

  it("sbx keeps each mechanism's promise on every run", () => {
    fc.assert(
      fc.property(
        planArb.filter((p) => p.profile === "sbx"),
        (plan) => {
          const run = runAs("sbx", plan);
          const g = plan.governance;
          const ids = new Set(plan.agents.map((a) => a.id));
          const accepted = run.xs.filter((x) => x.accepted);
          for (const x of run.xs) {
            // Validated proposals; governance only on accepted ones.
            expect(x.initiator).not.toBe(x.counterparty);
            expect(ids.has(x.counterparty)).toBe(true);
            if (!x.accepted) expect([x.audited, x.cA, x.cB, x.froze]).toEqual([false, 0, 0, false]);
            expect(x.tax).toBeCloseTo(g.transactionTax.rate * Math.abs(x.tau) * (x.accepted ? 1 : 0), 12);
            expect(x.rA).toBe(x.accepted ? x.p - 0.5 : 0);
          }
          // Bandwidth: at most `cap` accepted interactions per agent per epoch.
          if (g.bandwidth.enabled) {
            const used = new Map<string, number>();
            for (const x of accepted) for (const id of [x.initiator, x.counterparty]) used.set(`${id}@${x.epoch}`, (used.get(`${id}@${x.epoch}`) ?? 0) + 1);
            for (const n of used.values()) expect(n).toBeLessThanOrEqual(g.bandwidth.cap);
          }
          // Staking: a turn is refused only below the stake; slashes only with staking on.
          if (!g.staking.enabled) expect(eventsOf(run, "stake_slashed")).toEqual([]);
          // Tasks: a bounty is paid once per task, only after verification.
          const paid = eventsOf(run, "task_verified").filter((v) => v.passed);
          expect(new Set(paid.map((v) => v.task)).size).toBe(paid.length);
          expect(sum(run.result.epochs.map((e) => e.metrics["tasks.created"] as number))).toBe(plan.tasks.perEpoch * plan.simulation.epochs);
          // Proposal expiry: never with a TTL of 0.
          if (plan.tasks.proposalTtlSteps === 0) expect(eventsOf(run, "proposal_expired")).toEqual([]);
          // Disconnected agents have no edges left unless an edge was re-made by an accepted interaction after... never: edges need a proposal, which needs an edge.
          if (run.result.network) {
            const cut = new Set(eventsOf(run, "agent_disconnected").map((e) => e.agent));
            for (const [a, b] of run.result.network.edges) expect(cut.has(a) || cut.has(b)).toBe(false);
          }
          // Exploitation is logged once per (agent, partner) and only by deceptive agents.
          const ex = eventsOf(run, "exploitation_started");
          expect(new Set(ex.map((e) => `${e.agent}>${e.partner}`)).size).toBe(ex.length);
          expect(ex.every((e) => e.agent.startsWith("deceptive_"))).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
