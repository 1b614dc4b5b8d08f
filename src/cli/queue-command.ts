/**
 * `sbx sweep FILE --queue URL [--name NAME] [--batch N] [--budget USD] [--detach] [--restart]`
 * `sbx sweep --queue URL --collect NAME [--forget]`
 *
 * A sweep run by `sbx worker`s on any number of machines through one Redis
 * (docs/distributed.md). The sweep is compiled here, once; its cells' plans
 * are stored in Redis and each job names one cell and a batch of its seeds.
 * The command then follows the sweep with a progress bar and, once every run
 * is done or has failed, writes the files a local sweep writes — from the
 * rows the workers wrote back, through the same writers, so they are
 * byte-identical to `sbx sweep FILE --jobs 1`. `--detach` only queues;
 * `--collect NAME` follows and writes later, from any machine.
 *
 * Exit 0 done, 1 compile errors, 2 usage, an unreachable queue or failed
 * runs (queue the sweep again to retry them), 130 stopped following (the
 * sweep goes on in the queue).
 */
import { messageOf, type Code, type ParamsOf } from "../diagnostics/catalogue.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SingleBar } from "cli-progress";
import { canonicalJson } from "../plan/hash.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { closest } from "../diagnostics/diagnostic.ts";
import { LLM_PROVIDERS, type Provider } from "../llm/types.ts";
import type { Plan } from "../plan/schema.ts";
import { ensureDir, FileError, isFileSystemError, osReason, shownPath } from "../platform/files.ts";
import { hasLlmAgents } from "../platform/llm/keys.ts";
import { SBX_VERSION } from "../version.ts";
import type { QueueClient, SweepFailure } from "../distributed/client.ts";
import type { QueueTarget } from "../distributed/connection.ts";
import { jobId, NAME_PATTERN, PLAN_FORMAT_ID, type QueuedJob, type SweepManifest } from "../distributed/store.ts";
import { agentSteps } from "./pool.ts";
import { displayPath } from "./render-diagnostics.ts";
import { parseCsv, sweepDocument, writeJson, type SweepLayout, type SweepOutline } from "./sweep-files.ts";
import { prepareSweep, sweepFiles, writeSweepFiles, type PreparedSweep, type SweepCommandOptions } from "./sweep-command.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export interface QueueSweepOptions extends SweepCommandOptions {
  readonly queue?: string;
  readonly name?: string;
  readonly batch?: string;
  readonly budget?: string;
  readonly detach?: boolean;
  readonly collect?: string;
  readonly forget?: boolean;
}

/** What the collector needs to write the files: carried in the sweep's manifest. */
export interface QueuedPayload {
  readonly outline: SweepOutline;
  readonly layout: SweepLayout;
  /** sweep.json, as the submitter would have written it. */
  readonly sweepJson: ReturnType<typeof sweepDocument>;
}

/** Exit code when following stops on Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;
/** How often the progress is read from Redis. */
const POLL_MS = 400;
/**
 * Work per job when batching is left to sbx, in agent-steps (epochs × steps ×
 * agents): a few tenths of a second of engine time (the status game does an
 * agent-step in 5–15 µs), which keeps the queue's cost per job — a few
 * milliseconds, `npm run bench:distributed` — under a tenth of the job.
 */
export const JOB_AGENT_STEPS = 50_000;
const MAX_BATCH = 100;

function fail<C extends Code>(term: Terminal, code: C, params: ParamsOf<C>): number {
  term.err(`sbx: ${term.color.red(`error[${code}]`)}: ${messageOf(code, params)}\n`);
  return EXIT.usage;
}

export async function queueSweepCommand(file: string | undefined, options: QueueSweepOptions, term: Terminal): Promise<number> {
  const usage = (detail: string): number => fail(term, "SBX5002", { detail });
  if (options.queue === undefined) return usage("--collect needs --queue URL: the Redis the sweep was queued on");
  if (options.collect !== undefined && file !== undefined) return usage("give either FILE to queue a sweep or --collect NAME to gather one, not both");
  if (options.collect === undefined && file === undefined) return usage("missing FILE: the .sbx file declaring the sweep (or --collect NAME)");
  if (options.jobs !== undefined) return usage("--jobs is for sweeps on this machine; a worker sets its own with `sbx worker --concurrency N`");
  if (options.collect !== undefined) {
    for (const [flag, given] of [["--name", options.name], ["--batch", options.batch], ["--budget", options.budget], ["--set", options.set?.length ? "x" : undefined], ["--sweep", options.sweep], ["--detach", options.detach]] as const) {
      if (given !== undefined && given !== false) return usage(`${flag} applies when queuing a sweep, not to --collect`);
    }
  } else if (options.forget) return usage("--forget applies to --collect: it removes a collected sweep from the queue");

  const name = options.collect ?? options.name;
  if (name !== undefined && !NAME_PATTERN.test(name)) return usage(`${options.collect !== undefined ? "--collect" : "--name"} '${name}': a queued sweep's name is 1 to 64 letters, digits, '_' or '-'`);
  const batch = parseWhole(options.batch, "--batch");
  if (typeof batch === "string") return usage(batch);
  const budget = parseBudget(options.budget);
  if (typeof budget === "string") return usage(budget);

  const { queueTarget } = await import("../distributed/connection.ts");
  const resolved = queueTarget(options.queue);
  if ("problem" in resolved) return fail(term, "SBX5050", { detail: resolved.problem });
  const target = resolved.target;

  // Compile first: a sweep with errors never touches the queue.
  let submission: { manifest: SweepManifest<QueuedPayload>; plans: Map<string, Plan>; llm: Partial<Record<Provider, number>> } | null = null;
  if (file !== undefined) {
    const prepared = prepareSweep(file, options, term);
    if ("exit" in prepared) return prepared.exit;
    submission = queuedSweep(prepared, options, name, batch);
  }

  const { QueueClient, QueueUnreachable } = await import("../distributed/client.ts");
  let client: QueueClient;
  try {
    client = await QueueClient.connect(target);
  } catch (e) {
    if (e instanceof QueueUnreachable) return fail(term, "SBX5051", { url: target.shown, reason: e.reason });
    throw e;
  }
  try {
    let manifest: SweepManifest<QueuedPayload>;
    if (submission) {
      manifest = submission.manifest;
      const result = await client.submit(manifest, submission.plans, { restart: options.restart === true, ...(budget !== undefined ? { budgetUsd: budget } : {}), llmConcurrency: submission.llm });
      if (result.status === "conflict") return fail(term, "SBX5052", { name: manifest.name, detail: difference(result.existing as SweepManifest<QueuedPayload>, manifest) });
      if (result.status === "busy") return fail(term, "SBX5056", { name: manifest.name, active: result.active });
      const outline = manifest.payload.outline;
      term.err(
        `${term.color.bold(outline.name)} of ${outline.scenario}: ${outline.cells.length} cell${outline.cells.length === 1 ? "" : "s"} × ${manifest.seeds.length} seed${manifest.seeds.length === 1 ? "" : "s"} = ${manifest.runs} runs` +
          ` in ${manifest.jobs.length} job${manifest.jobs.length === 1 ? "" : "s"} of up to ${manifest.batch} run${manifest.batch === 1 ? "" : "s"}, queued as '${manifest.name}' on ${target.shown}\n`,
      );
      if (!result.fresh) term.err(`already queued: ${result.done} of ${manifest.runs} runs are done${result.retried ? `; retrying ${result.retried} failed job${result.retried === 1 ? "" : "s"}` : ""}\n`);
      if (options.detach) {
        term.err(`detached: collect the results with\n  sbx sweep --queue ${target.shown} --collect ${manifest.name}\n`);
        return EXIT.ok;
      }
    } else {
      const found = await client.manifest<QueuedPayload>(name!);
      if (!found) {
        const names = await client.names();
        return fail(term, "SBX5054", { name: name!, queued: names.join(", ") || "none", suggestion: closest(name!, names) });
      }
      if (found.sbxVersion !== SBX_VERSION || found.planFormat !== PLAN_FORMAT_ID) {
        return fail(term, "SBX5053", { refuser: `sbx ${SBX_VERSION}`, reason: `'${found.name}' was queued by sbx ${found.sbxVersion} (plans ${found.planFormat}), whose files may differ; collect it with that release` });
      }
      manifest = found;
    }
    return await followAndWrite(client, target, manifest, submission?.plans ?? null, options, term);
  } catch (e) {
    if (!isFileSystemError(e)) throw e;
    const path = e instanceof FileError ? e.path : ((e as NodeJS.ErrnoException).path ?? "");
    term.err(`sbx: ${term.color.red("error[SBX5009]")}: cannot write ${shownPath(path)}: ${osReason(e)}\n`);
    return EXIT.usage;
  } finally {
    await client.close();
  }
}

function parseWhole(text: string | undefined, flag: string): number | undefined | string {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1) return `${flag} expects a whole number of at least 1, got '${text}'`;
  return n;
}

function parseBudget(text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined;
  const n = Number(text.replace(/^\$/, ""));
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) return `--budget expects an amount in USD (e.g. 2.5), got '${text}'`;
  return n;
}

/** Runs per job: as asked, else enough runs of the cell to make about JOB_AGENT_STEPS of work (one for LLM runs, which wait on the network). */
export function batchFor(plan: Plan, seeds: number, requested: number | undefined): number {
  if (requested !== undefined) return Math.min(requested, seeds);
  if (hasLlmAgents(plan)) return 1;
  return Math.max(1, Math.min(seeds, MAX_BATCH, Math.ceil(JOB_AGENT_STEPS / Math.max(1, agentSteps([plan])))));
}

/** The sweep as the queue holds it: its manifest (jobs, ids, what the files need), its cells' plans, and the providers' limits. */
export function queuedSweep(prepared: PreparedSweep, options: Pick<QueueSweepOptions, "set">, name: string | undefined, requested: number | undefined) {
  const { sweep, seeds, layout, path } = prepared;
  const queuedName = name ?? sweep.name;
  // One batch size for the sweep (the largest cell's), so a job's id says the same thing in every cell.
  const batch = Math.min(...sweep.cells.map((c) => batchFor(c.plan, seeds.length, requested)));
  const jobs: QueuedJob[] = sweep.cells.flatMap((cell) => {
    const out: QueuedJob[] = [];
    for (let i = 0; i < seeds.length; i += batch) {
      const chunk = seeds.slice(i, i + batch);
      out.push({ id: jobId(queuedName, cell.index, cell.planHash, chunk), cell: cell.index, seeds: chunk });
    }
    return out;
  });
  const cells = sweep.cells.map((c) => ({ index: c.index, planHash: c.planHash }));
  const outline: SweepOutline = { name: sweep.name, scenario: sweep.scenario, arms: sweep.arms, cells: sweep.cells.map((c) => ({ index: c.index, arm: c.arm, coords: c.coords, planHash: c.planHash })) };
  const identity = { sbxVersion: SBX_VERSION, planFormat: PLAN_FORMAT_ID, cells: outline.cells, seeds, batch, columns: layout.header };
  const manifest: SweepManifest<QueuedPayload> = {
    format: "sbx-queued-sweep",
    version: 1,
    name: queuedName,
    sbxVersion: SBX_VERSION,
    planFormat: PLAN_FORMAT_ID,
    fingerprint: `sha256:${bytesToHex(sha256(utf8ToBytes(canonicalJson(identity))))}`,
    cells,
    seeds,
    batch,
    jobs,
    runs: sweep.cells.length * seeds.length,
    payload: { outline, layout, sweepJson: sweepDocument(sweep, layout, displayPath(path), options.set ?? []) },
  };
  const plans = new Map(sweep.cells.map((c) => [c.planHash, c.plan]));
  // Calls in flight per provider across all workers: the strictest cell's limit.
  const llm: Partial<Record<Provider, number>> = {};
  for (const cell of sweep.cells) {
    for (const provider of LLM_PROVIDERS) {
      if (!cell.plan.agents.some((a) => a.kind === "llm" && a.params.provider === provider)) continue;
      llm[provider] = Math.min(llm[provider] ?? Infinity, cell.plan.llm.concurrency[provider]);
    }
  }
  return { manifest, plans, llm };
}

/** How the queued sweep differs from this one, in a few words. */
function difference(queued: SweepManifest<QueuedPayload>, mine: SweepManifest<QueuedPayload>): string {
  if (queued.sbxVersion !== mine.sbxVersion) return `it was queued by sbx ${queued.sbxVersion}`;
  if (queued.payload?.outline?.scenario !== mine.payload.outline.scenario) return `it sweeps ${queued.payload?.outline?.scenario ?? "another scenario"}`;
  if (queued.cells.length !== mine.cells.length) return `it has ${queued.cells.length} cells, this one ${mine.cells.length}`;
  const changed = queued.cells.findIndex((c, i) => c.planHash !== mine.cells[i]!.planHash);
  if (changed >= 0) return `the plan of cell ${changed} differs`;
  if (canonicalJson(queued.seeds) !== canonicalJson(mine.seeds)) return "its seeds differ";
  if (queued.batch !== mine.batch) return `it batches ${queued.batch} runs per job, this one ${mine.batch}`;
  return "its columns differ";
}

interface Followed {
  readonly interrupted: boolean;
}

/** Follows the sweep until every run is done or failed (or Ctrl-C), then writes its files and reports. */
async function followAndWrite(client: QueueClient, target: QueueTarget, manifest: SweepManifest<QueuedPayload>, plans: ReadonlyMap<string, Plan> | null, options: QueueSweepOptions, term: Terminal): Promise<number> {
  const followed = await follow(client, target, manifest, plans, term);
  const out = options.out ?? join("out", manifest.name);
  const files = sweepFiles(out);
  ensureDir(out);
  const previous = existingSweep(files.sweep);
  const payload = manifest.payload;
  if (previous && !options.restart && (canonicalJson(previous.cells) !== canonicalJson(payload.sweepJson.cells) || canonicalJson(previous.columns) !== canonicalJson(payload.sweepJson.columns) || canonicalJson(previous.seeds) !== canonicalJson(payload.sweepJson.seeds))) {
    term.err(
      `sbx: ${term.color.red("error[SBX5002]")}: ${out} holds the results of a different sweep (${files.sweep} names other cells, seeds or columns).\n` +
        `  Choose another --out, or rerun with --restart to replace them.\n`,
    );
    return EXIT.usage;
  }
  writeJson(files.sweep, payload.sweepJson);
  const lines = await client.rows(manifest.name);
  const rows = parseCsv(lines.join("")).records;
  const written = writeSweepFiles(payload.outline, manifest.seeds, payload.layout, files, manifest.runs, rows, term);

  const restarted = await client.restarts(manifest.name);
  if (restarted) term.err(`note: ${restarted} run${restarted === 1 ? " was" : "s were"} started more than once (a worker stopped or lost its lock mid-run); each has one row\n`);
  const budget = await client.budget(manifest.name);
  if (budget.refused > 0 && budget.ceilingUsd !== null) {
    term.err(`sbx: ${term.color.yellow("warning[SBX5055]")}: ${messageOf("SBX5055", { budget: usd(budget.ceilingUsd), spent: usd(budget.spentUsd + budget.reservedUsd), refused: budget.refused })}\n`);
  }
  if (followed.interrupted) {
    term.err(`stopped following with ${written} of ${manifest.runs} runs done; the sweep goes on in the queue. Collect it with\n  sbx sweep --queue ${target.shown} --collect ${manifest.name}\n`);
    return EXIT_INTERRUPTED;
  }
  const failures = await client.failures(manifest);
  if (failures.length) return reportFailures(failures, manifest, term);
  if (options.forget) {
    const forgotten = await client.forget(manifest);
    term.err(forgotten.active ? `note: '${manifest.name}' stays in the queue: ${forgotten.active} of its jobs are still held by workers\n` : `removed '${manifest.name}' from the queue\n`);
  }
  return EXIT.ok;
}

function reportFailures(failures: readonly SweepFailure[], manifest: SweepManifest, term: Terminal): number {
  const refused = failures.find((f) => f.kind === "refused");
  if (refused) term.err(`sbx: ${term.color.red("error[SBX5053]")}: ${refused.message}\n`);
  const unsupported = failures.find((f) => f.kind === "unsupported");
  if (unsupported) term.err(`sbx: ${term.color.red("error")}: the sweep cannot run: ${unsupported.message}\n`);
  const others = failures.filter((f) => f.kind !== "refused" && f.kind !== "unsupported");
  for (const f of others.slice(0, 5)) term.err(`sbx: ${term.color.red("error[SBX4003]")}: internal error while running cell ${f.cell} with seed ${f.seed}: ${f.message}\n`);
  if (others.length > 5) term.err(`sbx: … and ${others.length - 5} more failed runs\n`);
  const n = failures.length;
  term.err(`${n} run${n === 1 ? "" : "s"} failed; queue the sweep again (the same command) to retry ${n === 1 ? "it" : "them"}: the runs already done are kept\n`);
  void manifest;
  return EXIT.usage;
}

function existingSweep(path: string): { cells?: unknown; columns?: unknown; seeds?: unknown } | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as { cells?: unknown; columns?: unknown; seeds?: unknown };
  } catch {
    return {};
  }
}

const usd = (x: number): string => `$${x.toFixed(4)}`;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, "0")}m` : m ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * Polls the sweep's progress until every run is done or failed. On a
 * terminal, a progress bar (done, running, failed, ETA); otherwise a line now
 * and then. A lost connection is reported and waited out; once back, what
 * Redis lost of the sweep is put back (`QueueClient.restore`).
 */
async function follow(client: QueueClient, target: QueueTarget, manifest: SweepManifest, plans: ReadonlyMap<string, Plan> | null, term: Terminal): Promise<Followed> {
  let interrupted = false;
  let wake: (() => void) | null = null;
  const onSignal = (): void => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    wake?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let reconnected = false;
  client.onConnection((state, reason) => {
    if (state === "lost") term.err(`sbx: ${term.color.yellow("warning[SBX5051]")}: lost the connection to ${target.shown}: ${reason}; waiting for it to come back\n`);
    else {
      term.err(`reconnected to ${target.shown}\n`);
      reconnected = true;
    }
  });
  const bar = term.isTTY
    ? new SingleBar({ format: " {bar} {value}/{total} runs  running {running}  failed {failed}  ETA {eta}{note}", barsize: 24, stream: process.stderr, clearOnComplete: true, hideCursor: true })
    : null;
  const started = Date.now();
  let first: number | null = null;
  let lastLine = 0;
  let warnedIdle = false;
  try {
    bar?.start(manifest.runs, 0, { running: 0, failed: 0, eta: "?", note: "" });
    for (;;) {
      if (reconnected) {
        reconnected = false;
        await client.restore(manifest, plans);
      }
      const p = await client.progress(manifest);
      first ??= p.done;
      const elapsed = (Date.now() - started) / 1000;
      const rate = (p.done - first) / Math.max(elapsed, 1e-3);
      const eta = p.done + p.failed >= p.total ? "0s" : rate > 0 ? duration((p.total - p.done - p.failed) / rate) : "?";
      const idle = p.workers === 0 && p.done + p.failed < p.total;
      const note = idle ? "  (no worker connected)" : "";
      if (bar) bar.update(p.done, { running: p.running, failed: p.failed, eta, note });
      else if (Date.now() - lastLine > 10_000 || p.done + p.failed >= p.total) {
        lastLine = Date.now();
        term.err(`progress: ${p.done}/${p.total} runs done, ${p.running} running, ${p.failed} failed, ETA ${eta}\n`);
      }
      if (idle && !warnedIdle && !bar) {
        warnedIdle = true;
        term.err(`no worker is connected to ${target.shown}; start some with \`sbx worker --queue ${target.shown}\`\n`);
      }
      if (p.done + p.failed >= p.total || interrupted) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, POLL_MS);
      });
      wake = null;
    }
  } finally {
    bar?.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return { interrupted };
}
