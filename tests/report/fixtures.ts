/** Real runs of the shipped scenarios, compiled and run in-process, for the report's tests. */
import { join } from "node:path";
import { compileForRun } from "../../src/cli/run-command.ts";
import { evaluateCriteria } from "../../src/criteria/evaluate.ts";
import { runWithEvents } from "../../src/engine/index.ts";
import { freezeIntervals, type ReportInput } from "../../src/report/index.ts";
import { ROOT } from "../support/golden.ts";

const cache = new Map<string, ReportInput>();

/** The report input `sbx run scenarios/NAME.sbx --out` builds, freezes from the event log. */
export function scenarioInput(name: string, options: { epochs?: string } = {}): ReportInput {
  const key = `${name}:${options.epochs ?? ""}`;
  const hit = cache.get(key);
  if (hit) return structuredClone(hit);
  const compiled = compileForRun(join(ROOT, "scenarios", `${name}.sbx`), options);
  if ("exit" in compiled) throw new Error(`${name}.sbx does not compile: ${compiled.diagnostics.map((d) => d.message).join("; ")}`);
  const { result, events } = runWithEvents(compiled.plan);
  const input: ReportInput = { plan: compiled.plan, result, verdicts: evaluateCriteria(compiled.plan, [result]), freezes: freezeIntervals(events) };
  cache.set(key, input);
  return structuredClone(input);
}

/** Text meant to break out of every context it lands in: element content, attributes, the style block, SVG. */
export const HOSTILE = `</style></title><script>alert("pwned")</script><img src=x onerror=alert(1)> & "double" 'single'`;

/** The same run with every piece of scenario text (names, ids, labels, reasons) replaced by hostile HTML. */
export function hostileInput(base: ReportInput): ReportInput {
  const rename = new Map(base.plan.agents.map((a, i) => [a.id, `<img src=x onerror=alert(${i})>"${a.id}'`]));
  const id = (x: string) => rename.get(x) ?? x;
  const plan = structuredClone(base.plan);
  plan.scenario = { name: HOSTILE, description: HOSTILE, motif: HOSTILE };
  plan.agents = plan.agents.map((a) => ({ ...a, id: id(a.id) }));
  plan.groups = plan.groups.map((g) => ({ ...g, agentIds: g.agentIds.map(id) }));
  const result = structuredClone(base.result);
  result.scenario = HOSTILE;
  result.planHash = `sha256:${HOSTILE}`;
  for (const a of [...result.agents, ...result.epochs.flatMap((e) => e.agents)]) {
    a.id = id(a.id);
    a.group = HOSTILE;
  }
  if (result.network) result.network = { nodes: result.network.nodes.map(id), edges: result.network.edges.map(([a, b, w]) => [id(a), id(b), w]) };
  const verdicts = base.verdicts.map((v) => ({ ...v, id: `${v.id}${HOSTILE}`, label: HOSTILE, reason: HOSTILE }));
  const freezes = base.freezes?.map((f) => ({ ...f, agent: id(f.agent) }));
  return { plan, result, verdicts, ...(freezes ? { freezes } : {}) };
}
