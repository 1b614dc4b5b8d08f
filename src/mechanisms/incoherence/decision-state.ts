/**
 * A policy's decision state, saved and restored around hypothetical
 * decisions (replays of a decision point, the samples of a self-ensemble).
 *
 * The contract: a policy keeps the state its `act` changes in its own
 * fields — numbers, flags, Maps, Sets and arrays it mutates in place (a
 * cooldown, the posts it voted on, the targets it tracks). A snapshot copies
 * those fields, containers one level deep; restoring puts copies back, so
 * `act` can run again from the same state and its closures (which read
 * `this.field`) see the restored fields. State `act` never changes (trust
 * ledgers that only `onOutcome` feeds, parameters, the population) is shared,
 * not copied. Every scripted policy in src/mechanisms/scripted-agents keeps
 * this contract.
 */

export type DecisionState = ReadonlyMap<string, unknown>;

function copy(value: unknown): unknown {
  if (value instanceof Map) return new Map(value);
  if (value instanceof Set) return new Set(value);
  if (Array.isArray(value)) return value.slice();
  return value;
}

export function snapshot(policy: object): DecisionState {
  const saved = new Map<string, unknown>();
  for (const key of Object.keys(policy)) saved.set(key, copy((policy as Record<string, unknown>)[key]));
  return saved;
}

export function restore(policy: object, state: DecisionState): void {
  const target = policy as Record<string, unknown>;
  for (const key of Object.keys(target)) if (!state.has(key)) delete target[key];
  for (const [key, value] of state) target[key] = copy(value);
}
