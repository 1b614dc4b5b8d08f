/** Typed-array columns indexed by a number (an agent's, a post's, a row's), grown as they fill. */
export type Column = Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array;

/** A copy of `column` in a new column of its kind with room for `capacity` entries. */
export function grown<T extends Column>(column: T, capacity: number): T {
  const next = new (column.constructor as new (n: number) => T)(capacity);
  next.set(column);
  return next;
}
