/**
 * `sbx check FILE|DIR… [--format text|json|junit|github] [--jobs N] [--set path=value] [--profile NAME]`
 *
 * The CI gate: compile every scenario of every file, run each over the
 * seeds its criteria name, judge every criterion and report each verdict.
 * Exit 0 all pass, 1 compile errors (they win over failures), 3 a criterion
 * failed or was undefined, 2 usage, I/O or internal error. A scenario whose
 * agents the engine cannot run is reported as not run and changes nothing.
 */
import { compile } from "../compiler/index.ts";
import { criteriaSeeds, evaluateCriteria } from "../criteria/evaluate.ts";
import { sweepDiagnostics } from "../compiler/sweep.ts";
import { diagnostic, hasErrors, sortDiagnostics, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Plan } from "../plan/schema.ts";
import { validatePlan } from "../plan/validate.ts";
import { LineIndex } from "../text/line-index.ts";
import { checkExit, checkJson, renderCheckText, renderGithub, renderJunit, type CheckReport, type CriterionCheck, type FileCheck, type ScenarioCheck } from "./check-report.ts";
import { nodeHost } from "../platform/node-host.ts";
import { jobsFor, openPool, parseJobs } from "./pool.ts";
import { condenseNotes, renderDiagnostics } from "./render-diagnostics.ts";
import { commandOverrides } from "./run-command.ts";
import { withSeed, type ExecuteOptions, type RunReply } from "./run-outcome.ts";
import { collectSbxFiles } from "./sbx-files.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export type CheckFormat = "text" | "json" | "junit" | "github";

export interface CheckCommandOptions {
  readonly format?: CheckFormat;
  readonly jobs?: string;
  readonly set?: readonly string[];
  readonly profile?: string;
  /** Answer LLM agents with the offline responder (no network, no key). */
  readonly dryRun?: boolean;
  /** Fail when a scenario cannot be run (SBX4007); undefined: when CI=true. */
  readonly requireLlm?: boolean;
  /** No notes. */
  readonly quiet?: boolean;
}

/** CI=true (or 1), as GitHub Actions, GitLab CI and most others set it. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return ["true", "1"].includes((env["CI"] ?? "").trim().toLowerCase());
}

/** A scenario ready to run: its plan and one plan per seed its criteria name. */
interface Pending {
  readonly base: Omit<ScenarioCheck, "status" | "reason" | "criteria">;
  readonly plan: Plan;
  readonly runs: readonly Plan[];
}

type Prepared = { readonly done: ScenarioCheck } | { readonly pending: Pending };

interface PreparedFile {
  readonly file: string;
  readonly status: FileCheck["status"];
  readonly scenarios: readonly Prepared[];
}

export async function checkCommand(paths: readonly string[], options: CheckCommandOptions, term: Terminal): Promise<number> {
  const format = options.format ?? "text";
  const jobs = parseJobs(options.jobs);
  const { files, problems } = collectSbxFiles(paths);
  const { overrides, problems: badSets } = commandOverrides({ ...(options.profile !== undefined ? { profile: options.profile } : {}), set: options.set ?? [] });
  const usage = [
    ...problems,
    ...badSets.map((p) => unplacedDiagnostic("SBX5003", { override: p, detail: "expected path=value" })),
    ...("problem" in jobs ? [unplacedDiagnostic("SBX5002", { detail: jobs.problem })] : []),
  ];
  if (usage.length || !("jobs" in jobs)) {
    term.err(renderDiagnostics(usage, () => undefined, term));
    return EXIT.usage;
  }

  const diagnostics = new DiagnosticSet();
  const sources = new Map<string, string>();
  const prepared: PreparedFile[] = files.map((file) => {
    const result = compile(nodeHost(), [file], { overrides });
    for (const [path, module] of result.program.modules) sources.set(path, module.text);
    // Sweeps are checked cell by cell, as `sbx sweep` would: CI must catch a misspelt `vary`.
    const all = sortDiagnostics([...result.diagnostics, ...sweepDiagnostics(result, { overrides })]);
    diagnostics.add(all);
    if (hasErrors(all)) return { file, status: "errors", scenarios: [] };
    if (!result.scenarios.length) return { file, status: "skipped", scenarios: [] };
    return {
      file,
      status: "checked",
      scenarios: result.scenarios.map((s): Prepared => {
        const { line, column } = new LineIndex(sources.get(s.file) ?? "").lineColumn(s.decl.node.name?.span.start ?? 0);
        return prepare({ name: s.name, file: s.file, line, column, planHash: s.planHash, profile: s.plan?.profile ?? null, seeds: [] }, s.plan);
      }),
    };
  });

  const pendings = prepared.flatMap((f) => f.scenarios.flatMap((p) => ("pending" in p ? [p.pending] : [])));
  const replies = await runAll(
    pendings.flatMap((p) => p.runs),
    jobs.jobs,
    term.isTTY && format === "text" ? term : null,
    { dryRun: options.dryRun === true },
  );
  let next = 0;
  const required = options.requireLlm ?? inCi();
  const report: CheckReport = {
    diagnostics: diagnostics.list,
    source: (f) => sources.get(f),
    requireRun: required,
    files: prepared.map((f) => ({
      file: f.file,
      status: f.status,
      scenarios: f.scenarios.map((p) => {
        if ("done" in p) return p.done;
        const own = replies.slice(next, (next += p.pending.runs.length));
        return judge(p.pending, own);
      }),
    })),
  };

  // Nothing checked must not pass in CI: each scenario that could not run is an error there (SBX4007).
  if (required) {
    const why = options.requireLlm === undefined ? "with CI=true every scenario must run (--no-require-llm reports it without failing)" : "--require-llm asks for every scenario to run";
    for (const f of report.files) {
      for (const sc of f.scenarios.filter((x) => x.status === "not-run")) {
        const at = new LineIndex(sources.get(sc.file) ?? "").offset({ line: sc.line - 1, character: sc.column - 1 });
        diagnostics.add([diagnostic("SBX4007", { count: 1, names: sc.name, why: `${sc.reason ?? "it cannot run here"}; ${why}` }, sc.file, { start: at, end: at + sc.name.length })]);
      }
    }
  }
  const shown: CheckReport = format === "json" ? report : { ...report, diagnostics: condenseNotes(report.diagnostics, { quiet: options.quiet === true }) };
  switch (format) {
    case "json":
      term.out(`${JSON.stringify(checkJson(shown), null, 2)}\n`);
      break;
    case "junit":
      term.err(renderDiagnostics(shown.diagnostics, shown.source, term));
      term.out(renderJunit(shown, term));
      break;
    case "github":
      term.out(renderGithub(shown, term));
      break;
    default:
      term.err(renderDiagnostics(shown.diagnostics, shown.source, term));
      term.out(renderCheckText(shown, term));
  }
  return checkExit(report);
}

function prepare(base: Pending["base"], plan: Plan | null): Prepared {
  const fail = (reason: string): Prepared => ({ done: { ...base, status: "error", reason, criteria: [] } });
  if (!plan) return fail(`the compiler produced no plan for scenario '${base.name}'`);
  const checked = validatePlan(plan);
  if (!checked.plan) return fail(`the plan breaks its schema: ${checked.problems.join("; ")}`);
  const valid = checked.plan;
  if (!valid.criteria.items.length) return { done: { ...base, status: "no-criteria", reason: null, criteria: [] } };
  const seeds = criteriaSeeds(valid);
  return { pending: { base: { ...base, seeds }, plan: valid, runs: seeds.map((seed) => withSeed(valid, seed)) } };
}

/** Verdicts for one scenario from its runs' replies (in seed order). */
function judge(p: Pending, replies: readonly RunReply[]): ScenarioCheck {
  const location = (id: string) => p.plan.provenance.criteria[id] ?? null;
  const failures = replies.flatMap((r) => (r.ok ? [] : [r.failure]));
  const unsupported = failures.find((f) => f.kind === "unsupported");
  if (unsupported) {
    const criteria: CriterionCheck[] = p.plan.criteria.items.map((c) => ({ id: c.id, label: c.label, status: "not-run", verdict: null, location: location(c.id) }));
    return { ...p.base, status: "not-run", reason: unsupported.message, criteria };
  }
  if (failures.length) return { ...p.base, status: "error", reason: failures[0]!.message, criteria: [] };
  const runs = replies.flatMap((r) => (r.ok ? [r.run] : []));
  const verdicts = evaluateCriteria(p.plan, runs);
  const criteria: CriterionCheck[] = verdicts.map((v) => ({ id: v.id, label: v.label, status: v.status, verdict: v, location: location(v.id) }));
  const total = (metric: string) => runs.reduce((sum, r) => sum + r.epochs.reduce((a, e) => a + (e.metrics[metric] ?? 0), 0), 0);
  const llm = p.plan.agents.some((a) => a.kind === "llm") ? { llm: { failures: total("llm.failures"), fallbacks: total("llm.fallbacks") } } : {};
  return { ...p.base, status: verdicts.every((v) => v.status === "pass") ? "pass" : "fail", reason: null, criteria, ...llm };
}

/** Every plan on the pool, replies in the plans' order; a progress bar on a terminal. */
async function runAll(plans: readonly Plan[], jobs: number | null, progressTo: Terminal | null, execute: ExecuteOptions = {}): Promise<RunReply[]> {
  if (!plans.length) return [];
  const pool = openPool(jobsFor(jobs, plans), plans.length);
  const bar = progressTo ? new (await import("cli-progress")).SingleBar({ format: " {bar} {value}/{total} runs  {eta_formatted}", stream: process.stderr, clearOnComplete: true, hideCursor: true }) : null;
  bar?.start(plans.length, 0);
  try {
    return await Promise.all(
      plans.map((plan) =>
        pool.run(plan, execute).then((reply) => {
          bar?.increment();
          return reply;
        }),
      ),
    );
  } finally {
    bar?.stop();
    await pool.close();
  }
}

/** Diagnostics from several compilations, each once (an imported file is checked with every file importing it). */
class DiagnosticSet {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  add(ds: readonly Diagnostic[]): void {
    for (const d of ds) {
      const key = `${d.file ?? ""}\u0000${d.span?.start ?? -1}\u0000${d.span?.end ?? -1}\u0000${d.code}\u0000${d.message}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.list.push(d);
    }
  }
}

