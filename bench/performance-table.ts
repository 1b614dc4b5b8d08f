/**
 * `npm run docs:performance`: runs the benchmarks once (each its own
 * process, from the bundles in dist/), collects their JSON lines and writes
 * docs/performance.md — every figure of issue 12's goal table: the figure
 * before (the issue's own "Measured on landed code" column, quoted below as
 * constants), the figure now (measured in this run), the goal, whether it is
 * met, and the ratios.
 *
 *   --quick   leave out the runs of 100,000 and 1,000,000 agents (minutes
 *             each), run the startup, sweep and LSP benchmarks with fewer
 *             repetitions; the large-population rows then say "not measured"
 *   --out F   write the table to F instead of docs/performance.md
 *   --from F  draw the table from the runs a previous invocation saved
 *             (it saves them to $TMPDIR/sbx-performance-runs.json), measuring nothing
 *
 * Not a test: wall-clock figures depend on the machine and its load, which
 * the document records.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const argv = process.argv.slice(2);
const OUT = argv.includes("--out") ? argv[argv.indexOf("--out") + 1]! : join(ROOT, "docs", "performance.md");
const FROM = argv.includes("--from") ? argv[argv.indexOf("--from") + 1]! : null;
const SAVED = join(tmpdir(), "sbx-performance-runs.json");

type Json = Record<string, unknown>;

interface BenchRun {
  readonly name: string;
  readonly command: string;
  readonly seconds: number;
  readonly documents: Json[];
  readonly error: string | null;
}

const runs: BenchRun[] = [];
interface Saved {
  readonly runs: BenchRun[];
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly totalSeconds: number;
  readonly quick: boolean;
}
const stored: Saved | null = FROM ? (JSON.parse(readFileSync(FROM, "utf8")) as Saved) : null;
const QUICK = stored?.quick ?? argv.includes("--quick");

/** Every top-level JSON document in a text (one per line, or pretty-printed over several). */
export function jsonDocuments(text: string): Json[] {
  const out: Json[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && depth > 0 && --depth === 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)) as Json);
      } catch {
        // not JSON after all (a log line with braces)
      }
    }
  }
  return out;
}

/** One benchmark bundle in its own process; its JSON documents, or why it failed. */
function bench(name: string, bundle: string, args: readonly string[] = [], env: Record<string, string> = {}): Json[] {
  const command = `node dist/${bundle} ${args.join(" ")}`.trim();
  const old = stored?.runs.find((r) => r.name === name);
  if (stored) {
    if (old) runs.push(old);
    return old?.documents ?? [];
  }
  process.stderr.write(`performance: ${command} …\n`);
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [join(DIST, bundle), ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  const seconds = (performance.now() - t0) / 1000;
  const documents = jsonDocuments(child.stdout ?? "");
  const error = child.status === 0 ? null : `exit ${child.status ?? child.signal}: ${(child.stderr ?? "").trim().split("\n").slice(-3).join(" / ")}`;
  runs.push({ name, command, seconds, documents, error });
  process.stderr.write(`performance:   ${seconds.toFixed(1)} s${error ? ` — ${error}` : ""}\n`);
  return documents;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const find = (docs: readonly Json[], pred: (d: Json) => boolean): Json | undefined => docs.find(pred);
const get = (d: Json | undefined, path: string): number | null => {
  let v: unknown = d;
  for (const k of path.split(".")) v = v && typeof v === "object" ? (v as Json)[k] : undefined;
  return num(v);
};

// ------------------------------------------------------------------ measure

const loadBefore = stored?.loadBefore ?? loadavg()[0]!;
const started = performance.now();

const engine200 = bench("engine N=200", "bench.mjs", ["--agents", "200", "--epochs", "10", "--steps", "10", "--network", "small_world", "--governance", "full", "--repeat", "10"])[0];
const startup = bench("startup", "bench-startup.mjs", ["--runs", QUICK ? "3" : "10"]);
// The same 1,000 agents without --out, repeated in one process: its warm runs are the steady state the
// 1,000-agent --out run (one cold run, its floor loop cold too) cannot show.
const warm1k = bench("engine 1k warm", "bench.mjs", ["--agents", "1000", "--epochs", "10", "--steps", "10", "--repeat", "5"])[0];
const out1k = bench("--out 1k", "bench.mjs", ["--agents", "1000", "--epochs", "10", "--steps", "10", "--out"])[0];
const out10k = bench("--out 10k", "bench.mjs", ["--agents", "10000", "--epochs", "10", "--steps", "10", "--out"])[0];
const out100k = QUICK ? undefined : bench("--out 100k", "bench.mjs", ["--agents", "100000", "--epochs", "10", "--steps", "10", "--out"])[0];
const cli100k = QUICK ? undefined : bench("sbx run --out 100k", "bench.mjs", ["--agents", "100000", "--epochs", "10", "--steps", "10", "--cli"])[0];
const cli1m = QUICK ? undefined : bench("sbx run --out 1M", "bench.mjs", ["--agents", "1000000", "--epochs", "1", "--steps", "10", "--cli"])[0];
const cli1k = bench("sbx run --out 1k", "bench.mjs", ["--agents", "1000", "--epochs", "10", "--steps", "10", "--cli"])[0];
const compileDocs = bench("compile and formatter", "bench-compile.mjs");
const lspDocs = bench("language server", "bench-lsp.mjs", [], QUICK ? { SBX_BENCH_ROUNDS: "20" } : {});
const sweepDoc = bench("sweep", "bench-sweep.mjs", ["--repeat", QUICK ? "1" : "2"])[0];
const llm = bench("LLM agents", "bench-llm.mjs")[0];

const loadAfter = stored?.loadAfter ?? loadavg()[0]!;
const totalSeconds = stored?.totalSeconds ?? (performance.now() - started) / 1000;
if (!stored) {
  writeFileSync(SAVED, JSON.stringify({ runs, loadBefore, loadAfter, totalSeconds, quick: QUICK } satisfies Saved));
  process.stderr.write(`performance: saved the runs to ${SAVED} (--from redraws the table from them)\n`);
}

// ------------------------------------------------------------------ the table

/**
 * The "before" column: issue 12's own "Measured on landed code" figures,
 * quoted as they were written there (they are not re-measured).
 */
const BEFORE = {
  engineFloor: "21–41× the floor loop",
  engineReference: "134–215× the reference (278 agent-steps/s)",
  engineRate: "35–60k agent-steps/s; 0.33–0.56 s per run",
  startup: "1.03 s",
  large100k: "98 s",
  large1mTime: "timed out at 120 s",
  large1mMemory: "4.3 GB (at the time-out)",
  perStep: "30k agents: 1.6 s simulating + 9 s summary (quadratic)",
  report: "not written from about 1,000 agents (exit 0)",
  compile: "14–16× lexing",
  format60k: "250 ms",
  format500k: "2.7 s",
  format2m: "14.5 s (superlinear)",
  completion: "18% of a compile",
  hover: "—",
  manyOpen: "every keystroke recompiles every open document",
  hoverWhileCompiling: "blocked 2.7 s by a 2 MB compile",
  sweep: "0.22×",
  sweepLong: "0.9–1.5×",
  llm: "1.13× the bound",
} as const;

/** The reference's rate, measured side by side in the issue's run (the Python reference is not part of this repository). */
const REFERENCE_AGENT_STEPS_PER_S = 278;

interface Row {
  readonly what: string;
  readonly before: string;
  readonly now: string;
  readonly goal: string;
  /** true, false, or null when not measured. */
  readonly met: boolean | null;
  /** now ÷ goal, when both are numbers. */
  readonly ratio: string;
  /** before ÷ now (a range where the issue gave one), when the issue gave a number for the same measure. */
  readonly gain?: string;
}

const fmt = (x: number | null, digits = 2, unit = ""): string => (x === null ? "not measured" : `${Number(x.toFixed(digits)).toLocaleString("en-US")}${unit}`);
const ratio = (x: number | null, goal: number, _moreIsBetter = false): string => (x === null || x === 0 ? "—" : (x / goal).toFixed(2));
/** How many times better now is than before (before ÷ now, or now ÷ before where more is better); `before` a number or the issue's range. */
const gain = (before: number | readonly [number, number], now: number | null, moreIsBetter = false): string => {
  if (now === null || now === 0) return "—";
  const [lo, hi] = typeof before === "number" ? [before, before] : before;
  const f = (b: number) => (moreIsBetter ? now / b : b / now);
  const [a, b] = [f(lo), f(hi)].sort((x, y) => x - y);
  return a === b ? `${a!.toFixed(2)}×` : `${a!.toFixed(2)}–${b!.toFixed(2)}×`;
};
const atMost = (x: number | null, goal: number): boolean | null => (x === null ? null : x <= goal);
const atLeast = (x: number | null, goal: number): boolean | null => (x === null ? null : x >= goal);

const rows: Row[] = [];
const add = (r: Row): void => void rows.push(r);

// Engine, N = 200, small world, every lever on.
const floorRatio = get(engine200, "ratio_to_floor");
const rate = get(engine200, "agent_steps_per_s");
const overReference = rate === null ? null : rate / REFERENCE_AGENT_STEPS_PER_S;
add({ what: "Engine, N = 200, small world, every lever on: × the floor loop", before: BEFORE.engineFloor, now: `${fmt(floorRatio, 1, "×")} (${fmt(rate, 0)} agent-steps/s, ${fmt(get(engine200, "wall_s"), 3, " s")})`, goal: "≤ 5×", met: atMost(floorRatio, 5), ratio: ratio(floorRatio, 5), gain: gain([21, 41], floorRatio) });
add({ what: "Engine, N = 200: × the reference", before: BEFORE.engineReference, now: fmt(overReference, 0, "×"), goal: "≥ 1000×", met: atLeast(overReference, 1000), ratio: ratio(overReference, 1000, true), gain: gain([134, 215], overReference, true) });
// The goal is judged on the first run in a process (as the issue measured it); the same configuration run again
// in that process (JIT warm, as in a sweep's worker) is shown beside it, never in place of it.
const warmFloor = get(engine200, "warm_ratio_to_floor");
const warmRate = get(engine200, "warm_agent_steps_per_s");
const warmOverReference = warmRate === null ? null : warmRate / REFERENCE_AGENT_STEPS_PER_S;
add({ what: "Engine, N = 200, the same run repeated in one process (median of runs 2–10): × the floor loop, × the reference", before: "—", now: engine200 && warmFloor !== null ? `${fmt(warmFloor, 1, "×")} the floor (median run ÷ median floor loop); ${fmt(warmOverReference, 0, "×")} the reference (${fmt(warmRate, 0)} agent-steps/s, ${fmt(get(engine200, "warm_wall_s"), 3, " s")})` : "not measured", goal: "(shown beside the goal)", met: null, ratio: "—" });

// The main job as a whole process.
const runStartup = find(startup, (d) => typeof d["command"] === "string" && (d["command"] as string).startsWith("sbx run"));
const startupS = get(runStartup, "median_s");
add({ what: "`sbx run scenarios/status_game.sbx`, whole process (median)", before: BEFORE.startup, now: `${fmt(startupS, 3, " s")} (${fmt(get(runStartup, "ratio_to_node"), 1, "×")} \`node -e ''\`)`, goal: "≤ 0.25 s", met: atMost(startupS, 0.25), ratio: ratio(startupS, 0.25), gain: gain(1.03, startupS) });

// Large populations.
const cli100kS = get(cli100k, "wall_s");
add({ what: "`sbx run --out`, 100,000 agents × 10 × 10 (whole process)", before: BEFORE.large100k, now: cli100k ? `${fmt(cli100kS, 1, " s")}, ${fmt(get(cli100k, "peak_rss_mb"), 0, " MB")}, events ${fmt(get(cli100k, "events_mb"), 0, " MB")}` : "not measured (--quick)", goal: "≤ 30 s", met: atMost(cli100kS, 30), ratio: ratio(cli100kS, 30), gain: gain(98, cli100kS) });
// maxRSS counts KiB, so the figure is in binary units, as every memory figure here has been. The SI
// reading is shown beside it; the issue does not say which it means, so the goal counts as met only in both.
const peakMemory = (mib: number | null): string =>
  mib === null ? "—" : `${fmt(mib / 1024, 2, " GiB")} (${fmt(mib, 0, " MiB")}; ${fmt((mib * 1024 * 1024) / 1e9, 2, " GB")} in SI units)`;
const cli1mS = get(cli1m, "wall_s");
const cli1mMb = get(cli1m, "peak_rss_mb");
add({ what: "`sbx run --out`, 1,000,000 agents × 1 × 10: time", before: BEFORE.large1mTime, now: cli1m ? fmt(cli1mS, 1, " s") : "not measured (--quick)", goal: "≤ 60 s", met: atMost(cli1mS, 60), ratio: ratio(cli1mS, 60), gain: cli1mS === null ? "—" : `> ${gain(120, cli1mS)}` });
add({ what: "`sbx run --out`, 1,000,000 agents × 1 × 10: peak memory", before: BEFORE.large1mMemory, now: cli1m ? peakMemory(cli1mMb) : "not measured (--quick)", goal: "≤ 4 GB (met only if both readings are)", met: cli1mMb === null ? null : (cli1mMb * 1024 * 1024) / 1e9 <= 4, ratio: ratio(cli1mMb === null ? null : cli1mMb / 1024, 4) });
// Per agent-step: the simulation and the output written during the run; the report and the final files are
// paid once per run (about a second with Vega), which at 1,000 agents would dominate. Also as a ratio to each
// run's own floor loop, which cancels the machine's speed and most of its load.
const perAgentStep = (d: Json | undefined): number | null => {
  const sim = get(d, "sim_s");
  const during = get(d, "output_in_run_s");
  const steps = get(d, "agent_steps");
  return sim === null || during === null || steps === null ? null : ((sim + during) * 1e6) / steps;
};
const us1k = perAgentStep(out1k);
const usBig = out100k ?? out10k;
const usBigV = perAgentStep(usBig);
const perStep = us1k !== null && usBigV !== null ? usBigV / us1k : null;
const floor1k = get(out1k, "ratio_to_floor");
const floorBig = get(usBig, "ratio_to_floor");
const perStepFloor = floor1k !== null && floorBig !== null ? floorBig / floor1k : null;
add({
  what: `Cost per agent-step with --out (simulating and writing events; the once-per-run report excluded), ${out100k ? "100,000" : "10,000 (--quick)"} agents ÷ 1,000`,
  before: BEFORE.perStep,
  now: `${fmt(perStep, 2, "×")} (${fmt(usBigV, 2, " µs")} ÷ ${fmt(us1k, 2, " µs")}); simulation ÷ floor loop: ${fmt(perStepFloor, 2, "×")} (${fmt(floorBig, 1, "×")} ÷ ${fmt(floor1k, 1, "×")})`,
  goal: "≤ 1.5×",
  met: out100k ? (perStep === null ? null : perStep <= 1.5 && (perStepFloor === null || perStepFloor <= 1.5)) : null,
  ratio: ratio(perStep, 1.5),
});
const simUs = (d: Json | undefined, wall: string): number | null => {
  const s = get(d, wall);
  const steps = get(d, "agent_steps");
  return s === null || steps === null ? null : (s * 1e6) / steps;
};
const usWarm1k = simUs(warm1k, "warm_wall_s");
const usSimBig = simUs(usBig, "sim_s");
const floorWarm1k = get(warm1k, "warm_ratio_to_floor");
add({
  what: `Simulation per agent-step in steady state, ${out100k ? "100,000" : "10,000 (--quick)"} agents ÷ 1,000 (the 1,000-agent run repeated in one process, median of runs 2–5, against its warm floor loop; the row above divides by one cold run and a cold floor loop)`,
  before: "—",
  now: `${fmt(usWarm1k !== null && usSimBig !== null ? usSimBig / usWarm1k : null, 2, "×")} (${fmt(usSimBig, 2, " µs")} ÷ ${fmt(usWarm1k, 2, " µs")}); ÷ floor loop: ${fmt(floorWarm1k !== null && floorBig !== null ? floorBig / floorWarm1k : null, 2, "×")} (${fmt(floorBig, 1, "×")} ÷ ${fmt(floorWarm1k, 1, "×")})`,
  goal: "(shown beside the goal)",
  met: null,
  ratio: "—",
});
const reports = [cli1k, cli100k, cli1m].filter((d) => d !== undefined);
add({ what: "report.html written at every size run here", before: BEFORE.report, now: reports.length ? reports.map((d) => `${get(d, "agents")?.toLocaleString("en-US")}: ${d!["report_written"] ? "yes" : "no"}`).join("; ") : "not measured", goal: "always", met: reports.length ? reports.every((d) => d!["report_written"] === true) : null, ratio: "—" });

// Compile and formatter.
const compile = find(compileDocs, (d) => "compile_over_lex" in d);
const overLex = get(compile, "compile_over_lex");
add({ what: "Compile (10k lines), cold, ÷ lexing", before: BEFORE.compile, now: fmt(overLex, 1, "×"), goal: "≤ 3×", met: atMost(overLex, 3), ratio: ratio(overLex, 3), gain: gain([14, 16], overLex) });
const firstOverLex = get(compile, "first_compile_over_lex");
add({ what: "Compile (10k lines), the process's first compile (JIT cold), ÷ lexing", before: "—", now: fmt(firstOverLex, 1, "×"), goal: "(shown beside the goal)", met: null, ratio: "—" });
const formats = compileDocs.filter((d) => "format_ms" in d);
const formatAt = (bytes: number) => formats.find((d) => Math.abs(get(d, "format_bytes")! - bytes) / bytes < 0.2);
const f60 = get(formatAt(60_000), "format_ms");
const f500 = get(formatAt(500_000), "format_ms");
const f2m = get(formatAt(2_000_000), "format_ms");
add({ what: "Formatter, 60 KB", before: BEFORE.format60k, now: fmt(f60, 0, " ms"), goal: "linear", met: null, ratio: "—", gain: gain(250, f60) });
add({ what: "Formatter, 500 KB", before: BEFORE.format500k, now: fmt(f500, 0, " ms"), goal: "linear", met: null, ratio: "—", gain: gain(2700, f500) });
add({ what: "Formatter, 2 MB", before: BEFORE.format2m, now: fmt(f2m, 0, " ms"), goal: "≤ 1 s", met: atMost(f2m, 1000), ratio: ratio(f2m, 1000), gain: gain(14500, f2m) });
const perMb = formats.map((d) => get(d, "format_ms_per_mb")).filter((x): x is number => x !== null);
const linear = perMb.length >= 2 ? perMb[perMb.length - 1]! / perMb[0]! : null;
add({ what: "Formatter, ms per MB at 2 MB ÷ at 60 KB (1 = linear)", before: "≈ 1.7 (250 ms/60 KB vs 14.5 s/2 MB)", now: fmt(linear, 2, "×"), goal: "linear (≈ 1)", met: linear === null ? null : linear <= 1.5, ratio: "—" });

// Language server.
const lsp = find(lspDocs, (d) => d["measurement"] === "completion and hover after an edit");
const completion = get(lsp, "ratios.completionP95OverCompileP50");
const hover = get(lsp, "ratios.hoverP95OverCompileP50");
const completionItemEdits = get(lsp, "ratios.completionWithItemEditsP95OverCompileP50");
add({ what: "LSP completion p95 ÷ full compile (a client with VS Code's completion capabilities; in brackets, one without list defaults)", before: BEFORE.completion, now: `${fmt(completion === null ? null : completion * 100, 1, "%")} (${fmt(completionItemEdits === null ? null : completionItemEdits * 100, 1, "%")})`, goal: "≤ 5%", met: completion === null ? null : completion <= 0.05 && (completionItemEdits === null || completionItemEdits <= 0.05), ratio: ratio(completion, 0.05), gain: gain(0.18, completion) });
add({ what: "LSP hover p95 ÷ full compile", before: BEFORE.hover, now: fmt(hover === null ? null : hover * 100, 1, "%"), goal: "≤ 5%", met: atMost(hover, 0.05), ratio: ratio(hover, 0.05) });
const many = find(lspDocs, (d) => d["measurement"] === "an edit with N documents open");
add({ what: "LSP: an edit recompiles only its document and its importers", before: BEFORE.manyOpen, now: many ? (many["goalMet"] ? "only the edited document" : "others recompiled") : "not measured", goal: "only those", met: many ? many["goalMet"] === true : null, ratio: "—" });
const during = find(lspDocs, (d) => d["measurement"] === "hover while a large file recompiles");
const duringRatio = get(during, "ratios.hoverP95OverRecompileP50");
add({ what: "LSP hover p95 while a 2 MB file recompiles ÷ that compile", before: BEFORE.hoverWhileCompiling, now: fmt(duringRatio === null ? null : duringRatio * 100, 1, "%"), goal: "never waits (≤ 5%)", met: during ? during["goalMet"] === true : null, ratio: ratio(duringRatio, 0.05) });

// Sweep.
const speedup = get(sweepDoc, "asWritten.speedup");
const speedupLong = get(sweepDoc, "longRuns.speedup");
const longEpochs = get(sweepDoc, "longRuns.epochs");
const msPerRun = get(sweepDoc, "longRuns.msPerRun");
add({ what: "Sweep on 2 cores (`bench:sweep`), runs as written", before: BEFORE.sweep, now: fmt(speedup, 2, "×"), goal: "≥ 1.8× on runs ≥ 50 ms", met: null, ratio: ratio(speedup, 1.8, true), gain: gain(0.22, speedup, true) });
add({ what: `Sweep on 2 cores, runs ≥ 50 ms each (${fmt(longEpochs, 0, " epochs")}, ${fmt(msPerRun, 1, " ms")} of CPU a run), each sweep a new \`sbx sweep\` process`, before: BEFORE.sweepLong, now: fmt(speedupLong, 2, "×"), goal: "≥ 1.8×", met: atLeast(speedupLong, 1.8), ratio: ratio(speedupLong, 1.8, true), gain: gain([0.9, 1.5], speedupLong, true) });
// Shown beside the goal, never as it: on a loaded machine the wall-clock speed-up
// is meaningless, while the CPU both sweeps spend is not (bench/sweep.ts).
const cpuEstimateLong = get(sweepDoc, "longRuns.cpuEstimate");
const wallBoundLong = get(sweepDoc, "longRuns.wallBound");
const helperPercent = (side: string): number | null => {
  const share = get(sweepDoc, `longRuns.${side}.helperShare`);
  return share === null ? null : share * 100;
};
add({ what: "Sweep, runs ≥ 50 ms: 2 × serial CPU ÷ pooled CPU", before: "—", now: fmt(cpuEstimateLong, 2, "×"), goal: "(beside the goal)", met: null, ratio: "—" });
add({
  what: "Sweep, runs ≥ 50 ms: the best two idle cores allow (serial main-thread CPU ÷ pooled CPU on 2 cores: the serial sweep's V8 helper threads already use the second core); V8 helper threads' share of the CPU, serial and pooled",
  before: "—",
  now: `${fmt(wallBoundLong, 2, "×")}; ${fmt(helperPercent("serial"), 0, "%")} and ${fmt(helperPercent("pool"), 0, "%")}`,
  goal: "(beside the goal)",
  met: null,
  ratio: "—",
});

// LLM.
const llmRatio = get(llm, "ratio_to_barrier_ideal");
add({ what: "LLM agents: wall ÷ the two-phase bound (local server, 100 ms)", before: BEFORE.llm, now: fmt(llmRatio, 3, "×"), goal: "≤ 1.1×", met: atMost(llmRatio, 1.1), ratio: ratio(llmRatio, 1.1), gain: gain(1.13, llmRatio) });

// ------------------------------------------------------------------ write

const metText = (m: boolean | null): string => (m === null ? "—" : m ? "met" : "**not met**");
const cell = (s: string): string => s.replace(/\|/g, "\\|");
const lines: string[] = [
  "# Performance",
  "",
  "<!-- Generated by `npm run docs:performance` (bench/performance-table.ts); do not edit by hand. -->",
  "",
  "Every figure of issue 12's goal table, measured in one run of `npm run docs:performance`" +
    (QUICK ? " `--quick`" : "") +
    (stored ? " (the table drawn afterwards from that run's saved measurements with `--from`)" : "") +
    ".",
  "",
  "- **Before** quotes the issue's own \"Measured on landed code\" column: constants in",
  "  bench/performance-table.ts, not re-measured here.",
  "- **Now** is this run. Wall-clock figures depend on the machine and on everything else running on it: this run",
  `  had ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, and a one-minute load average of`,
  `  ${loadBefore.toFixed(1)} when it started and ${loadAfter.toFixed(1)} when it ended; it took ${(totalSeconds / 60).toFixed(1)} minutes.`,
  `- The engine's comparison with the reference divides by the reference's ${REFERENCE_AGENT_STEPS_PER_S} agent-steps/s, measured side by side`,
  "  in the issue's run (the Python reference is not part of this repository).",
  "- \"—\" in *Met*: the row has no pass/fail goal of its own, or was not measured. *Now ÷ goal* is below 1 for a met",
  "  at-most goal and above 1 for a met at-least goal (× the reference, sweep speed-up). *Better than before* is how",
  "  many times better the figure is than the issue's, where it measured the same thing (a range where it gave one):",
  "  before ÷ now for times and ratios to a floor, now ÷ before for rates and speed-ups; below 1× is worse.",
  "- Measured on this machine when this round of work began (after the start-up work had landed): `sbx run --out` with",
  "  100,000 agents × 10 × 10 took 71.6 s; 1,000,000 agents × 1 × 10 took 134 s and 4.11 GB.",
  "- What holds back each goal not met, from profiles, with what was tried: docs/performance-findings.md (written by hand).",
  "",
  "| What | Before (issue 12) | Now | Goal | Met | Now ÷ goal | Better than before |",
  "|---|---|---|---|---|---|---|",
  ...rows.map((r) => `| ${cell(r.what)} | ${cell(r.before)} | ${cell(r.now)} | ${cell(r.goal)} | ${metText(r.met)} | ${cell(r.ratio)} | ${cell(r.gain ?? "—")} |`),
  "",
  "## The benchmarks of this run",
  "",
  "| Benchmark | Command | Seconds | Outcome |",
  "|---|---|---|---|",
  ...runs.map((r) => `| ${r.name} | \`${r.command}\` | ${r.seconds.toFixed(1)} | ${r.error ? cell(r.error) : `${r.documents.length} JSON document${r.documents.length === 1 ? "" : "s"}`} |`),
  "",
  "<details><summary>Their JSON output</summary>",
  "",
  "```json",
  ...runs.flatMap((r) => r.documents.map((d) => JSON.stringify(d))),
  "```",
  "",
  "</details>",
  "",
];
writeFileSync(OUT, lines.join("\n"));
process.stderr.write(`performance: wrote ${OUT}\n`);
