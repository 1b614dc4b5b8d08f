/**
 * The VS Code extension's static parts: the TextMate grammar (scope tests
 * with vscode-tmgrammar-test, and its keywords against the lexer's), the
 * language configuration, the problem matcher against real `sbx compile`
 * output, and how the client finds the sbx executable.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KEYWORD_WORDS } from "../../language/tokens.ts";
import { serverCommand } from "../../lsp/vscode/src/command.mts";
import { sbx } from "../support/cli.ts";
import { ROOT } from "../support/golden.ts";

const EXT = join(ROOT, "lsp/vscode");
const manifest = JSON.parse(readFileSync(join(EXT, "package.json"), "utf8"));
const grammar = JSON.parse(readFileSync(join(EXT, "syntaxes/sbx.tmLanguage.json"), "utf8"));
const scratch = mkdtempSync(join(tmpdir(), "sbx-vscode-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The words of `\b(a|b|c)\b` patterns. */
const words = (pattern: string) => [...pattern.matchAll(/\((?:\?:)?([a-z|]+)\)/g)].flatMap((m) => m[1]!.split("|"));

describe("TextMate grammar", () => {
  it("passes its scope tests (lsp/vscode/test/*.test.sbx)", () => {
    const bin = join(ROOT, "node_modules/vscode-tmgrammar-test/dist/unit.js");
    const r = spawnSync(process.execPath, [bin, "--config", join(EXT, "package.json"), join(EXT, "test/*.test.sbx")], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout + r.stderr).toContain("run successfuly");
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("colours exactly the lexer's keywords (plus the contextual `vary` and `by`)", () => {
    const patterns: { match: string }[] = grammar.repository.keywords.patterns;
    const keywords = patterns.filter((p) => !p.match.includes("vary") && !p.match.includes("by")).flatMap((p) => words(p.match));
    expect(keywords.sort()).toEqual([...KEYWORD_WORDS].sort());
    // A block header never starts with a keyword.
    const excluded = /\(\?!\(\?:([a-z|]+)\)/.exec(grammar.repository["block-header"].match)![1]!.split("|");
    expect(excluded.sort()).toEqual([...KEYWORD_WORDS].sort());
  });

  it("is registered for .sbx under source.sbx", () => {
    expect(grammar.scopeName).toBe("source.sbx");
    expect(manifest.contributes.languages[0].extensions).toEqual([".sbx"]);
    expect(manifest.contributes.grammars[0]).toMatchObject({ language: "sbx", scopeName: "source.sbx", path: "./syntaxes/sbx.tmLanguage.json" });
  });
});

describe("language configuration", () => {
  const config = JSON.parse(readFileSync(join(EXT, "language-configuration.json"), "utf8"));
  it("declares comments, brackets and auto-closing quotes", () => {
    expect(config.comments).toEqual({ lineComment: "//", blockComment: ["/*", "*/"] });
    expect(config.brackets).toEqual([["{", "}"], ["[", "]"], ["(", ")"]]);
    const opens = config.autoClosingPairs.map((p: { open: string }) => p.open);
    expect(opens).toEqual(expect.arrayContaining(["{", "[", "(", '"', '"""']));
  });
});

describe("problem matcher", () => {
  it("matches every diagnostic line of `sbx compile`", () => {
    const file = join(scratch, "bad.sbx");
    writeFileSync(file, 'scenario s {\n  population { honest = 2 }\n  seeed = 1\n  governance { transaction_tax { rate = 60% } }\n}\n');
    const r = sbx(["compile", file], { cwd: scratch });
    expect(r.code).toBe(1);
    const matcher = manifest.contributes.problemMatchers[0];
    const regexp = new RegExp(matcher.pattern.regexp);
    const lines = r.stderr.split("\n").filter((l) => /\[SBX\d{4}\]/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const matches = lines.map((l) => regexp.exec(l));
    expect(matches.every(Boolean)).toBe(true);
    const first = matches[0]!;
    expect(first[matcher.pattern.file]).toBe("bad.sbx");
    expect([first[matcher.pattern.line], first[matcher.pattern.column], first[matcher.pattern.severity], first[matcher.pattern.code]]).toEqual(["3", "3", "error", "SBX2002"]);
    expect(matches.map((m) => m![matcher.pattern.severity])).toContain("warning");
  });
});

describe("client", () => {
  it("runs the workspace's sbx, else the configured one, else sbx on the PATH", () => {
    const folder = join(scratch, "ws");
    mkdirSync(join(folder, "node_modules/.bin"), { recursive: true });
    writeFileSync(join(folder, "node_modules/.bin/sbx"), "");
    expect(serverCommand("sbx", [folder], "linux")).toEqual({ command: join(folder, "node_modules/.bin/sbx"), args: [] });
    expect(serverCommand("sbx", [join(scratch, "empty")], "linux")).toEqual({ command: "sbx", args: [] });
    expect(serverCommand("/opt/sbx/dist/sbx.mjs", [folder])).toEqual({ command: "node", args: ["/opt/sbx/dist/sbx.mjs"] });
    expect(serverCommand("/usr/local/bin/sbx", [folder])).toEqual({ command: "/usr/local/bin/sbx", args: [] });
  });

  it("starts `sbx lsp --stdio` from the manifest's entry point", () => {
    const source = readFileSync(join(EXT, "src/extension.ts"), "utf8");
    expect(source).toContain('"lsp", "--stdio"');
    expect(manifest.main).toBe("./dist/extension.js");
    expect(manifest.contributes.configuration.properties["sbx.path"].default).toBe("sbx");
  });
});
