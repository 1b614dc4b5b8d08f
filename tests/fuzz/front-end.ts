/**
 * `npm run fuzz`: the front end (parse, check, lower, every sweep's cells) on
 * at least 100,000 mutated inputs — the property tests' mutations of every
 * shipped source, and arbitrary Unicode text — each with a time-out, on one
 * child process per core. Prints one JSON line of totals; exits 1 if any input
 * crashed, broke an invariant or timed out (each listed with how to see it).
 *
 *   npm run fuzz                      100,000 inputs from seed 1
 *   npm run fuzz -- --inputs 20000 --seed 7 --timeout 5000
 *   npm run fuzz -- --show 4711       print input 4711 and what the front end said
 *
 * Input i is drawn from its own seed (seed + i), so it is the same whatever
 * the number of processes, and `--show i` reproduces it.
 */
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { arbitraryText, frontEnd, mutated, mutation } from "../support/mutations.ts";

interface Options {
  readonly inputs: number;
  readonly seed: number;
  readonly timeoutMs: number;
  readonly jobs: number;
}

type Input = { readonly text: string; readonly siblings: Readonly<Record<string, string>>; readonly from: string };

/** Input `i`: nine in ten are mutations of a shipped source, one in ten arbitrary text. */
function input(seed: number, i: number): Input {
  if (i % 10 === 9) return { text: fc.sample(arbitraryText, { seed: seed + i, numRuns: 1 })[0]!, siblings: {}, from: "arbitrary text" };
  return mutated(fc.sample(mutation, { seed: seed + i, numRuns: 1 })[0]!);
}

type Verdict = "clean" | "diagnostics" | "crash" | "invariant";
interface Report {
  readonly i: number;
  readonly ms: number;
  readonly verdict: Verdict;
  readonly errors: number;
  readonly detail: string | null;
  readonly from: string;
}

// ---- child: run inputs [from, to), one report each ---------------------------------------

function child(): void {
  process.on("message", (m: { seed: number; from: number; to: number }) => {
    process.send!({ ready: true });
    for (let i = m.from; i < m.to; i++) {
      const x = input(m.seed, i);
      const start = performance.now();
      let report: Report;
      try {
        const outcome = frontEnd(x.text, x.siblings);
        const ms = performance.now() - start;
        report = outcome.problems.length
          ? { i, ms, verdict: "invariant", errors: outcome.errors, detail: outcome.problems.slice(0, 3).join("; "), from: x.from }
          : { i, ms, verdict: outcome.diagnostics ? "diagnostics" : "clean", errors: outcome.errors, detail: null, from: x.from };
      } catch (e) {
        report = { i, ms: performance.now() - start, verdict: "crash", errors: 0, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e), from: x.from };
      }
      process.send!(report);
    }
    process.send!({ done: true });
  });
}

// ---- parent: hand out ranges, watch for time-outs, total up ------------------------------

function parseArgs(argv: readonly string[]): Options & { show: number | null } {
  const get = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const number = (name: string, fallback: number): number => {
    const v = get(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} expects a whole number, got '${v}'`);
    return n;
  };
  const show = get("show");
  return { inputs: number("inputs", 100_000), seed: number("seed", 1), timeoutMs: number("timeout", 10_000), jobs: Math.max(1, number("jobs", availableParallelism())), show: show === undefined ? null : number("show", 0) };
}

async function parent(options: Options): Promise<void> {
  const started = performance.now();
  const counts: Record<Verdict | "timeout", number> = { clean: 0, diagnostics: 0, crash: 0, invariant: 0, timeout: 0 };
  const failures: { i: number; verdict: string; from: string; detail: string }[] = [];
  const times: number[] = [];
  let withErrors = 0;
  const chunk = Math.ceil(options.inputs / options.jobs);
  const self = fileURLToPath(import.meta.url);

  /** Runs [from, to) in a child; a child silent for longer than the time-out is killed, its input counted, and a new child takes the rest. */
  const runRange = (from: number, to: number): Promise<void> =>
    new Promise((resolve) => {
      if (from >= to) return resolve();
      let next = from;
      let timer: NodeJS.Timeout;
      const proc: ChildProcess = fork(self, ["--child"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      // A child's start-up (loading the compiler) is not an input's time.
      const arm = (ms = options.timeoutMs): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          proc.removeAllListeners();
          proc.kill("SIGKILL");
          counts.timeout++;
          const x = input(options.seed, next);
          failures.push({ i: next, verdict: "timeout", from: x.from, detail: `no answer within ${options.timeoutMs} ms` });
          void runRange(next + 1, to).then(resolve);
        }, ms);
      };
      proc.on("message", (m: Report | { done: true } | { ready: true }) => {
        if ("ready" in m) return arm();
        if ("done" in m) {
          clearTimeout(timer);
          proc.kill();
          return resolve();
        }
        next = m.i + 1;
        counts[m.verdict]++;
        times.push(m.ms);
        if (m.errors) withErrors++;
        if (m.verdict === "crash" || m.verdict === "invariant") failures.push({ i: m.i, verdict: m.verdict, from: m.from, detail: m.detail ?? "" });
        arm();
      });
      proc.on("exit", (code) => {
        if (next >= to) return;
        // Died without a report (out of memory, a native crash): that input is a crash.
        clearTimeout(timer);
        counts.crash++;
        failures.push({ i: next, verdict: "crash", from: input(options.seed, next).from, detail: `the process exited with ${code}` });
        void runRange(next + 1, to).then(resolve);
      });
      arm(Math.max(60_000, options.timeoutMs));
      proc.send({ seed: options.seed, from, to });
    });

  await Promise.all(Array.from({ length: options.jobs }, (_, k) => runRange(k * chunk, Math.min(options.inputs, (k + 1) * chunk))));
  times.sort((a, b) => a - b);
  const seconds = (performance.now() - started) / 1000;
  const round = (x: number) => Math.round(x * 100) / 100;
  const totals = {
    fuzz: "front-end",
    seed: options.seed,
    inputs: options.inputs,
    clean: counts.clean,
    withDiagnostics: counts.diagnostics,
    withErrors,
    crashes: counts.crash,
    invariantsBroken: counts.invariant,
    timeouts: counts.timeout,
    timeoutMs: options.timeoutMs,
    meanMs: round(times.reduce((a, b) => a + b, 0) / Math.max(1, times.length)),
    p99Ms: round(times[Math.floor(times.length * 0.99)] ?? 0),
    maxMs: round(times.at(-1) ?? 0),
    processes: options.jobs,
    seconds: round(seconds),
    inputsPerSecond: Math.round(options.inputs / seconds),
    failures: failures.sort((a, b) => a.i - b.i).slice(0, 20).map((f) => ({ ...f, show: `npm run fuzz -- --seed ${options.seed} --show ${f.i}` })),
  };
  process.stdout.write(`${JSON.stringify(totals)}\n`);
  process.exitCode = failures.length ? 1 : 0;
}

function show(seed: number, i: number): void {
  const x = input(seed, i);
  process.stdout.write(`// input ${i} (seed ${seed}), from ${x.from}\n${x.text}\n// ----\n`);
  try {
    process.stdout.write(`${JSON.stringify(frontEnd(x.text, x.siblings))}\n`);
  } catch (e) {
    process.stdout.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}

if (process.argv.includes("--child")) child();
else {
  const options = parseArgs(process.argv.slice(2));
  if (options.show !== null) show(options.seed, options.show);
  else await parent(options);
}
