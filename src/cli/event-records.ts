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
  /** The events' type, at top level. */
  readonly type: string | null;
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
  return { type, keys, kinds: Uint8Array.from(fields.map((f) => f[1])), heads, inner: fields.map((f) => f[2] ?? null) };
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

/** Whether `o` is a plain object with exactly these keys, in this order (JSON.stringify's, which for-in follows). */
function hasKeys(o: object, keys: readonly string[]): boolean {
  if (Object.getPrototypeOf(o) !== OBJECT_PROTOTYPE) return false;
  let i = 0;
  const n = keys.length;
  for (const key in o) {
    if (i >= n || key !== keys[i]) return false;
    i++;
  }
  return i === n;
}

/**
 * A string's record at `at`: its length, then its characters, one byte each;
 * -1 when it holds a character a JSON line escapes or encodes in more than a
 * byte (room was checked).
 */
function writeString(buffer: Uint8Array, view: DataView, at: number, s: string): number {
  const n = s.length;
  view.setUint32(at, n, true);
  at += 4;
  for (let c = 0; c < n; c++) {
    const code = s.charCodeAt(c);
    if (code < 0x20 || code > 0x7e || code === 34 || code === 92) return -1;
    buffer[at++] = code;
  }
  return at;
}

/** What an encoder returns, but for where the record ends: the event is not of its shape; the record does not fit. */
const NOT_OF_SHAPE = -1;
const NO_ROOM = -2;

/** An event's record into `buffer` from `at`: where it ends, or NOT_OF_SHAPE or NO_ROOM (part of it may be written). */
type Encoder = (e: object, buffer: Uint8Array, view: DataView, at: number) => number;

/**
 * The encoder of a kind of record, compiled from its shape: each field read by
 * its name and each check and write in line (a generic walk over the shape,
 * reading fields by a key held in a variable, cost the run's thread an eighth
 * of its time at 100,000 agents). The source is made from the shapes' keys
 * only, each quoted by JSON.stringify.
 */
function compileEncoder(s: Shape, kind: number): Encoder {
  const checks: string[] = [];
  const writes: string[] = [];
  const keyLists: (readonly string[])[] = [];
  /** Bytes the record needs beyond its strings' characters. */
  let fixed = 2;
  const strings: string[] = [];
  let vars = 0;
  const visit = (object: string, s: Shape, keys: readonly string[]): void => {
    checks.push(`if (!hasKeys(${object}, keyLists[${keyLists.length}])) return NOT_OF_SHAPE;`);
    keyLists.push(keys);
    s.keys.forEach((key, i) => {
      const v = `v${vars++}`;
      checks.push(`const ${v} = ${object}[${JSON.stringify(key)}];`);
      switch (s.kinds[i]) {
        case NUM:
          checks.push(`if (typeof ${v} !== "number") return NOT_OF_SHAPE;`);
          writes.push(`view.setFloat64(at, ${v}, true); at += 8;`);
          fixed += 8;
          break;
        case NUM_OR_NULL:
          checks.push(`if (${v} !== null && typeof ${v} !== "number") return NOT_OF_SHAPE;`);
          writes.push(`if (${v} === null) buffer[at++] = 0; else { buffer[at] = 1; view.setFloat64(at + 1, ${v}, true); at += 9; }`);
          fixed += 9;
          break;
        case BOOL:
          checks.push(`if (typeof ${v} !== "boolean") return NOT_OF_SHAPE;`);
          writes.push(`buffer[at++] = ${v} ? 1 : 0;`);
          fixed += 1;
          break;
        case STR:
          checks.push(`if (typeof ${v} !== "string" || ${v}.length > MAX_STRING) return NOT_OF_SHAPE;`);
          writes.push(`at = writeString(buffer, view, at, ${v}); if (at < 0) return NOT_OF_SHAPE;`);
          fixed += 4;
          strings.push(`${v}.length`);
          break;
        default:
          checks.push(`if (typeof ${v} !== "object" || ${v} === null) return NOT_OF_SHAPE;`);
          visit(v, s.inner[i]!, s.inner[i]!.keys);
      }
    });
  };
  // The top level's first key is the type, whose value chose the shape.
  visit("e", s, ["type", ...s.keys]);
  const source = `return function encode_${s.type}(e, buffer, view, at) {
  ${checks.join("\n  ")}
  if (at + ${[fixed, ...strings].join(" + ")} > buffer.length) return NO_ROOM;
  buffer[at] = RECORD; buffer[at + 1] = ${kind}; at += 2;
  ${writes.join("\n  ")}
  return at;
};`;
  return new Function("hasKeys", "keyLists", "writeString", "NOT_OF_SHAPE", "NO_ROOM", "MAX_STRING", "RECORD", source)(
    hasKeys,
    keyLists,
    writeString,
    NOT_OF_SHAPE,
    NO_ROOM,
    MAX_STRING,
    RECORD,
  ) as Encoder;
}

/** By kind, compiled on first use (a short run writes none: src/cli/event-lines.ts's STRINGIFIED_FIRST). */
let encoders: Encoder[] | null = null;

/** The encoder of the event's kind of record; null for an event of another kind. */
function encoderOf(e: unknown): Encoder | null {
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
  return (encoders ??= KINDS.map(compileEncoder))[kind]!;
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
        if (!lines.quoted(src, at, n)) return -1;
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
    const view = viewOf(slot);
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
  private slot: Uint8Array;
  private view: DataView;
  private seen = 0;
  /** How many events went as records. */
  recorded = 0;

  constructor(
    slot: Uint8Array,
    private readonly handOver: (filled: Uint8Array) => Uint8Array,
    private readonly stringifiedFirst = STRINGIFIED_FIRST,
  ) {
    this.slot = slot;
    this.view = viewOf(slot);
    this.lines = new EventLines(slot, stringifiedFirst);
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
    const slot = this.handOver(this.lines.bytes());
    if (slot !== this.slot) {
      this.slot = slot;
      this.view = viewOf(slot);
    }
    this.lines.reset(slot);
  }

  /** The event as a record, in this slot or the next; false when it is not one (or not of its shape). */
  private record(e: unknown): boolean {
    const encode = encoderOf(e);
    if (encode === null) return false;
    let end = encode(e as object, this.slot, this.view, this.lines.length);
    if (end === NO_ROOM) {
      this.flush();
      end = encode(e as object, this.slot, this.view, this.lines.length);
    }
    if (end < 0) return false;
    this.lines.length = end;
    this.recorded++;
    return true;
  }
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
