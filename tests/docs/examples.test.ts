/** The .sbx examples in the documentation (not the deliberately broken ones of docs/diagnostics.md) parse, and are written in the canonical layout (`sbx fmt`). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { format } from "../../language/format.ts";
import { parse } from "../../language/syntax.ts";
import { ROOT } from "../support/golden.ts";

const DOCS = ["README.md", "language/REFERENCE.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md") && f !== "diagnostics.md").map((f) => `docs/${f}`)];

describe("documentation examples", () => {
  for (const doc of DOCS) {
    const blocks = [...readFileSync(join(ROOT, doc), "utf8").matchAll(/```sbx\n([\s\S]*?)```/g)].map((m) => m[1]!);
    if (!blocks.length) continue;
    it(`${doc}: every sbx example parses and is canonical`, () => {
      for (const block of blocks) {
        const syntax = parse(block, doc);
        expect(syntax.diagnostics.map((d) => d.message), block).toEqual([]);
        const formatted = format(block, doc);
        expect("text" in formatted && formatted.text, block).toBe(block);
      }
    });
  }
});
