/**
 * `sbx run plan.json`: a plan `sbx compile --out` wrote, run as it is. It is
 * validated with the plan's zod schema, and each problem becomes an SBX5012
 * diagnostic at the JSON value it concerns (located with the `yaml` parser,
 * which reads JSON with source ranges); then with the engine's own checks,
 * whose problems (SBX5070) concern the plan as a whole.
 */
import { readFileSync } from "node:fs";
import { isMap, isSeq, parseDocument, type Node as YamlNode } from "yaml";
import { diagnostic, fileDiagnostic, unplacedDiagnostic, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { planDiagnostics } from "../engine/check.ts";
import { planHash } from "../plan/hash.ts";
import type { Span } from "../text/span.ts";
import type { Plan } from "../plan/schema.ts";
import { validatePlan } from "../plan/validate.ts";
import { osReason } from "../platform/files.ts";
import { displayPath } from "./render-diagnostics.ts";

export type LoadedPlan =
  | { readonly plan: Plan; readonly planHash: string; readonly diagnostics: readonly Diagnostic[]; readonly source: (f: string) => string | undefined }
  | { readonly problems: readonly Diagnostic[]; readonly source: (f: string) => string | undefined; readonly io: boolean };

/** Read and validate a plan file; `io` is true when it could not be read at all (exit 2). */
export function loadPlanFile(path: string, overrides: { seed?: string; epochs?: string }): LoadedPlan {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return { problems: [fileDiagnostic("SBX5001", { path: displayPath(path), reason: osReason(e) }, path)], source: () => undefined, io: true };
  }
  const source = (f: string) => (f === path ? text : undefined);
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) {
    const first = doc.errors[0]!;
    const span = { start: first.pos[0], end: Math.max(first.pos[0], first.pos[1]) };
    return { problems: [diagnostic("SBX5012", { at: "(document)", problem: `not JSON: ${first.message.split("\n")[0]}` }, path, span)], source, io: false };
  }
  let value: unknown = doc.toJS();
  // --seed and --epochs apply to a plan as to a scenario: whole numbers, written in decimal.
  const problems: Diagnostic[] = [];
  const whole = (option: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (/^\d+$/.test(raw.trim()) && Number.isSafeInteger(n) && n >= min) return n;
    problems.push(unplacedDiagnostic("SBX5010", { option, value: raw, hint: `expects a whole number from ${min} to ${Number.MAX_SAFE_INTEGER}, written in decimal` }));
    return undefined;
  };
  const seed = whole("--seed", overrides.seed, 0);
  const epochs = whole("--epochs", overrides.epochs, 0);
  if (problems.length) return { problems, source, io: false };
  if (value && typeof value === "object" && !Array.isArray(value) && (seed !== undefined || epochs !== undefined)) {
    const v = value as { simulation?: Record<string, unknown> };
    value = { ...v, simulation: { ...v.simulation, ...(seed !== undefined ? { seed } : {}), ...(epochs !== undefined ? { epochs } : {}) } };
  }
  const checked = validatePlan(value);
  if (!checked.plan) {
    const located = validatePlanIssues(value, doc.contents as YamlNode | null);
    return { problems: located.map((p) => (p.span ? diagnostic("SBX5012", { at: p.at, problem: p.message }, path, p.span) : fileDiagnostic("SBX5012", { at: p.at, problem: p.message }, path))), source, io: false };
  }
  // What the schema cannot say (two agents with one id, an edge naming no agent, …): refused here, never thrown by the engine.
  const unrunnable = planDiagnostics(checked.plan, path);
  if (unrunnable.length) return { problems: unrunnable, source, io: false };
  // Hashed when asked for (`sbx run --out` asks while its thread sets the run up).
  const plan = checked.plan;
  let hash: string | null = null;
  return {
    plan,
    get planHash() {
      return (hash ??= planHash(plan));
    },
    diagnostics: [],
    source,
  };
}

/** Each schema problem with the dotted path of the value and its span in the file (the nearest enclosing value that exists). */
function validatePlanIssues(value: unknown, root: YamlNode | null): { at: string; message: string; span: Span | undefined }[] {
  const checked = validatePlan(value);
  if (checked.plan) return [];
  return checked.problems.map((problem) => {
    const colon = problem.indexOf(": ");
    const at = problem.slice(0, colon);
    const message = problem.slice(colon + 2);
    const keys = at === "(plan)" ? [] : at.split(".");
    return { at, message, span: locate(root, keys) };
  });
}

function locate(root: YamlNode | null, keys: readonly string[]): Span | undefined {
  let node: YamlNode | null = root;
  let span: Span | undefined = node?.range ? { start: node.range[0], end: node.range[1] } : undefined;
  for (const key of keys) {
    let next: unknown = null;
    if (isMap(node)) next = node.get(key, true);
    else if (isSeq(node)) next = node.get(Number(key), true);
    if (!next || typeof next !== "object" || !("range" in next)) break;
    node = next as YamlNode;
    if (node.range) span = { start: node.range[0], end: node.range[1] };
  }
  return span;
}
