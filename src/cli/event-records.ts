/**
 * The run's most frequent events as binary records, written by the run's
 * thread and turned into their JSON lines by the main thread
 * (src/cli/run-thread.ts). Formatting numbers is most of the cost of an
 * event's line; the thread running the engine only copies them, as float64,
 * and the main thread, which otherwise waits, formats them. The line is
 * exactly JSON.stringify's: a record is written only for an event whose keys
 * are the ones expected, in that order, and whose values have the types
 * expected (strings of printable ASCII without `"` or `\`); any other event
 * goes as its JSON line.
 *
 * A record starts with the byte RECORD, which JSON text never holds (it
 * escapes control characters), so records and JSON lines share a slot of the
 * ring; a record is never split between slots.
 */
import { EventLines, STRINGIFIED_FIRST } from "./event-lines.ts";

/** The first byte of a record. */
export const RECORD = 1;

/** A field's value: a number, printable ASCII, a boolean, a number or null, an object of known fields. */
const NUM = 0;
const STR = 1;
const BOOL = 2;
const NUM_OR_NULL = 3;
const OBJ = 4;

/** Strings longer than this go as JSON lines (a record stays small against a slot). */
const MAX_STRING = 1 << 16;

interface Shape {
  readonly keys: readonly string[];
  readonly kinds: Uint8Array;
  /** The bytes before each value: `{"type":"…","epoch":` for the first (the type is the shape's), `,"key":` for the others. */
  readonly heads: readonly Uint8Array[];
  readonly inner: readonly (Shape | null)[];
}

const utf8 = new TextEncoder();

type Field = readonly [key: string, kind: number, inner?: Shape];

function shape(type: string | null, fields: readonly Field[]): Shape {
  const keys = fields.map((f) => f[0]);
  const heads = keys.map((key, i) =>
    utf8.encode(i > 0 ? `,${JSON.stringify(key)}:` : type === null ? `{${JSON.stringify(key)}:` : `{"type":${JSON.stringify(type)},${JSON.stringify(key)}:`),
  );
  return { keys, kinds: Uint8Array.from(fields.map((f) => f[1])), heads, inner: fields.map((f) => f[2] ?? null) };
}

// The frequent events, as their emitters build them (src/mechanisms/feed, src/mechanisms/interactions; InteractionRecord in src/kernel/records.ts).
const OBSERVABLES = shape(null, [
  ["taskProgress", NUM],
  ["rework", NUM],
  ["rejections", NUM],
  ["misuse", NUM],
  ["engagement", NUM],
]);
const INTERACTION = shape(null, [
  ["id", NUM],
  ["epoch", NUM],
  ["step", NUM],
  ["initiator", STR],
  ["counterparty", STR],
  ["type", STR],
  ["accepted", BOOL],
  ["observables", OBJ, OBSERVABLES],
  ["vHat", NUM],
  ["p", NUM],
  ["tau", NUM],
  ["cA", NUM],
  ["cB", NUM],
  ["rA", NUM],
  ["rB", NUM],
  ["payoffA", NUM],
  ["payoffB", NUM],
  ["groundTruth", NUM_OR_NULL],
  ["tax", NUM],
  ["audited", BOOL],
  ["auditPenalty", NUM],
  ["collusionCost", NUM],
  ["froze", BOOL],
]);
/** By kind number (a record's second byte). */
const KINDS: readonly Shape[] = [
  shape("vote_cast", [
    ["epoch", NUM],
    ["step", NUM],
    ["post", NUM],
    ["voter", STR],
    ["direction", NUM],
    ["outcome", STR],
  ]),
  shape("post_created", [
    ["epoch", NUM],
    ["step", NUM],
    ["id", NUM],
    ["author", STR],
    ["parent", NUM_OR_NULL],
    ["content", STR],
  ]),
  shape("interaction_proposed", [
    ["epoch", NUM],
    ["step", NUM],
    ["id", NUM],
    ["initiator", STR],
    ["counterparty", STR],
    ["interactionType", STR],
    ["transfer", NUM],
  ]),
  shape("interaction_completed", [
    ["epoch", NUM],
    ["step", NUM],
    ["interaction", OBJ, INTERACTION],
    ["credited", BOOL],
    ["reputationDeltaA", NUM],
    ["reputationDeltaB", NUM],
  ]),
];

const OBJECT_PROTOTYPE = Object.prototype;

/** Whether `o` is a plain object with exactly these keys, in this order (JSON.stringify's, which for-in follows); the type's value chose the shape. */
function hasKeys(o: object, keys: readonly string[], skipType: boolean): boolean {
  if (Object.getPrototypeOf(o) !== OBJECT_PROTOTYPE) return false;
  let i = skipType ? -1 : 0;
  const n = keys.length;
  for (const key in o) {
    if (i < 0) {
      if (key !== "type") return false;
    } else if (i >= n || key !== keys[i]) return false;
    i++;
  }
  return i === n;
}

/** Writes records into a buffer (the thread's slot of the ring). */
export class RecordWriter {
  private buffer: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(buffer: Uint8Array) {
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /** Write into `buffer` from `length` on (the slot EventLines is filling, at its length). */
  use(buffer: Uint8Array, length: number): void {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }
    this.length = length;
  }

  /**
   * The event as a record: true when written; false, writing nothing, when
   * it does not fit; null when it is not one of the record's events (or not
   * of their shape), to be written as its JSON line.
   */
  push(e: unknown): boolean | null {
    if (typeof e !== "object" || e === null) return null;
    let kind: number;
    switch ((e as { type?: unknown }).type) {
      case "vote_cast":
        kind = 0;
        break;
      case "post_created":
        kind = 1;
        break;
      case "interaction_proposed":
        kind = 2;
        break;
      case "interaction_completed":
        kind = 3;
        break;
      default:
        return null;
    }
    const start = this.length;
    if (start + 2 > this.buffer.length) return false;
    this.buffer[start] = RECORD;
    this.buffer[start + 1] = kind;
    this.length = start + 2;
    const done = this.fields(e as Record<string, unknown>, KINDS[kind]!, true);
    if (done !== true) this.length = start;
    return done;
  }

  private fields(o: Record<string, unknown>, s: Shape, top: boolean): boolean | null {
    if (!hasKeys(o, s.keys, top)) return null;
    const { keys, kinds, inner } = s;
    const buffer = this.buffer;
    const view = this.view;
    for (let i = 0; i < keys.length; i++) {
      const v = o[keys[i]!];
      let at = this.length;
      switch (kinds[i]) {
        case NUM:
          if (typeof v !== "number") return null;
          if (at + 8 > buffer.length) return false;
          view.setFloat64(at, v, true);
          this.length = at + 8;
          break;
        case NUM_OR_NULL:
          if (v === null) {
            if (at + 1 > buffer.length) return false;
            buffer[at] = 0;
            this.length = at + 1;
          } else {
            if (typeof v !== "number") return null;
            if (at + 9 > buffer.length) return false;
            buffer[at] = 1;
            view.setFloat64(at + 1, v, true);
            this.length = at + 9;
          }
          break;
        case BOOL:
          if (typeof v !== "boolean") return null;
          if (at + 1 > buffer.length) return false;
          buffer[at] = v ? 1 : 0;
          this.length = at + 1;
          break;
        case STR: {
          if (typeof v !== "string") return null;
          const n = v.length;
          if (n > MAX_STRING) return null;
          if (at + 4 + n > buffer.length) return false;
          view.setUint32(at, n, true);
          at += 4;
          for (let c = 0; c < n; c++) {
            const code = v.charCodeAt(c);
            if (code < 0x20 || code > 0x7e || code === 34 || code === 92) return null;
            buffer[at++] = code;
          }
          this.length = at;
          break;
        }
        default: {
          if (typeof v !== "object" || v === null) return null;
          const done = this.fields(v as Record<string, unknown>, inner[i]!, false);
          if (done !== true) return done;
        }
      }
    }
    return true;
  }
}

/**
 * A record's JSON line (at top level, with its newline) into `lines`, read
 * from `src` at `at`: where the record ends in `src`, or -1 when the line
 * does not fit what is left of `lines` (part of it may be written).
 */
function recordLine(lines: EventLines, src: Uint8Array, view: DataView, at: number, s: Shape, top: boolean): number {
  const { keys, kinds, heads, inner } = s;
  for (let i = 0; i < keys.length; i++) {
    if (!lines.raw(heads[i]!)) return -1;
    switch (kinds[i]) {
      case NUM:
        if (!lines.number(view.getFloat64(at, true))) return -1;
        at += 8;
        break;
      case NUM_OR_NULL:
        if (src[at] === 0) {
          if (!lines.ascii("null")) return -1;
          at += 1;
        } else {
          if (!lines.number(view.getFloat64(at + 1, true))) return -1;
          at += 9;
        }
        break;
      case BOOL:
        if (!lines.ascii(src[at] ? "true" : "false")) return -1;
        at += 1;
        break;
      case STR: {
        const n = view.getUint32(at, true);
        at += 4;
        if (lines.room() < n + 2) return -1;
        lines.byte(34);
        lines.raw(src.subarray(at, at + n));
        lines.byte(34);
        at += n;
        break;
      }
      default:
        at = recordLine(lines, src, view, at, inner[i]!, false);
        if (at < 0) return -1;
    }
  }
  if (!lines.byte(125)) return -1;
  if (top && !lines.byte(10)) return -1;
  return at;
}

/**
 * Turns a slot's bytes (JSON lines and records) into JSON lines, handing
 * them to `out` in pieces of at most `size` bytes (valid only during the call).
 */
export class RecordReader {
  private readonly lines: EventLines;

  constructor(
    size: number,
    private readonly out: (bytes: Uint8Array) => void,
  ) {
    this.lines = new EventLines(new Uint8Array(size), 0);
  }

  read(slot: Uint8Array): void {
    const lines = this.lines;
    const view = new DataView(slot.buffer, slot.byteOffset, slot.byteLength);
    let at = 0;
    while (at < slot.length) {
      const next = slot.indexOf(RECORD, at);
      const end = next < 0 ? slot.length : next;
      if (end > at) this.copy(slot.subarray(at, end));
      if (next < 0) break;
      const shape = KINDS[slot[next + 1]!]!;
      const start = lines.length;
      let after = recordLine(lines, slot, view, next + 2, shape, true);
      if (after < 0) {
        // The line did not fit what is left of the output: hand that over, then write the line again.
        lines.length = start;
        this.flush();
        after = recordLine(lines, slot, view, next + 2, shape, true);
        if (after < 0) throw new Error("an event record's line is larger than the output buffer");
      }
      at = after;
    }
    this.flush();
  }

  private copy(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const room = this.lines.room();
      if (room === 0) {
        this.flush();
        continue;
      }
      const n = Math.min(room, bytes.length - at);
      this.lines.raw(bytes.subarray(at, at + n));
      at += n;
    }
  }

  private flush(): void {
    if (!this.lines.length) return;
    this.out(this.lines.bytes());
    this.lines.reset();
  }
}

/**
 * Events into one slot after another, as the run's thread writes them into
 * its ring (src/cli/run-thread.ts): the frequent kinds as records once
 * `stringifiedFirst` events have gone as lines (a short run does not pay for
 * compiling the record writer), the others as JSON lines, and a line longer
 * than what is left continuing in the next slot, never split inside a
 * character. `handOver` takes the filled part of the slot and returns the
 * slot to fill next.
 */
export class SlotWriter {
  private readonly lines: EventLines;
  private readonly records: RecordWriter;
  private slot: Uint8Array;
  private seen = 0;
  /** How many events went as records. */
  recorded = 0;

  constructor(
    slot: Uint8Array,
    private readonly handOver: (filled: Uint8Array) => Uint8Array,
    private readonly stringifiedFirst = STRINGIFIED_FIRST,
  ) {
    this.slot = slot;
    this.lines = new EventLines(slot, stringifiedFirst);
    this.records = new RecordWriter(slot);
  }

  push(e: unknown): void {
    if (++this.seen > this.stringifiedFirst && this.record(e)) return;
    const lines = this.lines;
    if (lines.push(e)) return;
    // As much of the line as fits, the rest in the next slots (the header carries the plan: hundreds of megabytes
    // at a million agents); the rest is a slice of the line, not a copy.
    let rest = lines.overflow!;
    lines.overflow = null;
    for (;;) {
      const read = lines.pushPart(rest);
      if (read === rest.length) return;
      if (read === 0 && lines.length === 0) throw new Error("a slot cannot hold one character");
      rest = rest.slice(read);
      this.flush();
    }
  }

  /** Hand over what the slot holds, if anything. */
  flush(): void {
    if (!this.lines.length) return;
    this.slot = this.handOver(this.lines.bytes());
    this.lines.reset(this.slot);
  }

  /** The event as a record, in this slot or the next; false when it is not one. */
  private record(e: unknown): boolean {
    const records = this.records;
    records.use(this.slot, this.lines.length);
    let done = records.push(e);
    if (done === false) {
      this.flush();
      records.use(this.slot, 0);
      done = records.push(e);
    }
    if (done !== true) return false;
    this.lines.length = records.length;
    this.recorded++;
    return true;
  }
}
