/**
 * Completion and hover answer from code V8 has optimised only after it ran
 * many times: the first few dozen requests after the server starts parse their
 * declaration and read the cursor context in slower, unoptimised code (about
 * three times slower in `npm run bench:lsp`). So, once per server, the editor
 * thread runs its own request path over the declarations of the first
 * documents opened (the user's own text, so the optimised code fits it), a
 * declaration per turn of the event loop, so that a request arriving meanwhile
 * waits for at most one declaration.
 *
 * Each declaration also goes through what a keystroke runs before a request:
 * an incremental change of a scratch document (its line index and cursor
 * index) and its ranges; and the answers are made into the messages the
 * server would send (`respond`, the server's own), so the first requests
 * after opening run optimised code from the edit to the reply.
 *
 * Nothing here changes what any request answers: the windows are parsed
 * afresh in a scratch workspace, the semantics are the registry's alone, and
 * the results are dropped.
 */
import type { Range } from "vscode-languageserver";
import { parse } from "../../language/syntax.ts";
import { completions, type Completions, type Semantics } from "./completion.ts";
import { contextAt, type Parsed } from "./context.ts";
import { topLevelStarts } from "./cursor-index.ts";
import { MISSING } from "./files.ts";
import { hover } from "./hover.ts";
import { Workspace } from "./workspace.ts";

/** Declarations parsed in all, enough for V8 to optimise the parser and the context reader. */
export const WARM_UP_DECLARATIONS = 120;
/** Cursor places read per declaration. */
const PLACES = 12;

/** Semantics without the analyzer and without files: the registry's answers only. */
const REGISTRY_ONLY: Semantics = {
  visible: () => [],
  groups: () => new Map(),
  moduleDeclarations: () => [],
  importable: () => [],
  moduleLabel: (path) => path,
  text: () => undefined,
  path: "/__warm-up__.sbx",
};

/** A scratch workspace over no files: only its buffers are used. */
const NO_FILES = { read: () => undefined, stamp: () => MISSING, list: () => [] };
const SCRATCH_URI = "file:///__warm-up__.sbx";

/**
 * Runs the request path over up to `budget` declarations of `text`, one per
 * step of the returned iterator; yields how many it parsed (so the caller
 * knows what is left of its budget). `respond` makes a completion answer into
 * the message the server sends (default: its items as they are).
 */
export function* warmUp(text: string, budget: number, respond: (answer: Completions) => unknown = (a) => a.items): Generator<number, void, void> {
  const scratch = new Workspace("/__warm-up__", NO_FILES);
  const starts = topLevelStarts(text);
  for (let i = 0; i < starts.length && i < budget; i++) {
    const window = text.slice(starts[i], starts[i + 1] ?? text.length);
    const { file, tokens } = parse(window, "");
    const parsed: Parsed = { file, tokens };
    let doc = scratch.set(SCRATCH_URI, 1, window);
    const toRange = (start: number, end: number): Range => ({ start: doc.lines.position(start), end: doc.lines.position(end) });
    const step = Math.max(1, Math.floor(tokens.length / PLACES));
    for (let t = step; t < tokens.length; t += step) {
      const token = tokens[t]!;
      const end = (token.endOffset ?? token.startOffset) + 1;
      // A keystroke that puts back the character it replaces: the text stays the same, the edit path runs.
      const range = { start: doc.lines.position(end - 1), end: doc.lines.position(end) };
      doc = scratch.change(SCRATCH_URI, doc.version + 1, [{ range, text: window.slice(end - 1, end) }]) ?? doc;
      scratch.window(doc, end);
      const list = completions(contextAt(parsed, window, end, "complete"), REGISTRY_ONLY, toRange);
      JSON.stringify(respond(list));
      JSON.stringify(hover(contextAt(parsed, window, token.startOffset, "hover"), parsed, REGISTRY_ONLY, toRange));
    }
    yield 1;
  }
}
