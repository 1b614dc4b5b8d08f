/**
 * Perturbations: a shock's effect lasts from its start to its heal_after and
 * not a step longer; a parameter shock on any setting the registry marks
 * live acts exactly as that setting written from the start; runs with shocks
 * replay exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromJsonl, reconstruct, resultJson, runWithEvents, toJsonl, type InteractionRecord } from "../../src/engine/index.ts";
import { Scheduler } from "../../src/engine/scheduler.ts";
import { perturbations } from "../../src/mechanisms/perturbations/index.ts";
import { Plan } from "../../src/plan/schema.ts";
import { GOVERNANCE, SCENARIO } from "../../src/registry/blocks.ts";
import type { AttrSpec, BlockSpec } from "../../src/spec/types.ts";
import { compileText } from "../support/compiler.ts";

function planOf(text: string): Plan {
  const c = compileText(text);
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return c.scenarios[0]!.plan!;
}

const GOVERNED = `
  governance {
    transaction_tax  { rate = 5% }
    reputation_decay { rate = 0.9 }
    staking          { min_stake = 5  slash_rate = 10% }
    circuit_breaker  { toxicity = 0.35  violations = 3  freeze = 1  window = 8 }
    audit            { probability = 20%  threshold_p = 0.55 }
  }`;

/** Every setting a parameter shock may change, as a dotted path, with a value other than its default. */
function liveSettings(): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  const walk = (spec: BlockSpec, prefix: string): void => {
    for (const a of spec.attrs) if (a.live) out.push({ path: `${prefix}${a.name}`, value: otherValue(a) });
    for (const b of spec.blocks) if (b !== GOVERNANCE) walk(b, `${prefix}${b.kind}.`);
  };
  for (const b of SCENARIO.blocks) if (b.kind === "payoff") walk(b, "payoff.");
  for (const lever of GOVERNANCE.blocks) walk(lever, `governance.${lever.kind}.`);
  return out;
}

/** Values that bind in the test's world (a stake no agent holds, a window short enough to trip). */
const BINDING: Record<string, string> = { min_stake: "100.5", window: "2", violation_decay: "3", toxicity: "0.5" };

function otherValue(a: AttrSpec): string {
  if (BINDING[a.name]) return BINDING[a.name]!;
  const d = a.default as number;
  if (a.type.t === "probability") return String(d > 0.5 ? 0.35 : 0.65);
  if (a.type.t === "duration" || (a.type.t === "number" && a.type.int)) return String(d + 1);
  return String(d + 0.75);
}

/** A run as text: every interaction, every epoch's metrics and agents. */
const runText = (plan: Plan): string => {
  const xs: InteractionRecord[] = [];
  const { result } = runWithEvents(plan, { onInteraction: (x) => xs.push(x) });
  const { epochs, agents } = result;
  // The shock's own metrics (perturbations.*) are left out: only one of the two runs has a shock.
  const strip = (m: Record<string, number | null>) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("perturbations.")));
  return JSON.stringify({ xs, agents, epochs: epochs.map((e) => ({ ...e, metrics: strip(e.metrics) })) });
};

describe("parameter shocks", () => {
  const settings = liveSettings();

  it("cover the levers' rates, thresholds and probabilities and the payoff", () => {
    const paths = settings.map((s) => s.path);
    for (const p of ["payoff.s_plus", "payoff.w_rep", "governance.audit.probability", "governance.circuit_breaker.toxicity", "governance.transaction_tax.rate", "governance.reputation_decay.rate", "governance.staking.slash_rate"]) expect(paths).toContain(p);
  });

  it.each(settings.map((s) => [s.path, s.value] as const))("%s = %s shocked at epoch 0 runs exactly as if written from the start", (path, value) => {
    const scenario = (perturb: string) => `scenario s {
      seed = 11  epochs = 8  steps = 6
      population { honest = 3  opportunistic = 2  adversarial = 1  deceptive = 1 }
      payoff { rho_a = 0.2  rho_b = 0.2 }
      ${GOVERNED}
      ${perturb}
    }`;
    const written = planOf(scenario(""));
    const withValue = planOf(scenario(`perturbations { parameter_shock p { at_epoch = 0  ${path} = ${value} } }`));
    const change = withValue.perturbations!.parameterShock[0]!.changes[0]!;
    // The same value written from the start: the plan the shock changes, with its change applied.
    const fromStart = structuredClone(written) as unknown as Record<string, unknown>;
    let at = fromStart;
    for (const key of change.path.slice(0, -1)) at = at[key] as Record<string, unknown>;
    expect(at[change.path.at(-1)!]).not.toEqual(change.value);
    at[change.path.at(-1)!] = change.value;
    const shocked = runText(withValue);
    expect(shocked).toBe(runText(fromStart as unknown as Plan));
    // …and the setting matters to this run, so the shock did something.
    expect(shocked).not.toBe(runText(written));
  });

  it("restore every setting when they heal, and replay with the shocked values", () => {
    const plan = planOf(`scenario s {
      seed = 3  epochs = 6  steps = 5
      population { honest = 3  adversarial = 2 }
      ${GOVERNED}
      perturbations { parameter_shock p { at_epoch = 2  heal_after = 2  governance.audit.probability = 90%  payoff.harm = 5 } }
    }`);
    const seen: [number, number][] = [];
    const s = new Scheduler(Plan.parse(plan), { onEpoch: (r) => seen.push([r.epoch, (s.world.plan as Plan).governance.audit.probability]) });
    const result = s.run();
    expect(seen).toEqual([[0, 0.2], [1, 0.2], [2, 0.9], [3, 0.9], [4, 0.2], [5, 0.2]]);
    const { events } = runWithEvents(plan);
    const header = events[0] as unknown as { plan: Plan };
    expect(header.plan.governance.audit.probability).toBe(0.2); // the log's plan is the plan as the run started
    expect(resultJson(reconstruct(fromJsonl(toJsonl(events))).result)).toBe(resultJson(result));
  });
});

describe("a perturbation's effect", () => {
  it("lasts from its start to its heal_after, and ends there", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom("dropout", "signal_corruption", "partition", "parameter_shock"),
        fc.integer({ min: 0, max: 1000 }),
        (start, heal, kind, seed) => {
          const body =
            kind === "dropout"
              ? "fraction = 50%"
              : kind === "signal_corruption"
                ? "mode = invert  fraction = 100%"
                : kind === "partition"
                  ? "mode = bisect"
                  : "governance.audit.probability = 80%";
          const epochs = start + heal + 2;
          const plan = planOf(`scenario s {
            seed = ${seed}  epochs = ${epochs}  steps = 6
            population { honest = 6 }
            governance { audit { probability = 10% } }
            perturbations { ${kind} x { at_epoch = ${start}  heal_after = ${heal}  ${body} } }
          }`);
          const xs: InteractionRecord[] = [];
          type Effects = { active: string[]; dropped: number; corrupted: number; partitioned: boolean };
          const states: Effects[] = [];
          const s = new Scheduler(Plan.parse(plan), {
            onInteraction: (x) => xs.push(x),
            onEpoch: () => states.push((s.world.get(perturbations) as unknown as { effects(): Effects }).effects()),
          });
          s.run();
          states.forEach((st, e) => {
            const on = e >= start && e < start + heal;
            expect(st.active).toEqual(on ? ["x"] : []);
            expect(st.dropped > 0).toBe(on && kind === "dropout");
            expect(st.corrupted > 0).toBe(on && kind === "signal_corruption");
            expect(st.partitioned).toBe(on && kind === "partition");
            const p = (s.world.plan as Plan).governance.audit.probability;
            if (e === epochs - 1) expect(p).toBe(0.1);
          });
          // Inverted signals read honest work as negative progress exactly while the corruption lasts.
          if (kind === "signal_corruption") for (const x of xs) expect(x.observables.taskProgress < 0).toBe(x.epoch >= start && x.epoch < start + heal);
          // Dropped agents propose nothing while they are out.
          if (kind === "dropout") {
            const events = runWithEvents(plan).events;
            const out = new Set((events.find((e) => e.type === "perturbation_started") as { agents: string[] }).agents);
            for (const e of events) if (e.type === "interaction_proposed" && e.epoch >= start && e.epoch < start + heal) expect(out.has(e.initiator) || out.has(e.counterparty)).toBe(false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("runs with perturbations", () => {
  it("replay exactly, whatever the schedule", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom("sbx", "swarm-0.1"), (seed, profile) => {
        const plan = planOf(`scenario s {
          seed = ${seed}  epochs = 8  steps = 5  profile = "${profile}"
          population { honest = 3  opportunistic = 1  learner { count = 3 }  adaptive_adversary = 1 }
          ${GOVERNED}
          perturbations {
            baseline = 2 epochs
            dropout d { probability_per_step = 5%  heal_after = 1  fraction = 30% }
            signal_corruption c { at_epoch = 2  heal_after = 2  mode = random }
            signal_corruption k { at_epoch = 5  heal_after = 1  mode = sticky  kind = honest }
            partition p { when = toxicity  above = 0.3  heal_after = 1  mode = random_fragments  fragments = 3 }
            parameter_shock q { at_epoch = 3  heal_after = 3  governance.audit.probability = 60% }
            resource_shock r { at_epoch = 4  mode = redistribute }
          }
        }`);
        const { result, events } = runWithEvents(plan);
        expect(events.some((e) => e.type === "perturbation_started")).toBe(true);
        expect(resultJson(reconstruct(fromJsonl(toJsonl(events))).result)).toBe(resultJson(result));
      }),
      { numRuns: 10 },
    );
  });

  it("measure recovery from the pre-shock level: epochs from the heal to the first of recovery_hold epochs at most recovery_band above it", () => {
    const plan = planOf(`scenario s {
      seed = 9  epochs = 16  steps = 8
      population { honest = 6  opportunistic = 2 }
      perturbations {
        baseline = 3 epochs  recovery_band = 0.05  recovery_hold = 2 epochs
        signal_corruption c { at_epoch = 5  heal_after = 2  mode = invert }
      }
    }`);
    const { result } = runWithEvents(plan);
    const tox = result.epochs.map((e) => e.metrics["toxicity"] as number);
    const baseline = (tox[2]! + tox[3]! + tox[4]!) / 3;
    let expected: number | null = null;
    for (let t0 = 7; t0 + 1 < tox.length && expected === null; t0++) if (tox[t0]! - baseline <= 0.05 && tox[t0 + 1]! - baseline <= 0.05) expected = t0 - 7;
    expect(expected).not.toBeNull();
    expect(result.epochs.at(-1)!.metrics["perturbations.recovery_epochs"]).toBe(expected);
    result.epochs.forEach((e, i) => {
      expect(e.metrics["perturbations.toxicity_shift"]).toBe(i < 5 ? null : tox[i]! - baseline);
      expect(e.metrics["perturbations.active"]).toBe(i >= 5 && i < 7 ? 1 : 0);
    });
  });
});
