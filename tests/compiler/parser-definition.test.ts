import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lex } from "../../language/syntax.ts";
import { sbxParser, validatedParser } from "../../language/parser.ts";
import { ROOT } from "../support/golden.ts";

describe("the parser's grammar", () => {
  // sbx builds its parser with skipValidations (a start-up cost); Chevrotain's validations run here instead.
  it("passes Chevrotain's validations", () => {
    // Chevrotain throws "Parser Definition Errors detected" when a validation fails.
    expect(() => validatedParser()).not.toThrow();
  });

  it("parses like the validated parser, with and without errors", () => {
    const validated = validatedParser();
    const texts = [readFileSync(join(ROOT, "scenarios/status_game.sbx"), "utf8"), 'scenario s { seed = 1 agents { honest x 3 } epochs = (2 + }\nmechanism { a = [1, 2,, 3] }'];
    for (const text of texts) {
      const shared = sbxParser().parseFile(lex(text, "a.sbx").tokens, "a.sbx", text);
      const checked = validated.parseFile(lex(text, "a.sbx").tokens, "a.sbx", text);
      expect(JSON.stringify({ items: shared.items, errors: shared.errors.map((e) => e.message), diagnostics: shared.diagnostics })).toBe(
        JSON.stringify({ items: checked.items, errors: checked.errors.map((e) => e.message), diagnostics: checked.diagnostics }),
      );
    }
  });
});
