/**
 * The editor's syntax colouring: the TextMate grammar's scopes (textmate.ts),
 * line by line as CodeMirror's stream parser asks, mapped to highlighting
 * tags and coloured after VS Code's light theme.
 */
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { tags as t, type Tag } from "@lezer/highlight";
import { INITIAL, loadSbxGrammar, type IGrammar, type ScopedToken, type StateStack } from "./textmate.ts";

/** The innermost scope decides; the first prefix that matches names the token. */
const SCOPES: readonly (readonly [string, string, Tag])[] = [
  ["invalid", "tmInvalid", t.invalid],
  ["comment", "tmComment", t.comment],
  ["constant.character.escape", "tmEscape", t.escape],
  ["punctuation.definition.string", "tmString", t.string],
  ["string", "tmString", t.string],
  ["constant.numeric", "tmNumber", t.number],
  ["constant.language", "tmBool", t.bool],
  ["keyword.other.unit", "tmUnit", t.unit],
  ["keyword.operator", "tmOperator", t.operator],
  ["keyword.control", "tmKeyword", t.controlKeyword],
  ["storage.type", "tmBlock", t.definitionKeyword],
  ["entity.name.type", "tmDeclared", t.typeName],
  ["entity.other.inherited-class", "tmInherited", t.className],
  ["entity.name.function", "tmFunction", t.function(t.variableName)],
  ["entity.name.label", "tmLabel", t.labelName],
  ["variable.other.property", "tmProperty", t.propertyName],
  ["punctuation", "tmPunctuation", t.punctuation],
];

const TOKEN_TABLE = Object.fromEntries(SCOPES.map(([, name, tag]) => [name, tag]));

/** The token name of a TextMate token's scopes, or null (plain text). */
export function tokenName(scopes: readonly string[]): string | null {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!;
    const found = SCOPES.find(([prefix]) => scope === prefix || scope.startsWith(`${prefix}.`));
    if (found) return found[1];
  }
  return null;
}

interface LineState {
  /** The grammar's state at the end of the line read last. */
  stack: StateStack;
  /** That line's tokens not yet handed out. */
  pending: ScopedToken[];
}

function sbxLanguage(grammar: IGrammar): StreamLanguage<LineState> {
  const readLine = (state: LineState, line: string) => {
    const r = grammar.tokenizeLine(line, state.stack);
    state.stack = r.ruleStack;
    state.pending = r.tokens.map((tok) => ({ start: tok.startIndex, end: Math.min(tok.endIndex, line.length), scopes: tok.scopes }));
  };
  return StreamLanguage.define<LineState>({
    name: "sbx",
    startState: () => ({ stack: INITIAL, pending: [] }),
    copyState: (s) => ({ stack: s.stack, pending: s.pending.slice() }),
    token(stream: StringStream, state: LineState): string | null {
      if (stream.sol()) readLine(state, stream.string);
      while (state.pending.length && state.pending[0]!.end <= stream.pos) state.pending.shift();
      const next = state.pending.shift();
      if (!next || next.end <= stream.pos) {
        stream.skipToEnd();
        return null;
      }
      stream.pos = next.end;
      return tokenName(next.scopes);
    },
    blankLine: (state) => readLine(state, ""),
    tokenTable: TOKEN_TABLE,
    languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } }, closeBrackets: { brackets: ["(", "[", "{", '"'] } },
  });
}

/** After VS Code's Light+ theme, so a scenario looks as it does there. */
const LIGHT_PLUS = HighlightStyle.define([
  { tag: t.comment, color: "#008000" },
  { tag: t.string, color: "#a31515" },
  { tag: t.escape, color: "#ee0000" },
  { tag: [t.number, t.unit], color: "#098658" },
  { tag: t.bool, color: "#0000ff" },
  { tag: t.operator, color: "#383a42" },
  { tag: t.controlKeyword, color: "#af00db" },
  { tag: t.definitionKeyword, color: "#0000ff" },
  { tag: [t.typeName, t.className], color: "#267f99" },
  { tag: t.function(t.variableName), color: "#795e26" },
  { tag: t.labelName, color: "#795e26", fontStyle: "italic" },
  { tag: t.propertyName, color: "#001080" },
  { tag: t.invalid, color: "#cd3131", textDecoration: "underline wavy" },
]);

/** The sbx language and its colours, for an editor. */
export async function sbxSyntax(): Promise<Extension> {
  return [sbxLanguage(await loadSbxGrammar()), syntaxHighlighting(LIGHT_PLUS)];
}
