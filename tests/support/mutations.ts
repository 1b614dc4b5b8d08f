/**
 * Inputs for the front end's property tests and `npm run fuzz`: the shipped
 * scenarios, sweeps, standard library, documentation examples and compiler
 * golden inputs, mutated by inserting, deleting and replacing slices of any
 * size with language fragments or arbitrary Unicode text; and the front end
 * itself (parse, check, lower, and every sweep's cells), with the invariants
 * every input must keep: nothing throws, every diagnostic has a code from the
 * catalogue and a span inside its file.
 */
import fc from "fast-check";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "../../language/syntax.ts";
import { compile } from "../../src/compiler/index.ts";
import { memoryHost, type SourceHost } from "../../src/compiler/host.ts";
import { sweepDiagnostics } from "../../src/compiler/sweep.ts";
import { isCode } from "../../src/diagnostics/catalogue.ts";

// Found from this file, not from tests/support/golden.ts: `npm run fuzz` loads this module outside vitest.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const STDLIB = join(ROOT, "stdlib");
const diskHost = (): SourceHost => ({ stdlibDir: STDLIB, readFile: (p) => (existsSync(p) ? readFileSync(p, "utf8") : undefined) });

/** A source to mutate, with the files next to it (what its relative imports find). */
export interface Seed {
  readonly name: string;
  readonly text: string;
  readonly siblings: Readonly<Record<string, string>>;
}

export const ENTRY = "/virtual/input.sbx";

function folderSeeds(dir: string, prefix: string): Seed[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".sbx")).sort();
  const texts = new Map(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  return files.map((f) => ({
    name: `${prefix}/${f}`,
    text: texts.get(f)!,
    siblings: Object.fromEntries([...texts].filter(([g]) => g !== f).map(([g, t]) => [`/virtual/${g}`, t])),
  }));
}

/** Every .sbx the project ships or tests with, sweeps included. */
export const SEEDS: readonly Seed[] = [
  ...folderSeeds(join(ROOT, "scenarios"), "scenarios"),
  ...folderSeeds(join(ROOT, "docs/profiles"), "docs/profiles"),
  ...folderSeeds(STDLIB, "stdlib"),
  ...readdirSync(join(ROOT, "tests/golden/compile"))
    .filter((d) => statSync(join(ROOT, "tests/golden/compile", d)).isDirectory())
    .sort()
    .flatMap((d) => folderSeeds(join(ROOT, "tests/golden/compile", d), `golden/${d}`).filter((s) => s.name.endsWith("/input.sbx"))),
];

export const FRAGMENTS = [
  "{", "}", "=", "[", "]", "(", ")", ",", ".", "..", "%", '"', '"""', "//", "/*", "*/", "\n", "\r\n", " ", "\t",
  "scenario", "population", "honest", "adversarial", "governance", "audit", "network", "topology = small_world", "expect", "mean(", "toxicity",
  "<=", "0.3", "5%", "2 epochs", "extends", "import", "seeds", "vary", "sweep", "arm", "in", "by", "-", "not", "and", "[adversarial]",
  "llm", "persona", "policy", "@", "\\", "1e309", "9007199254740993", "100000000", "0x10", "seeds.upper(", "/ 0", "1..100000000", "é", "😀", "\u0000", "\uFEFF",
];

/** Text to insert: a fragment, a run of fragments, or any Unicode string (lone surrogates included). */
const insertion = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((xs) => xs.join(" ")) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 200 }) },
);

export interface Mutation {
  readonly seed: number;
  readonly edits: readonly { readonly at: number; readonly remove: number; readonly insert: string }[];
}

/** Up to 20 edits, each removing up to 300 characters and inserting up to a few hundred. */
export const mutation: fc.Arbitrary<Mutation> = fc.record({
  seed: fc.nat({ max: SEEDS.length - 1 }),
  edits: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.oneof(fc.nat({ max: 12 }), fc.nat({ max: 300 })), insert: insertion }), { minLength: 1, maxLength: 20 }),
});

export function applyEdits(text: string, edits: Mutation["edits"]): string {
  let out = text;
  for (const e of edits) {
    const at = Math.floor(e.at * out.length);
    out = out.slice(0, at) + e.insert + out.slice(at + e.remove);
  }
  return out;
}

/** Arbitrary text: any Unicode, or a soup of language fragments. */
export const arbitraryText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }).map((xs) => xs.join(" ")),
);

/** What one input did to the front end. */
export interface FrontEndOutcome {
  readonly diagnostics: number;
  readonly errors: number;
  /** Invariants broken (a code outside the catalogue, a span outside its file). */
  readonly problems: readonly string[];
}

/** Parse, compile (check and lower) and check every sweep's cells, as `sbx compile` does; throws only if the front end does. */
export function frontEnd(text: string, siblings: Readonly<Record<string, string>> = {}): FrontEndOutcome {
  parse(text, ENTRY);
  const host = memoryHost({ [ENTRY]: text, ...siblings }, STDLIB, diskHost());
  const result = compile(host, [ENTRY]);
  const all = [...result.diagnostics, ...sweepDiagnostics(result)];
  const problems: string[] = [];
  for (const d of all) {
    if (!isCode(d.code)) problems.push(`unknown code ${d.code}`);
    if (!d.span) continue;
    const file = result.program.modules.get(d.file)?.text ?? (d.file.startsWith("<") ? null : siblings[d.file] ?? null);
    if (d.span.start < 0 || d.span.end < d.span.start) problems.push(`${d.code}: bad span ${d.span.start}..${d.span.end}`);
    if (file !== null && d.span.end > file.length) problems.push(`${d.code}: span ${d.span.start}..${d.span.end} past the end of ${d.file} (${file.length})`);
  }
  return { diagnostics: all.length, errors: all.filter((d) => d.severity === "error").length, problems };
}

/** A mutated input, ready for the front end. */
export function mutated(m: Mutation): { text: string; siblings: Readonly<Record<string, string>>; from: string } {
  const seed = SEEDS[m.seed]!;
  return { text: applyEdits(seed.text, m.edits), siblings: seed.siblings, from: seed.name };
}
