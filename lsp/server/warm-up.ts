/**
 * Completion and hover answer from code V8 has optimised only after it ran
 * many times: the first few dozen requests after the server starts parse their
 * declaration and read the cursor context in slower, unoptimised code (about
 * three times slower in `npm run bench:lsp`). So, once per server, the editor
 * thread runs its own request path over the declarations of the first
 * documents opened (the user's own text, so the optimised code fits it), one
 * small step per turn of the event loop (a declaration's parse, or one cursor
 * place), so that a request arriving meanwhile waits for at most one step
 * (a whole declaration per turn held requests up by milliseconds).
 *
 * Nothing here changes what any request answers: the windows are parsed
 * afresh, the semantics are the registry's alone, and the results are dropped.
 * Each place is also typed at once (a copy of the declaration, parsed again
 * from its parse as after a keystroke, reparse.ts).
 */
import type { Range } from "vscode-languageserver";
import { parse } from "../../language/syntax.ts";
import { completions, listWithDefaults, type Resolved, type Semantics } from "./completion.ts";
import { contextAt, type Parsed } from "./context.ts";
import { topLevelStarts } from "./cursor-index.ts";
import { hover } from "./hover.ts";
import { reparsed } from "./reparse.ts";
import { messageJson } from "./serialized.ts";

/** Declarations parsed in all, enough for V8 to optimise the parser and the context reader. */
export const WARM_UP_DECLARATIONS = 120;
/** Cursor places read per declaration. */
const PLACES = 12;

const NOWHERE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

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

/**
 * Runs the request path over up to `budget` declarations of `text`: each step
 * of the returned iterator parses a declaration (and yields 1, so the caller
 * knows what is left of its budget) or reads one cursor place in it (and
 * yields 0). `resolved`: what the client resolves per item, so the lists are
 * made as the server will send them.
 */
export function* warmUp(text: string, budget: number, resolved: Resolved = { documentation: true, detail: true }): Generator<number, void, void> {
  const starts = topLevelStarts(text);
  for (let i = 0; i < starts.length && i < budget; i++) {
    const window = text.slice(starts[i], starts[i + 1] ?? text.length);
    const { file, tokens, diagnostics } = parse(window, "");
    const parsed: Parsed = { file, tokens };
    yield 1;
    const step = Math.max(1, Math.floor(tokens.length / PLACES));
    for (let t = step; t < tokens.length; t += step) {
      const token = tokens[t]!;
      const end = (token.endOffset ?? token.startOffset) + 1;
      const list = completions(contextAt(parsed, window, end, "complete"), REGISTRY_ONLY, () => NOWHERE);
      // As the connection sends a list (to a client that takes list defaults).
      messageJson({ jsonrpc: "2.0", id: 0, result: listWithDefaults(list, { list: 0 }, resolved) });
      hover(contextAt(parsed, window, token.startOffset, "hover"), parsed, REGISTRY_ONLY, () => NOWHERE);
      // A keystroke there: the declaration parsed again from this parse (reparse.ts), as after an edit.
      if (diagnostics.length === 0) reparsed(parsed, window, `${window.slice(0, end)}1${window.slice(end)}`);
      yield 0;
    }
  }
}
