import type { Semantics } from "../../lsp/server/completion.ts";

/** What completion knows about a lone document with no imports: only `std/networks` to import. */
export const LONE_DOCUMENT: Semantics = {
  visible: () => [],
  groups: () => new Map(),
  moduleDeclarations: () => [],
  importable: () => ["std/networks"],
  moduleLabel: (p) => p,
  text: () => undefined,
  path: "/x.sbx",
};
