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

/** What planHash needs of node:crypto. */
interface NativeHashing {
  createHash(algorithm: "sha256"): { update(text: string, encoding: "utf8"): { digest(encoding: "hex"): string } };
}

/**
 * Node's native SHA-256 where the code runs on Node (without importing it, so
 * the engine still runs in a browser): a million agents' plan is hundreds of
 * megabytes of canonical JSON, which the portable one hashed in seconds.
 */
let native: NativeHashing | undefined | null = null;

/** SHA-256 of a text's UTF-8 bytes, in hex. node:crypto is looked up on the first hash, not at start-up. */
function sha256Hex(text: string): string {
  if (native === null) native = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as NativeHashing | undefined;
  return native ? native.createHash("sha256").update(text, "utf8").digest("hex") : bytesToHex(sha256(utf8ToBytes(text)));
}

/** The plan hash covers what runs, not where it came from: provenance is left out. */
export function planHash(plan: Plan | PlanBody): string {
  const { provenance: _provenance, ...body } = plan as Plan;
  return "sha256:" + sha256Hex(canonicalJson(body));
}
