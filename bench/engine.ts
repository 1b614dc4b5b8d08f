/**
 * Engine benchmark. With no flags, runs every configuration — N = 5, 50, 200,
 * 1000, 10000 agents at 10 epochs × 10 steps, without and with a small-world
 * network, with governance off and with every lever on — each in its own
 * process (so peak RSS is per configuration), and prints one JSON line each.
 *
 *   --agents N --epochs E --steps S [--network small_world] [--governance full] [--profile sbx|swarm-0.1] [--out] [--repeat K]
 *
 * runs one configuration in this process.
 *
 * With --out the run writes what `sbx run --out DIR` writes, with the same
 * code (events.jsonl, metrics.csv, agents.csv, summary.json, report.html),
 * plus the terminal summary, and the line splits the time: output_s is the
 * output stage (writing events and per-epoch files during the run, then the
 * criteria, the report and the final files), sim_s the rest. The default
 * sweep ends with --out runs of 1,000 to 100,000 agents × 10 × 10 and
 * 1,000,000 agents × 1 × 10.
 *
 * --cli runs the whole process `sbx run FILE.sbx --out DIR` on a scenario
 * with the same population mix (written to a temporary .sbx file), as a user
 * runs it: compile, the engine on its thread, every file, the summary. It
 * reports the process's wall time and peak RSS (from /usr/bin/time where
 * present). The default sweep ends with --cli runs of 1,000 and 100,000 agents
 * × 10 × 10 and 1,000,000 agents × 1 × 10 — the figures of issue 12's goals.
 * --quick leaves out the runs of 100,000 agents and more.
 *
 * The "floor" is a tight loop doing only the random draws and arithmetic of
 * the same number of interactions (observables, v̂, p, both payoffs) on the
 * profile's generator; ratio_to_floor = wall_s / floor_wall_s.
 *
 * --repeat K (engine-only runs) runs the same configuration K times in this
 * process, each run followed by its floor loop. wall_s, floor_wall_s and
 * ratio_to_floor keep their meaning: the first run and the first floor loop
 * (cold, JIT warm-up included). The added fields are the warm figures:
 * warm_wall_s and warm_floor_wall_s are the medians over runs 2..K of the
 * engine and of the floor loop, warm_ratio_to_floor their quotient, and
 * warm_agent_steps_per_s the rate at warm_wall_s. Every run must log the same
 * interactions (the run is deterministic; a difference is an error).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderSummary, reportHtml } from "../src/cli/run-command.ts";
import { RunWriter } from "../src/cli/run-writer.ts";
import { evaluateCriteria } from "../src/criteria/evaluate.ts";
import { runPlan, type SimEvent } from "../src/engine/index.ts";
import { planHash } from "../src/plan/hash.ts";
import { randomSources, semanticsFor } from "../src/kernel/semantics.ts";
import { payoffCounterparty, payoffInitiator, ProxyComputer } from "../src/mechanisms/interactions/soft-labels.ts";
import type { Agent, Plan } from "../src/plan/schema.ts";
import { PLAN_FORMAT, PLAN_VERSION } from "../src/plan/schema.ts";
import { SBX_VERSION } from "../src/version.ts";

interface Config {
  agents: number;
  epochs: number;
  steps: number;
  network: "none" | "small_world";
  governance: "off" | "full";
  profile: "swarm-0.1" | "sbx";
  /** Write what `sbx run --out` writes, and time that separately. */
  out?: boolean;
  /** Run the whole `sbx run --out` process on an equivalent scenario. */
  cli?: boolean;
  /** Engine-only: run the configuration this many times in one process (the first cold, the rest warm). */
  repeat?: number;
}

const MIX: [Agent["kind"], number][] = [
  ["honest", 0.4],
  ["opportunistic", 0.3],
  ["deceptive", 0.2],
  ["adversarial", 0.1],
];

const PARAMS = {
  honest: { acceptanceThreshold: 0.4, trustWeight: 0.3, postProbability: 0.3, voteProbability: 0.5, interactProbability: 0.4 },
  opportunistic: { riskTolerance: 0.6, postProbability: 0.4, voteProbability: 0.6, freeRideProbability: 0.3 },
  deceptive: { trustBuildingPhase: 5, exploitationThreshold: 0.7, facadeProbability: 0.8, postProbability: 0.35 },
  adversarial: { targetHonest: true, postProbability: 0.5, attackProbability: 0.6, attackCooldown: 2 },
} as const;

export function benchPlan(c: Config): Plan {
  const agents: Agent[] = [];
  const groups: Plan["groups"] = [];
  let made = 0;
  MIX.forEach(([kind, share], i) => {
    const count = i === MIX.length - 1 ? c.agents - made : Math.round(c.agents * share);
    const ids: string[] = [];
    for (let k = 1; k <= count; k++) {
      const id = `${kind}_${k}`;
      ids.push(id);
      agents.push({ id, kind, group: kind, params: { ...PARAMS[kind as keyof typeof PARAMS] } } as Agent);
    }
    made += count;
    groups.push({ name: kind, kind, agentIds: ids });
  });
  const full = c.governance === "full";
  return {
    format: PLAN_FORMAT,
    planVersion: PLAN_VERSION,
    scenario: { name: `bench-${c.agents}`, description: "engine benchmark", motif: "bench" },
    profile: c.profile,
    simulation: { seed: 42, epochs: c.epochs, stepsPerEpoch: c.steps, schedule: "round_robin", maxActionsPerStep: c.agents, mode: "sync" },
    payoff: { sPlus: 2.5, sMinus: 1.5, h: 3.0, theta: 0.5, rhoA: 0.2, rhoB: 0.2, wRep: 1.5 },
    proxy: { weights: { taskProgress: 0.4, rework: 0.2, verifier: 0.2, engagement: 0.2 }, sigmoidK: 2, reworkDecay: 0.3, rejectionDecay: 0.4, misuseDecay: 0.5 },
    rateLimits: { postsPerEpoch: 10, interactionsPerStep: 5, votesPerEpoch: 50, tasksPerEpoch: 3, advertised: true },
    feed: { replyWeight: 0.5, visiblePosts: 20, maxContentLength: 10000 },
    agents,
    groups,
    network:
      c.network === "small_world"
        ? {
            topology: "small_world",
            edgeProbability: 0.5,
            kNeighbors: 4,
            rewireProbability: 0.1,
            mEdges: 2,
            edges: [],
            dynamic: true,
            strengthenRate: 0.1,
            decayRate: 0.05,
            minEdgeWeight: 0.2,
            maxEdgeWeight: 1.0,
            disconnectBelowReputation: null,
            exactPathLengthUpTo: 2000,
            pathLengthSamples: 64,
          }
        : null,
    governance: {
      transactionTax: { rate: full ? 0.1 : 0, split: full ? 0.6 : 0.5 },
      reputationDecay: { rate: full ? 0.85 : 1 },
      voteNormalization: { enabled: full, maxWeightPerAgent: full ? 5 : 10 },
      bandwidth: { enabled: full, cap: 8 },
      staking: { enabled: full, minStake: full ? 25 : 0, slashRate: 0.2 },
      circuitBreaker: { enabled: full, toxicityThreshold: 0.5, violations: 2, freezeEpochs: 3, window: 10, violationDecay: 0 },
      audit: { enabled: full, probability: 0.25, penaltyMultiplier: 3.0, thresholdP: 0.6 },
      collusion: {
        enabled: full,
        frequencyThreshold: 2.0,
        correlationThreshold: 0.7,
        minInteractions: 3,
        scoreThreshold: 0.5,
        penaltyMultiplier: 1.0,
        realtimePenalty: full,
        realtimeRate: 0.1,
        clearHistoryOnEpoch: full,
      },
    },
    tasks: { perEpoch: 0, bounty: 5, difficulty: "medium", minReputation: 0, deadlineEpochs: 0, proposalTtlSteps: 0 },
    llm: { budgetUsd: null, prices: {}, concurrency: { anthropic: 1, openai: 1, ollama: 1 } },
    criteria: { seeds: [], items: [] },
    observe: [],
    outputs: { eventLog: null, metricsCsv: null },
    provenance: { sbxVersion: SBX_VERSION, sources: [], criteria: {} },
  };
}

/** The same draws and arithmetic as `interactions` completed interactions, nothing else. */
function floor(plan: Plan, interactions: number): number {
  const rng = randomSources(semanticsFor(plan.profile), plan.simulation.seed).stream("observables");
  const proxy = new ProxyComputer();
  const pay = plan.payoff;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < interactions; i++) {
    const o = { taskProgress: rng.uniform(0.1, 0.5), rework: rng.randint(0, 2), rejections: rng.randint(0, 1), misuse: 0, engagement: rng.uniform(-0.2, 0.3) };
    const [, p] = proxy.labels(o);
    const terms = { p, tau: 0, cA: 0, cB: 0, rA: 0, rB: 0 };
    sink += payoffInitiator(pay, terms) + payoffCounterparty(pay, terms);
  }
  const wall = (performance.now() - t0) / 1000;
  if (sink === 42.4242) console.log(""); // keep the loop observable
  return wall;
}

function runOne(c: Config): Record<string, unknown> {
  const plan = benchPlan(c);
  let interactions = 0;
  const t0 = performance.now();
  const result = runPlan(plan, { onInteraction: () => interactions++ });
  const wall = (performance.now() - t0) / 1000;
  const peak = process.resourceUsage().maxRSS / 1024;
  const floorWall = floor(plan, interactions);
  const agentSteps = c.agents * c.epochs * c.steps;
  const warm: Record<string, unknown> = {};
  const repeat = c.repeat ?? 1;
  if (repeat > 1) {
    const walls: number[] = [];
    const floors: number[] = [];
    for (let k = 1; k < repeat; k++) {
      let again = 0;
      const t = performance.now();
      runPlan(plan, { onInteraction: () => again++ });
      walls.push((performance.now() - t) / 1000);
      if (again !== interactions) throw new Error(`run ${k + 1} completed ${again} interactions, the first ${interactions}`);
      floors.push(floor(plan, interactions));
    }
    const warmWall = median(walls);
    const warmFloor = median(floors);
    Object.assign(warm, {
      repeat,
      warm_wall_s: round(warmWall),
      warm_agent_steps_per_s: Math.round(agentSteps / warmWall),
      warm_floor_wall_s: round(warmFloor),
      warm_ratio_to_floor: round(warmWall / warmFloor),
    });
  }
  return {
    agents: c.agents,
    epochs: c.epochs,
    steps: c.steps,
    network: c.network,
    governance: c.governance,
    profile: c.profile,
    agent_steps: agentSteps,
    interactions,
    wall_s: round(wall),
    agent_steps_per_s: Math.round(agentSteps / wall),
    us_per_agent_step: round((wall * 1e6) / agentSteps),
    peak_rss_mb: Math.round(peak),
    floor_wall_s: round(floorWall),
    ratio_to_floor: round(wall / floorWall),
    frozen_at_end: result.agents.filter((a) => a.frozen).length,
    ...warm,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The run as `sbx run --out DIR` does it, with the output stage timed on its own. */
async function runWithOutputs(c: Config): Promise<Record<string, unknown>> {
  const plan = benchPlan(c);
  const dir = mkdtempSync(join(tmpdir(), "sbx-bench-out-"));
  try {
    let inRunMs = 0;
    const timed =
      <A extends unknown[]>(f: (...args: A) => void) =>
      (...args: A): void => {
        const t = performance.now();
        f(...args);
        inRunMs += performance.now() - t;
      };
    let interactions = 0;
    const freezes: SimEvent[] = [];
    // In `sbx run` the compiler hashes the plan; that is not the output stage's.
    const hash = planHash(plan);
    const t0 = performance.now();
    const writer = new RunWriter(dir, plan, hash);
    const result = runPlan(plan, {
      events: timed((e: SimEvent) => {
        writer.event(e);
        if (e.type === "agent_frozen" || e.type === "agent_unfrozen") freezes.push(e);
      }),
      onEpoch: timed(writer.epoch),
      onInteraction: () => interactions++,
    });
    const t1 = performance.now();
    const verdicts = evaluateCriteria(plan, [result]);
    const report = await reportHtml(plan, result, verdicts, freezes);
    const t2 = performance.now();
    const problem = writer.finish(result, verdicts, report);
    const t3 = performance.now();
    const summary = renderSummary(plan, result);
    const t4 = performance.now();
    if (problem !== null) throw new Error(`report.html not written: ${problem}`);
    const bytes = Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size]));
    const outputMs = inRunMs + (t4 - t1);
    const simS = (t1 - t0 - inRunMs) / 1000;
    const floorWall = floor(plan, interactions);
    const agentSteps = c.agents * c.epochs * c.steps;
    return {
      agents: c.agents,
      epochs: c.epochs,
      steps: c.steps,
      network: c.network,
      governance: c.governance,
      profile: c.profile,
      out: true,
      agent_steps: agentSteps,
      interactions,
      wall_s: round((t4 - t0) / 1000),
      sim_s: round(simS),
      output_s: round(outputMs / 1000),
      output_in_run_s: round(inRunMs / 1000),
      report_s: round((t2 - t1) / 1000),
      final_files_s: round((t3 - t2) / 1000),
      summary_s: round((t4 - t3) / 1000),
      output_us_per_agent_step: round((outputMs * 1000) / agentSteps),
      events_mb: round((bytes["events.jsonl"] ?? 0) / 2 ** 20),
      report_kb: round((bytes["report.html"] ?? 0) / 1024),
      files_mb: round(Object.values(bytes).reduce((a, b) => a + b, 0) / 2 ** 20),
      summary_lines: summary.split("\n").length,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      floor_wall_s: round(floorWall),
      ratio_to_floor: round(simS / floorWall),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same population and settings as benchPlan, as a scenario a user would write. */
export function benchScenario(c: Config): string {
  const plan = benchPlan(c);
  const count = (kind: string) => plan.groups.find((g) => g.name === kind)?.agentIds.length ?? 0;
  const pay = plan.payoff;
  return `scenario bench_${c.agents} {
  profile = "${c.profile}"
  seed = ${plan.simulation.seed}
  epochs = ${c.epochs}
  steps = ${c.steps}
  max_actions_per_step = ${c.agents}
  population { honest = ${count("honest")}   opportunistic = ${count("opportunistic")}   deceptive = ${count("deceptive")}   adversarial = ${count("adversarial")} }
  payoff { s_plus = ${pay.sPlus}   s_minus = ${pay.sMinus}   harm = ${pay.h}   theta = ${pay.theta}   rho_a = ${pay.rhoA}   rho_b = ${pay.rhoB}   w_rep = ${pay.wRep} }
  rate_limits { posts_per_epoch = 10   interactions_per_step = 5   votes_per_epoch = 50   tasks_per_epoch = 3 }
}
`;
}

/** The bundled CLI next to this bundle (dist/), or dist/ beside bench/ under tsx. */
function sbxBin(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, "sbx.mjs");
  return existsSync(bundled) ? bundled : join(here, "..", "dist", "sbx.mjs");
}

/** `sbx run FILE --out DIR` as a whole process: wall time and peak RSS. */
function runCli(c: Config): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "sbx-bench-cli-"));
  try {
    const file = join(dir, "bench.sbx");
    writeFileSync(file, benchScenario(c));
    const out = join(dir, "out");
    const args = [sbxBin(), "run", file, "--out", out, "--quiet"];
    // GNU time reports the child's peak RSS; without it, only the wall time.
    const timed = existsSync("/usr/bin/time");
    const t0 = performance.now();
    const child = timed
      ? spawnSync("/usr/bin/time", ["-f", "SBX_BENCH_RSS_KB %M", process.execPath, ...args], { encoding: "utf8", maxBuffer: 1 << 26 })
      : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    const wall = (performance.now() - t0) / 1000;
    const rss = /SBX_BENCH_RSS_KB (\d+)/.exec(child.stderr ?? "");
    if (child.status !== 0 && child.status !== 1) throw new Error(`sbx run failed (${child.status}): ${child.stderr}`);
    const bytes = Object.fromEntries(readdirSync(out).map((f) => [f, statSync(join(out, f)).size]));
    const agentSteps = c.agents * c.epochs * c.steps;
    return {
      agents: c.agents,
      epochs: c.epochs,
      steps: c.steps,
      profile: c.profile,
      cli: true,
      agent_steps: agentSteps,
      wall_s: round(wall),
      us_per_agent_step: round((wall * 1e6) / agentSteps),
      peak_rss_mb: rss ? Math.round(Number(rss[1]) / 1024) : null,
      events_mb: round((bytes["events.jsonl"] ?? 0) / 2 ** 20),
      report_written: "report.html" in bytes,
      files: Object.keys(bytes).sort(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function parseArgs(argv: string[]): Config | null {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (get("agents") === undefined) return null;
  return {
    agents: Number(get("agents")),
    epochs: Number(get("epochs") ?? 10),
    steps: Number(get("steps") ?? 10),
    network: get("network") === "small_world" ? "small_world" : "none",
    governance: get("governance") === "full" ? "full" : "off",
    profile: get("profile") === "sbx" ? "sbx" : "swarm-0.1",
    out: argv.includes("--out"),
    cli: argv.includes("--cli"),
    repeat: Math.max(1, Math.floor(Number(get("repeat") ?? 1)) || 1),
  };
}

const single = parseArgs(process.argv.slice(2));
if (single) {
  console.log(JSON.stringify(single.cli ? runCli(single) : single.out ? await runWithOutputs(single) : runOne(single)));
} else {
  const quick = process.argv.includes("--quick");
  const self = fileURLToPath(import.meta.url);
  // Under tsx the script is TypeScript; run children the same way this process was started.
  const loader = process.execArgv;
  /** One configuration in a child process of its own (a fresh heap per run), its JSON line passed through. */
  const runChild = (flags: readonly string[]): void => {
    const child = spawnSync(process.execPath, [...loader, self, ...flags], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exit(child.status ?? 1);
    }
    process.stdout.write(child.stdout);
  };
  const size = (agents: number, epochs: number, steps: number) => ["--agents", String(agents), "--epochs", String(epochs), "--steps", String(steps)];
  for (const agents of [5, 50, 200, 1000, 10000]) {
    for (const network of ["none", "small_world"] as const) {
      for (const governance of ["off", "full"] as const) runChild([...size(agents, 10, 10), "--network", network, "--governance", governance]);
    }
  }
  // The output stage (`sbx run --out`) at growing populations.
  const outputSizes = [
    [1000, 10, 10],
    [10000, 10, 10],
    [100000, 10, 10],
    [1000000, 1, 10],
  ] as const;
  for (const [agents, epochs, steps] of outputSizes) if (!(quick && agents > 10000)) runChild([...size(agents, epochs, steps), "--out"]);
  // The whole `sbx run --out` process, as issue 12's goals state it.
  const processSizes = [
    [1000, 10, 10],
    [100000, 10, 10],
    [1000000, 1, 10],
  ] as const;
  for (const [agents, epochs, steps] of processSizes) if (!(quick && agents > 10000)) runChild([...size(agents, epochs, steps), "--cli"]);
}
