/**
 * The formatter: golden cases (tests/format/<case>/input.sbx → expected.sbx,
 * UPDATE_GOLDEN=1 rewrites), the shipped files are canonical, and properties
 * over the shipped files and random layout mutations of them: idempotent,
 * every comment kept, and the compiled plans' hashes unchanged.
 */
import fc from "fast-check";
import { runs } from "../support/property-runs.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { format } from "../../language/format.ts";
import { lex, parse } from "../../language/syntax.ts";
import { STDLIB_DIR } from "../../src/platform/node-host.ts";
import { memoryHost } from "../../src/compiler/host.ts";
import { compile } from "../../src/compiler/index.ts";
import { nodeHost } from "../../src/platform/node-host.ts";
import { caseFolders, expectGolden, ROOT } from "../support/golden.ts";

const CASES = join(ROOT, "tests/format");
const SCENARIOS = join(ROOT, "scenarios");

function formatted(text: string, file = "/t.sbx"): string {
  const result = format(text, file);
  if ("error" in result) throw new Error(`refused: ${result.error.map((d) => d.message).join("; ")}`);
  return result.text;
}

const sbxFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".sbx"))
    .sort()
    .map((f) => join(dir, f));
const SHIPPED = [...sbxFiles(SCENARIOS), ...sbxFiles(STDLIB_DIR)];

const comments = (text: string) => lex(text, "/c.sbx").comments.map((c) => c.image.replace(/\r\n?/g, "\n"));

/** Plan hashes of every scenario, compiling `entries` with `overrides` served in place of the files on disk. */
function planHashes(entries: readonly string[], overrides: Record<string, string> = {}): Record<string, string | null> {
  const host = memoryHost(overrides, STDLIB_DIR, nodeHost());
  const out: Record<string, string | null> = {};
  for (const entry of entries) for (const s of compile(host, [entry]).scenarios) out[`${entry}:${s.name}`] = s.planHash;
  return out;
}

describe("golden cases", () => {
  for (const dir of caseFolders(CASES)) {
    it(dir.slice(CASES.length + 1), () => {
      const input = readFileSync(join(dir, "input.sbx"), "utf8");
      const out = formatted(input);
      expectGolden(join(dir, "expected.sbx"), out);
      expect(formatted(out), "idempotent").toBe(out);
      expect(comments(out)).toEqual(comments(input));
    });
  }
});

describe("shipped files", () => {
  it.each(SHIPPED.map((f) => [f.slice(ROOT.length + 1), f]))("%s is canonical", (_name, file) => {
    const text = readFileSync(file, "utf8");
    expect(formatted(text, file)).toBe(text);
  });

  it("formatting every scenario and stdlib module leaves every plan hash unchanged", () => {
    const entries = sbxFiles(SCENARIOS);
    const before = planHashes(entries);
    expect(Object.values(before).some((h) => h !== null)).toBe(true);
    const overrides = Object.fromEntries(SHIPPED.map((f) => [f, formatted(readFileSync(f, "utf8"), f)]));
    expect(planHashes(entries, overrides)).toEqual(before);
  });
});

describe("refusals", () => {
  it("refuses a file with syntax errors and reports them", () => {
    const result = format("scenario s {\n  seed = \n", "/bad.sbx");
    expect("error" in result && result.error.map((d) => d.code)).toEqual(expect.arrayContaining(["SBX1005"]));
  });
});

// ---- properties over random layout mutations ------------------------------------------------

/**
 * Mutations that keep the syntax tree: more or less horizontal space, extra
 * blank lines where there already is a line break, comments at the end of
 * lines and between tokens, and `;` after members that end a line.
 */
type Mutation = { readonly kind: "space" | "blank" | "lineComment" | "blockComment"; readonly at: number; readonly n: number };

function mutate(text: string, mutations: readonly Mutation[]): string {
  const { tokens } = lex(text, "/m.sbx");
  // Gaps between tokens, with whether they already hold a line break; triple strings and comments stay whole.
  const gaps: { at: number; newline: boolean }[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = (tokens[i]!.endOffset ?? tokens[i]!.startOffset) + 1;
    const b = tokens[i + 1]!.startOffset;
    const between = text.slice(a, b);
    if (/^[ \t\r\n]*$/.test(between)) gaps.push({ at: a, newline: /\n/.test(between) });
  }
  if (!gaps.length) return text;
  const edits = new Map<number, string>();
  for (const m of mutations) {
    const gap = gaps[m.at % gaps.length]!;
    const extra =
      m.kind === "space"
        ? " ".repeat(1 + (m.n % 4))
        : m.kind === "blank"
          ? gap.newline
            ? "\n".repeat(1 + (m.n % 3))
            : " "
          : m.kind === "lineComment"
            ? gap.newline
              ? ` // note ${m.n}\n`
              : " "
            : ` /* c${m.n} */ `;
    edits.set(gap.at, (edits.get(gap.at) ?? "") + extra);
  }
  let out = "";
  let last = 0;
  for (const at of [...edits.keys()].sort((a, b) => a - b)) {
    out += text.slice(last, at) + edits.get(at);
    last = at;
  }
  return out + text.slice(last);
}

const mutation = fc.record({ kind: fc.constantFrom("space", "blank", "lineComment", "blockComment" as const), at: fc.nat(), n: fc.nat(100) }) as fc.Arbitrary<Mutation>;

describe("properties", () => {
  const sources = SHIPPED.map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
  const fingerprint = (text: string) => JSON.stringify(parse(text, "/f.sbx").file.items, (k, v) => (k === "span" || k === "opSpan" || k === "body" ? undefined : v));

  it("idempotent, keeps every comment and the syntax tree, on mutated shipped files", () => {
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.array(mutation, { maxLength: 12 }), ({ file, text }, ms) => {
        const input = mutate(text, ms);
        expect(fingerprint(input)).toBe(fingerprint(text));
        const once = formatted(input, file);
        expect(formatted(once, file)).toBe(once);
        expect(comments(once).sort()).toEqual(comments(input).sort());
        expect(fingerprint(once)).toBe(fingerprint(text));
      }),
      { numRuns: runs(120) },
    );
  });

  it("preserves the plan hash of mutated scenarios", () => {
    const scenarios = sources.filter((s) => s.file.startsWith(SCENARIOS));
    const before = planHashes(scenarios.map((s) => s.file));
    fc.assert(
      fc.property(fc.constantFrom(...scenarios), fc.array(mutation, { maxLength: 8 }), ({ file, text }, ms) => {
        const out = formatted(mutate(text, ms), file);
        const after = planHashes([file], { [file]: out });
        for (const [key, hash] of Object.entries(after)) expect(hash, key).toBe(before[key]);
      }),
      { numRuns: runs(25) },
    );
  });
});
