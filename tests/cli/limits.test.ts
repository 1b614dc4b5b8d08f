/**
 * Inputs at and past the documented limits (language/REFERENCE.md, "Limits"):
 * deep nesting and long chains get a diagnostic at the spot from every
 * command, never "Maximum call stack size exceeded"; inputs just inside the
 * limits compile, run, judge their criteria and format; very long flat inputs
 * (100,000 members, list items or lines) work.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_EXPRESSION_DEPTH, MAX_NESTING } from "../../language/parser.ts";
import { sbx } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "sbx-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const scenario = (body: string) => `scenario s {\n  population { honest = 2 }\n${body}\n}\n`;

/** Run `args` in the scratch folder; it must fail with exactly these codes at these places, and no internal error. */
function expectReported(args: string[], expected: string[]): void {
  const r = sbx(args, { cwd: dir });
  expect(r.stderr).not.toContain("internal error");
  expect(r.stderr).not.toContain("Maximum call stack");
  expect(r.code).toBe(1);
  const reported = r.stderr.split("\n").filter((l) => /error\[SBX/.test(l)).map((l) => l.replace(/: error\[(SBX\d+)\].*/, " $1"));
  expect(reported).toEqual(expected);
}

describe("deep nesting is reported where it goes too deep", () => {
  const n = 1000;
  const cases: [string, string, string[]][] = [
    ["parentheses", scenario(`  expect {\n    ${"(".repeat(n)}mean(toxicity) <= 0.3${")".repeat(n)}\n  }`), [`parentheses.sbx:4:${4 + MAX_NESTING - 2 + 1} SBX1007`]],
    ["braces", scenario(`  ${"a { ".repeat(n)}${"} ".repeat(n)}`), ["braces.sbx:3:3 SBX2001", `braces.sbx:3:${3 + 4 * (MAX_NESTING - 1) + 2} SBX1007`]],
    ["brackets", scenario(`  description = ${"[".repeat(n)}${"]".repeat(n)}`), ["brackets.sbx:3:17 SBX2101", `brackets.sbx:3:${17 + MAX_NESTING - 1} SBX1007`]],
    ["calls", scenario(`  expect {\n    ${"mean(".repeat(n)}toxicity${")".repeat(n)} <= 1\n  }`), [`calls.sbx:4:${5 + 5 * (MAX_NESTING - 2) + 4} SBX1007`]],
  ];
  for (const [name, text, expected] of cases) {
    it(`${n} nested ${name}: compile and fmt report SBX1007`, () => {
      const file = write(`${name}.sbx`, text);
      expectReported(["compile", file], expected);
      expectReported(["fmt", "--check", file], expected.filter((e) => e.endsWith("SBX1007")));
    });
  }

  it("100,000 unclosed parentheses end in diagnostics, not a crash", () => {
    const file = write("unclosed.sbx", `scenario s {\n  population { honest = 2 }\n  seed = ${"(".repeat(100_000)}\n`);
    const r = sbx(["compile", file], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).toContain(`unclosed.sbx:3:${10 + MAX_NESTING - 1}: error[SBX1007]`);
  });
});

describe("expressions deeper than the limit are reported where they start", () => {
  const cases: [string, string, string][] = [
    ["sum", scenario(`  seed = ${Array.from({ length: 100_000 }, () => "1").join(" + ")}`), "sum.sbx:3:10 SBX1008"],
    ["signs", scenario(`  seed = ${"-".repeat(100_000)}1`), `signs.sbx:3:${10 + MAX_EXPRESSION_DEPTH} SBX1008`],
    ["members", scenario(`  expect {\n    ${Array.from({ length: 100_000 }, () => "a").join(".")} < 1\n  }`), "members.sbx:4:5 SBX1008"],
    ["range", scenario(`  expect {\n    seeds = ${Array.from({ length: 5_000 }, (_, i) => i).join("..")}\n  }`), "range.sbx:4:13 SBX1008"],
  ];
  for (const [name, text, expected] of cases) {
    it(`a chain of 100,000 (${name}): compile and fmt report SBX1008`, () => {
      const file = write(`${name}.sbx`, text);
      expectReported(["compile", file], [expected]);
      expectReported(["fmt", "--check", file], [expected]);
    });
  }
});

describe("inputs just inside the limits work in every phase", () => {
  it("compiles, runs, judges its criteria and formats a scenario nested nearly as deep as allowed", () => {
    const terms = Array.from({ length: MAX_EXPRESSION_DEPTH - 10 }, () => "0.001").join(" + ");
    const parens = MAX_NESTING - 4;
    const text = `scenario s {
  epochs = 1
  steps  = 2
  population { honest = 2 }
  expect {
    chain: mean(toxicity) <= 1 + ${terms}
    nest:  ${"(".repeat(parens)}mean(toxicity) <= 1${")".repeat(parens)}
    calls: mean(${"(".repeat(parens)}toxicity${")".repeat(parens)}) <= 1
    signs: mean(toxicity) <= ${"-".repeat(MAX_EXPRESSION_DEPTH - 10)}1
  }
}
`;
    const file = write("edge.sbx", text);
    const check = sbx(["check", file], { cwd: dir });
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("4 criteria in 1 scenario: 4 passed");
    const fmt = sbx(["fmt", file], { cwd: dir });
    expect(fmt.code).toBe(0);
    expect(sbx(["fmt", "--check", file], { cwd: dir }).code).toBe(0);
    expect(sbx(["check", file], { cwd: dir }).stdout).toContain("4 passed");
    expect(readFileSync(join(dir, file), "utf8")).toContain(`nest:  ${"(".repeat(parens)}mean(toxicity) <= 1`);
  });
});

describe("very long flat inputs do not overflow", () => {
  const n = 100_000;
  it(`${n} members in one block: every one is checked, and fmt aligns them`, () => {
    const members = Array.from({ length: n }, (_, i) => `  x${i} = ${i}`).join("\n");
    const file = write("members.sbx", scenario(members));
    const r = sbx(["compile", file], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr.split("\n").filter((l) => l.includes("error[SBX2002]"))).toHaveLength(n);
    const fmt = sbx(["fmt", file], { cwd: dir });
    expect(fmt.stderr).toBe("");
    expect(fmt.code).toBe(0);
    expect(readFileSync(join(dir, file), "utf8")).toContain(`  x0${" ".repeat(String(n - 1).length - 1)} = 0\n`);
  });

  it(`a list of ${n} items and a text of ${n} lines compile and format`, () => {
    const list = Array.from({ length: n }, (_, i) => `${i % 100}%`).join(", ");
    const lines = Array.from({ length: n }, (_, i) => `      line ${i}`).join("\n");
    const file = write("flat.sbx", `persona p {\n  description = "long"\n  prompt = """\n${lines}\n    """\n}\n\nsweep w of s {\n  vary governance.audit.probability in [${list}]\n}\n\n${scenario("  seed = 1")}`);
    const r = sbx(["compile", file], { cwd: dir });
    expect(r.stderr).not.toContain("internal error");
    // The list parses and checks in full; a sweep of that many cells is over the documented limit (REFERENCE.md §16).
    expect(r.stderr).toMatch(/error\[SBX3018\]/);
    expect(r.code).toBe(1);
    const fmt = sbx(["fmt", file], { cwd: dir });
    expect(fmt.stderr).toBe("");
    expect(fmt.code).toBe(0);
  });

  it(`an extends chain of ${n} declarations, each extending the next`, () => {
    const chain = Array.from({ length: n - 1 }, (_, i) => `persona p${n - 1 - i} extends p${n - 2 - i} {}`).join("\n");
    const file = write("chain.sbx", `${chain}\npersona p0 { description = "d"  prompt = "p" }\n${scenario("")}`);
    const r = sbx(["compile", file], { cwd: dir });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
  });

  it(`${n} declarations in one file`, () => {
    const file = write("decls.sbx", Array.from({ length: n }, (_, i) => `persona p${i} { description = "d"  prompt = "p" }`).join("\n") + `\n${scenario("")}`);
    const r = sbx(["compile", file], { cwd: dir });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
  });
});
