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

/**
 * Writes canonicalJson(value) as pieces (an object's keys and punctuation,
 * an array's elements whole), so a hash can take a large plan without it
 * ever becoming one string or one sorted copy. Objects whose order JSON.stringify would not take
 * from the sorted keys (array-index keys, which V8 puts first in numeric
 * order, and `__proto__`) are written by canonicalJson itself.
 */
export function writeCanonicalJson(value: unknown, emit: (piece: string) => void): void {
  if (value === null || typeof value !== "object") {
    emit(JSON.stringify(value) ?? "null");
    return;
  }
  if (Array.isArray(value)) {
    emit("[");
    // Each element whole: a large plan's size is in its long arrays (agents, edges).
    const seen = new Map<object, string>();
    for (let i = 0; i < value.length; i++) {
      const text = canonicalText(value[i], seen, false) ?? "null";
      emit(i > 0 ? `,${text}` : text);
    }
    emit("]");
    return;
  }
  const keys = Object.keys(value).sort();
  if (keys.some(keyOutOfOrder)) {
    emit(canonicalJson(value));
    return;
  }
  emit("{");
  let first = true;
  for (const key of keys) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined || typeof field === "function" || typeof field === "symbol") continue;
    emit(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    writeCanonicalJson(field, emit);
  }
  emit("}");
}

/** Objects whose text canonicalText keeps at a time (then it forgets them all): a plan's shared objects are few. */
const SEEN_LIMIT = 1024;

/**
 * canonicalJson(value) (undefined where JSON.stringify writes nothing), built
 * as text without a sorted copy of the value; an object met again below an
 * element (like agents share their params: a million agents, a few params
 * objects) is written once, from `seen`. Objects with keys JSON.stringify
 * would reorder go to canonicalJson.
 */
function canonicalText(value: unknown, seen: Map<object, string>, nested: boolean): string | undefined {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (nested) {
    const known = seen.get(value);
    if (known !== undefined) return known;
  }
  let text: string;
  if (Array.isArray(value)) {
    text = "[";
    for (let i = 0; i < value.length; i++) text += (i > 0 ? "," : "") + (canonicalText(value[i], seen, true) ?? "null");
    text += "]";
  } else {
    const keys = sortedKeys(value);
    if (keys === null) text = canonicalJson(value);
    else {
      text = "{";
      for (let i = 0; i < keys.length; i += 2) {
        const field = canonicalText((value as Record<string, unknown>)[keys[i]!], seen, true);
        if (field === undefined) continue;
        text += (text.length > 1 ? "," : "") + keys[i + 1]! + field;
      }
      text += "}";
    }
  }
  if (nested) {
    if (seen.size >= SEEN_LIMIT) seen.clear();
    seen.set(value, text);
  }
  return text;
}

/** The last object's keys as Object.keys gave them, and as sortedKeys gave them back. */
let lastKeys: string[] = [];
let lastSorted: string[] | null = [];

/**
 * An object's keys sorted, each followed by its JSON text and a colon; null
 * when JSON.stringify would not keep them in that order. Successive objects
 * of one shape (a plan's agents) share one answer.
 */
function sortedKeys(value: object): string[] | null {
  const keys = Object.keys(value);
  if (keys.length === lastKeys.length && keys.every((k, i) => k === lastKeys[i])) return lastSorted;
  lastKeys = keys;
  return (lastSorted = keys.some(keyOutOfOrder) ? null : [...keys].sort().flatMap((k) => [k, `${JSON.stringify(k)}:`]));
}

function keyOutOfOrder(key: string): boolean {
  return key === "__proto__" || (key.length > 0 && key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57 && /^\d+$/.test(key));
}

/** What planHash needs of node:crypto. */
export interface NativeHashing {
  createHash(algorithm: "sha256"): { update(text: string, encoding: "utf8"): unknown; digest(encoding: "hex"): string };
}

/**
 * Node's native SHA-256 where the code runs on Node (without importing it, so
 * the engine still runs in a browser): a million agents' plan is hundreds of
 * megabytes of canonical JSON, which the portable one hashed in seconds.
 */
let native: NativeHashing | undefined | null = null;

/** Pieces are handed to the hash in chunks of about this many characters (one call per piece costs more than the hashing). */
const CHUNK = 1 << 16;

function nativeHashing(): NativeHashing | null {
  if (native === null) native = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as NativeHashing | undefined;
  return native ?? null;
}

/**
 * SHA-256 of canonicalJson(value)'s UTF-8 bytes, in hex: by node:crypto when
 * there is one (looked up on the first hash, not at start-up), else by the
 * portable implementation. Chunks end only between pieces, so no surrogate
 * pair is split between two encodings.
 */
export function canonicalSha256Hex(value: unknown, hashing: NativeHashing | null = nativeHashing()): string {
  const hash = hashing ? hashing.createHash("sha256") : null;
  const portable = hash ? null : sha256.create();
  let chunk = "";
  const flush = (): void => {
    if (hash) hash.update(chunk, "utf8");
    else portable!.update(utf8ToBytes(chunk));
    chunk = "";
  };
  writeCanonicalJson(value, (piece) => {
    chunk += piece;
    if (chunk.length >= CHUNK) flush();
  });
  flush();
  return hash ? hash.digest("hex") : bytesToHex(portable!.digest());
}

/** The plan hash covers what runs, not where it came from: provenance is left out. */
export function planHash(plan: Plan | PlanBody): string {
  const { provenance: _provenance, ...body } = plan as Plan;
  return "sha256:" + canonicalSha256Hex(body);
}
