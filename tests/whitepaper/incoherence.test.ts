/** Replay-based incoherence (D, E, I) and self-ensembling. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, ReplayError, toJsonl } from "../../src/engine/index.ts";
import type { Action } from "../../src/kernel/actions.ts";
import type { Policy, TurnView } from "../../src/kernel/policy.ts";
import type { Rng } from "../../src/kernel/rng/types.ts";
import { restore, snapshot } from "../../src/mechanisms/incoherence/decision-state.ts";
import { ensembleDecision } from "../../src/mechanisms/incoherence/index.ts";
import { decisionError, decompose, disagreement, incoherenceIndex, modal } from "../../src/mechanisms/incoherence/measure.ts";
import { eventsOf, expectLosslessReplay, planOf, run, series } from "./support.ts";

const POPULATION = "population { honest = 3  opportunistic = 2  deceptive = 1  adversarial = 2 }";

describe("the decomposition of one decision point", () => {
  it("computes D over the replays that do not abstain, E against the benchmark, I = D/(E + ε)", () => {
    const tokens = ["post", "post", "vote", null, "post"];
    expect(modal(tokens)).toEqual({ token: "post", count: 3 });
    expect(disagreement(tokens)).toBe(0.25);
    expect(decisionError(tokens, "post")).toBe(0.25);
    expect(decisionError(tokens, "vote")).toBe(0.75);
    expect(decompose(tokens, "vote", 1e-8).i).toBeCloseTo(1 / 3, 7);
    // The benchmark is the mode: all the error is variance.
    expect(decompose(tokens, "post", 1e-8).i).toBeCloseTo(1, 7);
    // Coherent and wrong: no variance, all bias.
    expect(decompose(["noop", "noop", "noop"], "post", 1e-8)).toEqual({ d: 0, e: 1, i: 0 });
    expect(decompose([null, null], "post", 1e-8)).toEqual({ d: 0, e: 0, i: 0 });
    // No benchmark: E is 0, so any disagreement saturates I.
    expect(decompose(["post", "vote"], null, 1e-8).i).toBe(1);
    expect(incoherenceIndex(0.2, 0.1, 0.1)).toBe(1);
    expect(modal(["a", "b", "b", "a"])!.token).toBe("a"); // ties go to the token seen first
  });

  it("keeps I in [0, 1] (and D, E in [0, 1]; D ≤ E when the benchmark was chosen by a replay)", () => {
    const token = fc.option(fc.constantFrom("post", "vote", "propose", "noop", "accept"), { nil: null });
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), token, fc.constantFrom(1e-8, 1e-3, 0.5, 3), (tokens, benchmark, epsilon) => {
        const { d, e, i } = decompose(tokens, benchmark, epsilon);
        for (const v of [d, e, i]) expect(v >= 0 && v <= 1).toBe(true);
        if (d === 0) expect(i).toBe(0);
        if (benchmark !== null && tokens.includes(benchmark)) expect(d).toBeLessThanOrEqual(e + 1e-12);
      }),
      { numRuns: 300 },
    );
  });
});

/** A policy whose decision is the next scripted draw; it counts its calls and remembers what it drew. */
class Scripted implements Policy {
  calls = 0;
  drawn = new Set<number>();
  act(view: TurnView): Action {
    this.calls++;
    const k = view.rng.below(3);
    this.drawn.add(k);
    return k === 0 ? { kind: "post", content: `draw ${this.calls}` } : k === 1 ? { kind: "vote", postId: this.calls, direction: 1 } : { kind: "noop" };
  }
  accept(): boolean {
    return true;
  }
  onOutcome(): void {}
}

function scriptedView(draws: number[]): TurnView {
  let i = 0;
  const rng: Rng = { random: () => 0, uniform: (a) => a, randint: (a) => a, below: () => draws[i++]!, shuffle: () => {} };
  return { rng } as unknown as TurnView;
}

describe("self-ensembling", () => {
  it("takes the first sample of the modal action, and the policy keeps only that sample's state", () => {
    const p = new Scripted();
    const action = ensembleDecision(p, scriptedView([0, 1, 1, 2, 1]), 5);
    expect(action).toEqual({ kind: "vote", postId: 1, direction: 1 }); // the second sample: the first vote
    expect(p.calls).toBe(1);
    expect([...p.drawn]).toEqual([1]);
  });

  it("saves and restores a policy's decision state, containers copied", () => {
    const p = new Scripted();
    p.drawn.add(7);
    const saved = snapshot(p);
    p.calls = 9;
    p.drawn.add(8);
    (p as unknown as Record<string, unknown>)["extra"] = 1;
    restore(p, saved);
    expect(p.calls).toBe(0);
    expect([...p.drawn]).toEqual([7]);
    expect("extra" in p).toBe(false);
    p.drawn.add(9);
    restore(p, saved);
    expect([...p.drawn]).toEqual([7]); // the snapshot itself was not mutated
  });

  it("charges each ensembling party its half of the compute surcharge on accepted interactions", () => {
    const plan = planOf(`scenario s { seed = 4  epochs = 3  steps = 6  population { honest plain { count = 3 }  honest ensembled { count = 3 } }
      governance { self_ensemble { samples = 5  group = "ensembled" } } }`);
    const r = run(plan);
    const ensembled = new Set(plan.groups.find((g) => g.name === "ensembled")!.agentIds);
    const accepted = r.xs.filter((x) => x.accepted);
    expect(accepted.length).toBeGreaterThan(0);
    for (const x of accepted) {
      expect(x.cA).toBeCloseTo(ensembled.has(x.initiator) ? 0.02 : 0, 12);
      expect(x.cB).toBeCloseTo(ensembled.has(x.counterparty) ? 0.02 : 0, 12);
    }
    expect(r.xs.filter((x) => !x.accepted).every((x) => x.cA === 0 && x.cB === 0)).toBe(true);
  });
});

describe("incoherence in a run", () => {
  it("measures without perturbing: the same interactions and metrics with and without the block, sync and async", () => {
    for (const mode of ["sync", "async"]) {
      const base = `seed = 3  epochs = 4  steps = 8  mode = ${mode}  schedule = "random"  ${POPULATION}  tasks { per_epoch = 2 }`;
      const plain = run(planOf(`scenario s { ${base} }`));
      const measured = run(planOf(`scenario s { ${base}  incoherence { replays = 4 } }`));
      expect(measured.xs).toEqual(plain.xs);
      for (const [i, e] of measured.result.epochs.entries()) {
        const other = plain.result.epochs[i]!.metrics;
        for (const [k, v] of Object.entries(e.metrics)) if (!k.startsWith("incoherence.")) expect(v, k).toEqual(other[k]);
      }
      const points = eventsOf(measured, "decision_replayed");
      expect(points.length).toBeGreaterThan(0);
      expect(points.every((p) => p.actions.length === 4)).toBe(true);
      expect(series(plain, "incoherence.index").every((v) => v === null)).toBe(true);
    }
  });

  it("keeps every decision point's and every epoch's I in [0, 1], over generated scenarios", () => {
    const scenario = fc.record({
      seed: fc.integer({ min: 0, max: 1000 }),
      replays: fc.integer({ min: 2, max: 6 }),
      benchmark: fc.constantFrom("honest", "opportunistic", "deceptive", "adversarial"),
      epsilon: fc.constantFrom(1e-8, 0.01, 1),
      samples: fc.constantFrom(0, 3, 4),
      mode: fc.constantFrom("sync", "async"),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const ensemble = s.samples ? `governance { self_ensemble { samples = ${s.samples}  group = "adversarial" } }` : "";
        const r = run(planOf(`scenario s { seed = ${s.seed}  epochs = 2  steps = 4  mode = ${s.mode}  ${POPULATION}
          incoherence { replays = ${s.replays}  benchmark = "${s.benchmark}"  epsilon = ${s.epsilon} }  ${ensemble} }`));
        for (const p of eventsOf(r, "decision_replayed")) expect(p.i >= 0 && p.i <= 1).toBe(true);
        for (const v of series(r, "incoherence.index")) expect(v === null || (v >= 0 && v <= 1)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it("replays losslessly, recomputing D, E and I; a tampered decision point is caught", () => {
    const r = run(
      planOf(`scenario s { seed = 9  epochs = 3  steps = 6  population { honest plain { count = 2 }  honest ensembled { count = 2 }  adversarial = 2 }
        incoherence { replays = 3 }  governance { self_ensemble { samples = 3  group = "ensembled" } } }`),
    );
    expectLosslessReplay(r);
    expect(series(r, "incoherence.decisions").every((v) => (v ?? 0) > 0)).toBe(true);
    const tampered = r.events.map((e) => (e.type === "decision_replayed" && e.d > 0 ? { ...e, d: e.d / 2 } : e));
    expect(() => reconstruct(fromJsonl(toJsonl(tampered)))).toThrow(ReplayError);
  });
});
