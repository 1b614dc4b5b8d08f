/**
 * An epoch's agents as columns, for the message from the run's thread to the
 * main thread (src/cli/run-thread.ts). Sent as a million objects, the agents
 * were structured-cloned one by one, each with three fresh strings, on both
 * threads: seconds of the run's thread and a large part of the main thread's
 * peak. As columns they are two typed arrays, transferred without a copy, and
 * the records rebuilt on the main thread share the plan's id, kind and group
 * strings.
 *
 * The records rebuilt are exactly the records sent (same keys in the same
 * order, same numbers to the bit, -0 and NaN included): agents whose id, kind
 * or group is not the plan's at their index carry their own strings, and
 * records of any other shape are not encoded at all (toColumns returns null).
 */
import type { AgentRecord } from "../engine/index.ts";

export interface AgentColumns {
  readonly count: number;
  /**
   * Each agent's id, kind and group, or null when they are the plan's
   * (`plan.agents[i]`) for every agent, as in every run of a plan.
   */
  readonly names: { readonly id: string[]; readonly kind: string[]; readonly group: string[] } | null;
  /** NUMBER_COLUMNS columns of `count` numbers, one after the other (NUMBER_COLUMNS order). */
  readonly numbers: Float64Array;
  /** Per agent: FROZEN when frozen, HAS_REJECTED when the record has interactionsRejected. */
  readonly flags: Uint8Array;
}

const REPUTATION = 0;
const RESOURCES = 1;
const PAYOFF = 2;
const INITIATED = 3;
const RECEIVED = 4;
const REJECTED = 5;
const NUMBER_COLUMNS = 6;

const FROZEN = 1;
const HAS_REJECTED = 2;

/** The keys of a record the engine makes (src/engine/scheduler.ts agentRecord), in their order. */
const KEYS = ["id", "kind", "group", "reputation", "resources", "payoff", "frozen", "interactionsInitiated", "interactionsReceived", "interactionsRejected"];

/** A record of exactly the engine's shape: these keys in this order (the last optional), of these types. */
function plainRecord(a: AgentRecord): boolean {
  if (Object.getPrototypeOf(a) !== Object.prototype) return false;
  let i = 0;
  for (const key in a) {
    if (key !== KEYS[i++]) return false;
  }
  if (i < KEYS.length - 1) return false;
  return (
    typeof a.id === "string" &&
    typeof a.kind === "string" &&
    typeof a.group === "string" &&
    typeof a.reputation === "number" &&
    typeof a.resources === "number" &&
    typeof a.payoff === "number" &&
    typeof a.frozen === "boolean" &&
    typeof a.interactionsInitiated === "number" &&
    typeof a.interactionsReceived === "number" &&
    (i === KEYS.length - 1 || typeof a.interactionsRejected === "number")
  );
}

/**
 * The agents as columns, names left out where they are `declared`'s (the
 * plan's agents); null when a record is not of the engine's plain shape.
 */
export function toColumns(agents: readonly AgentRecord[], declared: readonly { readonly id: string; readonly kind: string; readonly group: string }[]): AgentColumns | null {
  const count = agents.length;
  const numbers = new Float64Array(count * NUMBER_COLUMNS);
  const flags = new Uint8Array(count);
  let planNames = true;
  for (let i = 0; i < count; i++) {
    const a = agents[i]!;
    if (!plainRecord(a)) return null;
    const d = declared[i];
    if (planNames && (d === undefined || d.id !== a.id || d.kind !== a.kind || d.group !== a.group)) planNames = false;
    numbers[REPUTATION * count + i] = a.reputation;
    numbers[RESOURCES * count + i] = a.resources;
    numbers[PAYOFF * count + i] = a.payoff;
    numbers[INITIATED * count + i] = a.interactionsInitiated;
    numbers[RECEIVED * count + i] = a.interactionsReceived;
    let f = a.frozen ? FROZEN : 0;
    if (a.interactionsRejected !== undefined) {
      numbers[REJECTED * count + i] = a.interactionsRejected;
      f |= HAS_REJECTED;
    }
    flags[i] = f;
  }
  const names = planNames ? null : { id: agents.map((a) => a.id), kind: agents.map((a) => a.kind), group: agents.map((a) => a.group) };
  return { count, names, numbers, flags };
}

/** What postMessage should transfer rather than copy. */
export function columnBuffers(c: AgentColumns): ArrayBuffer[] {
  return [c.numbers.buffer as ArrayBuffer, c.flags.buffer as ArrayBuffer];
}

/**
 * A count read back from its column: a small integer as one (a Smi), not as
 * the double the column holds. A record's field holds a double in a box of
 * its own (16 bytes); the first record's counts, read as doubles, made every
 * record's counts boxes too (a million agents' records, 48 MB more). Anything
 * else (-0, fractions, NaN) comes back as it was.
 */
function countOf(v: number): number {
  const i = v | 0;
  return i === v && (i !== 0 || 1 / v > 0) ? i : v;
}

/** The records again, sharing `declared`'s strings where the columns left names out. */
export function fromColumns(c: AgentColumns, declared: readonly { readonly id: string; readonly kind: string; readonly group: string }[]): AgentRecord[] {
  const { count, numbers, flags } = c;
  const names = c.names;
  const agents = new Array<AgentRecord>(count);
  for (let i = 0; i < count; i++) {
    const d = names ? null : declared[i]!;
    const id = d ? d.id : names!.id[i]!;
    const kind = d ? d.kind : names!.kind[i]!;
    const group = d ? d.group : names!.group[i]!;
    const f = flags[i]!;
    const reputation = numbers[REPUTATION * count + i]!;
    const resources = numbers[RESOURCES * count + i]!;
    const payoff = numbers[PAYOFF * count + i]!;
    const frozen = (f & FROZEN) !== 0;
    const interactionsInitiated = countOf(numbers[INITIATED * count + i]!);
    const interactionsReceived = countOf(numbers[RECEIVED * count + i]!);
    // Whole literals: a key added afterwards would go to a second allocation per record.
    agents[i] =
      f & HAS_REJECTED
        ? { id, kind, group, reputation, resources, payoff, frozen, interactionsInitiated, interactionsReceived, interactionsRejected: countOf(numbers[REJECTED * count + i]!) }
        : { id, kind, group, reputation, resources, payoff, frozen, interactionsInitiated, interactionsReceived };
  }
  return agents;
}
