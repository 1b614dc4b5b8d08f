/**
 * LLM agent throughput: 50 LLM agents × 10 steps against a local
 * OpenAI-compatible server (its own process, as a provider would be) that
 * answers after 100 ms, with at most 16 calls in flight. Prints one JSON line.
 *
 * ideal_s = calls × latency / concurrency, the bound if calls could flow
 * without pause. A step cannot: every decision of a phase (the step's
 * actions, then its accept decisions) must arrive before the phase executes
 * and the next one can be prompted (docs/sandbox.md §7.10), so each phase costs
 * at least ceil(calls in phase / concurrency) × latency: `barrier_ideal_s`.
 *
 *   BENCH_LATENCY_MS=…  another latency
 */
import { fork } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { nodeHost } from "../src/platform/node-host.ts";
import { compile } from "../src/compiler/index.ts";
import type { SimEvent } from "../src/engine/index.ts";
import { createLlmHost, runWithLlm } from "../src/platform/llm/host.ts";
import type { Plan } from "../src/plan/schema.ts";
import { startModelServer } from "../tests/llm/support/server.ts";

const AGENTS = 50;
const STEPS = 10;
const LATENCY_MS = Number(process.env["BENCH_LATENCY_MS"] ?? 100);
const CONCURRENCY = 16;

function benchPlan(): Plan {
  const source = `scenario llm_bench {
  seed = 1   epochs = 1   steps = ${STEPS}
  max_actions_per_step = ${AGENTS}
  population {
    llm crowd { count = ${AGENTS}  provider = openai  model = "gpt-4o-mini" }
  }
  llm { concurrency { openai = ${CONCURRENCY} } }
}
`;
  const path = "/virtual/bench/llm.sbx";
  const compiled = compile(nodeHost(new Map([[path, source]])), [path]);
  const plan = compiled.scenarios[0]?.plan;
  if (!plan) throw new Error(compiled.diagnostics.map((d) => d.message).join("\n"));
  return plan;
}

/** The server process: reports its address, answers request counts, stops when the parent lets go. */
async function serve(): Promise<void> {
  const server = await startModelServer({ latencyMs: LATENCY_MS });
  process.on("message", (m: { count?: boolean }) => {
    if (m.count) process.send?.({ requests: server.requests.length });
  });
  process.on("disconnect", () => void server.close().then(() => process.exit(0)));
  process.send?.({ env: server.env() });
}

async function bench(): Promise<void> {
  const plan = benchPlan();
  const child = fork(fileURLToPath(import.meta.url), ["--serve"]);
  const next = <T>(): Promise<T> => new Promise((resolve) => child.once("message", (m) => resolve(m as T)));
  const { env } = await next<{ env: Record<string, string> }>();
  const events: SimEvent[] = [];
  const host = createLlmHost(plan, { mode: "live", env });
  // Loading the SDK is start-up, not throughput.
  await host.prepare();
  const start = performance.now();
  await runWithLlm(plan, host, { events: (e) => events.push(e) });
  const wall = (performance.now() - start) / 1000;
  child.send({ count: true });
  const { requests: calls } = await next<{ requests: number }>();
  child.disconnect();

  const phases = new Map<string, number>();
  for (const e of events) {
    if (e.type !== "llm_call") continue;
    const key = `${e.epoch}/${e.step}/${e.decision}`;
    phases.set(key, (phases.get(key) ?? 0) + 1);
  }
  const latency = LATENCY_MS / 1000;
  const ideal = (calls * latency) / CONCURRENCY;
  const barrierIdeal = [...phases.values()].reduce((s, n) => s + Math.ceil(n / CONCURRENCY) * latency, 0);
  const r3 = (x: number): number => Number(x.toFixed(3));
  console.log(
    JSON.stringify({
      agents: AGENTS,
      steps: STEPS,
      latency_s: latency,
      concurrency: CONCURRENCY,
      calls,
      phases: phases.size,
      wall_s: r3(wall),
      ideal_s: r3(ideal),
      ratio: r3(wall / ideal),
      barrier_ideal_s: r3(barrierIdeal),
      ratio_to_barrier_ideal: r3(wall / barrierIdeal),
    }),
  );
}

if (process.argv[2] === "--serve") await serve();
else await bench();
