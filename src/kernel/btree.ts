/**
 * sorted-btree ships CommonJS with an `exports.default` class; Node's ESM
 * loader, esbuild and vitest disagree on how a default import resolves, so
 * resolve it once here.
 */
import * as btreeModule from "sorted-btree";

type Namespace = typeof btreeModule;
type Ctor = Namespace extends { default: infer D } ? (D extends { default: infer C } ? C : D) : never;
export type BTree<K, V> = import("sorted-btree").default<K, V>;

const mod = btreeModule as unknown as { default: unknown };
const candidate = mod.default as { default?: unknown };
export const BTree = (typeof candidate === "function" ? candidate : candidate.default) as Ctor;
