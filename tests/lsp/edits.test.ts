/**
 * Random editing sessions through `didChange` (insertions, deletions, pastes
 * of fragments of real scenarios, with completion and hover requests in
 * between): the server never fails a request or dies, never publishes a
 * range outside the document, and its final diagnostics are exactly those of
 * a fresh compile of the final text.
 */
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { nodeHost, STDLIB_DIR } from "../../src/platform/node-host.ts";
import { memoryHost } from "../../src/compiler/host.ts";
import { compile } from "../../src/compiler/index.ts";
import { LineIndex } from "../../src/text/line-index.ts";
import { ROOT } from "../support/golden.ts";
import { LspClient, TEST_DIR, type LspDiagnostic } from "../support/lsp.ts";

const SCENARIOS = readdirSync(join(ROOT, "scenarios"))
  .filter((f) => f.endsWith(".sbx"))
  .sort()
  .map((f) => readFileSync(join(ROOT, "scenarios", f), "utf8"));
const CORPUS = SCENARIOS.join("\n");

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start({ diagnosticsDelay: 0 });
});
afterAll(async () => {
  await client.stop();
});

type Edit =
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "paste"; readonly at: number; readonly from: number; readonly length: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom("{", "}", '"', "=", ".", "[", "]", "(", "\n", " ", "x", "1", "%", "// c\n", '"""', "seed = ", "expect {", "persona = ") }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("paste" as const), at: fc.nat(), from: fc.nat(), length: fc.integer({ min: 1, max: 120 }) }),
);

const SEVERITY: Record<string, number> = { error: 1, warning: 2, info: 3 };

function expectedDiagnostics(path: string, text: string) {
  const result = compile(memoryHost({ [path]: text }, STDLIB_DIR, nodeHost()), [path]);
  const lines = new LineIndex(text);
  return result.diagnostics
    .filter((d) => d.file === path)
    .map((d) => ({ code: d.code, severity: SEVERITY[d.severity], message: d.message, range: { start: lines.position(d.span!.start), end: lines.position(d.span!.end) } }));
}

const simplify = (ds: readonly LspDiagnostic[]) => ds.map((d) => ({ code: d.code, severity: d.severity, message: d.message, range: d.range }));

let session = 0;

it("survives random editing sessions and ends with the diagnostics of a fresh compile", async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(SCENARIOS.length - 1), fc.array(fc.tuple(edit, fc.nat()), { minLength: 1, maxLength: 8 }), async (which, edits) => {
      const name = `edits/session${++session}.sbx`;
      const uri = await client.open(name, SCENARIOS[which]!);
      for (const [e, probe] of edits) {
        const text = client.text(uri);
        const at = e.at % (text.length + 1);
        if (e.kind === "insert") await client.edit(uri, at, at, e.text);
        else if (e.kind === "delete") await client.edit(uri, at, Math.min(text.length, at + e.length), "");
        else {
          const from = e.from % CORPUS.length;
          await client.edit(uri, at, at, CORPUS.slice(from, from + e.length));
        }
        const offset = probe % (client.text(uri).length + 1);
        await client.at("textDocument/completion", uri, offset);
        await client.at("textDocument/hover", uri, offset);
      }
      const final = client.text(uri);
      const published = await client.diagnostics(uri);
      const lines = new LineIndex(final);
      for (const d of published) {
        for (const p of [d.range.start, d.range.end]) {
          expect(p.line).toBeLessThan(lines.lineCount);
          expect(p.character).toBeLessThanOrEqual(lines.lineText(p.line).length);
        }
      }
      expect(simplify(published)).toEqual(expectedDiagnostics(`${TEST_DIR}/${name}`, final));
      await client.close(uri);
    }),
    { numRuns: runs(60) },
  );
  expect(client.exitCode).toBeNull();
});
