/**
 * Items of the declarations the analyzer reports are built once per report
 * and shared, like the registry's (completion.ts `declItem`): the same objects
 * while a document's names in scope are the same, new ones (never stale
 * documentation) once a compilation reports them afresh.
 */
import { expect, it } from "vitest";
import { CompletionItemKind } from "vscode-languageserver";
import { parse } from "../../language/syntax.ts";
import type { DeclInfo } from "../../lsp/server/analysis.ts";
import { completions, type Semantics } from "../../lsp/server/completion.ts";
import { contextAt } from "../../lsp/server/context.ts";

const text = "scenario s {\n  population {  }\n  payoff { s_plus = 2 }\n}\nsweep w of  { }\n";
const parsed = parse(text, "/w/a.sbx");
const NOWHERE = () => ({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });

/** Semantics of a summary: the given declarations, as one report of the analyzer. */
function semantics(decls: readonly DeclInfo[]): Semantics {
  return {
    visible: (kind) => decls.filter((d) => d.kind === kind),
    groups: () => new Map(),
    moduleDeclarations: () => [],
    importable: () => [],
    moduleLabel: (path) => (path === "/w/a.sbx" ? "./a.sbx" : "std/policies"),
    text: () => undefined,
    path: "/w/a.sbx",
  };
}

const report = (markdown: string): DeclInfo[] => [
  { kind: "policy", name: "lurker", module: "/std/policies.sbx", markdown },
  { kind: "policy", name: "mine", module: "/w/a.sbx", markdown: "**mine**" },
  { kind: "scenario", name: "s", module: "/w/a.sbx", markdown: "**s**" },
];

const inPopulation = (sem: Semantics) => completions(contextAt(parsed, text, text.indexOf("population {") + "population { ".length, "complete"), sem, NOWHERE).items;
const afterOf = (sem: Semantics) => completions(contextAt(parsed, text, text.indexOf("of ") + 3, "complete"), sem, NOWHERE).items;

it("lists policies in a population block as groups, with their module, built once per report", () => {
  const first = semantics(report("**lurker**: watches"));
  const items = inPopulation(first);
  const lurker = items.find((i) => i.label === "lurker")!;
  expect(lurker).toMatchObject({ kind: CompletionItemKind.Class, detail: "policy · std/policies", documentation: { value: "**lurker**: watches" } });
  expect(items.find((i) => i.label === "mine")).toMatchObject({ kind: CompletionItemKind.Class, detail: "policy · ./a.sbx" });
  // The next keystroke, same report: the same item, so its lean form and JSON are made once too.
  expect(inPopulation(first).find((i) => i.label === "lurker")).toBe(lurker);
  expect(Object.isFrozen(lurker)).toBe(true);
  // A declaration's own item (a scenario after `of`) is its own kind, not the population's.
  expect(afterOf(first).find((i) => i.label === "s")).toMatchObject({ kind: CompletionItemKind.Class, detail: "scenario · ./a.sbx" });
  // A new compilation's report: new items with its documentation.
  const fresh = inPopulation(semantics(report("**lurker**: changed"))).find((i) => i.label === "lurker")!;
  expect(fresh).not.toBe(lurker);
  expect(fresh.documentation).toEqual({ kind: "markdown", value: "**lurker**: changed" });
});
