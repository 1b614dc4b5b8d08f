/**
 * The town block's own pass over its lowered slice (src/spec/types.ts
 * `finish`): the persona town's rooms when none are declared, paths (every
 * room to every other unless declared), and what the registry cannot check —
 * paths naming rooms that do not exist, rooms nobody can reach, rooms too
 * small for the residents, an environment no room affords, residents
 * without a town.
 */
import { closest } from "../../diagnostics/diagnostic.ts";
import type { PlainValue, SliceContext } from "../../spec/types.ts";
import type { Town } from "./language.ts";
import { SEED_ROOMS } from "./rooms.ts";

/** Agents that live in a town when there is one: residents, and LLM agents. */
export const TOWN_KINDS: readonly string[] = ["resident", "llm"];

export function finishTown(slice: PlainValue | undefined, ctx: SliceContext): PlainValue | undefined {
  const written = ctx.written;
  if (slice === undefined || written === null) {
    const residents = ctx.agents.filter((a) => a.kind === "resident");
    if (residents.length) ctx.report("SBX3200", { count: residents.length, kind: "resident" }, ctx.group(residents[0]!.group) ?? ctx.scenario);
    return slice;
  }
  const raw = slice as Omit<Town, "paths"> & { paths: [string, string, number][] | null };
  const rooms = raw.rooms.length ? raw.rooms : SEED_ROOMS.map((r) => ({ ...r }));
  const names = rooms.map((r) => r.name);
  const paths: [string, string][] = [];
  // A path naming no room is reported once; the rooms it would have joined are not reported as isolated too.
  let allKnown = true;
  if (raw.paths === null) {
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) paths.push([names[i]!, names[j]!]);
  } else {
    raw.paths.forEach(([a, b], k) => {
      let ok = true;
      [a, b].forEach((name, end) => {
        if (names.includes(name)) return;
        ok = allKnown = false;
        ctx.report("SBX2220", { what: "room", name, suggestion: closest(name, names) }, written.at("paths", k, end));
      });
      if (ok && a !== b && !paths.some(([x, y]) => (x === a && y === b) || (x === b && y === a))) paths.push([a, b]);
    });
  }
  const roomAt = (name: string) => written.children("room").find((c) => c.name === name)?.values.at() ?? written.at();
  if (rooms.length > 1 && allKnown) {
    for (const name of names) if (!paths.some(([a, b]) => a === name || b === name)) ctx.report("SBX3204", { room: name }, roomAt(name));
  }
  const members = ctx.agents.filter((a) => TOWN_KINDS.includes(a.kind)).length;
  if (members === 0) ctx.report("SBX3207", {}, written.at());
  const capacity = rooms.reduce((s, r) => s + r.capacity, 0);
  if (capacity < members) ctx.report("SBX3202", { capacity, residents: members }, written.at());
  const needs = raw.environment === "research" ? "research" : raw.environment === "policy" ? "policy" : raw.environment === "nav" ? "tokens" : null;
  if (needs !== null) {
    const afforded = rooms.some((r) => (needs === "tokens" ? (r.tokens ?? Math.max(3, 2 * raw.difficulty)) > 0 : r[needs]));
    if (!afforded) ctx.report("SBX3203", { environment: raw.environment, action: needs === "tokens" ? "navigation tokens" : `${needs} (\`${needs} = true\`)` }, written.at("environment"));
  }
  return { ...raw, rooms, paths } as unknown as PlainValue;
}
