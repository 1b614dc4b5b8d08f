import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * A run's seed from a root seed and the run's coordinates (sweep cell,
 * replicate, …): the first 31 bits of SHA-256 over both. Deterministic,
 * recorded with every run, and independent between coordinates.
 */
export function deriveSeed(root: number, ...coordinates: readonly (string | number)[]): number {
  const digest = sha256(utf8ToBytes(JSON.stringify([root, ...coordinates])));
  return ((digest[0]! << 23) | (digest[1]! << 15) | (digest[2]! << 7) | (digest[3]! >>> 1)) >>> 0;
}
