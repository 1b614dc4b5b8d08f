/**
 * `npm run bench:compile`: generate a scenario file of about 10,000 lines and
 * report, as JSON, the time for lexing alone, lexing + parsing, and the full
 * compile (load, check, lower). The goal is a full compile within 3× of
 * lexing alone, where lexing is `lex` (language/syntax.ts), the lexer every
 * compile runs first: a compile that lexed another way would have this time
 * that lexer instead (the fastest lexing of the file a compile could do):
 * timing a lexer slower than the compile's own would flatter the ratio.
 * Lexing, parsing and compiling are each timed after 3 warm-up compiles as the
 * time per operation of 7 in a row, the least of 3 such blocks (other processes
 * only ever add time): the collector's share is then counted for each alike. A
 * median of single runs was not: a compile always holds its own ~2.5
 * scavenges, but every second or third lexing holds one (7 ms without, 12 with),
 * so the median lexing took either value from one run to the next, and the
 * ratio with it (2.7× and 6.9× in two runs of the same code).
 * `compile_ms` ("cold") parses every file again (no cached syntax tree), but
 * the JIT is warm; `first_compile_ms` is the process's first compile, which
 * also pays for the JIT warming up (one run, so noisier); `compile_allocated_mb` and `compile_gc_ms` are what a
 * cold compile allocates and how long the collector paused it (V8's GC profiler, median of 7). Then one JSON line per size for the formatter (`sbx fmt`) on
 * 60 KB, 500 KB and 2 MB of the same text, whose time must grow linearly
 * (goal: 2 MB in 1 s); every size is timed alike, the median of 5 after one untimed format of the same text.
 */
import { getHeapStatistics, GCProfiler } from "node:v8";
import { format } from "../language/format.ts";
import { lex, parse } from "../language/syntax.ts";
import { compile } from "../src/compiler/index.ts";
import { memoryHost } from "../src/compiler/host.ts";
import { clearParseCache } from "../src/compiler/program.ts";
import { nodeHost, STDLIB_DIR } from "../src/platform/node-host.ts";

export function generateScenarioFile(targetLines: number): string {
  const parts: string[] = ['import "std/governance" { moderate }', ""];
  let lines = 2;
  let i = 0;
  while (lines < targetLines) {
    const block = [
      `// Study ${i}: a persona, a policy and a scenario using them.`,
      `persona analyst_${i} {`,
      `  description = "Analyst number ${i}"`,
      `  prompt = """`,
      `    You are analyst ${i}. Weigh each proposal on its merits.`,
      `    """`,
      `  traits { openness = 0.${i % 9}  conscientiousness = 0.8  neuroticism = -0.1 }`,
      `}`,
      ``,
      `policy regime_${i} {`,
      `  actions { post = 20%  vote = 30%  propose = 40%  noop = 10% }`,
      `  accept = ${50 + (i % 40)}%`,
      `  propose_type = trade`,
      `  target = most_trusted`,
      `  observables extends opportunistic { engagement = uniform(-0.1, 0.${(i % 8) + 1}) }`,
      `}`,
      ``,
      `scenario study_${i} {`,
      `  description = "Generated study ${i}"`,
      `  seed = ${1000 + i}   epochs = ${5 + (i % 20)}   steps = 10`,
      `  schedule = round_robin`,
      ``,
      `  population {`,
      `    honest = ${2 + (i % 5)}`,
      `    honest careful { count = 2  acceptance_threshold = 45% }`,
      `    opportunistic = 2`,
      `    deceptive { count = 1  trust_building_phase = ${3 + (i % 4)} }`,
      `    adversarial = 1`,
      `    regime_${i} = 3`,
      `    llm thinkers { count = 1  provider = anthropic  model = "claude-3-haiku-20240307"  persona = analyst_${i} }`,
      `  }`,
      ``,
      `  payoff { s_plus = 2.${i % 10}   s_minus = 1.0   harm = 2.0   theta = 0.5   rho_a = 0.1   rho_b = 0.1   w_rep = 1.0 }`,
      `  proxy { sigmoid_k = 2.0  weights { task_progress = 0.4  rework = 0.2  verifier = 0.2  engagement = 0.2 } }`,
      `  rate_limits { posts_per_epoch = 10   interactions_per_step = 5   votes_per_epoch = 50   tasks_per_epoch = 3 }`,
      ``,
      `  network {`,
      `    topology = small_world   k_neighbors = 4   rewire_probability = 0.1`,
      `    dynamic { strengthen_rate = 0.1   decay_rate = 5%   min_weight = 0.2   max_weight = 1.0 }`,
      `  }`,
      ``,
      `  governance extends moderate {`,
      `    audit.probability = ${10 + (i % 15)}%`,
      `    collusion { score_threshold = 0.5  realtime_penalty = true }`,
      `  }`,
      ``,
      `  expect {`,
      `    seeds = 1..5`,
      `    epochs_completed >= 5`,
      `    ok_toxicity: mean(toxicity) <= 0.4`,
      `    always(toxicity < 0.8, from = 1)`,
      `    final(payoff[adversarial]) < final(payoff[honest])`,
      `    seeds.share(max(toxicity) < 0.6) >= 80%`,
      `  }`,
      `}`,
      ``,
    ];
    parts.push(...block);
    lines += block.length;
    i++;
  }
  return parts.join("\n");
}

/**
 * The median compile's allocation and garbage-collection pause time, from V8's GC profiler: what was allocated is
 * the heap's growth plus what each collection freed (the freed share of a collection spanning two compiles counts
 * for the one it ends in).
 */
function gcPerCompile(fn: () => void, repeats: number): { allocatedMb: number; gcMs: number } {
  const allocated: number[] = [];
  const pauses: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const profiler = new GCProfiler();
    profiler.start();
    const usedBefore = getHeapStatistics().used_heap_size;
    fn();
    const usedAfter = getHeapStatistics().used_heap_size;
    const stats = profiler.stop()?.statistics ?? [];
    let freed = 0;
    let gcUs = 0;
    for (const s of stats) {
      freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
      gcUs += s.cost;
    }
    allocated.push((usedAfter - usedBefore + freed) / 1e6);
    pauses.push(gcUs / 1000);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { allocatedMb: median(allocated), gcMs: median(pauses) };
}

/** Time per call of `fn` over `perBlock` calls in a row, the least of `blocks` such blocks: garbage collection included, as it falls. */
function timePerCall(fn: () => void, perBlock: number, blocks: number): number {
  let best = Infinity;
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    for (let r = 0; r < perBlock; r++) fn();
    best = Math.min(best, (performance.now() - t0) / perBlock);
  }
  return best;
}

function timeIt(fn: () => void, repeats: number): number {
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

if (process.argv[1]?.endsWith("compile.ts") || process.argv[1]?.endsWith("bench-compile.mjs")) main();
function main(): void {
const text = generateScenarioFile(Number(process.argv[2] ?? 10_000));
const file = "/bench/generated.sbx";
const host = memoryHost({ [file]: text }, STDLIB_DIR, nodeHost());
// The first compile in a process also pays for compiling the compiler (the JIT): reported on its own, not in the figures below.
const firstStart = performance.now();
compile(host, [file]);
const firstMs = performance.now() - firstStart;
const warm = 3;
for (let i = 0; i < warm; i++) compile(host, [file]);
const repeats = 7;
const blocks = 3;
const lexMs = timePerCall(() => lex(text, file), repeats, blocks);
const parseMs = timePerCall(() => parse(text, file), repeats, blocks);
let scenarios = 0;
let errors = 0;
const compileMs = timePerCall(() => {
  clearParseCache();
  const result = compile(host, [file]);
  scenarios = result.scenarios.filter((s) => s.plan).length;
  errors = result.diagnostics.filter((d) => d.severity === "error").length;
}, repeats, blocks);
// What a cold compile allocates, and the share of its time the garbage collector takes (the median compile's).
const collected = gcPerCompile(() => {
  clearParseCache();
  compile(host, [file]);
}, repeats);
// The language server's case: the text did not change, so its syntax tree is reused.
const warmMs = timePerCall(() => compile(host, [file]), repeats, blocks);
console.log(
  JSON.stringify({
    lines: text.split("\n").length,
    bytes: text.length,
    scenarios,
    errors,
    lex_ms: Number(lexMs.toFixed(2)),
    parse_ms: Number(parseMs.toFixed(2)),
    compile_ms: Number(compileMs.toFixed(2)),
    compile_unchanged_ms: Number(warmMs.toFixed(2)),
    first_compile_ms: Number(firstMs.toFixed(2)),
    parse_over_lex: Number((parseMs / lexMs).toFixed(2)),
    compile_over_lex: Number((compileMs / lexMs).toFixed(2)),
    first_compile_over_lex: Number((firstMs / lexMs).toFixed(2)),
    goal_compile_over_lex: 3,
    compile_allocated_mb: Number(collected.allocatedMb.toFixed(1)),
    compile_gc_ms: Number(collected.gcMs.toFixed(2)),
  }),
);
benchFormat();
}

/** The formatter at three sizes: the time per megabyte must stay flat. */
function benchFormat(): void {
  const sizes = [60_000, 500_000, 2_000_000];
  const texts = sizes.map((bytes) => {
    let text = generateScenarioFile(Math.ceil(bytes / 32));
    // Cut at a declaration boundary near the target size, so every size is a whole, valid file.
    const cut = text.indexOf("\n// Study", bytes);
    if (cut > 0) text = text.slice(0, cut + 1);
    return text;
  });
  // Warm the JIT on the middle size, so the small file is not timed cold. Then every size is measured alike: one
  // untimed format of the same text (which also collects the previous size's garbage), then the median of 5.
  format(texts[1]!, "/bench/warm.sbx");
  for (const text of texts) {
    let changed = false;
    const formatOnce = () => {
      const result = format(text, "/bench/format.sbx");
      if (!("text" in result)) throw new Error("the generated file does not format");
      changed = result.text !== text;
    };
    formatOnce();
    const ms = timeIt(formatOnce, 5);
    console.log(
      JSON.stringify({
        format_bytes: text.length,
        format_lines: text.split("\n").length,
        changed,
        format_ms: Number(ms.toFixed(1)),
        format_ms_per_mb: Number(((ms * 1_000_000) / text.length).toFixed(1)),
        goal_ms_at_2mb: 1000,
      }),
    );
  }
}
