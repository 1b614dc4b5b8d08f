import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../language/ast.ts";
import { parse } from "../../language/syntax.ts";

/** The value the parser gives the number literal `image` (written as an attribute's value). */
function literalValue(image: string): number {
  const parsed = parse(`scenario s { x = ${image} }`, "/n.sbx");
  expect(parsed.diagnostics).toEqual([]);
  const block = parsed.file.items[0] as A.Block;
  const value = (block.members[0] as A.Attribute).value;
  expect(value.kind).toBe("Number");
  return (value as A.NumberLit).value;
}

describe("number literals", () => {
  it("have the value JavaScript's Number gives their text, short or long, with or without exponent", () => {
    const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
    const literal = fc.oneof(
      fc.tuple(digits(1, 16), fc.option(digits(1, 24), { nil: undefined })).map(([i, f]) => (f === undefined ? i : `${i}.${f}`)),
      fc.tuple(digits(1, 4), digits(1, 4), fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), digits(1, 3)).map(([i, f, e, s, x]) => `${i}.${f}${e}${s}${x}`),
    );
    fc.assert(fc.property(literal, (image) => Object.is(literalValue(image), Number(image))), { numRuns: 2000 });
  });

  it("keep every digit of a whole number up to 2^53 and round the ones past it as Number does", () => {
    for (const image of ["0", "007", "0.1", "0.30000000000000004", "123456789012345", "9007199254740991", "9007199254740993", "1e309", "0.000000000000000000001"]) {
      expect(literalValue(image)).toBe(Number(image));
    }
  });
});
