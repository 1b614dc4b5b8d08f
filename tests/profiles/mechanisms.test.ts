/**
 * Every mechanism the reference defines but leaves dormant (docs/sandbox.md
 * §0.4, §14.1; the describe blocks' § numbers are that page's) acts in profile `sbx` and stays inert in `swarm-0.1`: one
 * block per mechanism, each showing both sides.
 */
import { describe, expect, it } from "vitest";
import { semanticsFor, type Action, type Policy, type TurnView } from "../../src/engine/index.ts";
import { analyzeCollusion } from "../../src/mechanisms/collusion/analysis.ts";
import { levers } from "../support/levers.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { DEFAULT_GOVERNANCE, testPlan } from "../support/reference-plans.ts";
import { both, bot, eventsOf, runAs, sum, TOXIC, withAgents, type Run } from "./support.ts";

const accepted = (r: Run) => r.xs.filter((x) => x.accepted);
const pool = (r: Run) => r.result.epochs.at(-1)!.metrics["governance.pool"] as number;
const welfare = (r: Run) => sum(r.result.epochs.map((e) => e.metrics.welfare as number));
const resources = (r: Run) => sum(r.result.agents.map((a) => a.resources));

describe("transfers and the transaction tax (§14.1 item 1)", () => {
  const plan = (rate: number) =>
    withAgents(testPlan({ epochs: 3, steps: 6, governance: { transactionTax: { rate, split: 0.7 } } }), ["a", "b", "c", "d"].map((id) => bot(id, { transfer: 1 })));

  it("sbx: proposals carry the policy's τ, the tax charges rate·|τ| split as configured, and both go through resources", () => {
    const untaxed = runAs("sbx", plan(0));
    const taxed = runAs("sbx", plan(0.2));
    // The tax changes no decision of these agents: the same interactions happen.
    expect(taxed.xs.map((x) => [x.initiator, x.counterparty, x.p])).toEqual(untaxed.xs.map((x) => [x.initiator, x.counterparty, x.p]));
    for (const x of taxed.xs) {
      expect(x.tau).toBe(1);
      expect(x.tax).toBeCloseTo(0.2, 12);
      expect(x.cA).toBeCloseTo(0.2 * 0.7, 12);
      expect(x.cB).toBeCloseTo(0.2 * 0.3, 12);
    }
    const charged = sum(accepted(taxed).map((x) => x.cA + x.cB));
    expect(charged).toBeGreaterThan(0);
    expect(welfare(untaxed) - welfare(taxed)).toBeCloseTo(charged, 9);
    expect(resources(untaxed) - resources(taxed)).toBeCloseTo(charged, 9);
    expect(pool(taxed)).toBeCloseTo(charged, 9);
    expect(pool(untaxed)).toBe(0);
    // The transfer itself moves value from initiator to counterparty and nets out.
    const a = taxed.result.agents.find((r) => r.id === "a")!;
    expect(a.resources).toBeCloseTo(100 + a.payoff, 9);
  });

  it("swarm-0.1: τ is always 0, so the tax never charges and welfare ignores the rate", () => {
    const untaxed = runAs("swarm-0.1", plan(0));
    const taxed = runAs("swarm-0.1", plan(0.2));
    expect(taxed.xs.every((x) => x.tau === 0 && x.tax === 0)).toBe(true);
    expect(welfare(taxed)).toBe(welfare(untaxed));
    expect(taxed.result.agents.every((r) => r.resources === 100)).toBe(true);
    expect(pool(taxed)).toBe(0);
  });

  it("scripted agents offer the reference's propose_interaction() transfers", () => {
    const plan = testPlan({ epochs: 6, steps: 10, seed: 11, agents: [["honest", 3], ["opportunistic", 2], ["deceptive", 1], ["adversarial", 1]] });
    const { sbx, swarm } = both(plan);
    const kind = (id: string) => id.replace(/_\d+$/, "");
    const taus = new Map<string, Set<number>>();
    for (const x of sbx.xs) taus.set(kind(x.initiator), (taus.get(kind(x.initiator)) ?? new Set()).add(x.tau));
    expect([...taus.get("honest")!]).toEqual([0]);
    expect([...taus.get("opportunistic")!]).toEqual([-0.5]);
    expect([...taus.get("adversarial")!].every((t) => t === -1 || t === 0)).toBe(true);
    expect(taus.get("adversarial")!.has(-1)).toBe(true);
    expect([...taus.get("deceptive")!].every((t) => t === 0.1 || t === -0.5)).toBe(true);
    expect(swarm.xs.every((x) => x.tau === 0)).toBe(true);
  });
});

describe("resources, staking and slashing (§0.4)", () => {
  it("sbx: an agent giving value away falls under the stake and is blocked; swarm-0.1 never blocks", () => {
    const plan = withAgents(testPlan({ epochs: 4, steps: 6, governance: { staking: { enabled: true, minStake: 90 } } }), [
      bot("giver", { transfer: 3 }),
      bot("b", { actions: { post: 0, reply: 0, vote: 0, propose: 0, claimTask: 0, noop: 1 } }),
      bot("c", { actions: { post: 0, reply: 0, vote: 0, propose: 0, claimTask: 0, noop: 1 } }),
    ]);
    const { sbx, swarm } = both(plan);
    const giver = sbx.result.agents.find((a) => a.id === "giver")!;
    expect(giver.resources).toBeLessThan(90);
    const blocked = eventsOf(sbx, "turn_blocked");
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.every((e) => e.agent === "giver")).toBe(true);
    // Once blocked it initiates nothing more.
    const first = sbx.events.findIndex((e) => e.type === "turn_blocked");
    expect(sbx.events.slice(first).some((e) => e.type === "interaction_proposed" && e.initiator === "giver")).toBe(false);
    expect(eventsOf(swarm, "turn_blocked")).toEqual([]);
    expect(swarm.result.agents.every((a) => a.resources === 100)).toBe(true);
  });

  it("sbx: failed audits and circuit-breaker violations slash resources·slash_rate into the pool", () => {
    const plan = withAgents(
      testPlan({
        epochs: 3,
        steps: 5,
        governance: {
          staking: { enabled: true, minStake: 0, slashRate: 0.1 },
          audit: { enabled: true, probability: 1, penaltyMultiplier: 1, thresholdP: 0.5 },
          circuitBreaker: { enabled: true, toxicityThreshold: 0.5, violations: 100, freezeEpochs: 1 },
        },
      }),
      [bot("toxic", { observables: TOXIC }), bot("b"), bot("c")],
    );
    const { sbx, swarm } = both(plan);
    const slashes = eventsOf(sbx, "stake_slashed");
    expect(new Set(slashes.map((s) => s.violation))).toEqual(new Set(["audit", "circuit_breaker"]));
    expect(slashes.every((s) => s.agent === "toxic")).toBe(true);
    // Each slash takes slash_rate of what the agent held then.
    let held = 100;
    const toxicChanges = sbx.events.filter((e) => (e.type === "stake_slashed" && e.agent === "toxic") || (e.type === "interaction_completed" && e.credited && (e.interaction.initiator === "toxic" || e.interaction.counterparty === "toxic")));
    for (const e of toxicChanges) {
      if (e.type === "stake_slashed") {
        expect(e.amount).toBeCloseTo(held * 0.1, 9);
        held -= e.amount;
      } else if (e.type === "interaction_completed") held += e.interaction.initiator === "toxic" ? e.resourceDeltaA! : e.resourceDeltaB!;
    }
    expect(sbx.result.agents.find((a) => a.id === "toxic")!.resources).toBeCloseTo(held, 9);
    expect(sum(sbx.result.epochs.map((e) => e.metrics["governance.slashed"] as number))).toBeCloseTo(sum(slashes.map((s) => s.amount)), 9);
    expect(eventsOf(swarm, "stake_slashed")).toEqual([]);
    expect(swarm.result.epochs.every((e) => e.metrics["governance.slashed"] === 0)).toBe(true);
  });
});

describe("deceptive agents reach exploitation (§14.1 item 6)", () => {
  const plan = testPlan({ epochs: 8, steps: 10, seed: 3, agents: [["honest", 3], ["opportunistic", 1], ["deceptive", 1]] });
  const { sbx, swarm } = both(plan);

  it("sbx: the deceptive agent initiates, builds trust, and the switch to exploitation is logged and measured", () => {
    const initiated = sbx.xs.filter((x) => x.initiator === "deceptive_1");
    expect(initiated.length).toBeGreaterThan(10);
    const switches = eventsOf(sbx, "exploitation_started");
    expect(switches.length).toBeGreaterThan(0);
    expect(switches.every((e) => e.agent === "deceptive_1")).toBe(true);
    // Before the switch a partner gets +0.1 collaborations; after it, trades asking 0.5.
    for (const s of switches) {
      const at = sbx.events.indexOf(s);
      const withPartner = (from: number, to: number) =>
        sbx.events.slice(from, to).filter((e) => e.type === "interaction_proposed" && e.initiator === "deceptive_1" && e.counterparty === s.partner) as Extract<(typeof sbx.events)[number], { type: "interaction_proposed" }>[];
      expect(withPartner(0, at).every((e) => e.transfer === 0.1 && e.interactionType === "collaboration")).toBe(true);
      const after = withPartner(at, sbx.events.length);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((e) => e.transfer === -0.5 && e.interactionType === "trade")).toBe(true);
    }
    const firstEpoch = switches[0].epoch;
    expect(sbx.result.epochs.filter((e) => e.epoch >= firstEpoch).every((e) => e.metrics.exploiting === 1)).toBe(true);
    expect(sbx.result.epochs.filter((e) => e.epoch < firstEpoch).every((e) => e.metrics.exploiting === 0)).toBe(true);
  });

  it("swarm-0.1: the deceptive agent almost never proposes and never exploits", () => {
    expect(eventsOf(swarm, "exploitation_started")).toEqual([]);
    expect(swarm.result.epochs.every((e) => e.metrics.exploiting === 0)).toBe(true);
    expect(swarm.xs.filter((x) => x.initiator === "deceptive_1").length).toBeLessThan(3);
  });
});

describe("tasks (§14.1 item 5)", () => {
  const plan = testPlan({ epochs: 5, steps: 6, seed: 5, agents: [["honest", 2], ["opportunistic", 2], ["adversarial", 1]] });
  plan.tasks = { perEpoch: 3, bounty: 5, difficulty: "medium", minReputation: 0, deadlineEpochs: 2, proposalTtlSteps: 0 };
  const { sbx, swarm } = both(plan);

  it("sbx: tasks are posted, claimed, started, submitted, verified and paid, each step logged", () => {
    const created = eventsOf(sbx, "task_created");
    expect(created).toHaveLength(15);
    const paid = eventsOf(sbx, "task_verified").filter((e) => e.passed);
    expect(paid.length).toBeGreaterThan(0);
    for (const v of paid) {
      const life = sbx.events.filter((e) => "task" in e && e.task === v.task).map((e) => e.type);
      expect(life).toEqual(["task_created", "task_claimed", "task_started", ...life.slice(3, -2), "output_submitted", "task_verified"]);
      expect(v.bounty).toBe(5);
      expect(v.p).toBeGreaterThanOrEqual(0.5);
    }
    const m = sbx.result.epochs;
    expect(sum(m.map((e) => e.metrics["tasks.created"] as number))).toBe(15);
    expect(sum(m.map((e) => e.metrics["tasks.completed"] as number))).toBe(paid.length);
    expect(sum(m.map((e) => e.metrics["tasks.bounty_paid"] as number))).toBe(5 * paid.length);
    // Bounties land in resources: resources = 100 + payoff + bounties − slashed − fines (none here).
    for (const a of sbx.result.agents) {
      const bounties = sum(paid.filter((v) => v.agent === a.id).map((v) => v.bounty));
      expect(a.resources).toBeCloseTo(100 + a.payoff + bounties, 9);
    }
  });

  it("sbx: claims respect tasks_per_epoch, and unfinished tasks close at their deadline", () => {
    const claims = eventsOf(sbx, "task_claimed");
    const perAgentEpoch = new Map<string, number>();
    for (const c of claims) perAgentEpoch.set(`${c.agent}@${c.epoch}`, (perAgentEpoch.get(`${c.agent}@${c.epoch}`) ?? 0) + 1);
    expect(Math.max(...perAgentEpoch.values())).toBeLessThanOrEqual(plan.rateLimits.tasksPerEpoch);
    for (const c of eventsOf(sbx, "task_closed")) {
      const created = eventsOf(sbx, "task_created").find((t) => t.task === c.task)!;
      expect(c.epoch).toBe(created.deadline);
    }
  });

  it("swarm-0.1: no task is ever created", () => {
    expect(swarm.events.some((e) => e.type.startsWith("task_"))).toBe(false);
    expect(swarm.result.epochs.every((e) => e.metrics["tasks.created"] === 0)).toBe(true);
  });

  it("a free ride fails verification and goes back to work", () => {
    const riders = withAgents(testPlan({ epochs: 3, steps: 6, seed: 2 }), [
      bot("rider", { actions: { post: 0, reply: 0, vote: 0, propose: 0, claimTask: 1, noop: 0 } }),
    ]);
    riders.tasks = { perEpoch: 1, bounty: 5, difficulty: "easy", minReputation: 0, deadlineEpochs: 0, proposalTtlSteps: 0 };
    const free: Policy = {
      act(view: TurnView): Action {
        const active = view.activeTasks();
        if (active.length && active[0].status === "in_progress") return { kind: "submit_output", taskId: active[0].id, content: "Completed.", effort: "minimal" };
        const open = view.availableTasks();
        return open.length ? { kind: "claim_task", taskId: open[0].id } : { kind: "noop" };
      },
      accept: () => false,
      onOutcome: () => {},
    };
    const run = runAs("sbx", riders, { policyFor: () => free });
    const verdicts = eventsOf(run, "task_verified");
    expect(verdicts.length).toBeGreaterThan(1);
    expect(verdicts.every((v) => !v.passed && v.bounty === 0)).toBe(true);
    expect(run.result.agents[0].resources).toBe(100);
  });
});

describe("votes follow scores, with normalised weights (§14.1 items 2, 8)", () => {
  it("sbx: honest agents join in burying posts trolls voted down; swarm-0.1 honest agents only ever upvote", () => {
    const trolls = ["t1", "t2", "t3", "t4", "t5"].map((id) =>
      bot(id, { actions: { post: 0.2, reply: 0, vote: 0.8, propose: 0, claimTask: 0, noop: 0 }, upvoteProbability: 0 }, "trolls"),
    );
    const plan = testPlan({ epochs: 3, steps: 10, seed: 4, agents: [["honest", 3]] });
    const { sbx, swarm } = both(withAgents(plan, [...plan.agents, ...trolls]));
    const honestVotes = (r: Run) => eventsOf(r, "vote_cast").filter((v) => v.voter.startsWith("honest"));
    expect(honestVotes(sbx).some((v) => v.direction === -1)).toBe(true);
    expect(honestVotes(swarm).length).toBeGreaterThan(0);
    expect(honestVotes(swarm).every((v) => v.direction === 1)).toBe(true);
  });

  it("sbx: the n-th vote of an agent in an epoch weighs 1/(1 + n/M); swarm-0.1 votes all weigh 1", () => {
    const plan = testPlan({ epochs: 2, steps: 10, seed: 9, governance: { voteNormalization: { enabled: true, maxWeightPerAgent: 2 } } });
    const { sbx, swarm } = both(plan);
    const seen = new Map<string, number>();
    const votes = eventsOf(sbx, "vote_cast");
    expect(votes.length).toBeGreaterThan(5);
    for (const v of votes) {
      const key = `${v.voter}@${v.epoch}`;
      const n = seen.get(key) ?? 0;
      expect(v.weight).toBeCloseTo(1 / (1 + n / 2), 12);
      seen.set(key, n + 1);
    }
    expect(eventsOf(swarm, "vote_cast").every((v) => v.weight === undefined)).toBe(true);
  });
});

describe("bookkeeping: rejections counted, both reputations move (§14.1 item 7)", () => {
  const plan = withAgents(testPlan({ epochs: 3, steps: 6, seed: 8 }), ["a", "b", "c", "d"].map((id) => bot(id, { acceptProbability: 0.5 })));
  const { sbx, swarm } = both(plan);

  it("sbx: every initiated interaction is counted and rejections are recorded", () => {
    for (const a of sbx.result.agents) {
      expect(a.interactionsInitiated).toBe(sbx.xs.filter((x) => x.initiator === a.id).length);
      expect(a.interactionsReceived).toBe(sbx.xs.filter((x) => x.counterparty === a.id).length);
      expect(a.interactionsRejected).toBe(sbx.xs.filter((x) => x.initiator === a.id && !x.accepted).length);
    }
    expect(sum(sbx.result.agents.map((a) => a.interactionsRejected ?? 0))).toBeGreaterThan(0);
  });

  it("sbx: both parties' reputations move by p − 0.5, which is also each party's reputation payoff term", () => {
    for (const a of sbx.result.agents) {
      const mine = accepted(sbx).filter((x) => x.initiator === a.id || x.counterparty === a.id);
      expect(a.reputation).toBeCloseTo(sum(mine.map((x) => x.p - 0.5)), 9);
    }
    for (const x of sbx.xs) {
      expect(x.rA).toBe(x.accepted ? x.p - 0.5 : 0);
      expect(x.rB).toBe(x.accepted ? x.p - 0.5 : 0);
    }
  });

  it("swarm-0.1: only accepted initiations count, rejections stay 0, only the initiator's reputation moves", () => {
    for (const a of swarm.result.agents) {
      expect(a.interactionsInitiated).toBe(accepted(swarm).filter((x) => x.initiator === a.id).length);
      expect(a.interactionsRejected).toBe(0);
      expect(a.reputation).toBe(sum([0, ...accepted(swarm).filter((x) => x.initiator === a.id).map((x) => x.p - 0.5)]));
    }
    expect(swarm.xs.every((x) => x.rA === 0 && x.rB === 0)).toBe(true);
  });
});

describe("audits and the circuit breaker act on accepted interactions (§14.1 items 9, 10)", () => {
  const plan = withAgents(
    testPlan({
      epochs: 4,
      steps: 6,
      seed: 6,
      governance: {
        audit: { enabled: true, probability: 1, penaltyMultiplier: 2, thresholdP: 0.5 },
        circuitBreaker: { enabled: true, toxicityThreshold: 0.55, violations: 2, freezeEpochs: 1 },
      },
    }),
    [bot("toxic", { observables: TOXIC }), bot("b", { acceptProbability: 0.3 }), bot("c", { acceptProbability: 0.3 }), bot("d", { acceptProbability: 0.3 })],
  );
  const { sbx, swarm } = both(plan);

  it("sbx: rejected interactions are neither audited, charged nor counted by the breaker", () => {
    expect(sbx.xs.some((x) => !x.accepted)).toBe(true);
    for (const x of sbx.xs) {
      if (!x.accepted) expect([x.audited, x.cA, x.cB, x.froze]).toEqual([false, 0, 0, false]);
      else expect(x.audited).toBe(true);
    }
    expect(sbx.xs.some((x) => x.froze)).toBe(true);
  });

  it("swarm-0.1: rejected interactions are audited and charged too", () => {
    expect(swarm.xs.some((x) => !x.accepted && x.audited && x.cA > 0)).toBe(true);
  });
});

describe("proposals are validated and expire (§14.1 item 13)", () => {
  /** Proposes to itself, then to an unknown agent, then to the next agent; accepts anything pending, even other agents' proposals. */
  function rogue(): Policy {
    let turn = 0;
    return {
      act(view: TurnView): Action {
        turn++;
        const mine = view.firstPending();
        if (mine) return { kind: "accept", proposalId: mine.id };
        const target = turn % 3 === 0 ? view.self.id : turn % 3 === 1 ? "nobody" : view.self.id === "a" ? "b" : "a";
        return { kind: "propose", counterparty: target, type: "collaboration", content: "", transfer: 0 };
      },
      accept: () => true,
      onOutcome: () => {},
    };
  }
  const plan = withAgents(testPlan({ epochs: 1, steps: 9 }), [bot("a"), bot("b")]);

  it("sbx: no proposal to oneself or to an unknown agent; swarm-0.1 completes them", () => {
    const { sbx, swarm } = both(plan, { policyFor: () => rogue() });
    const bad = (r: Run) => r.xs.filter((x) => x.initiator === x.counterparty || x.counterparty === "nobody");
    expect(bad(sbx)).toEqual([]);
    expect(sbx.xs.length).toBeGreaterThan(0);
    expect(bad(swarm).length).toBeGreaterThan(0);
  });

  it("sbx: only the counterparty may answer a proposal", () => {
    // a and b propose to each other and reject at resolution; c accepts proposal 1 (a → b), which is not addressed to it.
    const meddler: Policy = { act: () => ({ kind: "accept", proposalId: 1 }), accept: () => false, onOutcome: () => {} };
    const proposer: Policy = {
      act: (view) => ({ kind: "propose", counterparty: view.self.id === "a" ? "b" : "a", type: "trade", content: "", transfer: 0 }),
      accept: () => false,
      onOutcome: () => {},
    };
    const p = withAgents(testPlan({ epochs: 1, steps: 3 }), [bot("a"), bot("c"), bot("b")]);
    const { sbx, swarm } = both(p, { policyFor: (agent) => (agent.id === "c" ? meddler : proposer) });
    expect(swarm.xs.find((x) => x.id === 1)!.accepted).toBe(true);
    expect(sbx.xs.find((x) => x.id === 1)!.accepted).toBe(false);
  });

  it("sbx: proposals left pending (their counterparty frozen) expire after proposal_ttl steps; swarm-0.1 keeps them", () => {
    const plan = withAgents(
      testPlan({
        epochs: 3,
        steps: 6,
        seed: 12,
        governance: { circuitBreaker: { enabled: true, toxicityThreshold: 0.0, violations: 1, freezeEpochs: 1 } },
      }),
      ["a", "b", "c", "d", "e", "f"].map((id) => bot(id)),
    );
    plan.tasks = { ...plan.tasks, proposalTtlSteps: 2 };
    const { sbx, swarm } = both(plan);
    const expired = eventsOf(sbx, "proposal_expired");
    expect(expired.length).toBeGreaterThan(0);
    for (const e of expired) {
      const made = eventsOf(sbx, "interaction_proposed").find((p) => p.id === e.id)!;
      expect(e.epoch * 6 + e.step - (made.epoch * 6 + made.step) + 1).toBe(2);
      expect(sbx.xs.some((x) => x.id === e.id)).toBe(false);
    }
    expect(sum(sbx.result.epochs.map((m) => m.metrics.proposals_expired as number))).toBe(expired.length);
    expect(eventsOf(swarm, "proposal_expired")).toEqual([]);
  });
});

describe("the bandwidth cap (§14.1 item 8)", () => {
  const plan = withAgents(testPlan({ epochs: 3, steps: 8, seed: 1, governance: { bandwidth: { enabled: true, cap: 3 } } }), ["a", "b", "c", "d"].map((id) => bot(id)));
  const { sbx, swarm } = both(plan);
  const perAgentEpoch = (r: Run) => {
    const m = new Map<string, number>();
    for (const x of accepted(r)) for (const id of [x.initiator, x.counterparty]) m.set(`${id}@${x.epoch}`, (m.get(`${id}@${x.epoch}`) ?? 0) + 1);
    return Math.max(...m.values());
  };

  it("sbx: no agent takes part in more than `cap` accepted interactions per epoch; refusals are counted", () => {
    expect(perAgentEpoch(sbx)).toBeLessThanOrEqual(3);
    const capped = eventsOf(sbx, "interaction_completed").filter((e) => e.capped);
    expect(capped.length).toBeGreaterThan(0);
    expect(capped.every((e) => !e.interaction.accepted)).toBe(true);
    expect(sum(sbx.result.epochs.map((e) => e.metrics["governance.capped"] as number))).toBe(capped.length);
  });

  it("swarm-0.1: the cap is never applied", () => {
    expect(perAgentEpoch(swarm)).toBeGreaterThan(3);
  });
});

describe("reputation-based disconnection (§14.1 item 8)", () => {
  const plan: Plan = withAgents(
    testPlan({ epochs: 3, steps: 6, seed: 2, network: { topology: "complete", disconnectBelowReputation: -0.5 } }),
    [bot("toxic", { observables: TOXIC }), bot("b"), bot("c"), bot("d")],
  );
  const { sbx, swarm } = both(plan);

  it("sbx: an agent whose reputation falls below the threshold loses every edge", () => {
    const cut = eventsOf(sbx, "agent_disconnected");
    expect(cut.map((e) => e.agent)).toContain("toxic");
    expect(sbx.result.network!.edges.some(([a, b]) => a === "toxic" || b === "toxic")).toBe(false);
    const at = sbx.events.indexOf(cut.find((e) => e.agent === "toxic")!);
    expect(sbx.events.slice(at).some((e) => e.type === "interaction_proposed" && e.initiator === "toxic")).toBe(false);
  });

  it("swarm-0.1: nobody is disconnected", () => {
    expect(eventsOf(swarm, "agent_disconnected")).toEqual([]);
    expect(swarm.result.network!.edges).toHaveLength(6);
  });
});

describe("proxy settings (§14.1 item 8: sigmoid_k, weights, decays)", () => {
  it("sbx: sigmoid steepness 0 makes every p 0.5, and the weights decide v̂; swarm-0.1 keeps the default proxy", () => {
    const plan = testPlan({ epochs: 2, steps: 6 });
    plan.proxy = { weights: { taskProgress: 1, rework: 0, verifier: 0, engagement: 0 }, sigmoidK: 0, reworkDecay: 0.3, rejectionDecay: 0.4, misuseDecay: 0.5 };
    const { sbx, swarm } = both(plan);
    expect(sbx.xs.length).toBeGreaterThan(0);
    for (const x of sbx.xs) {
      expect(x.p).toBe(0.5);
      expect(x.vHat).toBe(Math.max(-1, Math.min(1, x.observables.taskProgress)));
    }
    expect(swarm.xs.some((x) => x.p !== 0.5)).toBe(true);
  });
});

describe("circuit-breaker violations decay and a released agent starts afresh (§14.1 item 9)", () => {
  const g = structuredClone(DEFAULT_GOVERNANCE);
  g.circuitBreaker = { enabled: true, toxicityThreshold: 0.5, violations: 3, freezeEpochs: 1, window: 10, violationDecay: 1 };
  const ix = (p: number) => ({ initiator: "a", counterparty: "b", p, tau: 0, accepted: true, cA: 0, cB: 0 });
  const engineFor = (profile: "sbx" | "swarm-0.1") => levers(g, ["a", "b"], { profile });

  it("sbx: a quiet epoch forgives violation_decay violations; swarm-0.1 never forgets", () => {
    const freezesAfterQuietEpochs = (profile: "sbx" | "swarm-0.1") => {
      const e = engineFor(profile);
      e.onInteraction(ix(0.1), 0);
      e.onInteraction(ix(0.1), 0); // two violations in epoch 0
      e.epochStart(1);
      e.epochStart(2); // epoch 1 was quiet
      e.epochStart(3); // so was epoch 2
      return e.onInteraction(ix(0.1), 3).freeze;
    };
    expect(freezesAfterQuietEpochs("swarm-0.1")).toEqual(["a"]);
    expect(freezesAfterQuietEpochs("sbx")).toEqual([]);
  });

  it("sbx: a released agent's toxicity window starts empty", () => {
    const e = engineFor("swarm-0.1");
    for (let i = 0; i < 3; i++) e.onInteraction(ix(0.0), 0); // frozen until epoch 1
    expect(e.epochStart(1).unfreeze).toEqual(["a"]);
    let violations = 0;
    for (let i = 0; i < 3; i++) if (e.onInteraction(ix(0.9), 1).freeze.length) violations++;
    // Against the old window (toxicity 1, 1, 1) good interactions keep violating: the third re-freezes.
    expect(violations).toBe(1);
    const s = engineFor("sbx");
    for (let i = 0; i < 3; i++) s.onInteraction(ix(0.0), 0);
    s.epochStart(1);
    for (let i = 0; i < 3; i++) expect(s.onInteraction(ix(0.9), 1).freeze).toEqual([]);
  });
});

describe("settings that did nothing in sbx either: task difficulty and the collusion correlation threshold", () => {
  it("sbx: a task's difficulty sets the verification bar (p ≥ 0.5 ± 0.1 per step from medium)", () => {
    const verdicts = (difficulty: Plan["tasks"]["difficulty"]) => {
      const plan = testPlan({ epochs: 4, steps: 6, seed: 5, agents: [["honest", 2], ["opportunistic", 2]] });
      plan.tasks = { perEpoch: 3, bounty: 5, difficulty, minReputation: 0, deadlineEpochs: 0, proposalTtlSteps: 0 };
      return eventsOf(runAs("sbx", plan), "task_verified");
    };
    const bars = { trivial: 0.3, medium: 0.5, expert: 0.7 } as const;
    for (const [d, bar] of Object.entries(bars)) {
      const vs = verdicts(d as keyof typeof bars);
      expect(vs.length).toBeGreaterThan(3);
      // A pass needs the bar (free rides fail whatever their p).
      for (const v of vs) if (v.passed || v.p < bar - 1e-12) expect(v.passed).toBe(v.p >= bar - 1e-12);
    }
    const failures = (d: keyof typeof bars) => verdicts(d).filter((v) => !v.passed).length;
    expect(failures("expert")).toBeGreaterThan(failures("trivial"));
  });

  it("sbx: benefit correlation counts toward a pair's collusion score only from the threshold up", () => {
    // Benefits that correlate positively but imperfectly.
    const xs = Array.from({ length: 12 }, (_, i) => ({ initiator: i % 2 ? "a" : "b", counterparty: i % 2 ? "b" : "a", p: 0.3, accepted: true, tau: 0, cA: 0.01 * i, cB: 0.01 * i + 0.02 * (i % 3) }));
    // A single pair: each member's risk is the pair's score; acceptance and quality give 0.3 without correlation.
    const score = (correlationThreshold?: number) =>
      analyzeCollusion(xs, ["a", "b", "c"], { frequencyThreshold: 2, minInteractions: 3, scoreThreshold: 0.5, ...(correlationThreshold === undefined ? {} : { correlationThreshold }) }).agentRisk.get("a") as number;
    const open = score();
    expect(open).toBeGreaterThan(0.3 + 0.3 * 0.2);
    expect(open).toBeLessThan(0.3 + 0.3 * 0.99);
    expect(score(0.1)).toBe(open);
    expect(score(0.99)).toBeCloseTo(0.3, 12);
    expect(semanticsFor("sbx").collusionCorrelationGate).toBe(true);
    expect(semanticsFor("swarm-0.1").collusionCorrelationGate).toBe(false);
  });
});
