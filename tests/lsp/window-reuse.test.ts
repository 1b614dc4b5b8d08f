/**
 * The declaration at the cursor carried over an edit (window-reuse.ts) is
 * exactly what a fresh parse of the new text gives, after any edit sequence;
 * and a server that carried its windows over a random typing session answers
 * completion and hover as a fresh server does on the final text.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "../../language/syntax.ts";
import { topLevelStarts } from "../../lsp/server/cursor-index.ts";
import { carried, parseWindow, reparseWindow, type WindowParse } from "../../lsp/server/window-reuse.ts";
import { ROOT } from "../support/golden.ts";
import { LspClient } from "../support/lsp.ts";
import { runs } from "../support/property-runs.ts";

const FILES = ["scenarios", "stdlib"].flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => f.endsWith(".sbx"))
    .sort()
    .map((f) => readFileSync(join(ROOT, d, f), "utf8")),
);
/** Every top-level declaration of the shipped files, as the cursor index cuts them. */
const DECLARATIONS = FILES.flatMap((text) => {
  const starts = topLevelStarts(text);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
});

/** Mostly edits that keep the structure (digits, spaces, comment text), some that do not. */
const insertion = fc.constantFrom("1", "0", "9", ".5", " ", "  ", "\t", "x", "_", "%", "// note", "/* c */", "\n", "{", "}", '"', "=", ".", "e3", "by", "epochs", "-", "(", ",");
const edit = fc.record({ at: fc.nat(), remove: fc.nat(3), insert: insertion });

function applied(text: string, e: { at: number; remove: number; insert: string }): string {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
}

/** Digits inside numbers and characters inside comments: edits a parse maps to the same tree. */
function structureKeeping(text: string, seed: number): string {
  const places = [...text.matchAll(/\d+|\/\/[^\n]*/g)];
  if (!places.length) return text;
  const m = places[seed % places.length]!;
  const at = m.index + (m[0].startsWith("//") ? m[0].length : seed % (m[0].length + 1));
  return text.slice(0, at) + String(seed % 10) + text.slice(at);
}

const fresh = (text: string) => {
  const { file, tokens } = parse(text, "");
  return { file, tokens };
};

it("carries a window over an edit to exactly the tree a fresh parse builds", () => {
  let reused = 0;
  let steps = 0;
  fc.assert(
    fc.property(fc.nat(DECLARATIONS.length - 1), fc.array(fc.oneof(edit, fc.nat().map((seed) => ({ seed }))), { minLength: 1, maxLength: 10 }), (which, edits) => {
      let window: WindowParse = parseWindow(DECLARATIONS[which]!);
      for (const e of edits) {
        const text = "seed" in e ? structureKeeping(window.text, e.seed) : applied(window.text, e);
        if (carried(window, text)) reused++;
        steps++;
        window = reparseWindow(window, text);
        expect(window.text).toBe(text);
        expect(window.parsed).toEqual(fresh(text));
      }
    }),
    { numRuns: runs(300) },
  );
  // The property is about carried trees: most structure-keeping edits must have been carried, not parsed afresh.
  expect(reused).toBeGreaterThan(steps / 5);
});

it("carries digits, spaces and comment text, and parses anew whatever the parser reads differently", () => {
  const text = `scenario s {\n  seed = 12   // a note\n  epochs = 3\n  steps = 2 epochs\n}\n`;
  const w = parseWindow(text);
  for (const next of [text.replace("12", "132"), text.replace("12", "1"), text.replace("   //", " //"), text.replace("a note", "a longer note"), text.replace("= 3", "=   3.5")]) {
    const c = carried(w, next);
    expect(c, next).not.toBeNull();
    expect(c!.parsed).toEqual(fresh(next));
  }
  // A new line, a unit word, `by`, another word, a quote, a brace: the parse may differ, so it is not carried.
  for (const next of [text.replace("= 3", "=\n3"), text.replace("= 3", "= 3 ms").replace("= 2 epochs", "= 2"), text.replace("2 epochs", "2 steps"), text.replace("seed", "sed"), text.replace("= 3", '= "3'), text.replace("epochs = 3", "epochs = 3 {")]) {
    expect(carried(w, next), next).toBeNull();
  }
});

// ---- through the server ---------------------------------------------------------------------------

let typed: LspClient;
let fresh2: LspClient;
beforeAll(async () => {
  [typed, fresh2] = await Promise.all([LspClient.start({ diagnosticsDelay: 0 }), LspClient.start({ diagnosticsDelay: 0 })]);
});
afterAll(async () => {
  await Promise.all([typed.stop(), fresh2.stop()]);
});

const SCENARIOS = FILES.slice(0, readdirSync(join(ROOT, "scenarios")).filter((f) => f.endsWith(".sbx")).length);
let session = 0;

it("answers completion and hover after a typing session as a fresh server does on the final text", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(SCENARIOS.length - 1),
      fc.array(fc.tuple(fc.oneof(edit, fc.nat().map((seed) => ({ seed }))), fc.nat()), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      async (which, edits, probes) => {
        const name = `reuse/session${++session}.sbx`;
        const uri = await typed.open(name, SCENARIOS[which]!);
        await typed.diagnostics(uri);
        for (const [e, probe] of edits) {
          const text = typed.text(uri);
          const next = "seed" in e ? structureKeeping(text, e.seed) : applied(text, e);
          // One edit: the changed range by common prefix and suffix.
          let p = 0;
          while (p < Math.min(text.length, next.length) && text[p] === next[p]) p++;
          let s = 0;
          while (s < Math.min(text.length, next.length) - p && text[text.length - 1 - s] === next[next.length - 1 - s]) s++;
          await typed.edit(uri, p, text.length - s, next.slice(p, next.length - s));
          // As typed: the windows are read after each edit, before any recompilation.
          const offset = probe % (next.length + 1);
          await typed.at("textDocument/completion", uri, offset);
          await typed.at("textDocument/hover", uri, offset);
        }
        const final = typed.text(uri);
        await typed.diagnostics(uri);
        const other = await fresh2.open(name, final);
        await fresh2.diagnostics(other);
        for (const probe of probes) {
          const offset = probe % (final.length + 1);
          for (const method of ["textDocument/completion", "textDocument/hover"]) {
            expect(await typed.at(method, uri, offset), `${method} at ${offset}`).toEqual(await fresh2.at(method, other, offset));
          }
        }
        await Promise.all([typed.close(uri), fresh2.close(other)]);
      },
    ),
    { numRuns: runs(40) },
  );
  expect(typed.exitCode).toBeNull();
});
