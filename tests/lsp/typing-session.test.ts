/**
 * Completion and hover read the declaration at the cursor from starts the
 * cursor index carried across edits (cursor-index.ts) and names from an
 * earlier compilation: after a random typing session, a server answers them
 * exactly as a fresh server does on the final text.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "../support/golden.ts";
import { LspClient } from "../support/lsp.ts";
import { runs } from "../support/property-runs.ts";

const SCENARIOS = readdirSync(join(ROOT, "scenarios"))
  .filter((f) => f.endsWith(".sbx"))
  .sort()
  .map((f) => readFileSync(join(ROOT, "scenarios", f), "utf8"));

/** Edits as typed: digits, spaces, words, comment text, and some that change the structure. */
const insertion = fc.constantFrom("1", "0", "9", ".5", " ", "  ", "\t", "x", "_", "%", "// note", "/* c */", "\n", "{", "}", '"', "=", ".", "e3", "by", "epochs", "-", "(", ",");
const edit = fc.record({ at: fc.nat(), remove: fc.nat(3), insert: insertion });

function applied(text: string, e: { at: number; remove: number; insert: string }): string {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
}

/** A digit typed into a number or a comment (the commonest keystrokes inside a declaration). */
function typedDigit(text: string, seed: number): string {
  const places = [...text.matchAll(/\d+|\/\/[^\n]*/g)];
  if (!places.length) return text;
  const m = places[seed % places.length]!;
  const at = m.index + (m[0].startsWith("//") ? m[0].length : seed % (m[0].length + 1));
  return text.slice(0, at) + String(seed % 10) + text.slice(at);
}

let typed: LspClient;
let fresh: LspClient;
beforeAll(async () => {
  [typed, fresh] = await Promise.all([LspClient.start({ diagnosticsDelay: 0 }), LspClient.start({ diagnosticsDelay: 0 })]);
});
afterAll(async () => {
  await Promise.all([typed.stop(), fresh.stop()]);
});

let session = 0;

it("answers completion and hover after a typing session as a fresh server does on the final text", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(SCENARIOS.length - 1),
      fc.array(fc.tuple(fc.oneof(edit, fc.nat().map((seed) => ({ seed }))), fc.nat()), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      async (which, edits, probes) => {
        const name = `typing/session${++session}.sbx`;
        const uri = await typed.open(name, SCENARIOS[which]!);
        await typed.diagnostics(uri);
        for (const [e, probe] of edits) {
          const text = typed.text(uri);
          const next = "seed" in e ? typedDigit(text, e.seed) : applied(text, e);
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
        const other = await fresh.open(name, final);
        await fresh.diagnostics(other);
        for (const probe of probes) {
          const offset = probe % (final.length + 1);
          for (const method of ["textDocument/completion", "textDocument/hover"]) {
            expect(await typed.at(method, uri, offset), `${method} at ${offset}`).toEqual(await fresh.at(method, other, offset));
          }
        }
        await Promise.all([typed.close(uri), fresh.close(other)]);
      },
    ),
    { numRuns: runs(40) },
  );
  expect(typed.exitCode).toBeNull();
});
