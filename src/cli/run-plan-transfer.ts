/**
 * The plan as `sbx run --out` hands it to its thread (src/cli/run-thread.ts).
 * Structured-cloned whole, a million agents' plan cost the main thread
 * seconds before the thread could start, and the thread as long again to
 * rebuild it: a million agent objects, their params and ids, and the groups'
 * lists of ids, each serialised and parsed one by one.
 *
 * A population is written as runs of like agents (src/compiler/lower.ts
 * lowerPopulation): agents that differ from the one before only in their id,
 * and ids that count up (`honest_1`, `honest_2`, …). Packed, such a run is one
 * agent (its template) and a count, and the ids are prefixes with a first
 * number and a count; the thread unpacks them into a plan equal to the one
 * packed, key for key and in the same key order (so the run, its header event
 * and everything hashed from it are the same). What does not pack (agents of
 * other shapes, ids that do not count up) is sent as it is.
 *
 * The agents of a run share their template's objects (their params): a
 * million agents hold a few params objects, not a million (about 70 MB on
 * each thread). Nothing writes to a plan's agents once the plan is
 * validated, so sharing shows only to `===`; shareLikeAgents gives the main
 * thread's plan the same sharing before it is packed.
 */
import type { Plan } from "../plan/schema.ts";

/** Strings as runs: literal strings, or `count` strings prefix + (first + i). */
export interface PackedStrings {
  /** Per run: a literal string (count 1), or the prefix of a counted run. */
  readonly texts: string[];
  /** Per run: the first number of a counted run, or -1 for a literal. */
  readonly firsts: number[];
  readonly counts: number[];
}

/** Agents as runs of like agents: a template agent and a count each; ids apart. */
export interface PackedAgents {
  readonly templates: Record<string, unknown>[];
  readonly counts: number[];
  readonly ids: PackedStrings;
}

/** A plan whose agents (and groups' agent ids) may be packed. */
export interface PackedPlan {
  /** The plan with `agents` and each group's `agentIds` replaced by null where packed. */
  readonly plan: Plan;
  readonly agents: PackedAgents | null;
  readonly groupIds: (PackedStrings | null)[];
}

/** Packing pays only when it shrinks what is sent: at most one run per this many items. */
const MIN_RUN = 4;

/** Where the decimal digits a counted id ends with start: digits as String(n) writes them (no leading zero), a safe integer; -1 when none. */
function digitsStart(s: string): number {
  let start = s.length;
  while (start > 0) {
    const c = s.charCodeAt(start - 1);
    if (c < 48 || c > 57) break;
    start--;
  }
  const digits = s.length - start;
  return digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(start) === 48) ? -1 : start;
}

/** The number written from `start` to the end of `s` (digits checked by digitsStart), without a string for it. */
function numberFrom(s: string, start: number): number {
  let n = 0;
  for (let i = start; i < s.length; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

/** Strings as runs, or null when they do not pack (not all strings, or too few counted runs). */
export function packStrings(strings: readonly unknown[]): PackedStrings | null {
  const texts: string[] = [];
  const firsts: number[] = [];
  const counts: number[] = [];
  let prefix = "";
  let next = -1;
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i];
    if (typeof s !== "string") return null;
    const start = digitsStart(s);
    const n = start < 0 ? -1 : numberFrom(s, start);
    if (next >= 0 && n === next && start === prefix.length && s.startsWith(prefix)) {
      counts[texts.length - 1]!++;
      next++;
      continue;
    }
    if (n >= 0) {
      prefix = s.slice(0, start);
      texts.push(prefix);
      firsts.push(n);
      next = n + 1;
    } else {
      texts.push(s);
      firsts.push(-1);
      next = -1;
    }
    counts.push(1);
    if (texts.length * MIN_RUN > strings.length + MIN_RUN * 8) return null;
  }
  return { texts, firsts, counts };
}

export function unpackStrings(p: PackedStrings): string[] {
  const out: string[] = [];
  for (let r = 0; r < p.texts.length; r++) {
    const text = p.texts[r]!;
    const first = p.firsts[r]!;
    const count = p.counts[r]!;
    if (first < 0) out.push(text);
    else for (let k = 0; k < count; k++) out.push(text + String(first + k));
  }
  return out;
}

/**
 * Plain data (plain objects, arrays, primitives) equal value for value and key
 * for key in order. An object is equal to itself only as an agent's value
 * (`depth` 1: agents sharing their params; a template is checked to be plain
 * data on its own); deeper down a shared object, or a cycle, is not plain data.
 */
function sameData(a: unknown, b: unknown, depth: number): boolean {
  if (typeof a !== "object" || a === null) return Object.is(a, b) && typeof a !== "function";
  if (a === b && depth === 1) return true;
  if (typeof b !== "object" || b === null || a === b || depth > 16) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || Object.getPrototypeOf(a) !== Array.prototype || Object.getPrototypeOf(b) !== Array.prototype || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      // Holes would come back as undefined.
      if (!(i in a) || !(i in b) || !sameData(a[i], b[i], depth + 1)) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  return sameKeys(a as Record<string, unknown>, b as Record<string, unknown>, null, depth);
}

/** Same own enumerable keys in the same order, equal values (but `except`'s, which must be strings in both). */
function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>, except: string | null, depth: number, keysA: readonly string[] = Object.keys(a)): boolean {
  let i = 0;
  // for-in lists a plain object's own string keys in Object.keys' order (plain objects inherit no enumerable keys).
  for (const key in b) {
    if (key !== keysA[i++]) return false;
    if (key === except) {
      if (typeof a[key] !== "string" || typeof b[key] !== "string") return false;
    } else if (!sameData(a[key], b[key], depth + 1)) return false;
  }
  // Symbol keys are not compared: a structured clone drops them too.
  return i === keysA.length;
}

/** A deep copy of plain data (what sameData accepts). */
function copyData(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map(copyData);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = copyData((v as Record<string, unknown>)[key]);
  return out;
}

/** Agents as runs of like agents, or null when they do not pack. */
export function packAgents(agents: readonly unknown[]): PackedAgents | null {
  const templates: Record<string, unknown>[] = [];
  const counts: number[] = [];
  const ids: unknown[] = new Array(agents.length);
  let templateKeys: string[] = [];
  for (let i = 0; i < agents.length; i++) {
    const a = agents[i] as Record<string, unknown>;
    if (typeof a !== "object" || a === null || Object.getPrototypeOf(a) !== Object.prototype || typeof a["id"] !== "string") return null;
    ids[i] = a["id"];
    const template = templates.at(-1);
    if (template && sameKeys(template, a, "id", 0, templateKeys)) {
      counts[counts.length - 1]!++;
      continue;
    }
    // A template is sent as it is: it must be plain data too, so that its copies equal it.
    if (!sameKeys(a, copyData(a) as Record<string, unknown>, null, 0)) return null;
    templates.push(a);
    templateKeys = Object.keys(a);
    counts.push(1);
    if (templates.length * MIN_RUN > agents.length + MIN_RUN * 8) return null;
  }
  const packedIds = packStrings(ids);
  return packedIds ? { templates, counts, ids: packedIds } : null;
}

export function unpackAgents(p: PackedAgents): Record<string, unknown>[] {
  const ids = unpackStrings(p.ids);
  const agents: Record<string, unknown>[] = [];
  for (let r = 0; r < p.templates.length; r++) {
    const template = p.templates[r]!;
    const keys = Object.keys(template);
    for (let k = 0; k < p.counts[r]!; k++) {
      const id = ids[agents.length]!;
      const agent: Record<string, unknown> = {};
      for (const key of keys) agent[key] = key === "id" ? id : template[key];
      agents.push(agent);
    }
  }
  return agents;
}

/**
 * Agents equal to the one before them but for their ids made to share its
 * objects (their params), in place, as unpackAgents gives them back: the
 * plan's text, hash and key order are unchanged. For a plan this process owns
 * (validated into fresh objects) and does not change afterwards.
 */
export function shareLikeAgents(agents: readonly unknown[]): void {
  let template: Record<string, unknown> | null = null;
  let keys: string[] = [];
  for (const x of agents) {
    const a = x as Record<string, unknown>;
    if (typeof a !== "object" || a === null || Object.getPrototypeOf(a) !== Object.prototype || typeof a["id"] !== "string") {
      template = null;
      continue;
    }
    if (template && sameKeys(template, a, "id", 0, keys)) {
      for (const key of keys) if (key !== "id") a[key] = template[key];
      continue;
    }
    template = a;
    keys = Object.keys(a);
  }
}

/** The plan for the run's thread: its agents and groups' ids packed where they pack. */
export function packPlan(plan: Plan): PackedPlan {
  const agents = packAgents(plan.agents);
  const groupIds = plan.groups.map((g) => packStrings(g.agentIds));
  const groups = plan.groups.map((g, i) => (groupIds[i] ? { ...g, agentIds: null } : g));
  return { plan: { ...plan, agents: agents ? null : plan.agents, groups } as unknown as Plan, agents, groupIds };
}

/** The plan packPlan packed: equal to it, key for key and in the same order. */
export function unpackPlan(p: PackedPlan): Plan {
  const groups = p.plan.groups.map((g, i) => {
    const ids = p.groupIds[i];
    return ids ? { ...g, agentIds: unpackStrings(ids) } : g;
  });
  return { ...p.plan, agents: p.agents ? unpackAgents(p.agents) : p.plan.agents, groups } as Plan;
}
