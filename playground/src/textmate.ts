/**
 * Syntax colouring from the TextMate grammar VS Code uses
 * (lsp/vscode/syntaxes/sbx.tmLanguage.json), run by vscode-textmate — the
 * engine VS Code runs it with — over the browser's own regular expressions
 * instead of the Oniguruma WebAssembly build: the grammar's expressions are
 * plain enough (no \G, \A, \z, possessive or atomic groups), and
 * tests/playground/textmate.test.ts checks the tokens equal Oniguruma's.
 * One difference remains, outside the language: JavaScript's `\b` and `\w`
 * are ASCII, Oniguruma's Unicode, so where a non-ASCII letter touches a word
 * (`trueé`) the word is coloured here and not in VS Code. sbx's names are
 * ASCII (language/tokens.ts), so such text is a lexer error either way.
 */
import * as textmate from "vscode-textmate";
import type { IGrammar, IOnigLib, IOnigMatch, IRawGrammar, OnigScanner, OnigString, StateStack } from "vscode-textmate";
import grammarJson from "../../lsp/vscode/syntaxes/sbx.tmLanguage.json" with { type: "json" };

// A CommonJS bundle: Node's ES module loader offers it as the default export only.
const { INITIAL, Registry } = (textmate as unknown as { default?: typeof textmate }).default ?? textmate;

export const SBX_SCOPE = "source.sbx";

/**
 * Oniguruma escapes JavaScript would read as plain letters: a grammar that
 * uses one is refused, never misread. (Its other constructs JavaScript lacks,
 * such as possessive or atomic groups, do not compile at all.)
 */
const UNSUPPORTED = /\\[GAzZhHK]/;

class RegExpScanner implements OnigScanner {
  private readonly regexps: RegExp[];

  constructor(sources: readonly string[]) {
    this.regexps = sources.map((source) => {
      if (UNSUPPORTED.test(source.replace(/\\\\/g, ""))) throw new Error(`the sbx grammar uses an Oniguruma-only construct: ${source}`);
      // m: `^` and `$` at line boundaries, as in Oniguruma; d: capture offsets.
      return new RegExp(source, "dgm");
    });
  }

  findNextMatchSync(string: string | OnigString, startPosition: number): IOnigMatch | null {
    const text = typeof string === "string" ? string : string.content;
    let best: IOnigMatch | null = null;
    let bestStart = Infinity;
    this.regexps.forEach((re, index) => {
      re.lastIndex = startPosition;
      const m = re.exec(text);
      // The earliest match wins; between equals, the first pattern (Oniguruma's scanner does the same).
      if (!m || m.index >= bestStart) return;
      bestStart = m.index;
      best = {
        index,
        captureIndices: m.indices!.map((span) => (span ? { start: span[0], end: span[1], length: span[1] - span[0] } : { start: 0, end: 0, length: 0 })),
      };
    });
    return best;
  }
}

export const regExpOnigLib: IOnigLib = {
  createOnigScanner: (sources) => new RegExpScanner(sources),
  createOnigString: (content) => ({ content }),
};

/** The sbx grammar, loaded with `onigLib` (the browser's regular expressions unless told otherwise). */
export async function loadSbxGrammar(onigLib: IOnigLib = regExpOnigLib): Promise<IGrammar> {
  const registry = new Registry({
    onigLib: Promise.resolve(onigLib),
    loadGrammar: async (scope) => (scope === SBX_SCOPE ? (grammarJson as unknown as IRawGrammar) : null),
  });
  const grammar = await registry.loadGrammar(SBX_SCOPE);
  if (!grammar) throw new Error("the sbx TextMate grammar did not load");
  return grammar;
}

export interface ScopedToken {
  readonly start: number;
  readonly end: number;
  readonly scopes: readonly string[];
}

/** Tokens of each line of `text`, line by line as an editor asks. */
export function tokenizeText(grammar: IGrammar, text: string): ScopedToken[][] {
  let stack: StateStack = INITIAL;
  return text.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ start: t.startIndex, end: Math.min(t.endIndex, line.length), scopes: t.scopes }));
  });
}

export { INITIAL, type IGrammar, type StateStack };
