/**
 * `npm run study:economies`: the numbers behind docs/mechanisms.md's
 * sections on auctions, missions and negotiation, as JSON lines.
 *
 * 1. The approximate Shapley value (the reference's leave-one-out rule) against
 *    the exact Shapley value of a mission's score, on random small missions
 *    (2–8 contributors, where the exact value's 2^n coalitions are cheap):
 *    the distance between the two reward shares, ½·Σ|a_i − φ_i/v(N)|, and the
 *    largest single share error, by number of contributors and objective.
 * 2. Where the auctions' envy comes from: how many envious bidders had their
 *    bundle scaled down to the supply, and what a 40× higher round cap changes.
 * 3. Each scenario of scenarios/whitepaper/{auction,missions,negotiation}.sbx
 *    over its criteria's seeds: the mean and 95% Student-t interval of the
 *    quantities its criteria judge (per run), so the answers can be read with
 *    their intervals rather than as pass/fail alone.
 *
 * Options: --missions N (random missions per cell of the Shapley study, default 2000).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../src/compiler/index.ts";
import { confidenceInterval } from "../src/criteria/evaluate.ts";
import { runPlan, type RunResult } from "../src/engine/index.ts";
import { runAuction } from "../src/mechanisms/auction/dworkin.ts";
import type { ObjectiveMetric } from "../src/mechanisms/missions/language.ts";
import { exactShapley, leaveOneOut, tallyOf, type ObjectiveSpec } from "../src/mechanisms/missions/rules.ts";
import { observedKey } from "../src/metrics/registry.ts";
import { PACKAGE_ROOT } from "../src/platform/node-host.ts";
import { streamFactory } from "../src/kernel/rng/streams.ts";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const print = (x: unknown) => process.stdout.write(`${JSON.stringify(x)}\n`);
const round = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

// ---- 1. Shapley: approximation against exact ---------------------------------------------

function shapleyStudy(missions: number): void {
  const rng = streamFactory(20260)("shapley-study");
  const scale = { sPlus: 2, sMinus: 1 };
  const objectiveSets: Record<string, ObjectiveSpec[]> = {
    avg_p: [{ name: "avg_p", target: 0.7, weight: 1 }],
    "avg_p+total_count": [
      { name: "avg_p", target: 0.6, weight: 1 },
      { name: "total_count", target: 20, weight: 1 },
    ],
    min_p: [{ name: "min_p" as ObjectiveMetric, target: 0.4, weight: 1 }],
  };
  for (const [label, objectives] of Object.entries(objectiveSets)) {
    for (let n = 2; n <= 8; n++) {
      const errors: number[] = [];
      let worst = 0;
      for (let k = 0; k < missions; k++) {
        // Each contributor: 1–8 contributions, p around a quality of its own.
        const tallies = Array.from({ length: n }, () => {
          const quality = rng.uniform(0.2, 0.9);
          return tallyOf(Array.from({ length: rng.randint(1, 8) }, () => Math.min(0.99, Math.max(0.01, quality + rng.uniform(-0.15, 0.15)))), scale);
        });
        const exact = exactShapley(objectives, tallies);
        const v = exact.reduce((s, x) => s + x, 0);
        if (!(v > 0)) continue;
        const approx = leaveOneOut(tallies);
        const total = approx.reduce((s, x) => s + x, 0);
        let d = 0;
        for (let i = 0; i < n; i++) {
          const diff = Math.abs(approx[i] / total - exact[i] / v);
          d += diff;
          worst = Math.max(worst, diff);
        }
        errors.push(d / 2);
      }
      const ci = confidenceInterval(errors);
      print({ study: "shapley", objectives: label, contributors: n, missions: errors.length, meanDistance: round(errors.reduce((s, x) => s + x, 0) / errors.length), ci: ci && [round(ci.lower), round(ci.upper)], maxDistance: round(Math.max(...errors)), worstShareError: round(worst) });
    }
  }
}

// ---- 2. Where the auction's envy comes from ----------------------------------------------

/**
 * The auction scenarios' setting (three resources, 10 units per bidder,
 * the reference's rules), 200 auctions per size: how many envious bidders
 * had their bundle scaled down to the supply (they spent less than their
 * endowment), and what 2,000 rounds instead of 50 change.
 */
function auctionStudy(): void {
  const rng = streamFactory(20261)("auction-study");
  const rules = { endowment: 100, maxRounds: 50, rate: 0.1, tolerance: 0.01, envyTolerance: 0.05 };
  for (const n of [8, 32, 128]) {
    let violations = 0;
    let scaledEnvious = 0;
    let converged2000 = 0;
    let violations2000 = 0;
    const auctions = 200;
    for (let k = 0; k < auctions; k++) {
      const valuations = Array.from({ length: n }, () => [rng.random(), rng.random(), rng.random()]);
      const supply = [10 * n, 10 * n, 10 * n];
      const o = runAuction(valuations, supply, rules);
      violations += o.violations.length;
      for (const x of o.violations) if (o.paid[x.envious] < rules.endowment - 1e-6) scaledEnvious++;
      const longer = runAuction(valuations, supply, { ...rules, maxRounds: 2000 });
      if (longer.converged) converged2000++;
      violations2000 += longer.violations.length;
    }
    print({ study: "auction", bidders: n, auctions, violations, enviousScaledDown: scaledEnvious, convergedWith2000Rounds: converged2000, violationsWith2000Rounds: violations2000 });
  }
}

// ---- 3. The scenarios' answers with intervals --------------------------------------------

type Quantity = [label: string, value: (r: RunResult) => number | null];

const series = (r: RunResult, key: string): number[] => r.epochs.flatMap((e) => (typeof (e.observed[key] ?? e.metrics[key]) === "number" ? [(e.observed[key] ?? e.metrics[key]) as number] : []));
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
/** A per-epoch series of a metric observed for a population group (the criteria's selections). */
const ofGroup = (r: RunResult, metric: string, group: string) => series(r, observedKey(metric, { by: "group", name: group }));

/** The group-selectable metrics the study reads. */
const ECONOMY_METRICS = ["missions.effort", "missions.contributions", "missions.free_rider_index", "missions.succeeded", "negotiation.crashes", "negotiation.max_drop", "negotiation.crash_severity", "negotiation.recovery_ticks", "negotiation.halted_ticks", "negotiation.trades"];

const QUANTITIES: Record<string, Quantity[]> = {
  envy_8: auctionQuantities(),
  envy_32: auctionQuantities(),
  envy_128: auctionQuantities(),
  free_riding: [
    ["effort (equal)", (r) => mean(ofGroup(r, "missions.effort", "equal_team"))],
    ["effort (shapley)", (r) => mean(ofGroup(r, "missions.effort", "shapley_team"))],
    ["contributions (equal)", (r) => sum(ofGroup(r, "missions.contributions", "equal_team"))],
    ["contributions (shapley)", (r) => sum(ofGroup(r, "missions.contributions", "shapley_team"))],
    ["free-rider index (equal)", (r) => mean(ofGroup(r, "missions.free_rider_index", "equal_team"))],
    ["free-rider index (shapley)", (r) => mean(ofGroup(r, "missions.free_rider_index", "shapley_team"))],
    ["succeeded (equal)", (r) => sum(ofGroup(r, "missions.succeeded", "equal_team"))],
    ["succeeded (shapley)", (r) => sum(ofGroup(r, "missions.succeeded", "shapley_team"))],
    ["effort: shapley − equal", (r) => diff(mean(ofGroup(r, "missions.effort", "shapley_team")), mean(ofGroup(r, "missions.effort", "equal_team")))],
    ["free-rider index: shapley − equal", (r) => diff(mean(ofGroup(r, "missions.free_rider_index", "shapley_team")), mean(ofGroup(r, "missions.free_rider_index", "equal_team")))],
    ["shapley approximation error (both economies)", (r) => mean(series(r, "missions.shapley_error"))],
  ],
  flash_crashes: [
    ["crashes (batch)", (r) => sum(ofGroup(r, "negotiation.crashes", "batch_value"))],
    ["crashes (continuous)", (r) => sum(ofGroup(r, "negotiation.crashes", "continuous_value"))],
    ["crashes: batch − continuous", (r) => sum(ofGroup(r, "negotiation.crashes", "batch_value")) - sum(ofGroup(r, "negotiation.crashes", "continuous_value"))],
    ["max drop per epoch (batch)", (r) => mean(ofGroup(r, "negotiation.max_drop", "batch_value"))],
    ["max drop per epoch (continuous)", (r) => mean(ofGroup(r, "negotiation.max_drop", "continuous_value"))],
    ["crash severity (batch)", (r) => mean(ofGroup(r, "negotiation.crash_severity", "batch_value"))],
    ["crash severity (continuous)", (r) => mean(ofGroup(r, "negotiation.crash_severity", "continuous_value"))],
    ["recovery ticks (batch)", (r) => mean(ofGroup(r, "negotiation.recovery_ticks", "batch_value"))],
    ["recovery ticks (continuous)", (r) => mean(ofGroup(r, "negotiation.recovery_ticks", "continuous_value"))],
    ["halted ticks (batch)", (r) => sum(ofGroup(r, "negotiation.halted_ticks", "batch_value"))],
    ["halted ticks (continuous)", (r) => sum(ofGroup(r, "negotiation.halted_ticks", "continuous_value"))],
    ["trades (batch)", (r) => sum(ofGroup(r, "negotiation.trades", "batch_value"))],
    ["trades (continuous)", (r) => sum(ofGroup(r, "negotiation.trades", "continuous_value"))],
  ],
};

function auctionQuantities(): Quantity[] {
  return [
    ["envy-free auctions (share)", (r) => mean(series(r, "auction.envy_free"))],
    ["envious pairs (share)", (r) => mean(series(r, "auction.envy_share"))],
    ["largest envy gap (utility)", (r) => mean(series(r, "auction.max_envy_gap"))],
    ["mean utility", (r) => mean(series(r, "auction.utility"))],
    ["converged (share)", (r) => mean(series(r, "auction.converged"))],
    ["largest |excess| of the last round", (r) => mean(series(r, "auction.max_excess"))],
    ["allocated (share of the pool)", (r) => mean(series(r, "auction.allocated"))],
  ];
}

function scenarioStudy(): void {
  const files = ["auction.sbx", "missions.sbx", "negotiation.sbx"].map((f) => join(PACKAGE_ROOT, "scenarios/whitepaper", f));
  const host = { stdlibDir: join(PACKAGE_ROOT, "stdlib"), readFile: (p: string) => readFileSync(p, "utf8") };
  const compiled = compile(host, files);
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => d.message).join("\n"));
  for (const s of compiled.scenarios) {
    const plan = s.plan!;
    const seeds = plan.criteria.seeds.length ? plan.criteria.seeds : [plan.simulation.seed];
    // Observe every metric of the study for every group, not only the ones the criteria select.
    const observe = plan.groups.flatMap((g) => ECONOMY_METRICS.map((metric) => ({ metric, select: { by: "group" as const, name: g.name } })));
    const runs = seeds.map((seed) => runPlan({ ...plan, observe, simulation: { ...plan.simulation, seed } }));
    for (const [label, value] of QUANTITIES[s.name] ?? []) {
      const xs = runs.map(value).filter((x): x is number => x !== null);
      const ci = confidenceInterval(xs);
      print({ study: "scenario", scenario: s.name, quantity: label, seeds: xs.length, mean: round(mean(xs)), ci: ci && [round(ci.lower), round(ci.upper)] });
    }
  }
}

shapleyStudy(option("missions", 2000));
auctionStudy();
scenarioStudy();
