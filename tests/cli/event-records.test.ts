/** Events through records and back (src/cli/event-records.ts) are JSON.stringify's lines, whatever their shape or values. */
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RecordReader, SlotWriter } from "../../src/cli/event-records.ts";
import { compileForRun } from "../../src/cli/run-command.ts";
import { runWithEvents } from "../../src/engine/index.ts";
import { ROOT } from "../support/golden.ts";

const decoder = new TextDecoder();

/**
 * Every event as the run's thread writes it into slots of `size` bytes
 * (records where they apply, JSON lines otherwise, a line longer than what is
 * left continuing in the next slot), each slot read back as the main thread
 * does. Returns the text and how many events went as records.
 */
function throughSlots(events: readonly unknown[], size: number, out = 1 << 12): { text: string; records: number } {
  const parts: string[] = [];
  const reader = new RecordReader(out, (bytes) => {
    expect(bytes.length).toBeLessThanOrEqual(out);
    parts.push(decoder.decode(bytes));
  });
  const slot = new Uint8Array(size);
  // Records from the first event; each filled slot read as its own buffer, as the ring's.
  const writer = new SlotWriter(slot, (filled) => (reader.read(filled.slice()), slot), 0);
  for (const e of events) writer.push(e);
  writer.flush();
  return { text: parts.join(""), records: writer.recorded };
}

const expected = (events: readonly unknown[]): string => events.map((e) => `${JSON.stringify(e)}\n`).join("");

describe("event records", () => {
  it("give shipped scenarios' whole logs exactly, the frequent events as records", () => {
    for (const name of ["status_game", "network_effects", "economy/safety_in_economy", "whitepaper/negotiation"]) {
      const compiled = compileForRun(join(ROOT, `scenarios/${name}.sbx`), { epochs: "2" });
      if ("exit" in compiled) throw new Error(`${name} does not compile`);
      const { events } = runWithEvents(compiled.plan);
      const { text, records } = throughSlots(events, 1 << 14);
      expect(text).toBe(expected(events));
      if (name === "status_game") {
        // Every vote, post and proposal, and every completed interaction, as the mechanisms build them: a change of their keys
        // would send them all back to JSON lines, which this catches.
        const frequent = events.filter((e) => ["vote_cast", "post_created", "interaction_proposed", "interaction_completed"].includes(e.type));
        expect(frequent.length).toBeGreaterThan(100);
        expect(records).toBe(frequent.length);
      }
    }
  });

  it("give any event of the recorded kinds (and any other) exactly as JSON.stringify does, whatever its keys and values", () => {
    const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, 0, 2 ** 31, -(2 ** 31), 1e21, 1e-7, 5e-324, Number.NaN, Infinity, -Infinity, 0.1 + 0.2));
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", '"', "\\", "é", "😀", "\u0000", "\u007f", "\ud800", "honest_1"));
    const odd = fc.oneof(number, text, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant({}), fc.constant([1]));
    // A field as the emitter writes it most of the time, or anything else.
    const field = <T>(usual: fc.Arbitrary<T>) => fc.oneof({ weight: 40, arbitrary: usual as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: odd });
    const observables = fc.record({ taskProgress: field(number), rework: field(number), rejections: field(number), misuse: field(number), engagement: field(number) });
    const interaction = fc.record({
      id: field(number),
      epoch: field(number),
      step: field(number),
      initiator: field(text),
      counterparty: field(text),
      type: field(text),
      accepted: field(fc.boolean()),
      observables: field(observables),
      vHat: field(number),
      p: field(number),
      tau: field(number),
      cA: field(number),
      cB: field(number),
      rA: field(number),
      rB: field(number),
      payoffA: field(number),
      payoffB: field(number),
      groundTruth: field(fc.constantFrom(null, 1, -1)),
      tax: field(number),
      audited: field(fc.boolean()),
      auditPenalty: field(number),
      collusionCost: field(number),
      froze: field(fc.boolean()),
    });
    const event = fc.oneof(
      fc.record({ type: fc.constant("vote_cast"), epoch: field(number), step: field(number), post: field(number), voter: field(text), direction: field(number), outcome: field(text) }),
      fc.record({ type: fc.constant("post_created"), epoch: field(number), step: field(number), id: field(number), author: field(text), parent: field(fc.oneof(fc.constant(null), number)), content: field(text) }),
      fc.record({ type: fc.constant("interaction_proposed"), epoch: field(number), step: field(number), id: field(number), initiator: field(text), counterparty: field(text), interactionType: field(text), transfer: field(number) }),
      fc.record({ type: fc.constant("interaction_completed"), epoch: field(number), step: field(number), interaction: field(interaction), credited: field(fc.boolean()), reputationDeltaA: field(number), reputationDeltaB: field(number) }),
      fc.record({ type: fc.constantFrom("epoch_started", "other"), epoch: number }),
    );
    // Some events with their keys in another order, a key missing, or one more.
    const varied = fc.tuple(event, fc.integer({ min: 0, max: 9 }), text).map(([e, how, key]) => {
      const entries = Object.entries(e as Record<string, unknown>);
      if (how === 0) entries.reverse();
      else if (how === 1) entries.splice(2, 1);
      else if (how === 2) entries.push([key, 1]);
      return Object.fromEntries(entries) as unknown;
    });
    fc.assert(
      fc.property(fc.array(varied, { maxLength: 12 }), fc.integer({ min: 64, max: 2048 }), (events, size) => {
        expect(throughSlots(events, size).text).toBe(expected(events));
      }),
      { numRuns: 400 },
    );
  });
});
