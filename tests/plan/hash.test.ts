import { createHash } from "node:crypto";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileForRun } from "../../src/cli/run-command.ts";
import { canonicalJson, canonicalSha256Hex, planHash, writeCanonicalJson } from "../../src/plan/hash.ts";
import { runs } from "../support/property-runs.ts";

const ROOT = join(import.meta.dirname, "../..");

/** The reference: one string, hashed whole by the portable SHA-256. */
const referenceHex = (value: unknown): string => bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));

function pieces(value: unknown): string[] {
  const out: string[] = [];
  writeCanonicalJson(value, (piece) => out.push(piece));
  return out;
}

/** Keys that JSON.stringify does not keep in sorted order, and text with surrogate pairs and lone surrogates. */
const key = fc.oneof(fc.string(), fc.constantFrom("__proto__", "0", "9", "10", "01", "4294967295", "constructor", "a", "b"), fc.string({ unit: "grapheme" }));
const leaf = fc.oneof(fc.string({ unit: "binary" }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("node"), { maxLength: 5 }),
  object: fc.dictionary(key, tie("node"), { maxKeys: 6 }),
})).node;

describe("canonical JSON written in pieces", () => {
  it("joins to canonicalJson's text for any object or array", () => {
    fc.assert(
      fc.property(fc.oneof(fc.dictionary(key, value, { maxKeys: 6 }), fc.array(value, { maxLength: 5 })), (v) => {
        expect(pieces(v).join("")).toBe(canonicalJson(v));
      }),
      { numRuns: runs(300) },
    );
  });

  it("writes an object shared by many elements (like agents' params) as canonicalJson does, each time", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.dictionary(key, value, { maxKeys: 4 }), fc.array(value, { maxLength: 3 })), { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.string(), fc.nat(), fc.nat()), { maxLength: 30 }), (shared, elements) => {
        // Elements that hold the same objects, at several depths and under several keys.
        const v = elements.map(([id, a, b]) => ({ id, params: shared[a % shared.length], nested: { deeper: [shared[b % shared.length], shared[a % shared.length]] } }));
        expect(pieces(v).join("")).toBe(canonicalJson(v));
        expect(pieces({ agents: v, other: v }).join("")).toBe(canonicalJson({ agents: v, other: v }));
      }),
      { numRuns: runs(200) },
    );
    // More shared objects than are remembered at a time (SEEN_LIMIT), met again after being forgotten.
    const many = Array.from({ length: 3000 }, (_, i) => ({ k: i, "10": i % 7, list: [i, { z: 1, a: [null, undefined] }] }));
    const v = [...many, ...many, ...many.slice(0, 1500)].map((p, i) => ({ id: `a${i}`, params: p }));
    expect(pieces(v).join("")).toBe(canonicalJson(v));
  });

  it("hashes to the reference SHA-256, natively and portably, across chunk boundaries", () => {
    // Long strings with astral characters make chunks end next to surrogate pairs.
    const long = fc.array(fc.string({ unit: "grapheme", minLength: 0, maxLength: 4000 }), { maxLength: 40 });
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(value, long), { maxKeys: 8 }), (v) => {
        const reference = referenceHex(v);
        expect(canonicalSha256Hex(v, { createHash: (a) => createHash(a) })).toBe(reference);
        expect(canonicalSha256Hex(v, null)).toBe(reference);
      }),
      { numRuns: runs(60) },
    );
    // Astral characters across the first chunk's end, at both parities.
    for (const v of [{ a: "😀".repeat(40000) }, { a: `x${"😀".repeat(40000)}` }, { a: ["😀".repeat(32767), "x😀".repeat(300)] }]) {
      expect(canonicalSha256Hex(v, { createHash: (a) => createHash(a) })).toBe(referenceHex(v));
      expect(canonicalSha256Hex(v, null)).toBe(referenceHex(v));
    }
  });

  it("gives the plan hash of a shipped scenario, and of a large one, as hashing its whole canonical text did", () => {
    const compiled = compileForRun(join(ROOT, "scenarios/status_game.sbx"), {});
    if ("exit" in compiled) throw new Error("status_game does not compile");
    const { provenance: _provenance, ...body } = compiled.plan;
    expect(planHash(compiled.plan)).toBe(`sha256:${referenceHex(body)}`);
    const large = { ...body, agents: Array.from({ length: 400 }, (_, i) => body.agents.map((a) => ({ ...a, id: `${a.id}_${i}` }))).flat() };
    expect(canonicalJson(large).length).toBeGreaterThan(4 << 16); // several chunks
    expect(planHash(large)).toBe(`sha256:${referenceHex(large)}`);
    expect(planHash(large)).not.toBe(planHash(compiled.plan));
  });
});
