import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { allTokens, LEXER_CONFIG, SbxLexer } from "../../language/tokens.ts";

describe("the lexer's token definitions", () => {
  // sbx builds its lexer with skipValidations (a start-up cost); the checks run here instead.
  it("pass Chevrotain's validations and can be optimised", () => {
    const validated = new Lexer(allTokens, LEXER_CONFIG);
    expect(validated.lexerDefinitionErrors).toEqual([]);
  });

  it("tokenize like the validated lexer", () => {
    const text = 'import "std/governance" { moderate }\nscenario s { seed = 1  note = """a\n"""  x = 2.5e3 epochs // c\n /* b */ y = a.b[1] != 3 }';
    const strip = (r: ReturnType<Lexer["tokenize"]>) => ({ tokens: r.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset]), errors: r.errors.length, groups: Object.keys(r.groups) });
    expect(strip(SbxLexer.tokenize(text))).toEqual(strip(new Lexer(allTokens, LEXER_CONFIG).tokenize(text)));
  });
});
