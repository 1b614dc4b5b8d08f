/**
 * A declaration re-parsed from its previous parse after an edit (reparse.ts)
 * is exactly the parse of its new text: the same tokens (fields, classes and
 * positions) and the same tree, for every declaration of the shipped files
 * under random edits; and completion and hover answer from it exactly as from
 * a fresh parse at every cursor position of the shipped scenarios.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Range } from "vscode-languageserver";
import { expect, it } from "vitest";
import { parse } from "../../language/syntax.ts";
import { completions, listWithDefaults } from "../../lsp/server/completion.ts";
import { LONE_DOCUMENT } from "../support/lsp-semantics.ts";
import { contextAt, type Parsed } from "../../lsp/server/context.ts";
import { CursorIndex, topLevelStarts } from "../../lsp/server/cursor-index.ts";
import { hover } from "../../lsp/server/hover.ts";
import { reparsed } from "../../lsp/server/reparse.ts";
import { messageJson } from "../../lsp/server/serialized.ts";
import { ROOT } from "../support/golden.ts";
import { runs } from "../support/property-runs.ts";

function sbxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sbxFiles(join(dir, e.name)) : e.name.endsWith(".sbx") ? [join(dir, e.name)] : []));
}

const FILES = ["scenarios", "stdlib"].flatMap((d) => sbxFiles(join(ROOT, d))).sort();
const SCENARIOS = FILES.filter((f) => relative(ROOT, f).startsWith("scenarios"));

/** Every top-level declaration's text (what the cursor index parses on its own). */
function declarations(text: string): string[] {
  const starts = topLevelStarts(text);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

/** Multi-line comments and strings, which the shipped files hardly have: the edges the shortcut must respect. */
const SPANNING = `persona wordy {
  /* a comment
  // over lines */ description = "x"
  prompt = """
    Line one.
    Line two.
  """   traits { openness = 0.5 } /* and
  another */
  // a line comment
}
`;

const DECLARATIONS = [...FILES.flatMap((f) => declarations(readFileSync(f, "utf8"))), SPANNING, SPANNING.replaceAll("\n", "\r\n")];

const full = (text: string): Parsed => {
  const { tokens, file } = parse(text, "");
  return { tokens, file };
};

/** Keystrokes as typed, and some that change how the lines around them lex. */
const insertion = fc.constantFrom("1", "0", ".5", "x", "_", "e3", " ", "\t", "\n", "\r\n", "\r", "{", "}", "(", ")", "[", "=", ".", "..", ",", "%", "-", '"', '""', '"""', "//", "// a note", "/*", "*/", "/* c */", "\\", "#", "epochs", "seed = 2\n");
const edit = fc.record({ at: fc.nat(), remove: fc.nat(4), insert: fc.oneof(insertion, fc.constant("")) });

function applied(text: string, e: { at: number; remove: number; insert: string }): string {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
}

it("re-parses an edited declaration into exactly the tokens and tree of a fresh parse", () => {
  let fast = 0;
  let edits = 0;
  fc.assert(
    fc.property(fc.nat(DECLARATIONS.length - 1), fc.array(edit, { minLength: 1, maxLength: 10 }), (which, steps) => {
      let text = DECLARATIONS[which]!;
      let parsed = full(text);
      // The chain a cursor index follows: each edit from the last parse, as long as the texts parse cleanly.
      let clean = parse(text, "").diagnostics.length === 0;
      for (const e of steps) {
        const next = applied(text, e);
        const fresh = parse(next, "");
        const again = clean ? reparsed(parsed, text, next) : null;
        edits++;
        if (again) {
          fast++;
          expect(fresh.diagnostics).toEqual([]);
          expect(again.tokens).toStrictEqual(fresh.tokens);
          expect(again.file).toStrictEqual(fresh.file);
        }
        parsed = again ?? { tokens: fresh.tokens, file: fresh.file };
        clean = again !== null || fresh.diagnostics.length === 0;
        text = next;
      }
    }),
    { numRuns: runs(400) },
  );
  // The shortcut is taken often enough for the comparison to mean something.
  expect(fast).toBeGreaterThan(edits / 5);
});

const NOWHERE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const semantics = LONE_DOCUMENT;
const at = (start: number, end: number): Range => ({ start: { line: 0, character: start }, end: { line: 0, character: end } });

/** Completion's list as sent and hover's answer at `offset` of a parsed text. */
function answers(parsed: Parsed, text: string, offset: number): [string, string] {
  const list = listWithDefaults(completions(contextAt(parsed, text, offset, "complete"), semantics, at), { list: 1 }, { documentation: true, detail: true });
  return [messageJson({ id: 1, result: list }), JSON.stringify(hover(contextAt(parsed, text, offset, "hover"), parsed, semantics, at))];
}

it("completes and hovers from a re-parsed declaration exactly as from a fresh parse, at every cursor position of the shipped scenarios", () => {
  let compared = 0;
  let declarationsSeen = 0;
  let fast = 0;
  for (const file of SCENARIOS) {
    for (const before of declarations(readFileSync(file, "utf8"))) {
      declarationsSeen++;
      // A digit typed into the declaration's first number (or at its end), as a keystroke would.
      const digit = /\d/.exec(before);
      const p = digit ? digit.index : before.length;
      const text = `${before.slice(0, p)}7${before.slice(p)}`;
      const again = reparsed(full(before), before, text);
      if (!again) continue;
      fast++;
      const fresh = full(text);
      for (let o = 0; o <= text.length; o++) {
        expect(answers(again, text, o), `${relative(ROOT, file)}: ${JSON.stringify(text.slice(0, 40))} at ${o}`).toEqual(answers(fresh, text, o));
        compared++;
      }
    }
  }
  expect(fast).toBeGreaterThan(declarationsSeen / 2);
  expect(compared).toBeGreaterThan(10_000);
});

it("a cursor index answers from the re-parsed declaration after keystrokes as a fresh index does", () => {
  fc.assert(
    fc.property(fc.nat(SCENARIOS.length - 1), fc.array(fc.tuple(fc.nat(), fc.constantFrom("1", "x", " ", "\n", "}", '"')), { minLength: 1, maxLength: 12 }), fc.nat(), (which, keys, probe) => {
      let text = readFileSync(SCENARIOS[which]!, "utf8");
      const typed = new CursorIndex();
      for (const [at, key] of keys) {
        const p = at % (text.length + 1);
        const next = text.slice(0, p) + key + text.slice(p);
        typed.edited(text, p, p, key.length, next);
        text = next;
        typed.window(text, p);
      }
      const offset = probe % (text.length + 1);
      const w = typed.window(text, offset);
      const fresh = new CursorIndex().window(text, offset);
      // A carried index may cut a larger window (it forgets starts rather than guessing): compare within the same window.
      const same = w.base === fresh.base && w.text === fresh.text ? fresh.parsed : full(w.text);
      expect(w.parsed.tokens).toStrictEqual(same.tokens);
      expect(w.parsed.file).toStrictEqual(same.file);
    }),
    { numRuns: runs(200) },
  );
});
