/**
 * `npm run bench:startup`: the whole-process time of the main jobs, as a user
 * sees it — `sbx --version`, `sbx compile` and `sbx run` on
 * scenarios/status_game.sbx — against `node -e ''`, the floor any Node CLI
 * pays. Each figure is the median of 10 runs (after one unmeasured warm-up
 * run that fills the OS file cache); one JSON line per command.
 *
 *   --runs N      runs per command (default 10)
 *   --sbx FILE    the sbx entry to time (default dist/sbx.mjs)
 *
 * The runs happen in a scratch directory, so the files status_game's
 * `outputs` block names land there, not in the checkout.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SBX = resolve(option("sbx") ?? join(ROOT, "dist", "sbx.mjs"));
const SCENARIO = join(ROOT, "scenarios", "status_game.sbx");

const RUNS = Number(option("runs") ?? 10);

interface Case {
  readonly name: string;
  readonly args: readonly string[];
}

const CASES: readonly Case[] = [
  { name: "node -e ''", args: ["-e", ""] },
  { name: "sbx --version", args: [SBX, "--version"] },
  { name: "sbx compile status_game", args: [SBX, "compile", SCENARIO] },
  { name: "sbx run status_game", args: [SBX, "run", SCENARIO] },
];

function once(args: readonly string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (child.status !== 0 && child.status !== 3) throw new Error(`${args.join(" ")} exited ${child.status}: ${child.stderr}`);
  return ms;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

const work = mkdtempSync(join(tmpdir(), "sbx-bench-startup-"));
try {
  let floorMs = 0;
  for (const c of CASES) {
    once(c.args, work);
    const times = Array.from({ length: RUNS }, () => once(c.args, work));
    const ms = median(times);
    if (c.name === "node -e ''") floorMs = ms;
    console.log(
      JSON.stringify({
        bench: "startup",
        command: c.name,
        runs: RUNS,
        median_s: round(ms / 1000, 4),
        min_s: round(Math.min(...times) / 1000, 4),
        max_s: round(Math.max(...times) / 1000, 4),
        ratio_to_node: round(ms / floorMs, 2),
      }),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
