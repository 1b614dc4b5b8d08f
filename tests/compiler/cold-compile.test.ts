/**
 * The cold compile's shortcuts (src/compiler/index.ts) must not change what a compile reports: a scenario's model is
 * dropped once it is lowered unless another declaration extends it; a scenario extended before or after it was lowered
 * is built on the same settings, its problems reported once. (The first of two `seed`s counts; the second is SBX2011.)
 */
import { describe, expect, it } from "vitest";
import { compileText } from "../support/compiler.ts";

const codes = (text: string): string[] => compileText(text).diagnostics.map((d) => d.code);

describe("a scenario extended after it was compiled", () => {
  const base = "scenario first {\n  seed = 1\n  seed = 2\n  epochs = 2   steps = 2\n  population { honest = 2 }\n}\n";

  it("reports the base's duplicate setting once, however many scenarios extend it and wherever they are", () => {
    const alone = codes(base).filter((c) => c === "SBX2011");
    expect(alone).toEqual(["SBX2011"]);
    const after = `${base}scenario second extends first { epochs = 3 }\nscenario third extends first { epochs = 4 }\n`;
    expect(codes(after).filter((c) => c === "SBX2011")).toEqual(["SBX2011"]);
    const before = `scenario second extends first { epochs = 3 }\n${base}`;
    expect(codes(before).filter((c) => c === "SBX2011")).toEqual(["SBX2011"]);
  });

  it("inherits the base's settings, and records one reference per `extends`", () => {
    const text = `${base}scenario second extends first { epochs = 3 }\nscenario third extends second { steps = 5 }\n`;
    const compiled = compileText(text);
    const plans = Object.fromEntries(compiled.scenarios.map((s) => [s.name, s.plan]));
    expect(plans.third?.simulation).toMatchObject({ seed: 1, epochs: 3, stepsPerEpoch: 5 });
    expect(plans.second?.simulation).toMatchObject({ seed: 1, epochs: 3, stepsPerEpoch: 2 });
    const toFirst = compiled.symbols.refs.filter((r) => r.target.name === "first" && r.target.kind === "scenario");
    expect(toFirst).toHaveLength(1);
  });
});

describe("what a compilation keeps of each file's parse", () => {
  it("the tree, its syntax diagnostics and the unfinished block, but not the tokens (nothing reads them after parsing)", () => {
    const compiled = compileText('import "std/governance" { moderate }\nscenario s { population { honest = 2 } governance extends moderate {} }\n');
    expect(compiled.program.modules.size).toBeGreaterThan(1);
    for (const module of compiled.program.modules.values()) {
      expect(Object.keys(module.syntax).sort()).toEqual(["diagnostics", "file", "unfinished"]);
      expect(module.syntax.file.items.length).toBeGreaterThan(0);
    }
  });
});
