/**
 * Events as JSONL bytes, written straight into a byte buffer: exactly the
 * bytes of `JSON.stringify(event) + "\n"` in UTF-8, without building the
 * line as a string first. A large run writes gigabytes of events; building
 * each line as a string, joining lines into batches and converting the
 * batches to UTF-8 made garbage that outlived the young generation, and the
 * run's thread spent a quarter of its time collecting it
 * (src/cli/run-thread.ts).
 *
 * Only plain data takes the fast path: plain objects, arrays, finite or
 * non-finite numbers, booleans, null and strings of printable ASCII without
 * `"` or `\`. Anything else (other characters, class instances, `toJSON`,
 * functions, symbols, bigints, deep nesting) makes the whole line fall back
 * to JSON.stringify, so the bytes (and the errors) are always JSON.stringify's.
 * Object keys are enumerated with for-in, which lists an ordinary object's
 * own string keys in the order JSON.stringify uses; plain objects inherit no
 * enumerable keys.
 */

const OBJECT_PROTOTYPE = Object.prototype;

/** Deeper values go through JSON.stringify (which also reports cycles). */
const MAX_DEPTH = 64;

const utf8 = new TextEncoder();

/**
 * Lines written through JSON.stringify before the byte encoder takes over. A
 * short run writes too few events to pay for compiling the encoder: status_game's
 * 1,593 cost 7% more instructions of the whole `sbx run` process through it.
 */
export const STRINGIFIED_FIRST = 20_000;

export class EventLines {
  private buffer: Uint8Array;
  /** Bytes written into the buffer. */
  length = 0;
  /** Lines pushed, over every buffer. */
  private lines = 0;

  constructor(
    buffer: Uint8Array,
    private readonly stringifiedFirst = STRINGIFIED_FIRST,
  ) {
    this.buffer = buffer;
  }

  /** Start writing into another buffer (or the same, emptied). */
  reset(buffer: Uint8Array = this.buffer): void {
    this.buffer = buffer;
    this.length = 0;
  }

  /** The bytes written so far (a view of the buffer). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /**
   * Append one event as a JSON line. Returns false, writing nothing, when the
   * line does not fit in what is left of the buffer.
   */
  push(event: unknown): boolean {
    const start = this.length;
    this.overflow = null;
    if (++this.lines > this.stringifiedFirst && this.value(event, 0) && this.length < this.buffer.length) {
      this.buffer[this.length++] = 10;
      return true;
    }
    this.length = start;
    const line = `${JSON.stringify(event)}\n`;
    if (this.pushLine(line)) return true;
    this.overflow = line;
    return false;
  }

  /**
   * The line of the last event push() refused (it did not fit), so that the
   * caller can write it elsewhere (pushLine into an emptied buffer, or on its
   * own) without serialising the event again: a million agents' header or
   * epoch end is hundreds of megabytes of JSON.
   */
  overflow: string | null = null;

  /** Append a line already serialised (as JSON.stringify writes it, with its newline); false, writing nothing, when it does not fit. */
  pushLine(line: string): boolean {
    const room = this.buffer.length - this.length;
    // Each UTF-16 unit is at least one byte of UTF-8, and at most 3.
    if (line.length > room || (line.length * 3 > room && lineBytes(line) > room)) return false;
    this.length += utf8.encodeInto(line, this.buffer.subarray(this.length)).written;
    return true;
  }

  /**
   * Write as much of `text` (JSON text, a line or part of one) as fits,
   * never half a character: encodeInto stops before a character whose bytes
   * do not all fit. Returns how many UTF-16 units of `text` it wrote.
   */
  pushPart(text: string): number {
    const { read, written } = utf8.encodeInto(text, this.buffer.subarray(this.length));
    this.length += written;
    return read;
  }

  /** Bytes left in the buffer. */
  room(): number {
    return this.buffer.length - this.length;
  }

  /** Bytes of JSON text, written whole or (no room) not at all (src/cli/event-records.ts). */
  raw(bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (this.length + n > this.buffer.length) return false;
    if (n < 64) {
      const buffer = this.buffer;
      let at = this.length;
      for (let i = 0; i < n; i++) buffer[at++] = bytes[i]!;
    } else this.buffer.set(bytes, this.length);
    this.length += n;
    return true;
  }

  /** `n` bytes of `src` from `at` (printable ASCII without `"` or `\`) quoted, as a JSON string; written whole or (no room) not at all (src/cli/event-records.ts). */
  quoted(src: Uint8Array, at: number, n: number): boolean {
    const buffer = this.buffer;
    let to = this.length;
    if (to + n + 2 > buffer.length) return false;
    buffer[to++] = 34;
    for (let i = 0; i < n; i++) buffer[to++] = src[at + i]!;
    buffer[to++] = 34;
    this.length = to;
    return true;
  }

  private value(v: unknown, depth: number): boolean {
    switch (typeof v) {
      case "number":
        return this.number(v);
      case "string":
        return this.string(v);
      case "boolean":
        return v ? this.ascii("true") : this.ascii("false");
      case "object":
        if (v === null) return this.ascii("null");
        if (depth > MAX_DEPTH) return false;
        if (Array.isArray(v)) return this.array(v, depth);
        if (Object.getPrototypeOf(v) !== OBJECT_PROTOTYPE) return false;
        return this.object(v as Record<string, unknown>, depth);
      default:
        return false;
    }
  }

  private object(o: Record<string, unknown>, depth: number): boolean {
    if (!this.byte(123)) return false;
    let first = true;
    for (const key in o) {
      const v = o[key];
      if (v === undefined) continue;
      const type = typeof v;
      if (key === "toJSON" || type === "function" || type === "symbol") return false;
      if (!first && !this.byte(44)) return false;
      first = false;
      if (!this.string(key) || !this.byte(58) || !this.value(v, depth + 1)) return false;
    }
    return this.byte(125);
  }

  private array(a: readonly unknown[], depth: number): boolean {
    if (!this.byte(91)) return false;
    for (let i = 0; i < a.length; i++) {
      if (i > 0 && !this.byte(44)) return false;
      const v = a[i];
      const type = typeof v;
      if (v === undefined || type === "function" || type === "symbol") {
        if (!this.ascii("null")) return false;
      } else if (!this.value(v, depth + 1)) return false;
    }
    return this.byte(93);
  }

  byte(b: number): boolean {
    if (this.length >= this.buffer.length) return false;
    this.buffer[this.length++] = b;
    return true;
  }

  /** A string of printable ASCII without `"` or `\`, quoted; false for any other (JSON.stringify escapes or encodes those). */
  private string(s: string): boolean {
    const buffer = this.buffer;
    let at = this.length;
    const n = s.length;
    if (at + n + 2 > buffer.length) return false;
    buffer[at++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 34 || c === 92) return false;
      buffer[at++] = c;
    }
    buffer[at++] = 34;
    this.length = at;
    return true;
  }

  /** Text known to be ASCII (a number's, a literal's). */
  ascii(s: string): boolean {
    const buffer = this.buffer;
    let at = this.length;
    const n = s.length;
    if (at + n > buffer.length) return false;
    for (let i = 0; i < n; i++) buffer[at++] = s.charCodeAt(i);
    this.length = at;
    return true;
  }

  /** As JSON.stringify writes a number (NaN and ±Infinity as null): 32-bit integers digit by digit, others by JSON.stringify (faster than String()). */
  number(v: number): boolean {
    if ((v | 0) !== v) return this.ascii(JSON.stringify(v));
    // A 32-bit integer (and -0, written "0" as JSON.stringify does).
    const buffer = this.buffer;
    let at = this.length;
    if (at + 11 > buffer.length) return false;
    let x = v;
    if (x < 0) {
      buffer[at++] = 45;
      x = -x;
    }
    let digits = 1;
    for (let t = x; t >= 10; t = Math.floor(t / 10)) digits++;
    let end = at + digits;
    this.length = end;
    while (x >= 10) {
      const q = Math.floor(x / 10);
      buffer[--end] = 48 + x - q * 10;
      x = q;
    }
    buffer[--end] = 48 + x;
    return true;
  }
}

/** UTF-8 length of a string (lone surrogates count 3, as their replacement character's bytes, though JSON text never has them). */
export function lineBytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}
