/** Event lines written as bytes are JSON.stringify's bytes, for real runs' events and for any JSON-like value. */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventLines, STRINGIFIED_FIRST } from "../../src/cli/event-lines.ts";
import { compileForRun } from "../../src/cli/run-command.ts";
import { runWithEvents } from "../../src/engine/index.ts";
import { canonicalJson, planHash } from "../../src/plan/hash.ts";
import { ROOT } from "../support/golden.ts";

const decoder = new TextDecoder();

/** Every value as lines through a small buffer, flushed when full; returns the text and how many lines fell back to JSON.stringify whole. */
function lines(values: readonly unknown[], size = 4096): string {
  const out: string[] = [];
  const buffer = new EventLines(new Uint8Array(size), 0);
  for (const v of values) {
    if (buffer.push(v)) continue;
    // As the run's thread and the event file do: the refused line is written again, never serialised again.
    const line = buffer.overflow;
    if (line === null) throw new Error("push refused a line without keeping it");
    out.push(decoder.decode(buffer.bytes()));
    buffer.reset();
    if (!buffer.pushLine(line)) out.push(line);
  }
  out.push(decoder.decode(buffer.bytes()));
  return out.join("");
}

const expected = (values: readonly unknown[]): string => values.map((v) => `${JSON.stringify(v)}\n`).join("");

describe("EventLines", () => {
  it("writes the same bytes across the switch from JSON.stringify to the byte encoder", () => {
    const events = Array.from({ length: STRINGIFIED_FIRST + 50 }, (_, i) => ({ type: "vote_cast", step: i, voter: `honest_${i % 7}`, weight: i / 3, up: i % 2 === 0 }));
    const buffer = new EventLines(new Uint8Array(1 << 22));
    for (const e of events) expect(buffer.push(e)).toBe(true);
    expect(decoder.decode(buffer.bytes())).toBe(expected(events));
  });

  it("writes shipped scenarios' whole logs exactly as JSON.stringify does", () => {
    for (const name of ["status_game", "network_effects", "economy/safety_in_economy", "town/small", "whitepaper/negotiation", "whitepaper/missions", "whitepaper/boundaries", "whitepaper/incoherence"]) {
      const compiled = compileForRun(join(ROOT, `scenarios/${name}.sbx`), { epochs: "2" });
      if ("exit" in compiled) throw new Error(`${name} does not compile`);
      const { events } = runWithEvents(compiled.plan);
      expect(events.length).toBeGreaterThan(2);
      expect(lines(events, 1 << 16)).toBe(expected(events));
    }
  });

  it("writes any JSON-like value exactly as JSON.stringify does", () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constantFrom("", '"', "\\", "\u007f", "\u0000", "\ud800", "é", "toJSON"));
    const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 1e21, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, number, text, fc.boolean(), fc.constant(null), fc.constant(undefined), tie("array"), tie("object")),
      array: fc.array(tie("value"), { maxLength: 5 }),
      object: fc.dictionary(fc.oneof(text, fc.constantFrom("1", "0", "10", "type")), tie("value"), { maxKeys: 6 }),
    }));
    fc.assert(
      fc.property(fc.array(fc.dictionary(text, value, { maxKeys: 8 }), { maxLength: 8 }), fc.integer({ min: 16, max: 512 }), (events, size) => {
        expect(lines(events, size)).toBe(expected(events));
      }),
      { numRuns: 300 },
    );
  });

  it("leaves what JSON.stringify treats specially to JSON.stringify", () => {
    const odd = [
      { type: "a", at: new Date(0) },
      { type: "b", toJSON: () => ({ replaced: true }) },
      { type: "c", map: new Map([[1, 2]]), list: [undefined, () => 1, Symbol("s")] },
      { type: "d", f: () => 1, s: Symbol("s"), u: undefined },
      Object.assign(Object.create(null) as object, { type: "e" }),
      { type: "f", deep: JSON.parse(`${"[".repeat(100)}1${"]".repeat(100)}`) as unknown },
    ];
    expect(lines(odd)).toBe(expected(odd));
    const cyclic: Record<string, unknown> = { type: "g" };
    cyclic["self"] = cyclic;
    expect(() => new EventLines(new Uint8Array(64), 0).push(cyclic)).toThrow(TypeError);
    expect(() => new EventLines(new Uint8Array(64), 0).push({ type: "h", n: 1n })).toThrow(TypeError);
  });

  it("writes nothing when a line does not fit, and says so", () => {
    const buffer = new EventLines(new Uint8Array(32));
    expect(buffer.push({ type: "epoch_started", epoch: 0, step: 0 })).toBe(false);
    expect(buffer.length).toBe(0);
    expect(buffer.push({ type: "x" })).toBe(true);
    expect(buffer.push({ type: "é".repeat(20) })).toBe(false);
    expect(decoder.decode(buffer.bytes())).toBe('{"type":"x"}\n');
  });

  it("keeps the line it refused, and writes it into an emptied buffer only when its UTF-8 fits", () => {
    const buffer = new EventLines(new Uint8Array(24), 0);
    expect(buffer.push({ type: "x" })).toBe(true);
    expect(buffer.overflow).toBeNull();
    expect(buffer.push({ type: "éé" })).toBe(false);
    expect(buffer.overflow).toBe('{"type":"éé"}\n');
    buffer.reset();
    expect(buffer.pushLine(buffer.overflow!)).toBe(true);
    expect(decoder.decode(buffer.bytes())).toBe('{"type":"éé"}\n');
    // 20 UTF-16 units but 30 bytes: too long for 24 bytes although its length is not.
    buffer.reset();
    const wide = `{"t":"${"é".repeat(10)}x"}\n`;
    expect(wide.length).toBeLessThan(24);
    expect(buffer.pushLine(wide)).toBe(false);
    expect(buffer.length).toBe(0);
    expect(buffer.push({ type: "y".repeat(40) })).toBe(false);
    expect(buffer.overflow).toBe(`${JSON.stringify({ type: "y".repeat(40) })}\n`);
    expect(buffer.push({ type: "z" })).toBe(true);
    expect(buffer.overflow).toBeNull();
  });
});

describe("EventLines.pushPart", () => {
  it("writes a text in parts that join into its UTF-8, each part whole characters", () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom("a", "é", "€", "😀", '"', "\n"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })), maxLength: 200 });
    const strict = new TextDecoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(text, fc.integer({ min: 4, max: 17 }), fc.integer({ min: 0, max: 3 }), (line, size, used) => {
        const buffer = new EventLines(new Uint8Array(size), 0);
        // A slot partly filled already, as when a line does not fit what is left of it.
        buffer.pushLine("x".repeat(used));
        const parts: string[] = [];
        let rest = line;
        for (;;) {
          const read = buffer.pushPart(rest);
          const bytes = buffer.bytes().slice(used);
          parts.push(strict.decode(bytes));
          expect(new TextEncoder().encode(rest.slice(0, read))).toEqual(bytes);
          if (read === rest.length) break;
          expect(read > 0 || used > 0).toBe(true);
          rest = rest.slice(read);
          buffer.reset();
          used = 0;
        }
        expect(parts.join("")).toBe(line);
      }),
      { numRuns: 500 },
    );
  });
});

describe("planHash", () => {
  it("is the SHA-256 of the plan's canonical JSON without provenance, whichever implementation computes it", () => {
    const compiled = compileForRun(join(ROOT, "scenarios/status_game.sbx"), {});
    if ("exit" in compiled) throw new Error("status_game does not compile");
    const { provenance: _provenance, ...body } = compiled.plan;
    expect(planHash(compiled.plan)).toBe(`sha256:${bytesToHex(sha256(utf8ToBytes(canonicalJson(body))))}`);
    expect(planHash(compiled.plan)).toBe(compiled.planHash);
  });
});
