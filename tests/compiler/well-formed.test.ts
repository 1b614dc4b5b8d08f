/**
 * The parser's direct path (language/well-formed.ts) may only accept what
 * Chevrotain's parser parses without an error or a diagnostic, and must build
 * the same tree: compared here on every shipped file, on files mutated a
 * little (mostly still well-formed) and a lot, and on generated expressions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sbxParser } from "../../language/parser.ts";
import { lex } from "../../language/syntax.ts";
import { parseWellFormed } from "../../language/well-formed.ts";
import { applyEdits, FRAGMENTS, mutated, mutation, SEEDS } from "../support/mutations.ts";

/** Both parsers on one text: null when the direct path gave up, else whether it agreed. */
export function compareParsers(text: string): { direct: boolean; problem: string | null } {
  const lexed = lex(text, "a.sbx");
  const chevrotain = sbxParser().parseFile([...lexed.tokens], "a.sbx", text);
  const direct = parseWellFormed(lexed.tokens, "a.sbx", text);
  if (direct === null) return { direct: false, problem: null };
  if (chevrotain.errors.length || chevrotain.diagnostics.length) {
    return { direct: true, problem: `the direct path accepted a file Chevrotain reports: ${chevrotain.errors[0]?.message ?? chevrotain.diagnostics[0]?.message}` };
  }
  const a = JSON.stringify(chevrotain.items);
  const b = JSON.stringify(direct);
  return { direct: true, problem: a === b ? null : `different trees:\n${a.slice(0, 2000)}\n${b.slice(0, 2000)}` };
}

/** A few edits with language fragments only: mostly still .sbx, often still well-formed. */
const smallEdit = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  edits: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.nat({ max: 6 }), insert: fc.constantFrom(...FRAGMENTS, "", " ", "\n", "x", "1", "a.b") }), { minLength: 1, maxLength: 3 }),
});

const name = fc.constantFrom("a", "toxicity", "by", "vary", "epochs", "x_1", "seeds", "final", "payoff");
const anyName = fc.oneof(name, fc.constantFrom("in", "of", "and", "not", "true", "import", "extends"));
const { expr } = fc.letrec<{ expr: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("1", "0.5", "5%", "2 epochs", "3 steps", "1e3", '"s"', '"a\\nb"', '"""\n  t\n  """', "true", "false") },
    { weight: 4, arbitrary: name },
    { weight: 1, arbitrary: fc.tuple(tie("expr"), fc.constantFrom("", "\n")).map(([e, nl]) => `(${nl}${e})`) },
    { weight: 1, arbitrary: fc.array(tie("expr"), { maxLength: 3 }).chain((xs) => fc.constantFrom(", ", " ", ",\n").map((sep) => `[${xs.join(sep)}]`)) },
    { weight: 1, arbitrary: fc.tuple(name, fc.array(fc.tuple(fc.option(anyName), tie("expr")), { maxLength: 3 }), fc.constantFrom("(", "["), fc.constantFrom("", "\n")).map(([f, args, open, nl]) => `${f}${nl}${open}${args.map(([n, v]) => (n ? `${n} = ${v}` : v)).join(", ")}${open === "(" ? ")" : "]"}`) },
    { weight: 1, arbitrary: fc.tuple(tie("atom"), anyName, fc.constantFrom("", "\n")).map(([a, n, nl]) => `${a}${nl}.${n}`) },
  ),
  expr: fc.oneof(
    { weight: 3, arbitrary: tie("atom") },
    { weight: 2, arbitrary: fc.tuple(tie("atom"), fc.constantFrom("+", "-", "*", "/", "..", "by", "and", "or", "<", "<=", "==", "!=", ">", ">=", "%", "epochs", ""), fc.constantFrom("", "-", "not ", "- -"), tie("expr"), fc.constantFrom(" ", "\n")).map(([l, op, pre, r, sp]) => `${l}${sp}${op} ${pre}${r}`) },
  ),
})) as unknown as { expr: fc.Arbitrary<string> };

const member = fc.oneof(
  fc.tuple(anyName, fc.constantFrom(" = ", ".b = ", ".in = ", "\n= ", " =\n"), expr).map(([n, eq, e]) => `${n}${eq}${e}`),
  fc.tuple(fc.option(fc.constantFrom("ok", "in", "x")), expr).map(([l, e]) => (l ? `${l}: ${e}` : e)),
  expr.map((e) => `vary a.b in ${e}`),
  fc.constantFrom("honest { count = 2 }", "g x extends y.z { }", 'kind "quoted" { a = 1 }', "b of c {}", ";", "a = 1;", "x = -1  y = 2"),
);
const file = fc.array(member, { maxLength: 6 }).chain((ms) => fc.constantFrom(" ", "\n", "; ").map((sep) => `import "std/governance" { moderate, x }\nscenario s {\n  ${ms.join(sep)}\n}\n`));

describe("the parser's direct path", () => {
  it("builds Chevrotain's tree on every shipped file, and takes every file without errors", () => {
    for (const seed of SEEDS) {
      const { direct, problem } = compareParsers(seed.text);
      expect(problem, seed.name).toBeNull();
      // It gives up only where Chevrotain reports something (the golden inputs with syntax errors).
      const chevrotain = sbxParser().parseFile(lex(seed.text, seed.name).tokens, seed.name, seed.text);
      expect(direct, seed.name).toBe(chevrotain.errors.length + chevrotain.diagnostics.length === 0);
    }
  });

  it("agrees with Chevrotain on files edited a little", () => {
    let taken = 0;
    fc.assert(
      fc.property(smallEdit, (m) => {
        const { direct, problem } = compareParsers(applyEdits(SEEDS[m.seed]!.text, m.edits));
        if (direct) taken++;
        expect(problem).toBeNull();
      }),
      { numRuns: 600, seed: 12 },
    );
    // The comparison must have compared: some edited files are still well-formed.
    expect(taken).toBeGreaterThan(50);
  });

  it("agrees with Chevrotain on files edited a lot", () => {
    fc.assert(
      fc.property(mutation, (m) => {
        expect(compareParsers(mutated(m).text).problem).toBeNull();
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it("agrees with Chevrotain on generated members and expressions", () => {
    let taken = 0;
    fc.assert(
      fc.property(file, (text) => {
        const { direct, problem } = compareParsers(text);
        if (direct) taken++;
        expect(problem, text).toBeNull();
      }),
      { numRuns: 1500, seed: 14 },
    );
    expect(taken).toBeGreaterThan(300);
  });
});
