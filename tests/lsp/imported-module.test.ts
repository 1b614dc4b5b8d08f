/**
 * Completion and hover inside an import read the imported module's
 * declarations; the server keeps them while the module's text is the same
 * (server.ts `imported`). A module changed on disk, or in its open buffer,
 * is read afresh at the next request, without any file event.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LspClient, marked } from "../support/lsp.ts";

let client: LspClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sbx-lsp-imported-"));
  client = await LspClient.start();
});
afterAll(async () => {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
});

const policy = (name: string, accept: number) => `policy ${name} {\n  accept = ${accept}%\n}\n`;

it("lists an imported module's declarations as its text is now, on disk or in its buffer", async () => {
  const lib = join(dir, "lib.sbx");
  writeFileSync(lib, policy("cautious", 40));
  const m = marked('import "./lib.sbx" { <|> }\nscenario s { seed = 1 }\n');
  const uri = await client.openUri(pathToFileURL(join(dir, "main.sbx")).href, m.text);
  const names = async () => ((await client.at<{ label: string; documentation?: { value: string } }[]>("textDocument/completion", uri, m.cursors[0]!)) ?? []).map((i) => i.label);
  expect(await names()).toEqual(["cautious"]);
  expect(await names()).toEqual(["cautious"]);

  // Saved by another program: no file event, the next request sees it.
  writeFileSync(lib, policy("cautious", 40) + policy("bold", 90));
  expect((await names()).sort()).toEqual(["bold", "cautious"]);

  // Opened and edited in the editor: the buffer's text counts.
  const libUri = await client.openUri(pathToFileURL(lib).href, policy("eager", 95));
  expect(await names()).toEqual(["eager"]);
  await client.edit(libUri, "policy ".length, "policy eager".length, "keen");
  expect(await names()).toEqual(["keen"]);

  // Hover on the path names them too.
  const hover = await client.at<{ contents: { value: string } } | null>("textDocument/hover", uri, m.text.indexOf("lib.sbx"));
  expect(hover?.contents.value).toContain("`keen`");
  await client.close(libUri);
  await client.close(uri);
});
