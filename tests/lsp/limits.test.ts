/**
 * The language server on inputs past the documented limits (language/REFERENCE.md,
 * "Limits"): deep nesting, long chains, binary text and an unterminated comment
 * give diagnostics at the spot, every request still answers, and the server
 * never logs a stack overflow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_NESTING } from "../../language/parser.ts";
import { LspClient } from "../support/lsp.ts";

let client: LspClient;
let counter = 0;

beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client.stop();
  expect(client.stderr).toBe("");
});

/** Open `text`, check its diagnostics' codes and where the first one is, then exercise every request at `offset`. */
async function survives(text: string, codes: string[], first: { line: number; character: number }, offset: number): Promise<void> {
  const uri = await client.open(`limits${++counter}.sbx`, text);
  const diagnostics = await client.diagnostics(uri);
  expect(diagnostics.map((d) => d.code)).toEqual(codes);
  expect(diagnostics[0]!.range.start).toEqual(first);
  const doc = { textDocument: { uri } };
  await client.at("textDocument/hover", uri, offset);
  await client.at("textDocument/completion", uri, offset);
  await client.at("textDocument/definition", uri, offset);
  await client.request("textDocument/documentSymbol", doc);
  await client.request("textDocument/foldingRange", doc);
  await client.request("textDocument/semanticTokens/full", doc);
  await client.request("textDocument/formatting", { ...doc, options: { tabSize: 2, insertSpaces: true } });
  await client.close(uri);
}

describe("the language server past the limits", () => {
  const n = 1000;
  it(`${n} nested parentheses: SBX1007 at the first one too deep`, async () => {
    const text = `scenario s {\n  population { honest = 2 }\n  expect {\n    ${"(".repeat(n)}mean(toxicity) <= 0.3${")".repeat(n)}\n  }\n}\n`;
    await survives(text, ["SBX1007"], { line: 3, character: 4 + MAX_NESTING - 2 }, text.indexOf("mean"));
  });

  it(`${n} nested braces: SBX1007 at the first one too deep`, async () => {
    const text = `scenario s {\n  population { honest = 2 }\n  ${"a { ".repeat(n)}${"} ".repeat(n)}\n}\n`;
    await survives(text, ["SBX2001", "SBX1007"], { line: 2, character: 2 }, text.indexOf("a {") + 4 * 500);
  });

  it("a chain of 100,000 operators: SBX1008 where it starts", async () => {
    const text = `scenario s {\n  population { honest = 2 }\n  seed = ${Array.from({ length: 100_000 }, () => "1").join(" + ")}\n}\n`;
    await survives(text, ["SBX1008"], { line: 2, character: 9 }, text.length - 10);
  });

  it("an unterminated comment: one diagnostic at the /*", async () => {
    const text = "scenario s {\n  seed = 1\n  /* never closed\n  population { honest = 2 }\n}\n";
    await survives(text, ["SBX1010"], { line: 2, character: 2 }, text.indexOf("population"));
  });
});
