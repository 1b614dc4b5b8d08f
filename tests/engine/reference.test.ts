/**
 * The swarm-0.1 compatibility targets: the §12.5 golden trace, the seed
 * README's Scenario Comparison table and the §10.2 criterion values.
 */
import { describe, expect, it } from "vitest";
import { runWithEvents, type InteractionRecord, type RunResult } from "../../src/engine/index.ts";
import { BASELINE, NETWORK_EFFECTS, STATUS_GAME, STRICT_GOVERNANCE } from "../support/reference-plans.ts";

function interactions(plan = BASELINE): InteractionRecord[] {
  const out: InteractionRecord[] = [];
  runWithEvents(plan, { onInteraction: (x) => out.push(x) });
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanToxicity = (r: RunResult) => mean(r.epochs.map((e) => e.metrics.toxicity as number));
const welfarePerEpoch = (r: RunResult) => r.epochs.reduce((s, e) => s + (e.metrics.welfare as number), 0) / r.epochs.length;
const agent = (r: RunResult, id: string) => r.agents.find((a) => a.id === id)!;

describe("§12.5 baseline trace, epoch 0", () => {
  const xs = interactions();

  it("reproduces the first five interactions bit for bit", () => {
    const expected = [
      ["honest_1", "honest_2", "collaboration", [0.4375146591845596, 0, 0, 0, 0.25581517141005755], 0.6261688979558354, 0.7777042824794289, 0.6665564237191434, 0],
      ["opportunistic_1", "deceptive_1", "trade", [0.4892463055917483, 1, 0, 0, 0.07602031563661349], 0.33090258536402206, 0.6596657783588044, 0.48949866753820653, 2],
      ["honest_2", "honest_1", "collaboration", [0.6178422221322001, 1, 0, 0, 0.26506163886243395], 0.42014921662536686, 0.6985280657714743, 0.5477920986572115, 3],
      ["opportunistic_1", "honest_1", "trade", [0.2421082800910086, 2, 1, 0, 0.15091015672927566], 0.043025343382258566, 0.5214994069028125, 0.28224911035421874, 3],
      ["opportunistic_1", "honest_1", "trade", [0.42201832030848574, 1, 1, 0, -0.1669056973942264], 0.13542618864454903, 0.5673021503681569, 0.35095322555223535, 4],
    ] as const;
    expected.forEach(([a, b, type, o, vHat, p, payoff, step], i) => {
      const x = xs[i];
      expect([x.initiator, x.counterparty, x.type, x.accepted, x.epoch, x.step]).toEqual([a, b, type, true, 0, step]);
      expect([x.observables.taskProgress, x.observables.rework, x.observables.rejections, x.observables.misuse, x.observables.engagement]).toEqual([...o]);
      expect([x.vHat, x.p, x.payoffA, x.payoffB]).toEqual([vHat, p, payoff, payoff]);
    });
  });

  it("reports the reference's epoch-0 metrics exactly", () => {
    const { result } = runWithEvents(BASELINE);
    const m = result.epochs[0].metrics;
    expect([m.interactions, m.accepted, m.total_posts, m.total_votes]).toEqual([6, 6, 13, 16]);
    expect(m.toxicity).toBe(0.37075155697308015);
    expect(m.quality_gap).toBe(0.0);
    expect(m.avg_payoff).toBe(0.4438726645403799);
    expect(m.welfare).toBe(5.326471974484559);
  });
});

describe("seed README Scenario Comparison and §10.2 criteria", () => {
  // "The bad actor" is the one agent of a bad kind that the README follows: baseline has no
  // adversary, so it is deceptive_1 (opportunistic_1 ends at +11.39, nowhere near +3.42);
  // status_game and strict_governance each have one adversary, adversarial_1.
  const baseline = runWithEvents(BASELINE).result;
  const status = runWithEvents(STATUS_GAME).result;
  const strict = runWithEvents(STRICT_GOVERNANCE).result;

  it("baseline: welfare/epoch 7.29, mean toxicity 0.30 (criterion 0.3003 ≤ 0.5), bad actor +3.42, not frozen", () => {
    expect(welfarePerEpoch(baseline).toFixed(2)).toBe("7.29");
    expect(meanToxicity(baseline).toFixed(2)).toBe("0.30");
    expect(meanToxicity(baseline).toFixed(4)).toBe("0.3003");
    expect(agent(baseline, "deceptive_1").payoff.toFixed(2)).toBe("3.42");
    expect(agent(baseline, "deceptive_1").frozen).toBe(false);
    expect(baseline.epochsCompleted).toBe(10);
  });

  it("status_game: 13.02, 0.33 (0.3278 ≤ 0.4), bad actor +1.22, frozen", () => {
    expect(welfarePerEpoch(status).toFixed(2)).toBe("13.02");
    expect(meanToxicity(status).toFixed(2)).toBe("0.33");
    expect(meanToxicity(status).toFixed(4)).toBe("0.3278");
    expect(agent(status, "adversarial_1").payoff.toFixed(2)).toBe("1.22");
    expect(agent(status, "adversarial_1").frozen).toBe(true);
  });

  it("strict_governance: 8.15, 0.32 (0.3229 > 0.3: it fails its own criterion), bad actor −1.55, frozen", () => {
    expect(welfarePerEpoch(strict).toFixed(2)).toBe("8.15");
    expect(meanToxicity(strict).toFixed(2)).toBe("0.32");
    expect(meanToxicity(strict).toFixed(4)).toBe("0.3229");
    expect(meanToxicity(strict)).toBeGreaterThan(0.3);
    expect(agent(strict, "adversarial_1").payoff.toFixed(2)).toBe("-1.55");
    expect(agent(strict, "adversarial_1").frozen).toBe(true);
  });

  it("network_effects runs on its small world with dynamic edges", () => {
    const r = runWithEvents(NETWORK_EFFECTS).result;
    expect(r.epochsCompleted).toBe(20);
    const first = r.epochs[0].metrics;
    // The initial topology is the §12.3 small world (n=10, k=4, p=0.1, seed 42).
    expect([first["network.edges"], first["network.avg_clustering"], first["network.avg_path_length"]]).toEqual([20, 0.3966666666666666, 1.6444444444444444]);
    expect(r.network?.nodes).toHaveLength(10);
    expect(r.epochs.every((e) => (e.metrics.interactions as number) > 0)).toBe(true);
    // Edges decay by 5% per epoch (an untouched edge is at 0.95^20 ≈ 0.358 > 0.2, so none is pruned yet)
    // and accepted interactions strengthen theirs back toward 1.
    const weights = r.network!.edges.map(([, , w]) => w);
    expect(Math.min(...weights)).toBeCloseTo(0.95 ** 20, 12);
    expect(weights.some((w) => w > 0.95 ** 20 + 1e-9)).toBe(true);
    expect(r.epochs.every((e) => e.metrics["network.edges"] === 20 && e.metrics["network.pruned"] === 0)).toBe(true);
  });
});
