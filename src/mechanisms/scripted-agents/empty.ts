/**
 * The set and the map a policy's collection is until its first entry: one of
 * each, shared by every policy, read freely and never written (a policy gives
 * the field a collection of its own before its first write). Most agents of a
 * large run never write to most of their sets: a million agents' empty sets
 * and maps were hundreds of megabytes, and as much work for the collector.
 */
export const NO_MEMBERS: Set<never> = new Set<never>();
export const NO_ENTRIES: Map<never, never> = new Map<never, never>();
