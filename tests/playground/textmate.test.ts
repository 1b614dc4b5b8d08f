/**
 * The playground colours .sbx with the TextMate grammar VS Code uses, run by
 * vscode-textmate over the browser's regular expressions instead of
 * Oniguruma: the tokens must be Oniguruma's, scope for scope.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import onigModule from "vscode-oniguruma";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenName } from "../../playground/src/highlight.ts";
import { loadSbxGrammar, regExpOnigLib, tokenizeText, type IGrammar } from "../../playground/src/textmate.ts";
import { ROOT } from "../support/golden.ts";

const onig = onigModule as unknown as typeof import("vscode-oniguruma");

let browserLike: IGrammar;
let oniguruma: IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(ROOT, "node_modules/vscode-oniguruma/release/onig.wasm"));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  oniguruma = await loadSbxGrammar({ createOnigScanner: (s) => new onig.OnigScanner(s), createOnigString: (s) => new onig.OnigString(s) });
  browserLike = await loadSbxGrammar(regExpOnigLib);
});

const sources = [
  "lsp/vscode/test/grammar.test.sbx",
  ...readdirSync(join(ROOT, "scenarios")).map((f) => `scenarios/${f}`),
  ...readdirSync(join(ROOT, "stdlib")).map((f) => `stdlib/${f}`),
].filter((f) => f.endsWith(".sbx"));

describe("the TextMate grammar over JavaScript regular expressions", () => {
  it.each(sources)("%s: the same tokens and scopes as Oniguruma", (file) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    const ours = tokenizeText(browserLike, text);
    expect(ours).toEqual(tokenizeText(oniguruma, text));
    // Not vacuous: the file has coloured tokens.
    expect(ours.flat().filter((t) => tokenName(t.scopes) !== null).length).toBeGreaterThan(10);
  });

  // ASCII pieces: sbx's names are ASCII, and where a non-ASCII letter touches a word the two differ (textmate.ts says how).
  it("the same tokens as Oniguruma on arbitrary text made of .sbx's pieces", () => {
    const piece = fc.constantFrom(
      "scenario", " s ", "{", "}", "governance", "extends", "of", "in", "import", '"std/governance"', '"a\\"b\\q"', '"""x\n"""', "/*", "*/", "//", "\n", " ",
      "seed", "=", "==", "!=", "<=", ">=", "..", "3.5", "10%", "2 epochs", "mean(", ")", "[", "]", ",", ";", ":", "true", "and", "not", "x.y", "_1", "\t", "\\",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        expect(tokenizeText(browserLike, text)).toEqual(tokenizeText(oniguruma, text));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses an Oniguruma-only construct rather than misreading it", () => {
    expect(() => regExpOnigLib.createOnigScanner(["\\Gfoo"])).toThrow(/Oniguruma-only construct/);
    expect(() => regExpOnigLib.createOnigScanner(["\\\\Gfoo"])).not.toThrow();
  });

  it("names tokens by their innermost scope", () => {
    expect(tokenName(["source.sbx", "string.quoted.double.sbx", "constant.character.escape.sbx"])).toBe("tmEscape");
    expect(tokenName(["source.sbx", "storage.type.block.sbx"])).toBe("tmBlock");
    expect(tokenName(["source.sbx", "comment.line.double-slash.sbx"])).toBe("tmComment");
    expect(tokenName(["source.sbx"])).toBeNull();
  });
});
