/** Properties of the sweep's summary statistics and of its ledger's CSV. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvLine } from "../../src/cli/run-writer.ts";
import { parseCsv } from "../../src/cli/sweep-files.ts";
import { summarizeValues } from "../../src/cli/sweep-stats.ts";

const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: 2, maxLength: 40 });
const spread = (xs: readonly number[]) => Math.max(...xs) - Math.min(...xs);

describe("summarizeValues", () => {
  it("puts the mean inside its confidence interval, between the smallest and largest value", () => {
    fc.assert(
      fc.property(sample, (xs) => {
        const s = summarizeValues(xs);
        const slack = 1e-9 * (1 + Math.max(...xs.map(Math.abs)));
        expect(s.n).toBe(xs.length);
        expect(s.sd!).toBeGreaterThanOrEqual(0);
        expect(s.ci!.lower).toBeLessThanOrEqual(s.mean! + slack);
        expect(s.ci!.upper).toBeGreaterThanOrEqual(s.mean! - slack);
        expect(s.mean!).toBeGreaterThanOrEqual(Math.min(...xs) - slack);
        expect(s.mean!).toBeLessThanOrEqual(Math.max(...xs) + slack);
      }),
    );
  });

  it("narrows the interval as the sample grows (the same values observed twice as often)", () => {
    fc.assert(
      fc.property(
        sample.filter((xs) => spread(xs) > 1e-3),
        (xs) => {
          const once = summarizeValues(xs).ci!;
          const twice = summarizeValues([...xs, ...xs]).ci!;
          expect(twice.upper - twice.lower).toBeLessThan(once.upper - once.lower);
        },
      ),
    );
  });

  it("widens the interval with the confidence level", () => {
    fc.assert(
      fc.property(
        sample.filter((xs) => spread(xs) > 1e-3),
        (xs) => {
          const ninety = summarizeValues(xs, 0.9).ci!;
          const ninetyNine = summarizeValues(xs, 0.99).ci!;
          expect(ninetyNine.upper - ninetyNine.lower).toBeGreaterThan(ninety.upper - ninety.lower);
        },
      ),
    );
  });

  it("leaves undefined values out, and has no spread or interval below two values", () => {
    expect(summarizeValues([])).toEqual({ n: 0, mean: null, sd: null, ci: null });
    expect(summarizeValues([null, 3, null])).toEqual({ n: 1, mean: 3, sd: null, ci: null });
    expect(summarizeValues([1, null, 3]).n).toBe(2);
  });

  it("matches a hand-computed Student-t interval", () => {
    // mean 2, sd 1, n 3: half-width t(0.975, 2) · 1/√3 = 4.302653 · 0.577350 = 2.484138
    const s = summarizeValues([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.sd).toBeCloseTo(1, 12);
    expect(s.ci!.lower).toBeCloseTo(2 - 2.484138, 5);
    expect(s.ci!.upper).toBeCloseTo(2 + 2.484138, 5);
  });
});

describe("the ledger's CSV", () => {
  const field = fc.oneof(fc.string(), fc.double({ noNaN: true }), fc.integer(), fc.boolean(), fc.constantFrom("a,b", 'say "hi"', "two\nlines"));

  it("reads back exactly what csvLine wrote, numbers included", () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { maxLength: 6 }), (rows) => {
        const text = rows.map((r) => csvLine(r)).join("");
        const parsed = parseCsv(text);
        expect(parsed.complete).toBe(text.length);
        expect(parsed.records).toEqual(rows.map((r) => r.map((v) => String(v))));
        // Numbers survive the round trip bit for bit, which is what makes resumed summaries equal fresh ones.
        rows.forEach((r, i) => r.forEach((v, j) => typeof v === "number" && expect(Object.is(Number(parsed.records[i]![j]), v) || (v === 0 && Number(parsed.records[i]![j]) === 0)).toBe(true)));
      }),
    );
  });

  it("ends the finished part before a row cut short", () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.nat(), (rows, cut) => {
        const text = rows.map((r) => csvLine(r)).join("");
        const at = cut % (text.length + 1);
        const parsed = parseCsv(text.slice(0, at));
        const finished = parseCsv(text.slice(0, parsed.complete)).records;
        expect(finished).toEqual(parsed.records);
        expect(rows.slice(0, finished.length).map((r) => r.map((v) => String(v)))).toEqual(finished);
      }),
    );
  });
});
