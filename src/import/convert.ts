/**
 * `sbx import`: a sandbox scenario YAML (swarm-0.1.md §10) to .sbx source.
 *
 * A pure function of the text: every key of the sandbox's schema becomes one
 * .sbx construct; keys the sandbox accepted but never applied are carried
 * over with a warning that says what sbx does with them (SBX5005); keys
 * outside the schema are refused, all of them in one pass (SBX5004). Values
 * are checked against the schema registry's types and ranges here, at the
 * YAML key, so that the output compiles.
 */
import { isMap, isScalar, isSeq, type Node, type Scalar } from "yaml";
import type { Span } from "../text/span.ts";
import { KEYWORD_WORDS } from "../../language/tokens.ts";
import { closest, diagnostic, hasErrors, replaceWith, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Profile } from "../plan/schema.ts";
import { SCENARIO } from "../registry/blocks.ts";
import { LineIndex } from "../text/line-index.ts";
import type { AttrSpec, BlockSpec, Bounds, PlainValue } from "../registry/types.ts";
import { commentOnly, emitScenario, type Criterion, type OutBlock, type OutScenario, type Setting, type SourceMapEntry } from "./emit.ts";
import { canonical } from "./reformat.ts";
import { CRITERIA, keysAt, yamlKey } from "./schema.ts";
import { comments as yamlComments, describeYaml, entries, items, parseYaml, type Entry, type YamlComment, type YamlDoc } from "./yaml-tree.ts";

export interface ImportOptions {
  /** The profile the output selects (default `swarm-0.1`, which reproduces the sandbox). */
  readonly profile?: Profile;
}

export interface ImportResult {
  /** The .sbx source, or null when the YAML was refused. */
  readonly sbx: string | null;
  readonly diagnostics: Diagnostic[];
  /** Output ranges → the YAML ranges they came from, for reporting diagnostics about the output. */
  readonly sourceMap: readonly SourceMapEntry[];
}

const SCRIPTED = ["honest", "opportunistic", "deceptive", "adversarial"] as const;
const AGENT_TYPES = [...SCRIPTED, "llm"] as const;
/** The sandbox's `PersonaType` values (§9.1); the prelude declares a persona for each. */
const PERSONAS = ["honest", "strategic", "adversarial", "open"] as const;
/** `agents[i].type`: not lower-cased by the loader, so `Honest` is an error there too. */
const AGENT_TYPE: AttrSpec = { name: "type", type: { t: "enum", values: AGENT_TYPES }, doc: "", default: "honest" };
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SBX_NUMBER = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

// ---- context -------------------------------------------------------------------------------

interface Ctx {
  readonly text: string;
  readonly file: string;
  readonly doc: YamlDoc;
  readonly profile: Profile;
  readonly diagnostics: Diagnostic[];
  /** Comments at the end of a line holding a key, by line; they go with the setting made from that key. */
  readonly eol: Map<number, YamlComment[]>;
  readonly lines: LineIndex;
}

/** The end-of-line comments on `e`'s key line, as a note and their offsets. */
function eolComments(ctx: Ctx, e: Entry): { note?: string; comments?: number[] } {
  const found = ctx.eol.get(ctx.lines.position(e.keySpan.start).line) ?? [];
  return found.length ? { note: found.map((c) => `yaml: ${c.text}`).join("\n"), comments: found.map((c) => c.offset) } : {};
}

/** A setting with one more comment line above it. */
const withNote = (s: Setting, note: string): Setting => ({ ...s, note: s.note ? `${note}\n${s.note}` : note });

/** Offsets of the YAML comments the written settings carry. */
function placedComments(blocks: readonly OutBlock[], settings: readonly Setting[]): Set<number> {
  const out = new Set<number>();
  const visit = (s: Setting | undefined) => s?.comments?.forEach((c) => out.add(c));
  const walk = (b: OutBlock) => {
    b.settings.forEach(visit);
    visit(b.shorthand);
    b.blocks.forEach(walk);
  };
  settings.forEach(visit);
  blocks.forEach(walk);
  return out;
}

const ZERO: Span = { start: 0, end: 0 };

function warnInert(ctx: Ctx, label: string, e: Entry, what: string): void {
  ctx.diagnostics.push(diagnostic("SBX5005", { key: label, what }, ctx.file, e.keySpan));
}

/**
 * The entries of a YAML mapping whose keys the schema knows at `level`;
 * every other key is refused (SBX5004) with the nearest valid key as a hint.
 */
function known(ctx: Ctx, level: string, node: Node, label: string): Map<string, Entry> {
  const valid = keysAt(level);
  const out = new Map<string, Entry>();
  for (const e of entries(ctx.doc, node, ctx.text)) {
    if (valid.includes(e.key)) {
      out.set(e.key, e);
      continue;
    }
    const suggestion = closest(e.key, valid);
    ctx.diagnostics.push(
      diagnostic("SBX5004", { key: join(label, e.key), suggestion }, ctx.file, e.keySpan, {
        fixes: suggestion ? [replaceWith(ctx.file, e.keySpan, suggestion)] : [],
      }),
    );
  }
  return out;
}

const join = (label: string, key: string): string => (label ? `${label}.${key}` : key);

/** A section's mapping: null or absent reads as empty (as `data.get(key) or {}` did); anything else is an error. */
function section(ctx: Ctx, e: Entry | undefined, label: string): Node | null {
  if (!e || e.value === null || (isScalar(e.value) && e.value.value === null)) return null;
  if (isMap(e.value)) return e.value;
  typeError(ctx, label, "a mapping of keys", e);
  return null;
}

function typeError(ctx: Ctx, label: string, expected: string, e: Entry): undefined {
  ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected, found: describeYaml(e.value) }, ctx.file, e.valueSpan.end > e.valueSpan.start ? e.valueSpan : e.keySpan));
  return undefined;
}

// ---- registry ---------------------------------------------------------------------------------

function blockSpec(path: readonly string[]): BlockSpec {
  let spec: BlockSpec = SCENARIO;
  for (const kind of path) {
    const next = spec.blocks.find((b) => b.kind === kind);
    if (!next) throw new Error(`no block ${path.join(".")} in the registry`);
    spec = next;
  }
  return spec;
}

function attrOf(path: readonly string[], name: string): AttrSpec {
  const spec = blockSpec(path).attrs.find((a) => a.name === name);
  if (!spec) throw new Error(`no attribute ${[...path, name].join(".")} in the registry`);
  return spec;
}

const isInertIn = (profile: Profile, path: readonly string[], name: string | null): boolean => {
  const block = blockSpec(path);
  if (block.inert?.profiles.includes(profile)) return true;
  return name !== null && (attrOf(path, name).inert?.profiles.includes(profile) ?? false);
};

// ---- values -----------------------------------------------------------------------------------

interface Value {
  readonly value: PlainValue;
  /** The value as .sbx source. */
  readonly text: string;
}

interface ReadOptions {
  /** Write a probability as a percentage (`5%`), as the hand-written scenarios write rates and chances. */
  readonly percent?: boolean;
  /** Lower-case enum words first, as the loader did for topology, provider and persona. */
  readonly lower?: boolean;
  /** Allowed words, when the registry's list is wider than the sandbox's. */
  readonly values?: readonly string[];
}

const scalarOf = (e: Entry): Scalar | null => (isScalar(e.value) ? e.value : null);

function boundText(b: Bounds): string {
  const lo = b.min !== undefined ? String(b.min) : null;
  const hi = b.max !== undefined ? String(b.max) : null;
  if (lo !== null && hi !== null) return `between ${lo} and ${hi}`;
  if (lo !== null) return b.minExclusive ? `greater than ${lo}` : `at least ${lo}`;
  return `at most ${hi}`;
}

const violates = (b: Bounds, v: number): boolean => (b.min !== undefined && (b.minExclusive ? v <= b.min : v < b.min)) || (b.max !== undefined && v > b.max);

function expectedText(spec: AttrSpec): string {
  switch (spec.type.t) {
    case "number":
      return spec.type.int ? "a whole number" : "a number";
    case "probability":
      return "a number from 0 to 1";
    case "duration":
      return "a whole number";
    case "bool":
      return "true or false";
    case "string":
      return "a string";
    default:
      return "a word";
  }
}

/** The number as .sbx source: as written in the YAML when that is valid .sbx and exact, else its shortest form. */
export function numberText(value: number, written: string | undefined, percent = false): string {
  if (percent) {
    const scaled = String(Number((value * 100).toPrecision(12)));
    if (/^\d+(\.\d{1,4})?$/.test(scaled) && Number(scaled) / 100 === value) return `${scaled}%`;
  }
  if (written !== undefined) {
    const negative = written.startsWith("-");
    const digits = negative ? written.slice(1) : written.startsWith("+") ? written.slice(1) : written;
    if (SBX_NUMBER.test(digits) && (negative ? -Number(digits) : Number(digits)) === value) return negative ? `-${digits}` : digits;
  }
  const abs = String(Math.abs(value));
  return value < 0 || Object.is(value, -0) ? `-${abs}` : abs;
}

/** A .sbx string literal; multi-line text keeps its escapes on one line. */
export function stringText(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff) || code === 0x2028 || code === 0x2029) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The text of a scalar meant as a string: plain scalars as written (`yes` stays "yes"), quoted ones by value. */
function scalarString(node: Scalar): string | null {
  if (node.value === null || typeof node.value === "object") return null;
  if (node.type === "PLAIN" && typeof node.source === "string") return node.source;
  return String(node.value);
}

/**
 * Read a YAML value for a registry attribute: type, whole-number and range
 * checks at the YAML key. Undefined after an error; null for an explicit null
 * where the attribute allows none.
 */
function read(ctx: Ctx, e: Entry, label: string, spec: AttrSpec, options: ReadOptions = {}): Value | null | undefined {
  const node = scalarOf(e);
  const nullable = spec.default === null;
  if (e.value === null || (node && node.value === null)) {
    if (nullable) return null;
    return typeError(ctx, label, expectedText(spec), e);
  }
  if (!node) return typeError(ctx, label, expectedText(spec), e);
  const t = spec.type;
  switch (t.t) {
    case "number":
    case "probability":
    case "duration": {
      const v = node.value;
      if (typeof v !== "number") return typeError(ctx, label, expectedText(spec), e);
      if (!Number.isFinite(v)) return typeError(ctx, label, "a finite number", e);
      if (((t.t === "duration" && t.unit !== "seconds") || (t.t === "number" && t.int)) && !Number.isInteger(v)) {
        ctx.diagnostics.push(diagnostic("SBX2103", { attribute: label, value: node.source ?? String(v) }, ctx.file, e.valueSpan));
        return undefined;
      }
      if (((t.t === "duration" && t.unit !== "seconds") || (t.t === "number" && t.int)) && !Number.isSafeInteger(v)) {
        ctx.diagnostics.push(diagnostic("SBX3001", { attribute: label, bound: `at most ${Number.MAX_SAFE_INTEGER} in size`, value: node.source ?? String(v) }, ctx.file, e.valueSpan));
        return undefined;
      }
      if (spec.range && violates(spec.range, v)) {
        ctx.diagnostics.push(diagnostic("SBX3001", { attribute: label, bound: boundText(spec.range), value: node.source ?? String(v) }, ctx.file, e.valueSpan));
        return undefined;
      }
      const text = t.t === "duration" ? `${numberText(v, undefined)} ${t.unit}` : numberText(v, node.source, options.percent && t.t === "probability");
      return { value: v, text };
    }
    case "bool":
      if (typeof node.value !== "boolean") return typeError(ctx, label, "true or false", e);
      return { value: node.value, text: String(node.value) };
    case "string": {
      const s = scalarString(node);
      if (s === null) return typeError(ctx, label, "a string", e);
      return { value: s, text: stringText(s) };
    }
    case "enum":
    case "ref": {
      const raw = scalarString(node);
      if (raw === null || typeof node.value !== "string") return typeError(ctx, label, "a word", e);
      const word = options.lower ? raw.toLowerCase() : raw;
      const values = options.values ?? (t.t === "enum" ? t.values : []);
      if (!values.includes(word)) {
        const suggestion = closest(word, values);
        ctx.diagnostics.push(diagnostic("SBX2013", { value: raw, attribute: label, values: values.join(", "), suggestion }, ctx.file, e.valueSpan));
        return undefined;
      }
      return { value: word, text: word };
    }
    default:
      return typeError(ctx, label, expectedText(spec), e);
  }
}

/** Read `key` of `map` into a setting `name` of the block at `path`; absent keys give nothing. */
function setting(ctx: Ctx, map: Map<string, Entry>, key: string, label: string, path: readonly string[], name: string, options: ReadOptions = {}): { setting: Setting; value: PlainValue; entry: Entry } | undefined {
  const e = map.get(key);
  if (!e) return undefined;
  const v = read(ctx, e, join(label, key), attrOf(path, name), options);
  if (v === undefined || v === null) return undefined;
  return { setting: { name, text: v.text, from: e.span, ...eolComments(ctx, e) }, value: v.value, entry: e };
}

// ---- comments ---------------------------------------------------------------------------------

interface SectionComments {
  /** Comments at the top of the file, set off from the first key by a blank line. */
  readonly header: string[];
  /** Comments at column 0 above a top-level key. */
  readonly leading: Map<string, string[]>;
  /** Comments inside a top-level key's section (indented, or on its lines). */
  readonly inner: Map<string, string[]>;
  /** Comments after the last key. */
  readonly trailing: string[];
}

/** YAML comments not placed with a setting, by the top-level key they sit under (indented) or precede (at column 0). */
function sectionComments(text: string, top: readonly Entry[], all: readonly YamlComment[]): SectionComments {
  const out: SectionComments = { header: [], leading: new Map(), inner: new Map(), trailing: [] };
  const add = (map: Map<string, string[]>, key: string, c: YamlComment) => map.set(key, [...(map.get(key) ?? []), `yaml: ${c.text}`]);
  const sorted = [...top].sort((a, b) => a.keySpan.start - b.keySpan.start);
  const first = sorted[0];
  const before = first ? all.filter((c) => c.offset < first.keySpan.start) : [];
  const last = before[before.length - 1];
  const isHeader = first !== undefined && last !== undefined && /\n[ \t]*\r?\n/.test(text.slice(last.offset, first.keySpan.start));
  for (const c of all) {
    if (isHeader && c.offset < first!.keySpan.start) {
      out.header.push(`yaml: ${c.text}`);
      continue;
    }
    const owner = sorted.filter((e) => e.keySpan.start <= c.offset).pop();
    const next = sorted.find((e) => e.keySpan.start > c.offset);
    if (owner && (c.column > 0 || c.offset < owner.span.end)) add(out.inner, owner.key, c);
    else if (next) add(out.leading, next.key, c);
    else out.trailing.push(`yaml: ${c.text}`);
  }
  return out;
}

// ---- the conversion -----------------------------------------------------------------------------

interface Group {
  readonly kind: (typeof AGENT_TYPES)[number];
  readonly count: Value;
  readonly countFrom: Span | null;
  /** Comments on the spec's `type`/`count` lines. */
  readonly countComments: { note?: string; comments?: number[] };
  readonly settings: Setting[];
  readonly persona: string;
  readonly from: Span;
}

export function importYaml(text: string, fileName: string, options: ImportOptions = {}): ImportResult {
  const profile = options.profile ?? "swarm-0.1";
  const parsed = parseYaml(text);
  const diagnostics: Diagnostic[] = [];
  if (!parsed.doc) {
    for (const err of parsed.errors) diagnostics.push(diagnostic("SBX5006", { detail: err.message }, fileName, err.span));
    if (!parsed.errors.length) diagnostics.push(diagnostic("SBX5006", { detail: "the file holds no document; expected a mapping of scenario keys" }, fileName, ZERO));
    return { sbx: null, diagnostics: sortDiagnostics(diagnostics), sourceMap: [] };
  }
  const doc = parsed.doc;
  const root = doc.contents as Node | null;
  if (!root || !isMap(root)) {
    const span = root?.range ? { start: root.range[0], end: root.range[1] } : ZERO;
    const found = root ? describeYaml(root) : "nothing";
    diagnostics.push(diagnostic("SBX5006", { detail: `expected a mapping of scenario keys at the top level, found ${found}` }, fileName, span));
    return { sbx: null, diagnostics: sortDiagnostics(diagnostics), sourceMap: [] };
  }
  const lines = new LineIndex(text);
  const allComments = yamlComments(text).filter((c) => c.text);
  const eol = new Map<number, YamlComment[]>();
  for (const c of allComments) {
    const { line, character } = lines.position(c.offset);
    if (lines.lineText(line).slice(0, character).trim()) eol.set(line, [...(eol.get(line) ?? []), c]);
  }
  const ctx: Ctx = { text, file: fileName, doc, profile, diagnostics, eol, lines };
  const topEntries = entries(doc, root, text);
  const top = known(ctx, "", root, "");

  const name = scenarioName(ctx, top.get("scenario_id"));
  const meta: Setting[] = [];
  for (const key of ["description", "motif"] as const) {
    const s = setting(ctx, top, key, "", [], key);
    if (s) meta.push(s.setting);
  }
  meta.push({ name: "profile", text: stringText(profile), from: null });

  const sim = convertSimulation(ctx, top.get("simulation"));
  const population = convertAgents(ctx, top.get("agents"));
  const network = convertNetwork(ctx, top.get("network"));
  const { payoff, proxy } = convertPayoff(ctx, top.get("payoff"));
  const governance = convertGovernance(ctx, top.get("governance"));
  const rateLimits = convertFlat(ctx, top.get("rate_limits"), "rate_limits", ["posts_per_epoch", "interactions_per_step", "votes_per_epoch", "tasks_per_epoch"]);
  const outputs = convertOutputs(ctx, top.get("outputs"));
  const expect = convertCriteria(ctx, top.get("success_criteria"));

  if (hasErrors(diagnostics)) return { sbx: null, diagnostics: sortDiagnostics(diagnostics), sourceMap: [] };

  const placed = placedComments([population, network, payoff, proxy, governance, rateLimits, outputs].flatMap((b) => (b ? [b] : [])), [...meta, ...sim.settings]);
  const notes = sectionComments(
    text,
    topEntries.filter((e) => top.has(e.key)),
    allComments.filter((c) => !placed.has(c.offset)),
  );
  const commentsOf = (key: string): string[] => [...(notes.leading.get(key) ?? []), ...(notes.inner.get(key) ?? [])];
  const blocks: OutBlock[] = [];
  // A section's YAML comments go with its block, or stand alone where the block would be.
  const withComments = (b: OutBlock | null, key: string): void => {
    const leading = notes.leading.get(key) ?? [];
    const inner = notes.inner.get(key) ?? [];
    if (b) blocks.push({ ...b, comments: [...leading, ...b.comments], trailing: [...(b.trailing ?? []), ...inner] });
    else if (leading.length || inner.length) blocks.push(commentOnly([...leading, ...inner]));
  };
  withComments(population, "agents");
  withComments(network, "network");
  withComments(payoff, "payoff");
  if (proxy) blocks.push(proxy);
  withComments(governance, "governance");
  withComments(rateLimits, "rate_limits");
  withComments(outputs, "outputs");

  const base = fileName.slice(fileName.replace(/\\/g, "/").lastIndexOf("/") + 1);
  const header = [
    `Imported from ${base} (a Distributional AGI Safety Sandbox scenario) by \`sbx import\`.`,
    profile === "swarm-0.1"
      ? 'Profile "swarm-0.1" reproduces the sandbox, dormant mechanisms included.'
      : 'Profile "sbx" runs every mechanism, including those the sandbox left dormant.',
    ...(notes.header.length ? ["", ...notes.header] : []),
  ];
  const scenario: OutScenario = {
    header,
    name: name.text,
    nameFrom: name.from,
    intro: [...commentsOf("scenario_id"), ...commentsOf("description"), ...commentsOf("motif")],
    meta,
    simulationComments: [...commentsOf("simulation"), ...sim.comments],
    simulation: sim.settings,
    blocks,
    expectComments: [...commentsOf("success_criteria"), ...notes.trailing, ...expect.comments],
    criteria: expect.criteria,
    expectFrom: expect.from,
  };
  const draft = emitScenario(scenario);
  const { text: sbx, map } = canonical(draft.text, draft.map, fileName);
  return { sbx, diagnostics: sortDiagnostics(diagnostics), sourceMap: map };
}

function scenarioName(ctx: Ctx, e: Entry | undefined): { text: string; from: Span | null } {
  if (!e) return { text: "unnamed", from: null };
  const node = scalarOf(e);
  const raw = node ? scalarString(node) : null;
  if (e.value === null || (node && node.value === null)) return { text: "unnamed", from: e.span };
  if (raw === null) {
    typeError(ctx, "scenario_id", "a name", e);
    return { text: "unnamed", from: null };
  }
  const plain = PLAIN_NAME.test(raw) && !KEYWORD_WORDS.includes(raw);
  return { text: plain ? raw : stringText(raw), from: e.valueSpan };
}

function convertSimulation(ctx: Ctx, e: Entry | undefined): { settings: Setting[]; comments: string[] } {
  const node = section(ctx, e, "simulation");
  const map = node ? known(ctx, "simulation", node, "simulation") : new Map<string, Entry>();
  const settings: Setting[] = [];
  const comments: string[] = [];
  const seed = map.get("seed");
  const seedNode = seed ? scalarOf(seed) : null;
  if (!seed || seed.value === null || (seedNode && seedNode.value === null)) {
    comments.push("The YAML sets no seed, so the sandbox drew one from the OS; sbx runs are always seeded (42 here).");
    settings.push({ name: "seed", text: "42", from: seed?.span ?? null });
  } else {
    const s = setting(ctx, map, "seed", "simulation", [], "seed");
    if (s) settings.push(s.setting);
  }
  for (const [key, name] of [
    ["n_epochs", "epochs"],
    ["steps_per_epoch", "steps"],
  ] as const) {
    const s = setting(ctx, map, key, "simulation", [], name);
    if (s) settings.push(s.setting);
  }
  return { settings, comments };
}

/** A section whose keys are the block's attribute names (rate_limits). */
function convertFlat(ctx: Ctx, e: Entry | undefined, kind: string, keys: readonly string[]): OutBlock | null {
  const node = section(ctx, e, kind);
  if (!node) return null;
  const map = known(ctx, kind, node, kind);
  const settings = keys.flatMap((key) => setting(ctx, map, key, kind, [kind], key)?.setting ?? []);
  return settings.length ? { head: kind, settings, blocks: [], comments: [], from: e?.keySpan ?? null } : null;
}

function convertPayoff(ctx: Ctx, e: Entry | undefined): { payoff: OutBlock | null; proxy: OutBlock | null } {
  const node = section(ctx, e, "payoff");
  if (!node) return { payoff: null, proxy: null };
  const map = known(ctx, "payoff", node, "payoff");
  const settings: Setting[] = [];
  for (const [key, name] of [
    ["s_plus", "s_plus"],
    ["s_minus", "s_minus"],
    ["h", "harm"],
    ["theta", "theta"],
    ["rho_a", "rho_a"],
    ["rho_b", "rho_b"],
    ["w_rep", "w_rep"],
  ] as const) {
    const s = setting(ctx, map, key, "payoff", ["payoff"], name);
    if (s) settings.push(s.setting);
  }
  let proxy: OutBlock | null = null;
  const k = setting(ctx, map, "sigmoid_k", "payoff", ["proxy"], "sigmoid_k");
  if (k) {
    inertKey(ctx, "payoff.sigmoid_k", k.entry, ["proxy"], "sigmoid_k");
    proxy = { head: "proxy", settings: [k.setting], blocks: [], comments: [inertNote(ctx, "payoff.sigmoid_k", "never read by the sandbox's loader", ["proxy"], "sigmoid_k")], from: k.entry.keySpan };
  }
  return { payoff: settings.length ? { head: "payoff", settings, blocks: [], comments: [], from: e?.keySpan ?? null } : null, proxy };
}

/** SBX5005 for a key sbx keeps as a setting that acts only in profile sbx. */
function inertKey(ctx: Ctx, label: string, e: Entry, path: readonly string[], name: string | null): void {
  const target = [...path, ...(name ? [name] : [])].join(".");
  const what =
    ctx.profile === "swarm-0.1" && isInertIn("swarm-0.1", path, name)
      ? `sbx keeps it as ${target}, inert in this file's profile swarm-0.1 as in the sandbox, applied in profile sbx`
      : `sbx applies it as ${target}${ctx.profile === "sbx" ? " in profile sbx (this file's profile)" : ""}`;
  warnInert(ctx, label, e, what);
}

function inertNote(ctx: Ctx, key: string, why: string, path: readonly string[], name: string | null): string {
  return ctx.profile === "swarm-0.1" && isInertIn("swarm-0.1", path, name) ? `${key}: ${why}; inert in profile swarm-0.1 too, acts in profile sbx` : `${key}: ${why}; profile sbx applies it`;
}

function convertOutputs(ctx: Ctx, e: Entry | undefined): OutBlock | null {
  const node = section(ctx, e, "outputs");
  if (!node) return null;
  const map = known(ctx, "outputs", node, "outputs");
  const settings: Setting[] = [];
  const log = setting(ctx, map, "event_log", "outputs", ["outputs"], "event_log");
  if (log) settings.push(log.setting);
  const csv = setting(ctx, map, "metrics_csv", "outputs", ["outputs"], "metrics_csv");
  if (csv) {
    warnInert(ctx, "outputs.metrics_csv", csv.entry, "sbx writes the per-epoch metrics there (outputs.metrics_csv)");
    settings.push(csv.setting);
  }
  return settings.length ? { head: "outputs", settings, blocks: [], comments: [], from: e?.keySpan ?? null, layout: "aligned" } : null;
}

// ---- agents ---------------------------------------------------------------------------------------

function convertAgents(ctx: Ctx, e: Entry | undefined): OutBlock | null {
  const node = e?.value ?? null;
  const empty = node === null || (isScalar(node) && node.value === null);
  if (e && !empty && !isSeq(node)) {
    typeError(ctx, "agents", "a list of agent specs", e);
    return null;
  }
  const groups: Group[] = [];
  for (const [i, item] of (empty || !node ? [] : items(ctx.doc, node)).entries()) {
    const label = `agents[${i}]`;
    if (!item.node || !isMap(item.node)) {
      ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected: "a mapping with type and count", found: describeYaml(item.node) }, ctx.file, item.span));
      continue;
    }
    const group = convertAgent(ctx, item.node, label, item.span);
    if (group) groups.push(group);
  }
  if (!groups.length) {
    if (!ctx.diagnostics.some((d) => d.severity === "error")) {
      ctx.diagnostics.push(
        diagnostic("SBX3005", { context: "the scenario", what: "at least one agent: add an `agents:` list, e.g. `- type: honest` with `count: 3`" }, ctx.file, e ? e.keySpan : ZERO),
      );
    }
    return null;
  }
  const names = groupNames(groups);
  const blocks: OutBlock[] = groups.map((g, i) => {
    const name = names[i]!;
    if (!g.settings.length && name === g.kind) return { head: g.kind, settings: [], blocks: [], comments: [], from: g.from, shorthand: { name: g.kind, text: g.count.text, from: g.countFrom ?? g.from, ...g.countComments } };
    const head = name === g.kind ? g.kind : `${g.kind} ${name}`;
    return { head, settings: [{ name: "count", text: g.count.text, from: g.countFrom, alone: true, ...g.countComments }, ...g.settings], blocks: [], comments: [], from: g.from };
  });
  return { head: "population", settings: [], blocks, comments: [], from: e?.keySpan ?? null };
}

/**
 * Group names: the kind; when a kind repeats, LLM groups are named after
 * their persona and other kinds get a numeric suffix (`honest`, `honest2`).
 * Names never shadow a kind, so `metric[honest]` keeps selecting the kind.
 */
export function groupNames(groups: readonly { kind: string; persona: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const g of groups) counts.set(g.kind, (counts.get(g.kind) ?? 0) + 1);
  const used = new Set<string>(groups.filter((g) => counts.get(g.kind) === 1).map((g) => g.kind));
  const kinds = new Set<string>(AGENT_TYPES);
  const unique = (base: string, firstPlain: boolean): string => {
    if (firstPlain && !used.has(base)) {
      used.add(base);
      return base;
    }
    for (let n = 2; ; n++) {
      if (!used.has(`${base}${n}`)) {
        used.add(`${base}${n}`);
        return `${base}${n}`;
      }
    }
  };
  return groups.map((g) => {
    if (counts.get(g.kind) === 1) return g.kind;
    if (g.kind === "llm") return unique(kinds.has(g.persona) ? `llm_${g.persona}` : g.persona, true);
    return unique(g.kind, true);
  });
}

function convertAgent(ctx: Ctx, node: Node, label: string, span: Span): Group | null {
  const map = known(ctx, "agents[]", node, label);
  let kind: Group["kind"] = "honest";
  const typeEntry = map.get("type");
  if (typeEntry) {
    const v = read(ctx, typeEntry, `${label}.type`, AGENT_TYPE);
    if (v === undefined || v === null) return null;
    kind = v.value as Group["kind"];
  }
  let count: Value = { value: 1, text: "1" };
  const countEntry = map.get("count");
  if (countEntry) {
    const v = read(ctx, countEntry, `${label}.count`, attrOf(["population", kind], "count"));
    if (v === undefined || v === null) return null;
    count = v;
  }
  for (const key of ["role", "roles", "config"] as const) {
    const ignored = map.get(key);
    if (ignored) warnInert(ctx, `${label}.${key}`, ignored, `sbx drops it: ${yamlKey(`agents[].${key}`)!.note!}`);
  }
  const settings: Setting[] = [];
  let persona = "open";
  const llmEntry = map.get("llm");
  if (llmEntry && kind !== "llm") {
    warnInert(ctx, `${label}.llm`, llmEntry, `sbx drops it: only llm agents read an llm block, and this one is ${kind}`);
  } else if (kind === "llm") {
    const llm = section(ctx, llmEntry, `${label}.llm`);
    if (llm) {
      const out = convertLlm(ctx, llm, `${label}.llm`);
      settings.push(...out.settings);
      persona = out.persona;
    }
  }
  const found = [typeEntry, countEntry].flatMap((x) => (x ? [eolComments(ctx, x)] : [])).filter((c) => c.note);
  const countComments = found.length ? { note: found.map((c) => c.note).join("\n"), comments: found.flatMap((c) => c.comments ?? []) } : {};
  return { kind, count, countFrom: countEntry?.span ?? null, countComments, settings, persona, from: span };
}

function convertLlm(ctx: Ctx, node: Node, label: string): { settings: Setting[]; persona: string } {
  const map = known(ctx, "agents[].llm", node, label);
  const path = ["population", "llm"] as const;
  const settings: Setting[] = [];
  let persona = "open";
  let provider = "anthropic";
  for (const [key, options] of [
    ["provider", { lower: true }],
    ["model", {}],
    ["persona", { lower: true, values: PERSONAS }],
    ["system_prompt", {}],
    ["temperature", {}],
    ["max_tokens", {}],
    ["timeout", {}],
    ["max_retries", {}],
    ["cost_tracking", {}],
  ] as const) {
    const s = setting(ctx, map, key, label, path, key, options);
    if (!s) continue;
    if (key === "persona") persona = s.value as string;
    if (key === "provider") provider = s.value as string;
    settings.push(s.setting);
  }
  const apiKey = map.get("api_key");
  if (apiKey && !(isScalar(apiKey.value) && apiKey.value.value === null)) {
    const variable = provider === "openai" ? "OPENAI_API_KEY" : provider === "ollama" ? null : "ANTHROPIC_API_KEY";
    const what = `sbx never stores API keys in scenarios; ${variable ? `set ${variable} in the environment instead` : "ollama needs none"}`;
    ctx.diagnostics.push(diagnostic("SBX5008", { key: `${label}.api_key`, what }, ctx.file, apiKey.keySpan));
  }
  const baseUrl = map.get("base_url");
  if (baseUrl && !(isScalar(baseUrl.value) && baseUrl.value.value === null)) {
    ctx.diagnostics.push(diagnostic("SBX5008", { key: `${label}.base_url`, what: `${yamlKey("agents[].llm.base_url")!.note!}, so calls go to the provider's default endpoint` }, ctx.file, baseUrl.keySpan));
  }
  const delay = map.get("retry_base_delay");
  if (delay) warnInert(ctx, `${label}.retry_base_delay`, delay, "sbx drops it: the loader never read it, so the sandbox's delay stayed 1.0");
  return { settings, persona };
}

// ---- network ---------------------------------------------------------------------------------------

const NETWORK_PARAMS = [
  // [sbx attribute, params spellings by precedence, top-level spelling]
  ["edge_probability", ["edge_probability"], "edge_probability"],
  ["k_neighbors", ["k", "k_neighbors"], "k_neighbors"],
  ["rewire_probability", ["p", "rewire_probability"], "rewire_probability"],
  ["m_edges", ["m", "m_edges"], "m_edges"],
] as const;

const DYNAMIC_KEYS = [
  ["edge_strengthen_rate", "strengthen_rate"],
  ["edge_decay_rate", "decay_rate"],
  ["min_edge_weight", "min_weight"],
  ["max_edge_weight", "max_weight"],
] as const;

function convertNetwork(ctx: Ctx, e: Entry | undefined): OutBlock | null {
  const node = section(ctx, e, "network");
  if (!node || !e) return null;
  const map = known(ctx, "network", node, "network");
  const paramsEntry = map.get("params");
  const paramsNode = section(ctx, paramsEntry, "network.params");
  const params = paramsNode ? known(ctx, "network.params", paramsNode, "network.params") : new Map<string, Entry>();
  if (!map.size) return null;
  const enabled = map.get("enabled");
  if (enabled) {
    const v = read(ctx, enabled, "network.enabled", attrOf(["network"], "enabled"));
    if (v?.value === false) return commentOnly(["The YAML's network has `enabled: false`: no network (everyone sees everyone), as in the sandbox."]);
  }
  const settings: Setting[] = [];
  const topology = setting(ctx, map, "topology", "network", ["network"], "topology", { lower: true });
  if (topology) settings.push(topology.setting);
  for (const [name, spellings, topLevel] of NETWORK_PARAMS) {
    const candidates: { label: string; entry: Entry; map: Map<string, Entry>; key: string }[] = [
      ...spellings.flatMap((key) => (params.has(key) ? [{ label: `network.params.${key}`, entry: params.get(key)!, map: params, key }] : [])),
      ...(map.has(topLevel) ? [{ label: `network.${topLevel}`, entry: map.get(topLevel)!, map, key: topLevel }] : []),
    ];
    const [winner, ...shadowed] = candidates;
    if (!winner) continue;
    const s = setting(ctx, winner.map, winner.key, winner.label.slice(0, winner.label.lastIndexOf(".")), ["network"], name);
    if (s) settings.push(s.setting);
    for (const loser of shadowed) warnInert(ctx, loser.label, loser.entry, `${winner.label.replace(/^network\./, "")} takes precedence; sbx takes network.${name} from it`);
  }
  const disconnect = setting(ctx, map, "reputation_disconnect_threshold", "network", ["network"], "disconnect_below_reputation");
  if (disconnect) {
    inertKey(ctx, "network.reputation_disconnect_threshold", disconnect.entry, ["network"], "disconnect_below_reputation");
    settings.push(withNote(disconnect.setting, inertNote(ctx, "reputation_disconnect_threshold", "never applied by the sandbox", ["network"], "disconnect_below_reputation")));
  }
  const blocks: OutBlock[] = [];
  const dynamicEntry = map.get("dynamic");
  const dynamicOn = dynamicEntry ? read(ctx, dynamicEntry, "network.dynamic", attrOf(["network", "dynamic"], "enabled")) : undefined;
  const rates = DYNAMIC_KEYS.flatMap(([key, name]) => {
    const s = setting(ctx, map, key, "network", ["network", "dynamic"], name);
    return s ? [{ ...s, isDefault: s.value === attrOf(["network", "dynamic"], name).default }] : [];
  });
  if (dynamicOn?.value === true) blocks.push({ head: "dynamic", settings: rates.map((r) => r.setting), blocks: [], comments: [], from: dynamicEntry!.span });
  else if (rates.some((r) => !r.isDefault)) {
    // Static edges, but the rates are kept, as the sandbox's config kept them.
    const off: Setting = { name: "enabled", text: "false", from: dynamicEntry?.span ?? null };
    blocks.push({ head: "dynamic", settings: [off, ...rates.filter((r) => !r.isDefault).map((r) => r.setting)], blocks: [], comments: [], from: dynamicEntry?.span ?? null });
  }
  return { head: "network", settings, blocks, comments: [], from: e.keySpan };
}

// ---- governance ---------------------------------------------------------------------------------------

interface LeverKey {
  readonly key: string;
  readonly attr: string;
  readonly percent?: boolean;
  /** A legacy alias the canonical key overrides. */
  readonly alias?: string;
  /** Accepted but never applied by the sandbox. */
  readonly inert?: boolean;
}

interface LeverMap {
  readonly lever: string;
  /** The `*_enabled` switch; null when the lever acts whenever its values do something. */
  readonly enabledKey: string | null;
  readonly keys: readonly LeverKey[];
  /** For levers without a switch: whether the written values make it act. */
  readonly acts?: (values: ReadonlyMap<string, PlainValue>, present: ReadonlySet<string>) => boolean;
  /** The switch itself was never applied by the sandbox. */
  readonly inertSwitch?: boolean;
}

export const LEVER_MAP: readonly LeverMap[] = [
  {
    lever: "transaction_tax",
    enabledKey: null,
    keys: [
      { key: "transaction_tax_rate", attr: "rate", percent: true, alias: "transaction_tax" },
      { key: "transaction_tax_split", attr: "split", percent: true },
    ],
    acts: (v) => (v.get("rate") ?? 0) !== 0,
  },
  { lever: "reputation_decay", enabledKey: null, keys: [{ key: "reputation_decay_rate", attr: "rate", alias: "reputation_decay" }], acts: (v) => (v.get("rate") ?? 1) !== 1 },
  { lever: "vote_normalization", enabledKey: "vote_normalization_enabled", inertSwitch: true, keys: [{ key: "max_vote_weight_per_agent", attr: "max_weight", inert: true }] },
  // The sandbox defined a cap with no switch and never applied it; writing it down is what turns it on in sbx.
  { lever: "bandwidth", enabledKey: null, keys: [{ key: "bandwidth_cap", attr: "cap", inert: true }], acts: (_v, present) => present.has("cap") },
  {
    lever: "staking",
    enabledKey: "staking_enabled",
    keys: [
      { key: "min_stake_to_participate", attr: "min_stake" },
      { key: "stake_slash_rate", attr: "slash_rate", percent: true, inert: true },
    ],
  },
  {
    lever: "circuit_breaker",
    enabledKey: "circuit_breaker_enabled",
    keys: [
      { key: "freeze_threshold_toxicity", attr: "toxicity" },
      { key: "freeze_threshold_violations", attr: "violations" },
      { key: "freeze_duration_epochs", attr: "freeze" },
    ],
  },
  {
    lever: "audit",
    enabledKey: "audit_enabled",
    keys: [
      { key: "audit_probability", attr: "probability", percent: true },
      { key: "audit_penalty_multiplier", attr: "penalty_multiplier" },
      { key: "audit_threshold_p", attr: "threshold_p" },
    ],
  },
  {
    lever: "collusion",
    enabledKey: "collusion_detection_enabled",
    keys: [
      { key: "collusion_frequency_threshold", attr: "frequency_threshold" },
      { key: "collusion_correlation_threshold", attr: "correlation_threshold" },
      { key: "collusion_min_interactions", attr: "min_interactions" },
      { key: "collusion_score_threshold", attr: "score_threshold" },
      { key: "collusion_penalty_multiplier", attr: "penalty_multiplier" },
      { key: "collusion_realtime_penalty", attr: "realtime_penalty" },
      { key: "collusion_realtime_rate", attr: "realtime_rate" },
      { key: "collusion_clear_history_on_epoch", attr: "clear_history_on_epoch" },
    ],
  },
];

function convertGovernance(ctx: Ctx, e: Entry | undefined): OutBlock | null {
  const node = section(ctx, e, "governance");
  if (!node) return null;
  const map = known(ctx, "governance", node, "governance");
  const levers: OutBlock[] = [];
  for (const lever of LEVER_MAP) {
    const path = ["governance", lever.lever];
    const values = new Map<string, PlainValue>();
    const written: { setting: Setting; isDefault: boolean }[] = [];
    const present = new Set<string>();
    for (const k of lever.keys) {
      let key = k.key;
      if (k.alias && map.has(k.alias)) {
        if (map.has(k.key)) warnInert(ctx, `governance.${k.alias}`, map.get(k.alias)!, `${k.key} takes precedence; sbx takes governance.${lever.lever}.${k.attr} from it`);
        else key = k.alias;
      }
      const s = setting(ctx, map, key, "governance", path, k.attr, { percent: k.percent === true });
      if (!s) continue;
      present.add(k.attr);
      values.set(k.attr, s.value);
      let note: string | undefined;
      if (k.inert) {
        inertKey(ctx, `governance.${key}`, s.entry, path, k.attr);
        note = inertNote(ctx, key, "never applied by the sandbox", path, k.attr);
      }
      written.push({ setting: note ? withNote(s.setting, note) : s.setting, isDefault: s.value === attrOf(path, k.attr).default });
    }
    let on: boolean;
    let switchEntry: Entry | undefined;
    if (lever.enabledKey) {
      switchEntry = map.get(lever.enabledKey);
      const v = switchEntry ? read(ctx, switchEntry, `governance.${lever.enabledKey}`, attrOf(path, "enabled")) : undefined;
      on = v?.value === true;
      if (switchEntry && lever.inertSwitch && v) inertKey(ctx, `governance.${lever.enabledKey}`, switchEntry, path, null);
    } else on = lever.acts!(values, present);
    const comments: string[] = [];
    if (on) {
      if (lever.inertSwitch && switchEntry) comments.push(inertNote(ctx, lever.enabledKey!, "never applied by the sandbox", path, null));
      levers.push({ head: lever.lever, settings: written.map((w) => w.setting), blocks: [], comments, from: switchEntry?.span ?? written[0]?.setting.from ?? null });
      continue;
    }
    // Off: written down only to keep values that differ from the defaults (the plan records them).
    const kept = written.filter((w) => !w.isDefault).map((w) => w.setting);
    if (!kept.length) continue;
    const off: Setting[] = lever.enabledKey ? [{ name: "enabled", text: "false", from: switchEntry?.span ?? null }] : [];
    levers.push({ head: lever.lever, settings: [...off, ...kept], blocks: [], comments, from: switchEntry?.span ?? kept[0]!.from });
  }
  return levers.length ? { head: "governance", settings: [], blocks: levers, comments: [], from: e?.keySpan ?? null } : null;
}

// ---- success criteria ---------------------------------------------------------------------------------

function convertCriteria(ctx: Ctx, e: Entry | undefined): { criteria: Criterion[]; comments: string[]; from: Span | null } {
  const node = section(ctx, e, "success_criteria");
  if (!node) return { criteria: [], comments: [], from: null };
  const map = known(ctx, "success_criteria", node, "success_criteria");
  const criteria: Criterion[] = [];
  const unevaluated: string[] = [];
  for (const [key, entry] of map) {
    const mapping = CRITERIA.find((c) => c.key === key)!;
    const label = `success_criteria.${key}`;
    const scalar = scalarOf(entry);
    const v = scalar?.value;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      typeError(ctx, label, typeof v === "number" ? "a finite number" : "a number", entry);
      continue;
    }
    const expr = `${mapping.lhs} ${mapping.cmp} ${numberText(v, scalar!.source)}`;
    if (!mapping.evaluated) {
      unevaluated.push(key);
      warnInert(ctx, label, entry, `sbx now evaluates it, as \`${expr}\``);
    }
    criteria.push({ label: key, expr, from: entry.span });
  }
  const list = unevaluated.length > 1 ? `${unevaluated.slice(0, -1).join(", ")} and ${unevaluated[unevaluated.length - 1]}` : unevaluated[0];
  const comments = unevaluated.length ? [`The sandbox's runner never evaluated ${list}; sbx does.`] : [];
  return { criteria, comments, from: e?.keySpan ?? null };
}
