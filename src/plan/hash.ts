import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Plan, PlanBody } from "./schema.ts";

/**
 * JSON with object keys sorted at every level, so equal plans serialise to
 * equal text whatever order their fields were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The plan hash covers what runs, not where it came from: provenance is left out. */
export function planHash(plan: Plan | PlanBody): string {
  const { provenance: _provenance, ...body } = plan as Plan;
  return "sha256:" + bytesToHex(sha256(utf8ToBytes(canonicalJson(body))));
}
