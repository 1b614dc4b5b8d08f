/**
 * The language server and the files around it, as a client other than VS
 * Code drives it: files on disk that change without the editor, the whole
 * workspace in references and rename, positions at and past line ends (also
 * with CRLF), late messages for closed documents, and the process's end when
 * its input closes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LspClient } from "../support/lsp.ts";

const scratch = mkdtempSync(join(tmpdir(), "sbx-lsp-files-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const uriOf = (path: string) => pathToFileURL(path).href;
const codes = (ds: readonly { code?: string | number }[]) => ds.map((d) => d.code);

/** A fresh folder of the scratch space with these files. */
function folder(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const MAIN = 'import "./dep.sbx" { base }\nscenario s extends base {\n  population { honest = 2 }\n}\n';
const DEP = "scenario base { seed = 1 }\n";

describe("files on disk", () => {
  it("asks a client that can watch files to report .sbx changes", async () => {
    const client = await LspClient.start({ capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } });
    // The registration is a request from the server after `initialized`: give it a round trip.
    await client.request("textDocument/hover", { textDocument: { uri: uriOf(join(scratch, "none.sbx")) }, position: { line: 0, character: 0 } });
    await client.stop();
    const watch = client.registrations.find((r) => r.method === "workspace/didChangeWatchedFiles");
    expect(watch?.registerOptions).toEqual({ watchers: [{ globPattern: "**/*.sbx" }] });
  });

  it("does not register with a client that cannot take it", async () => {
    const client = await LspClient.start({ capabilities: {} });
    await client.request("textDocument/hover", { textDocument: { uri: uriOf(join(scratch, "none.sbx")) }, position: { line: 0, character: 0 } });
    await client.stop();
    expect(client.registrations).toEqual([]);
  });

  it("clears 'cannot find module' once the imported file is created, with an event", async () => {
    const dir = folder("created-event", { "main.sbx": MAIN });
    const client = await LspClient.start({ root: dir });
    try {
      const main = await client.openUri(uriOf(join(dir, "main.sbx")), MAIN);
      expect(codes(await client.diagnostics(main))).toContain("SBX2008");
      writeFileSync(join(dir, "dep.sbx"), DEP);
      const next = client.nextDiagnostics(main);
      await client.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uriOf(join(dir, "dep.sbx")), type: 1 }] });
      expect(await next).toEqual([]);
    } finally {
      await client.stop();
    }
  });

  it("sees a file created on disk at the next edit, with no event from the client", async () => {
    const dir = folder("created-quiet", { "main.sbx": MAIN });
    const client = await LspClient.start({ root: dir, capabilities: {} });
    try {
      const main = await client.openUri(uriOf(join(dir, "main.sbx")), MAIN);
      expect(codes(await client.diagnostics(main))).toContain("SBX2008");
      writeFileSync(join(dir, "dep.sbx"), DEP);
      await client.edit(main, MAIN.length, MAIN.length, "\n");
      expect(await client.diagnostics(main)).toEqual([]);
    } finally {
      await client.stop();
    }
  });

  it("reads a file from disk again when its buffer closes", async () => {
    const dir = folder("closed", { "main.sbx": MAIN, "dep.sbx": DEP });
    const client = await LspClient.start({ root: dir, capabilities: {} });
    try {
      const main = await client.openUri(uriOf(join(dir, "main.sbx")), MAIN);
      expect(await client.diagnostics(main)).toEqual([]);
      // The dependency is opened, edited and saved under another name; the client sends no file event.
      const dep = await client.openUri(uriOf(join(dir, "dep.sbx")), DEP);
      await client.edit(dep, DEP.indexOf("base"), DEP.indexOf("base") + 4, "renamed");
      writeFileSync(join(dir, "dep.sbx"), client.text(dep));
      await client.diagnostics(dep);
      const next = client.nextDiagnostics(main);
      await client.close(dep);
      expect(codes(await next)).toContain("SBX2009");
    } finally {
      await client.stop();
    }
  });
});

describe("the workspace's files", () => {
  const COMMON = "policy spender { accept = 90% }\n";
  const USER = 'import "./common.sbx" { spender }\nscenario user {\n  population { spender = 2 }\n}\n';
  const NESTED = 'import "../common.sbx" { spender }\nscenario nested {\n  population { spender = 1   honest = 1 }\n}\n';

  it("finds references in files that are not open", async () => {
    const dir = folder("refs", { "common.sbx": COMMON, "user.sbx": USER, "sub/nested.sbx": NESTED, "node_modules/pkg/skip.sbx": USER });
    const client = await LspClient.start({ root: dir });
    try {
      const common = await client.openUri(uriOf(join(dir, "common.sbx")), COMMON);
      const refs = await client.at<{ uri: string; range: { start: { line: number } } }[]>("textDocument/references", common, COMMON.indexOf("spender"), { context: { includeDeclaration: false } });
      expect(refs.map((r) => `${r.uri.slice(uriOf(dir).length + 1)}:${r.range.start.line}`).sort()).toEqual(["sub/nested.sbx:0", "sub/nested.sbx:2", "user.sbx:0", "user.sbx:2"]);
    } finally {
      await client.stop();
    }
  });

  it("renames across files that are not open", async () => {
    const dir = folder("rename", { "common.sbx": COMMON, "user.sbx": USER });
    const client = await LspClient.start({ root: dir });
    try {
      const common = await client.openUri(uriOf(join(dir, "common.sbx")), COMMON);
      const edit = await client.at<{ changes: Record<string, { newText: string }[]> }>("textDocument/rename", common, COMMON.indexOf("spender"), { newName: "saver" });
      expect(Object.keys(edit.changes).sort()).toEqual([uriOf(join(dir, "common.sbx")), uriOf(join(dir, "user.sbx"))]);
      expect(edit.changes[uriOf(join(dir, "user.sbx"))]!.length).toBe(2);
    } finally {
      await client.stop();
    }
  });
});

describe("recompiling after an edit", () => {
  it("republishes only the edited document and the documents that import it", async () => {
    const dir = folder("importers", {});
    const client = await LspClient.start({ root: dir, diagnosticsDelay: 0 });
    try {
      const dep = await client.openUri(uriOf(join(dir, "dep.sbx")), DEP);
      const main = await client.openUri(uriOf(join(dir, "main.sbx")), MAIN);
      const lone = await client.openUri(uriOf(join(dir, "lone.sbx")), "scenario lone {\n  population { honest = 2 }\n}\n");
      for (const uri of [dep, main, lone]) await client.diagnostics(uri);
      const count = () => Object.fromEntries([dep, main, lone].map((u) => [u.split("/").pop(), client.publishedFor(u).length]));
      const before = count();
      // An edit of the lone scenario: nothing imports it.
      await client.edit(lone, 0, 0, "// edited\n");
      await client.diagnostics(lone);
      // An edit of the imported file: its importer sees it (here: the base it needs is gone).
      await client.edit(dep, DEP.indexOf("base"), DEP.indexOf("base") + 4, "gone");
      expect(codes(await client.nextDiagnostics(main))).toContain("SBX2009");
      await client.diagnostics(dep);
      // A request answered after the analyzer went through every open document.
      await client.at("textDocument/definition", main, MAIN.indexOf("base"));
      expect(count()).toEqual({ "dep.sbx": before["dep.sbx"]! + 1, "main.sbx": before["main.sbx"]! + 1, "lone.sbx": before["lone.sbx"]! + 1 });
    } finally {
      await client.stop();
    }
  });
});

describe("positions and late messages", () => {
  const SOURCE = (eol: string) => ["scenario s {", "  population { honest = 2 }", "  seed = 1", "}", ""].join(eol);

  it.each([
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ])("an edit past a line's end lands at that line's end (%s)", async (_name, eol) => {
    const client = await LspClient.start();
    try {
      const text = SOURCE(eol);
      const uri = await client.open("clamp.sbx", text);
      expect(await client.diagnostics(uri)).toEqual([]);
      // (2, 999) and, with CRLF, (2, 11): between '\r' and '\n' if it were not clamped.
      for (const [version, character] of [
        [2, 999],
        [3, "  seed = 12".length + 1],
      ] as const) {
        await client.connection.sendNotification("textDocument/didChange", {
          textDocument: { uri, version },
          contentChanges: [{ range: { start: { line: 2, character }, end: { line: 2, character } }, text: "2" }],
        });
        expect(await client.diagnostics(uri, version)).toEqual([]);
      }
      // The server's text is now `seed = 122` on line 2: hover past its end is on the value.
      const hover = await client.request<{ contents: { value: string } } | null>("textDocument/hover", { textDocument: { uri }, position: { line: 2, character: 500 } });
      expect(hover?.contents.value).toMatch(/^\*\*scenario\.seed\*\*/);
    } finally {
      await client.stop();
    }
  });

  it("ignores a change to a closed document: no document comes back, no diagnostics are published", async () => {
    const client = await LspClient.start();
    try {
      const uri = await client.open("closed.sbx", SOURCE("\n"));
      await client.diagnostics(uri);
      await client.close(uri);
      await client.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version: 5 }, contentChanges: [{ text: "scenario x { seeed = 1 }" }] });
      // Another document's diagnostics come after anything the late change could have caused.
      const other = await client.open("other.sbx", SOURCE("\n"));
      await client.diagnostics(other);
      expect(await client.request("textDocument/completion", { textDocument: { uri }, position: { line: 0, character: 10 } })).toEqual([]);
      expect(await client.request("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: 1 } })).toBeNull();
      const published = client.publishedFor(uri);
      expect(published.at(-1)?.diagnostics).toEqual([]);
      expect(published.some((p) => p.version === 5)).toBe(false);
    } finally {
      await client.stop();
    }
  });
});

describe("the process", () => {
  it("survives a compile that runs out of memory, and checks the document again once it is fixed", async () => {
    // A small heap for the analyzer thread, and a population large enough to exhaust it while lowering.
    const client = await LspClient.start({ env: { SBX_LSP_HEAP_MB: "48" } });
    try {
      const text = "scenario s {\n  population { honest = 5000000 }\n}\n";
      const uri = await client.open("huge.sbx", text);
      // Whether or not the compile fits, the server answers from the registry and lives on.
      const hover = await client.request<{ contents: { value: string } } | null>("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 4 } });
      expect(hover?.contents.value).toMatch(/population/);
      expect(client.exitCode).toBeNull();
      const at = text.indexOf("5000000");
      await client.edit(uri, at, at + 7, "2");
      expect(await client.diagnostics(uri)).toEqual([]);
      const after = await client.request<{ contents: { value: string } } | null>("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 4 } });
      expect(after?.contents.value).toMatch(/population/);
      expect(client.exitCode).toBeNull();
    } finally {
      await client.stop();
    }
  });


  it("exits when its input closes, though its parent lives on", async () => {
    const client = await LspClient.start();
    const exited = new Promise<number | null>((resolve) => client.process.once("exit", (code) => resolve(code)));
    client.process.stdin.end();
    const code = await Promise.race([exited, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 20_000))]);
    expect(code).not.toBe("running");
    if (client.exitCode === null) client.process.kill();
  });
});
