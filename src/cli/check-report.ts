/**
 * What `sbx check` found, as plain data, and its four renderings: text for
 * people, one versioned JSON document, JUnit XML for CI test reports, and
 * GitHub workflow commands that annotate the criterion's line in a pull
 * request. Pure functions: the command prints what these return.
 */
import { messageOf } from "../diagnostics/catalogue.ts";
import { createColors } from "picocolors";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Status, Verdict } from "../criteria/evaluate.ts";
import type { SourceRange } from "../plan/schema.ts";
import { SBX_VERSION } from "../version.ts";
import { diagnosticsJson, displayPath, renderDiagnostics, summarize, type SourceLookup } from "./render-diagnostics.ts";
import { EXIT, type Terminal } from "./terminal.ts";
import { failingSeeds, failingSeedsInline, formatSeeds, verdictDetail } from "./verdicts.ts";

/**
 * pass / fail: every criterion passed, or one failed or was undefined.
 * not-run: the engine cannot run the scenario's agents (LLM agents today);
 * reported, but neither a failure nor a change of exit code.
 * error: the run failed inside sbx (SBX4003). no-criteria: nothing to check.
 */
export type ScenarioStatus = "pass" | "fail" | "not-run" | "error" | "no-criteria";

export interface CriterionCheck {
  readonly id: string;
  readonly label: string;
  readonly status: Status | "not-run";
  /** Null when the scenario was not run. */
  readonly verdict: Verdict | null;
  /** Where the criterion is written (from the plan's provenance). */
  readonly location: SourceRange | null;
}

export interface ScenarioCheck {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly planHash: string | null;
  readonly profile: string | null;
  readonly seeds: readonly number[];
  readonly status: ScenarioStatus;
  /** Why it was not run, or the internal error. */
  readonly reason: string | null;
  /** LLM calls that failed and decisions that fell back, over every seed's run (absent without LLM agents). */
  readonly llm?: { readonly failures: number; readonly fallbacks: number };
  readonly criteria: readonly CriterionCheck[];
}

/** checked: compiled and its scenarios checked; skipped: it declares no scenario (sweeps, presets); errors: it does not compile. */
export interface FileCheck {
  readonly file: string;
  readonly status: "checked" | "skipped" | "errors";
  readonly scenarios: readonly ScenarioCheck[];
}

export interface CheckReport {
  readonly files: readonly FileCheck[];
  readonly diagnostics: readonly Diagnostic[];
  readonly source: SourceLookup;
  /** Scenarios that cannot be run fail the check (--require-llm, or CI=true). */
  readonly requireRun?: boolean;
}

/** Machine formats carry no colour, whatever the terminal. */
const plainTerminal = (term: Terminal): Terminal => ({ ...term, isTTY: false, color: createColors(false) });

const scenariosOf = (report: CheckReport): ScenarioCheck[] => report.files.flatMap((f) => f.scenarios);

/** Internal errors (2) win over compile errors (1), which win over failed criteria (3). Scenarios not run change nothing. */
export function checkExit(report: CheckReport): number {
  const scenarios = scenariosOf(report);
  if (scenarios.some((s) => s.status === "error")) return EXIT.usage;
  // Scenarios required to run but not run (SBX4007) are judged like failed criteria (3), not as compile errors.
  if (hasErrors(report.diagnostics.filter((d) => d.code !== "SBX4007"))) return EXIT.errors;
  if (scenarios.some((s) => s.status === "fail")) return EXIT.criteriaFailed;
  if (report.requireRun && scenarios.some((s) => s.status === "not-run")) return EXIT.criteriaFailed;
  return EXIT.ok;
}

export interface CheckCounts {
  readonly files: number;
  readonly skippedFiles: number;
  readonly filesWithErrors: number;
  readonly scenarios: number;
  readonly passed: number;
  readonly failed: number;
  readonly notRun: number;
  readonly errored: number;
  readonly noCriteria: number;
  readonly criteria: { readonly total: number; readonly pass: number; readonly fail: number; readonly undefined: number; readonly notRun: number };
}

export function checkCounts(report: CheckReport): CheckCounts {
  const scenarios = scenariosOf(report);
  const criteria = scenarios.flatMap((s) => s.criteria);
  const count = <T>(xs: readonly T[], p: (x: T) => boolean) => xs.filter(p).length;
  return {
    files: report.files.length,
    skippedFiles: count(report.files, (f) => f.status === "skipped"),
    filesWithErrors: count(report.files, (f) => f.status === "errors"),
    scenarios: scenarios.length,
    passed: count(scenarios, (s) => s.status === "pass"),
    failed: count(scenarios, (s) => s.status === "fail"),
    notRun: count(scenarios, (s) => s.status === "not-run"),
    errored: count(scenarios, (s) => s.status === "error"),
    noCriteria: count(scenarios, (s) => s.status === "no-criteria"),
    criteria: {
      total: criteria.length,
      pass: count(criteria, (c) => c.status === "pass"),
      fail: count(criteria, (c) => c.status === "fail"),
      undefined: count(criteria, (c) => c.status === "undefined"),
      notRun: count(criteria, (c) => c.status === "not-run"),
    },
  };
}

export { formatSeeds };

/** The one-line message of a criterion that did not pass, from the diagnostic catalogue, with the seeds that failed and their values. */
export function criterionMessage(c: CriterionCheck): string {
  if (!c.verdict) return `not run: ${c.label}`;
  const seeds = failingSeedsInline(c.verdict);
  if (c.verdict.status === "undefined") return messageOf("SBX4002", { label: c.label, reason: (verdictDetail(c.verdict) || "undefined") + seeds });
  return messageOf("SBX4001", { label: c.label, detail: verdictDetail(c.verdict) + seeds });
}

const at = (r: SourceRange | null): string => (r ? `${displayPath(r.file)}:${r.line}:${r.column}` : "");

// ---- text -----------------------------------------------------------------------------

/** Failing seeds listed under a criterion in the text report. */
const SEEDS_SHOWN = 10;

export function renderCheckText(report: CheckReport, term: Terminal): string {
  const c = term.color;
  const word = { pass: c.green("PASS"), fail: c.red("FAIL"), undefined: c.yellow("UNDEF"), "not-run": c.dim("-   ") } as const;
  const lines: string[] = [];
  for (const f of report.files) {
    if (f.status === "skipped") continue;
    lines.push(c.bold(displayPath(f.file)));
    if (f.status === "errors") {
      const n = report.diagnostics.filter((d) => d.file === f.file && d.severity === "error").length;
      lines.push(`  ${c.red("does not compile")}${n ? c.dim(` (${n} error${n === 1 ? "" : "s"}; see above)`) : c.dim(" (see above)")}`);
    }
    for (const s of f.scenarios) {
      const seeds = s.seeds.length ? c.dim(`  seed${s.seeds.length > 1 ? "s" : ""} ${formatSeeds(s.seeds)}`) : "";
      if (s.status === "not-run") lines.push(`  ${s.name}  ${c.yellow("NOT RUN")}  ${s.reason ?? ""}`);
      else if (s.status === "error") lines.push(`  ${s.name}  ${c.red("ERROR")}  ${messageOf("SBX4003", { detail: s.reason ?? "unknown" })}`);
      else if (s.status === "no-criteria") lines.push(`  ${s.name}  ${c.dim("no criteria to check")}`);
      else lines.push(`  ${s.name}${seeds}`);
      if (s.llm?.failures) lines.push(`    ${c.yellow(llmFaultLine(s.llm))}`);
      if (s.status === "error") continue;
      for (const k of s.criteria) {
        const detail = k.verdict ? verdictDetail(k.verdict) : "";
        const where = k.status === "fail" || k.status === "undefined" ? c.dim(`  ${at(k.location)}`) : "";
        lines.push(`    ${word[k.status]}  ${k.label}${detail ? c.dim(`  (${detail})`) : ""}${where}`);
        // The seeds that failed, each with its values, under the criterion.
        const seeds = k.verdict ? failingSeeds(k.verdict) : [];
        for (const seed of seeds.slice(0, SEEDS_SHOWN)) lines.push(`          ${c.dim(seed)}`);
        if (seeds.length > SEEDS_SHOWN) lines.push(`          ${c.dim(`… and ${seeds.length - SEEDS_SHOWN} more seeds (--format json lists them all)`)}`);
      }
    }
  }
  lines.push("", summaryLine(report, term));
  return `${lines.join("\n")}\n`;
}

function summaryLine(report: CheckReport, term: Terminal): string {
  const c = term.color;
  const n = checkCounts(report);
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? "" : "s"}`;
  const parts = [`${plural(n.criteria.total - n.criteria.notRun, "criterion").replace("criterions", "criteria")} in ${plural(n.scenarios - n.notRun - n.errored, "scenario")}: ${n.criteria.pass} passed`];
  if (n.criteria.fail) parts.push(c.red(`${n.criteria.fail} failed`));
  if (n.criteria.undefined) parts.push(c.yellow(`${n.criteria.undefined} undefined`));
  const notes: string[] = [];
  const notRun = scenariosOf(report).filter((s) => s.status === "not-run");
  if (notRun.length) {
    const text = `${plural(notRun.length, "scenario")} not run (${notRun.map((s) => s.name).join(", ")})`;
    notes.push(report.requireRun ? c.red(`${text}, which fails the check`) : c.yellow(text));
  }
  if (n.errored) notes.push(c.red(`${plural(n.errored, "scenario")} failed to run`));
  if (n.filesWithErrors) notes.push(c.red(`${plural(n.filesWithErrors, "file")} with compile errors`));
  return [parts.join(", "), ...notes].join("; ");
}

/** LLM faults are never silent: a scenario whose calls failed says how many, and how many decisions fell back. */
export function llmFaultLine(llm: { failures: number; fallbacks: number }): string {
  return `LLM: ${llm.failures} call${llm.failures === 1 ? "" : "s"} failed; ${llm.fallbacks} decision${llm.fallbacks === 1 ? "" : "s"} took the fallback (sbx run shows the first error) [SBX4006]`;
}

// ---- JSON -----------------------------------------------------------------------------

const rangeJson = (r: SourceRange | null) => (r ? { file: displayPath(r.file), line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn } : null);

export function checkJson(report: CheckReport) {
  const exitCode = checkExit(report);
  return {
    format: "sbx-check",
    version: 1,
    sbxVersion: SBX_VERSION,
    ok: exitCode === EXIT.ok,
    exitCode,
    summary: { ...checkCounts(report), diagnostics: summarize(report.diagnostics) },
    diagnostics: diagnosticsJson(report.diagnostics, report.source),
    files: report.files.map((f) => ({
      file: displayPath(f.file),
      status: f.status,
      scenarios: f.scenarios.map((s) => ({
        name: s.name,
        location: { file: displayPath(s.file), line: s.line, column: s.column },
        status: s.status,
        reason: s.reason,
        planHash: s.planHash,
        profile: s.profile,
        seeds: s.seeds,
        llm: s.llm ?? null,
        criteria: s.criteria.map((k) => ({
          id: k.id,
          label: k.label,
          status: k.status,
          observed: k.verdict?.observed ?? null,
          comparator: k.verdict?.comparator ?? null,
          bound: k.verdict?.bound ?? null,
          left: k.verdict?.left ?? null,
          right: k.verdict?.right ?? null,
          interval: k.verdict?.interval ?? null,
          overSeeds: k.verdict?.overSeeds ?? null,
          passedSeeds: k.verdict?.passedSeeds ?? null,
          seeds: k.verdict?.seeds ?? [],
          reason: k.verdict ? k.verdict.reason : s.reason,
          detail: k.verdict ? verdictDetail(k.verdict) : null,
          location: rangeJson(k.location),
        })),
      })),
    })),
  };
}

// ---- JUnit XML -----------------------------------------------------------------------

/** Text for XML: characters XML 1.0 forbids become U+FFFD; markup is escaped; in attributes, line breaks survive as references. */
export function xmlText(s: string, attribute = false): string {
  const clean = s
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
  return attribute ? clean.replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;") : clean;
}

const attrs = (pairs: Record<string, string | number | null | undefined>): string =>
  Object.entries(pairs)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlText(String(v), true)}"`)
    .join("");

/** One `<testsuite>` per scenario, one `<testcase>` per criterion; a file that does not compile is a suite with one erroring case. */
export function renderJunit(report: CheckReport, term: Terminal): string {
  const suites: string[] = [];
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const plain = plainTerminal(term);
  for (const f of report.files) {
    const file = displayPath(f.file);
    if (f.status === "errors") {
      const errors = report.diagnostics.filter((d) => d.file === f.file && d.severity === "error");
      const text = renderDiagnostics(errors.length ? errors : report.diagnostics.filter((d) => d.severity === "error"), report.source, plain, { excerpt: false });
      const first = errors[0];
      suites.push(
        `  <testsuite${attrs({ name: file, file, tests: 1, failures: 0, errors: 1, skipped: 0 })}>\n` +
          `    <testcase${attrs({ name: "compile", classname: file, file })}>\n` +
          `      <error${attrs({ type: first?.code ?? "SBX", message: first ? `${first.code}: ${first.message}` : "the file does not compile" })}>${xmlText(text)}</error>\n` +
          `    </testcase>\n  </testsuite>`,
      );
      totals.tests++;
      totals.errors++;
      continue;
    }
    for (const s of f.scenarios) {
      const cases: string[] = [];
      const counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
      const props = `    <properties>\n${[
        ["file", file],
        ["planHash", s.planHash ?? ""],
        ["profile", s.profile ?? ""],
        ["seeds", formatSeeds(s.seeds)],
      ]
        .map(([k, v]) => `      <property${attrs({ name: k, value: v })}/>`)
        .join("\n")}\n    </properties>\n`;
      if (s.status === "error") {
        const message = messageOf("SBX4003", { detail: s.reason ?? "unknown" });
        cases.push(`    <testcase${attrs({ name: "run", classname: s.name, file, line: s.line })}>\n      <error${attrs({ type: "SBX4003", message })}>${xmlText(message)}</error>\n    </testcase>`);
        counts.tests++;
        counts.errors++;
      } else {
        for (const k of s.criteria) {
          const head = `    <testcase${attrs({ name: k.label, classname: s.name, file: k.location ? displayPath(k.location.file) : file, line: k.location?.line ?? s.line })}`;
          counts.tests++;
          if (k.status === "pass") {
            cases.push(`${head}>\n      <system-out>${xmlText(`PASS ${k.label} (${k.verdict ? verdictDetail(k.verdict) : ""})`)}</system-out>\n    </testcase>`);
          } else if (k.status === "not-run" && report.requireRun) {
            counts.failures++;
            const message = `not run: ${s.reason ?? ""} [SBX4007]`;
            cases.push(`${head}>\n      <failure${attrs({ type: "not-run", message })}>${xmlText(message)}</failure>\n    </testcase>`);
          } else if (k.status === "not-run") {
            counts.skipped++;
            cases.push(`${head}>\n      <skipped${attrs({ message: `not run: ${s.reason ?? ""}` })}/>\n    </testcase>`);
          } else {
            counts.failures++;
            const message = criterionMessage(k);
            const seeds = k.verdict ? failingSeeds(k.verdict) : [];
            const body = [`${at(k.location)}: ${message}`, ...seeds.map((line) => `  ${line}`)].join("\n");
            cases.push(`${head}>\n      <failure${attrs({ type: k.status, message })}>${xmlText(body)}</failure>\n    </testcase>`);
          }
        }
      }
      totals.tests += counts.tests;
      totals.failures += counts.failures;
      totals.errors += counts.errors;
      totals.skipped += counts.skipped;
      suites.push(`  <testsuite${attrs({ name: s.name, file, ...counts })}>\n${props}${cases.join("\n")}${cases.length ? "\n" : ""}  </testsuite>`);
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({ name: "sbx check", ...totals })}>\n${suites.join("\n")}${suites.length ? "\n" : ""}</testsuites>\n`;
}

// ---- GitHub workflow commands ------------------------------------------------------------

/** Escaping of workflow commands (actions/toolkit `command.ts`): data, and property values. */
export const ghData = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
export const ghProperty = (s: string): string => ghData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

function ghCommand(kind: "error" | "warning" | "notice", props: Readonly<Record<string, string | number | null | undefined>>, message: string): string {
  const list = Object.entries(props)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${ghProperty(String(v))}`)
    .join(",");
  return `::${kind}${list ? ` ${list}` : ""}::${ghData(message)}`;
}

/**
 * Annotations at the lines that matter: failed or undefined criteria at the
 * criterion, compile diagnostics at theirs, scenarios not run as warnings.
 * Passing criteria are plain log lines.
 */
export function renderGithub(report: CheckReport, term: Terminal): string {
  const lines: string[] = [];
  const json = diagnosticsJson(report.diagnostics, report.source);
  for (const d of json) {
    const kind = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "notice";
    const pos =
      d.file === undefined || d.file.startsWith("<")
        ? {}
        : d.range
          ? { file: d.file, line: d.range.start.line, col: d.range.start.column, endLine: d.range.end.line, endColumn: d.range.end.column }
          : { file: d.file };
    lines.push(ghCommand(kind, { ...pos, title: `${d.code}` }, d.message));
  }
  for (const s of scenariosOf(report)) {
    const file = displayPath(s.file);
    if (s.status === "not-run") {
      // Required to run, it is an error, annotated through its SBX4007 diagnostic above.
      if (!report.requireRun) lines.push(ghCommand("warning", { file, line: s.line, col: s.column, title: `${s.name}: not run` }, `scenario ${s.name} was not run: ${s.reason ?? ""}`));
      continue;
    }
    if (s.status === "error") {
      lines.push(ghCommand("error", { file, line: s.line, col: s.column, title: `${s.name}: SBX4003` }, messageOf("SBX4003", { detail: s.reason ?? "unknown" })));
      continue;
    }
    if (s.llm?.failures) lines.push(ghCommand("warning", { file, line: s.line, col: s.column, title: `${s.name}: LLM faults` }, llmFaultLine(s.llm)));
    for (const k of s.criteria) {
      if (k.status === "pass") {
        lines.push(`PASS ${s.name}: ${k.label}${k.verdict ? ` (${verdictDetail(k.verdict)})` : ""}`);
        continue;
      }
      const r = k.location;
      const pos = r ? { file: displayPath(r.file), line: r.line, col: r.column, endLine: r.endLine, endColumn: r.endColumn } : { file, line: s.line, col: s.column };
      const code = k.status === "fail" ? "SBX4001" : "SBX4002";
      lines.push(ghCommand("error", { ...pos, title: `${code} ${s.name}: ${k.label} ${k.status === "fail" ? "failed" : "undefined"}` }, criterionMessage(k)));
    }
  }
  lines.push(summaryLine(report, plainTerminal(term)));
  return `${lines.join("\n")}\n`;
}
