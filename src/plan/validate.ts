import { Agent, Plan, type Plan as PlanType } from "./schema.ts";

/**
 * Check a plan against the schema where it crosses a boundary (written, run, received).
 *
 * Without `jitless`, zod compiles a checking function (`new Function`) for every object schema the
 * first time it parses one, which pays back only over many parses; a process checks one plan, or a few,
 * and compiling them cost more than the check (`npm run bench:startup`). Same result either way.
 *
 * A compiled plan's like agents share their params (src/compiler/lower.ts): an agent like the one
 * checked before it, but for its id, is checked by comparison and given that agent's checked params
 * (`checkedAgents`), not parsed again into a copy of its own (a million agents' parse was seconds, and
 * its copy hundreds of megabytes). The plan is the one zod's parse gives, key for key; where anything
 * fails, the whole plan is parsed, for zod's own problems.
 */
export function validatePlan(value: unknown): { plan: PlanType; problems: null } | { plan: null; problems: string[] } {
  const checked = checkedByAgents(value);
  const result = checked ? { plan: checked, problems: null } : validateWhole(value);
  if (result.plan) checkedPlans.add(result.plan);
  return result;
}

/**
 * The plans validatePlan gave in this process. Only this module adds to it, so a plan found here is
 * a plan built by a parse (never one handed in: the parse gives a new object), and the engine runs it
 * without parsing it a second time (`runnable`, src/engine/index.ts): `sbx run` checks its plan where
 * it is compiled or read (compileForRun, loadPlanFile). Nothing writes to a checked plan (but for
 * shareLikeAgents, which shares equal values): a caller that changes one must check it again.
 */
const checkedPlans = new WeakSet<object>();

/** Whether `plan` is a plan validatePlan gave, as it gave it. */
export function isCheckedPlan(plan: PlanType): boolean {
  return checkedPlans.has(plan);
}

/** Parse the whole plan with zod. */
export function validateWhole(value: unknown): { plan: PlanType; problems: null } | { plan: null; problems: string[] } {
  const parsed = Plan.safeParse(value, { jitless: true });
  if (parsed.success) return { plan: parsed.data, problems: null };
  return { plan: null, problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(plan)"}: ${i.message}`) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Exactly an agent's own keys, in any order (a plain object inherits no enumerable key). */
function agentKeys(a: Record<string, unknown>): boolean {
  let n = 0;
  for (const key in a) {
    if (key !== "id" && key !== "kind" && key !== "group" && key !== "params") return false;
    n++;
  }
  return n === 4;
}

/**
 * The same params: the same object, or plain objects with the same keys in the same order holding the
 * same values (`Object.is`: an object value must be the same object). Plans built in code give each
 * agent a copy of its kind's params (`{ ...defaults }`), which zod would parse into equal copies.
 */
function sameParams(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(b);
  let n = 0;
  for (const key in a) {
    if (key !== keys[n] || !Object.is(a[key], b[key])) return false;
    n++;
  }
  return n === keys.length;
}

/**
 * The plan zod's parse gives, its agents checked one kind of agent at a
 * time; null where the plan is not an object with a list of agents, or
 * where anything fails (its problems are then zod's to tell).
 *
 * An agent is checked by zod unless it is like the last agent zod checked:
 * a plain object with exactly an agent's keys, a string id, and the same
 * kind, group and params (`sameParams`). It is then valid as that agent
 * was, and zod would give it that agent's output but for its id: a copy of
 * the same params, which it shares instead. The rest of the plan is parsed
 * with no agents (nothing in the schema relates the agents to anything else).
 */
function checkedByAgents(value: unknown): PlanType | null {
  if (!isRecord(value) || !Array.isArray(value["agents"])) return null;
  const input = value["agents"] as unknown[];
  const rest = Plan.safeParse({ ...value, agents: [] }, { jitless: true });
  if (!rest.success) return null;
  const agents: Record<string, unknown>[] = new Array(input.length);
  let like: Record<string, unknown> | null = null;
  let checked: Record<string, unknown> | null = null;
  let keys: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const a = input[i];
    if (like !== null && isRecord(a) && sameParams(a["params"], like["params"]) && a["kind"] === like["kind"] && a["group"] === like["group"] && typeof a["id"] === "string" && agentKeys(a)) {
      const out: Record<string, unknown> = {};
      for (const key of keys) out[key] = key === "id" ? a["id"] : checked![key];
      agents[i] = out;
      continue;
    }
    const parsed = Agent.safeParse(a, { jitless: true });
    if (!parsed.success) return null;
    agents[i] = parsed.data as Record<string, unknown>;
    // The next agents may be like this one: a plain agent whose params are an object (shared, not a copy).
    const shared = isRecord(a) && typeof a["id"] === "string" && typeof a["params"] === "object" && a["params"] !== null && agentKeys(a);
    like = shared ? a : null;
    checked = shared ? agents[i]! : null;
    keys = shared ? Object.keys(checked!) : [];
  }
  const plan = rest.data;
  (plan as unknown as { agents: unknown[] }).agents = agents;
  return plan;
}
