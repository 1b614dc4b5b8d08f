/** docs/town.md shows the temperament's defaults as the registry holds them, and names every town metric. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { METRICS } from "../../src/metrics/registry.ts";
import { DEFAULT_TEMPERAMENT, TEMPERAMENT } from "../../src/mechanisms/town/language.ts";
import { ROOT } from "../support/golden.ts";

const doc = readFileSync(join(ROOT, "docs/town.md"), "utf8");

describe("docs/town.md", () => {
  it("shows the temperament table exactly as the registry's defaults", () => {
    const lines = doc.split("\n");
    const start = lines.findIndex((l) => l.startsWith("| action | base |"));
    const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
    const rows = lines.slice(start + 2, end);
    const table = Object.fromEntries(rows.map((l) => {
      const cells = l.split("|").slice(1, -1).map((c) => c.trim());
      return [cells[0]!.replace(/`/g, ""), cells.slice(1).map(Number)];
    }));
    expect(table).toEqual(Object.fromEntries(Object.entries(DEFAULT_TEMPERAMENT).map(([k, v]) => [k, [...v]])));
    // And the registry's temperament block lowers those same defaults.
    for (const b of TEMPERAMENT.blocks) {
      const [base, ...coefs] = DEFAULT_TEMPERAMENT[b.kind as keyof typeof DEFAULT_TEMPERAMENT];
      expect(b.attrs.map((a) => a.default), b.kind).toEqual([base, ...coefs]);
    }
  });

  it("defines every town metric", () => {
    for (const m of METRICS.filter((x) => x.name.startsWith("town."))) expect(doc, m.name).toContain(`\`${m.name}\``);
  });
});
