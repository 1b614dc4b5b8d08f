/**
 * The paper's study, reproduced: the three regimes of "Compute-Rationed
 * Firms" (scenarios/economy/*.sbx) over its seeds 101–112, each run's
 * columns computed as the paper's driver computed them, and the regime means
 * with 95% Student-t intervals printed beside the paper's means (its per-run
 * CSV is in the seed, copied below). Prints a Markdown table (the one in
 * docs/economy.md) and, with --json, one JSON line per regime.
 *
 *   npm run study:economy [-- --json]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../src/compiler/index.ts";
import type { SourceHost } from "../src/compiler/host.ts";
import { confidenceInterval, mean } from "../src/criteria/evaluate.ts";
import { runPlan, type RunResult, type SimEvent } from "../src/engine/index.ts";

const ROOT = join(fileURLToPath(import.meta.url), "../..");
const REGIMES = ["baseline", "coordination_push", "high_compute_cost"] as const;
const SEEDS = Array.from({ length: 12 }, (_, i) => 101 + i);

/** The columns of the paper's run_summaries.csv, in its order, with how sbx computes each from a run. */
const COLUMNS: readonly [string, (r: RunResult) => number | null][] = [
  ["contracts_total", (r) => sum(r, "economy.contracts")],
  ["contracts_settled", (r) => sum(r, "economy.contracts_settled")],
  ["contracts_defaulted", (r) => sum(r, "economy.contracts_defaulted")],
  ["fees_total", (r) => sum(r, "economy.fees")],
  ["interest_total", (r) => sum(r, "economy.interest")],
  ["dividends_total", (r) => sum(r, "economy.dividends")],
  ["token_supply_final", (r) => final(r, "economy.supply")],
  ["gini_balance", (r) => final(r, "economy.gini_balance")],
  ["gini_wealth", (r) => final(r, "economy.gini_wealth")],
  ["neg_balance_agents", (r) => final(r, "economy.negative_balance_agents")],
  ["winner_hhi", (r) => final(r, "economy.winner_hhi")],
  ["blocks_produced", (r) => sum(r, "economy.blocks")],
  ["errors", (r) => sum(r, "economy.errors")],
];

function sum(r: RunResult, m: string): number {
  return r.epochs.reduce((a, e) => a + ((e.metrics[m] as number | null) ?? 0), 0);
}
function final(r: RunResult, m: string): number | null {
  return (r.epochs.at(-1)?.metrics[m] as number | null | undefined) ?? null;
}

/** The paper's per-run results (research/results/run_summaries.csv in the seed): regime, seed, then the columns above. */
const PAPER: readonly (readonly [string, number, ...number[]])[] = [
  ["baseline", 101, 25, 3, 5, 6537, 0, 6344, 5688, 0.10367867093179228, 0.10805514570269281, 2, 0.140625, 32, 7],
  ["baseline", 102, 21, 2, 5, 6575, 41, 6336, 5395, 0.12518686599038964, 0.13149684505725645, 2, 0.21284185493460167, 29, 17],
  ["baseline", 103, 26, 1, 4, 6756, 19, 6604, 5715, 0.10513532726028108, 0.11377504029472707, 2, 0.1581450653983353, 29, 15],
  ["baseline", 104, 21, 0, 3, 7565, 38, 7352, 4983, 0.14965912014407, 0.13289925177524653, 3, 0.1484375, 32, 24],
  ["baseline", 105, 22, 2, 2, 6370, 39, 6248, 4839, 0.1148494778938014, 0.14399083449301786, 3, 0.16326530612244897, 28, 30],
  ["baseline", 106, 25, 2, 4, 6789, 2, 6648, 5482, 0.10252117013086992, 0.10911460757843772, 2, 0.1527777777777778, 36, 5],
  ["baseline", 107, 20, 0, 2, 6949, 6, 6836, 4630, 0.10530611152734659, 0.11835918565196324, 4, 0.13142857142857142, 35, 10],
  ["baseline", 108, 22, 5, 5, 6736, 4, 6564, 4679, 0.08859236426562833, 0.10960999081193479, 2, 0.15051020408163265, 28, 12],
  ["baseline", 109, 23, 4, 6, 6971, 32, 6708, 4840, 0.131812438193605, 0.13027831094049902, 4, 0.15976331360946747, 26, 39],
  ["baseline", 110, 19, 0, 4, 6932, 52, 6648, 5412, 0.12527187211135882, 0.128596114328414, 3, 0.17146776406035663, 27, 39],
  ["baseline", 111, 18, 0, 1, 7160, 55, 6960, 5015, 0.12123074401835465, 0.13524268379728754, 3, 0.17377731529656607, 31, 22],
  ["baseline", 112, 15, 0, 3, 7339, 15, 7080, 4885, 0.08522538945972813, 0.10918721570505152, 3, 0.14416896235078056, 33, 15],
  ["coordination_push", 101, 29, 0, 6, 6351, 14, 6160, 5546, 0.1274476439790575, 0.11523020514248583, 1, 0.168, 25, 20],
  ["coordination_push", 102, 32, 0, 6, 6586, 11, 6336, 5603, 0.1358069518979863, 0.12982571865018744, 2, 0.1652794292508918, 29, 16],
  ["coordination_push", 103, 26, 0, 4, 6641, 32, 6480, 4314, 0.13521196144218983, 0.12699369892684853, 4, 0.14951989026063098, 27, 22],
  ["coordination_push", 104, 30, 1, 0, 7931, 17, 7720, 5314, 0.12537674080232808, 0.14814206624753679, 4, 0.16, 30, 19],
  ["coordination_push", 105, 32, 0, 9, 6869, 81, 6744, 5212, 0.15909207686774218, 0.15521874410710912, 3, 0.16666666666666666, 18, 23],
  ["coordination_push", 106, 32, 0, 7, 6981, 57, 6852, 5624, 0.14058216520974498, 0.1512555493895671, 4, 0.15646258503401358, 21, 45],
  ["coordination_push", 107, 26, 0, 4, 6556, 25, 6436, 5260, 0.13967720970537267, 0.15706726246472247, 4, 0.18112244897959182, 28, 29],
  ["coordination_push", 108, 32, 0, 4, 7024, 6, 6848, 5566, 0.1090025906735752, 0.14071918761012703, 4, 0.165, 20, 18],
  ["coordination_push", 109, 29, 1, 9, 6780, 21, 6512, 4965, 0.11734141589088543, 0.13086692105890774, 3, 0.1648, 25, 41],
  ["coordination_push", 110, 31, 0, 3, 6862, 18, 6588, 5289, 0.11928036605657244, 0.11289280849264882, 3, 0.16, 20, 25],
  ["coordination_push", 111, 25, 0, 5, 7805, 58, 7636, 4901, 0.1322481243301179, 0.1545201186546099, 4, 0.20500000000000002, 20, 47],
  ["coordination_push", 112, 30, 0, 6, 7543, 31, 7276, 5058, 0.14486763494025556, 0.15213932947098496, 3, 0.15432098765432098, 18, 27],
  ["high_compute_cost", 101, 11, 0, 1, 41924, 2698, 40796, 6773, 0.4227513119055428, 0.41859879954616996, 4, 0.18626430801248697, 31, 46],
  ["high_compute_cost", 102, 15, 1, 6, 40494, 2956, 39300, 2978, 0.5485028304697586, 0.5258750052838483, 4, 0.17355371900826447, 33, 63],
  ["high_compute_cost", 103, 10, 1, 1, 40647, 2784, 39724, 7303, 0.41454709908024934, 0.42170703872772797, 3, 0.1753902662993572, 33, 51],
  ["high_compute_cost", 104, 16, 1, 2, 42460, 2516, 41320, 6172, 0.5149586456448694, 0.5189896196393393, 4, 0.189453125, 32, 60],
  ["high_compute_cost", 105, 16, 1, 1, 40145, 2840, 39272, 5899, 0.46256225313412336, 0.46151061333724375, 4, 0.16129032258064516, 31, 52],
  ["high_compute_cost", 106, 15, 3, 4, 40613, 3533, 39712, 6206, 0.5568047990578537, 0.519489781180039, 4, 0.15816326530612243, 28, 67],
  ["high_compute_cost", 107, 12, 2, 1, 40731, 2634, 39868, 8594, 0.42507908825438023, 0.43840259740259735, 3, 0.248046875, 32, 49],
  ["high_compute_cost", 108, 13, 0, 2, 41493, 2623, 40492, 7646, 0.47062565812565804, 0.4797243946458114, 3, 0.1697530864197531, 36, 46],
  ["high_compute_cost", 109, 15, 1, 5, 37479, 1953, 36116, 6775, 0.38451149162164633, 0.4106027603222946, 3, 0.16049382716049382, 36, 45],
  ["high_compute_cost", 110, 13, 3, 1, 39742, 1960, 38368, 8442, 0.45729572898557524, 0.4670887939920483, 3, 0.1712962962962963, 36, 36],
  ["high_compute_cost", 111, 17, 0, 2, 44067, 3304, 42940, 5552, 0.5041796108567691, 0.49005196406552765, 4, 0.1607142857142857, 28, 60],
  ["high_compute_cost", 112, 11, 1, 1, 44019, 2906, 42680, 4816, 0.476931378220818, 0.46644729167476773, 4, 0.16782006920415227, 34, 64],];

const host: SourceHost = { stdlibDir: join(ROOT, "stdlib"), readFile: (p) => readFileSync(p, "utf8") };

function plans(regime: string) {
  const file = join(ROOT, "scenarios/economy", `${regime}.sbx`);
  const c = compile(host, [file]);
  const errors = c.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`${regime}: ${errors.map((d) => d.message).join("; ")}`);
  const plan = c.scenarios[0]!.plan!;
  return SEEDS.map((seed) => ({ ...plan, simulation: { ...plan.simulation, seed } }));
}

const fmt = (x: number | null): string => (x === null ? "—" : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));

/** The action an event records (taken or refused), for the paper's action shares (§4.7). */
function actionOf(e: SimEvent): string | null {
  switch (e.type) {
    case "validation_entered":
      return e.via;
    case "core_bid":
      return "bid_core";
    case "job_done":
      return "job";
    case "study_done":
      return "study";
    case "tokens_transferred":
      return "transfer";
    case "unstake_requested":
      return "unstake";
    case "contract_proposed":
      return "propose_contract";
    case "contract_confirmed":
      return "confirm_delivery";
    case "contract_delivered":
      return "sell_information";
    case "contract_changed":
      return e.reason === "countersigned" || e.reason === "signed" ? "sign_contract" : e.reason === "disputed" ? "dispute_delivery" : e.reason === "ruling" ? "arbitrator_ruling" : null;
    case "economy_action_refused":
      return e.action;
    default:
      return null;
  }
}

const json = process.argv.includes("--json");
const shares: string[] = [];
const rows: string[] = [];
const pooled: string[] = [];
for (const regime of REGIMES) {
  const counts = new Map<string, number>();
  let actions = 0;
  const runs = plans(regime).map((p) =>
    runPlan(p, {
      events: (e) => {
        const a = actionOf(e);
        if (a) {
          counts.set(a, (counts.get(a) ?? 0) + 1);
          actions++;
        }
      },
    }),
  );
  shares.push(`| ${regime} | ${[...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${((100 * n) / actions).toFixed(1)}%`).join(", ")} |`);
  const paperRuns = PAPER.filter((r) => r[0] === regime);
  const out: Record<string, { sbx: number; lower: number; upper: number; paper: number; inside: boolean }> = {};
  COLUMNS.forEach(([name, f], i) => {
    const xs = runs.map(f).filter((v): v is number => v !== null);
    const ci = confidenceInterval(xs)!;
    const paper = mean(paperRuns.map((r) => r[2 + i] as number));
    out[name] = { sbx: mean(xs), lower: ci.lower, upper: ci.upper, paper, inside: paper >= ci.lower && paper <= ci.upper };
  });
  const settled = runs.reduce((a, r) => a + sum(r, "economy.contracts_settled"), 0);
  const proposed = runs.reduce((a, r) => a + sum(r, "economy.contracts"), 0);
  const paperSettled = paperRuns.reduce((a, r) => a + (r[3] as number), 0);
  const paperProposed = paperRuns.reduce((a, r) => a + (r[2] as number), 0);
  const divShare = mean(runs.map((r) => sum(r, "economy.dividends") / sum(r, "economy.fees")));
  if (json) console.log(JSON.stringify({ regime, columns: out, settlementRate: { sbx: settled / proposed, paper: paperSettled / paperProposed }, dividendShare: divShare }));
  for (const [name, v] of Object.entries(out)) rows.push(`| ${regime} | ${name} | ${fmt(v.sbx)} [${fmt(v.lower)}, ${fmt(v.upper)}] | ${fmt(v.paper)} | ${v.inside ? "yes" : "**no**"} |`);
  pooled.push(`| ${regime} | ${(100 * settled / proposed).toFixed(2)}% (${settled}/${proposed}) | ${(100 * paperSettled / paperProposed).toFixed(2)}% (${paperSettled}/${paperProposed}) | ${divShare.toFixed(3)} |`);
}
if (!json) {
  console.log("| regime | column | sbx mean [95% CI] | paper mean | paper inside |\n|---|---|---:|---:|:-:|");
  console.log(rows.join("\n"));
  console.log("\n| regime | settlement rate, sbx (pooled) | paper (pooled) | sbx dividends ÷ fees |\n|---|---:|---:|---:|");
  console.log(pooled.join("\n"));
  console.log("\n| regime | sbx's action shares (taken or refused) |\n|---|---|");
  console.log(shares.join("\n"));
}
