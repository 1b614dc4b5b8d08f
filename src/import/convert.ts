/**
 * `sbx import`: a sandbox scenario YAML (docs/sandbox.md §10) to .sbx source.
 *
 * A pure function of the text. Which key sets which .sbx setting is the
 * registry's (./schema.ts reads it from the attributes' `reference`), and each
 * value is judged by the compiler's own value checks at the YAML value
 * (./values.ts). Keys the sandbox accepted but never applied are carried over
 * with a warning that says what sbx does with them (SBX5005); keys outside the
 * schema are refused, all of them in one pass (SBX5004).
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Span } from "../text/span.ts";
import { KEYWORD_WORDS } from "../../language/tokens.ts";
import { closest, diagnostic, fileDiagnostic, hasErrors, replaceWith, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Profile } from "../plan/schema.ts";
import { GOVERNANCE, LLM_AGENT, NETWORK, POPULATION } from "../registry/blocks.ts";
import type { AttrSpec, PlainValue } from "../registry/types.ts";
import { LineIndex } from "../text/line-index.ts";
import { commentOnly, emitScenario, type Criterion, type OutBlock, type OutScenario, type Setting, type SourceMapEntry } from "./emit.ts";
import { canonical } from "./reformat.ts";
import {
  AGENT_TYPES,
  AGENTS,
  ALIASES,
  CRITERIA,
  keysAt,
  NEVER_APPLIED,
  parentOf,
  STYLES,
  swarmInertness,
  TARGETS,
  targetsOf,
  UNMAPPED,
  withinSection,
  yamlKey,
  type NeverApplied,
  type Target,
} from "./schema.ts";
import { isNull, numberText, read, scalarString, stringText, typeError, type Value } from "./values.ts";
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

type Kind = (typeof AGENT_TYPES)[number];
/** `agents[i].type`: not lower-cased by the loader, so `Honest` is an error there too. */
const AGENT_TYPE: AttrSpec = { name: "type", type: { t: "enum", values: AGENT_TYPES }, doc: "", default: "honest" };
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Blocks laid out one setting per line, as the hand-written scenarios lay them out. */
const ALIGNED = new Set(["outputs"]);

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

/** A known key of the YAML, by its path in the schema (`governance.audit_probability`, `agents[].llm.model`). */
interface Found {
  readonly entry: Entry;
  /** The key as messages name it: `agents[2].llm.model`. */
  readonly label: string;
}

type Keys = Map<string, Found>;

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


function warnInert(ctx: Ctx, label: string, e: Entry, what: string): void {
  ctx.diagnostics.push(diagnostic("SBX5005", { key: label, what }, ctx.file, e.keySpan));
}

const join = (label: string, key: string): string => (label ? `${label}.${key}` : key);

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

/**
 * The known keys of the mapping at `level` into `keys`, with those of the
 * sections inside it; the agents list is read item by item (convertAgent).
 */
function collect(ctx: Ctx, level: string, node: Node, label: string, keys: Keys): Map<string, Entry> {
  const map = known(ctx, level, node, label);
  for (const [key, entry] of map) {
    const path = join(level, key);
    keys.set(path, { entry, label: join(label, key) });
    if (yamlKey(path)?.handling !== "section" || path.startsWith(AGENTS)) continue;
    const inner = section(ctx, entry, join(label, key));
    if (inner) collect(ctx, path, inner, join(label, key), keys);
  }
  return map;
}

/** A section's mapping: null or absent reads as empty (as `data.get(key) or {}` did); anything else is an error. */
function section(ctx: Ctx, e: Entry | undefined, label: string): Node | null {
  if (!e || isNull(e)) return null;
  if (isMap(e.value)) return e.value;
  typeError(ctx, label, "a mapping of keys", e);
  return null;
}

// ---- settings, by the registry ----------------------------------------------------------------

interface Written {
  readonly target: Target;
  readonly setting: Setting;
  readonly value: PlainValue;
}

interface BlockRead {
  /** The attributes' settings, in registry order. */
  readonly written: readonly Written[];
  /** The block's switch, when the YAML sets it. */
  readonly switched?: { readonly on: boolean; readonly found: Found; readonly target: Target };
}

/**
 * Every setting of the block at `block` that the YAML sets (of those `only`
 * admits), in registry order: from the registry's key, or else from the first
 * other spelling present; the spellings it shadows are warned about.
 */
function readBlock(ctx: Ctx, keys: Keys, block: readonly string[], only: (t: Target) => boolean = () => true): BlockRead {
  const written: Written[] = [];
  let switched: BlockRead["switched"];
  for (const t of targetsOf(block).filter(only)) {
    const [found, ...shadowed] = [t.yaml, ...(ALIASES[t.sbx] ?? [])].flatMap((path) => keys.get(path) ?? []);
    if (!found) continue;
    for (const s of shadowed) warnInert(ctx, s.label, s.entry, `${withinSection(found.label)} takes precedence; sbx takes ${t.sbx} from it`);
    const v = read(ctx, found.entry, found.label, t.attr, STYLES[t.sbx]);
    if (v === undefined || v === null) continue;
    const never = NEVER_APPLIED[t.sbx];
    if (never) warnInert(ctx, found.label, found.entry, never.instead ? `${never.instead} (${t.sbx})` : keptAs(ctx, t));
    if (t.switch) {
      switched = { on: v.value === true, found, target: t };
      continue;
    }
    const setting: Setting = { name: t.attr.name, text: v.text, from: found.entry.span, ...eolComments(ctx, found.entry) };
    written.push({ target: t, setting: never && swarmInertness(t) ? withNote(setting, keptNote(ctx, t, found.label, never)) : setting, value: v.value });
  }
  return { written, ...(switched ? { switched } : {}) };
}

/** What sbx does with a key the sandbox never applied (SBX5005). */
function keptAs(ctx: Ctx, t: Target): string {
  return ctx.profile === "swarm-0.1" && swarmInertness(t)
    ? `sbx keeps it as ${t.sbx}, inert in this file's profile swarm-0.1 as in the sandbox, applied in profile sbx`
    : `sbx applies it as ${t.sbx}${ctx.profile === "sbx" ? " in profile sbx (this file's profile)" : ""}`;
}

/** The comment above such a setting; the key is named within its section when the block is that section's. */
function keptNote(ctx: Ctx, t: Target, label: string, never: NeverApplied): string {
  const key = label.startsWith(`${t.block[0]}.`) ? withinSection(label) : label;
  const why = never.why ?? "never applied by the sandbox";
  return ctx.profile === "swarm-0.1" ? `${key}: ${why}; inert in profile swarm-0.1 too, acts in profile sbx` : `${key}: ${why}; profile sbx applies it`;
}

const hasSwitch = (block: readonly string[]): boolean => targetsOf(block).some((t) => t.switch);

/**
 * Whether a block a switch turns on (a lever, dynamic edges) acts: its switch
 * is on; or, without a switch, a written value differs from what the block's
 * absence lowers to (`off`) — or, where no attribute has such a value,
 * anything is written.
 */
function acts(block: readonly string[], read: BlockRead): boolean {
  if (hasSwitch(block)) return read.switched?.on === true;
  if (!targetsOf(block).some((t) => t.attr.off !== undefined)) return read.written.length > 0;
  return read.written.some((w) => w.target.attr.off !== undefined && w.value !== w.target.attr.off);
}

/** The block when it acts; when not, written down only to keep values that differ from the defaults (the plan records them). */
function switchable(ctx: Ctx, block: readonly string[], read: BlockRead): OutBlock | null {
  const head = block[block.length - 1]!;
  const from = read.switched?.found.entry.span;
  if (acts(block, read)) {
    const s = read.switched;
    const never = s && NEVER_APPLIED[s.target.sbx];
    const comments = s && never && swarmInertness(s.target) ? [keptNote(ctx, s.target, s.found.label, never)] : [];
    return { head, settings: read.written.map((w) => w.setting), blocks: [], comments, from: from ?? read.written[0]?.setting.from ?? null };
  }
  const kept = read.written.filter((w) => w.value !== w.target.attr.default).map((w) => w.setting);
  if (!kept.length) return null;
  const off: Setting[] = hasSwitch(block) ? [{ name: "enabled", text: "false", from: from ?? null }] : [];
  return { head, settings: [...off, ...kept], blocks: [], comments: [], from: from ?? kept[0]!.from };
}

/** The blocks the keys of a section set (`payoff`: `payoff`, and `proxy` for sigmoid_k), each when it has settings. */
function sectionBlocks(ctx: Ctx, keys: Keys, name: string): OutBlock[] {
  const inSection = (t: Target) => parentOf(t.yaml) === name;
  const blocks = [...new Map(TARGETS.filter(inSection).map((t) => [t.block.join("."), t.block])).values()];
  return blocks.flatMap((block) => {
    const settings = readBlock(ctx, keys, block, inSection).written.map((w) => w.setting);
    const head = block.join(".");
    return settings.length ? [{ head, settings, blocks: [], comments: [], from: keys.get(name)?.entry.keySpan ?? null, ...(ALIGNED.has(head) ? { layout: "aligned" as const } : {}) }] : [];
  });
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
  readonly kind: Kind;
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
    if (!parsed.errors.length) diagnostics.push(fileDiagnostic("SBX5006", { detail: "the file holds no document; expected a mapping of scenario keys" }, fileName));
    return { sbx: null, diagnostics: sortDiagnostics(diagnostics), sourceMap: [] };
  }
  const doc = parsed.doc;
  const root = doc.contents as Node | null;
  if (!root || !isMap(root)) {
    const found = root ? describeYaml(root) : "nothing";
    const params = { detail: `expected a mapping of scenario keys at the top level, found ${found}` };
    diagnostics.push(root?.range ? diagnostic("SBX5006", params, fileName, { start: root.range[0], end: root.range[1] }) : fileDiagnostic("SBX5006", params, fileName));
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
  const keys: Keys = new Map();
  const top = collect(ctx, "", root, "", keys);

  const name = scenarioName(ctx, top.get("scenario_id"));
  const own = convertScenario(ctx, keys);
  const meta: Setting[] = [...own.meta, { name: "profile", text: stringText(profile), from: null }];
  // Each section's blocks, in the order the hand-written scenarios write them; the first is the section's own.
  const sections: [string, OutBlock | null, ...OutBlock[]][] = [
    [AGENTS, convertAgents(ctx, top.get(AGENTS))],
    ["network", convertNetwork(ctx, keys)],
    ownFirst("payoff", sectionBlocks(ctx, keys, "payoff")),
    ["governance", convertGovernance(ctx, keys)],
    ownFirst("rate_limits", sectionBlocks(ctx, keys, "rate_limits")),
    ownFirst("outputs", sectionBlocks(ctx, keys, "outputs")),
  ];
  const expect = convertCriteria(ctx, keys);

  if (hasErrors(diagnostics)) return { sbx: null, diagnostics: sortDiagnostics(diagnostics), sourceMap: [] };

  const written = sections.flatMap(([, ...bs]) => bs.flatMap((b) => (b ? [b] : [])));
  const placed = placedComments(written, [...meta, ...own.simulation]);
  const notes = sectionComments(
    text,
    topEntries.filter((e) => top.has(e.key)),
    allComments.filter((c) => !placed.has(c.offset)),
  );
  const commentsOf = (key: string): string[] => [...(notes.leading.get(key) ?? []), ...(notes.inner.get(key) ?? [])];
  const blocks: OutBlock[] = [];
  // A section's YAML comments go with its block, or stand alone where the block would be.
  for (const [key, b, ...others] of sections) {
    const leading = notes.leading.get(key) ?? [];
    const inner = notes.inner.get(key) ?? [];
    if (b) blocks.push({ ...b, comments: [...leading, ...b.comments], trailing: [...(b.trailing ?? []), ...inner] });
    else if (leading.length || inner.length) blocks.push(commentOnly([...leading, ...inner]));
    blocks.push(...others);
  }

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
    intro: ["scenario_id", ...targetsOf([]).filter((t) => parentOf(t.yaml) === "").map((t) => t.yaml)].flatMap(commentsOf),
    meta,
    simulationComments: [...commentsOf("simulation"), ...own.comments],
    simulation: own.simulation,
    blocks,
    expectComments: [...commentsOf("success_criteria"), ...notes.trailing, ...expect.comments],
    criteria: expect.criteria,
    expectFrom: expect.from,
  };
  const draft = emitScenario(scenario);
  const { text: sbx, map } = canonical(draft.text, draft.map, fileName);
  return { sbx, diagnostics: sortDiagnostics(diagnostics), sourceMap: map };
}

/** A section's blocks, the one named like the section first. */
function ownFirst(name: string, blocks: readonly OutBlock[]): [string, OutBlock | null, ...OutBlock[]] {
  return [name, blocks.find((b) => b.head === name) ?? null, ...blocks.filter((b) => b.head !== name)];
}

function scenarioName(ctx: Ctx, e: Entry | undefined): { text: string; from: Span | null } {
  if (!e) return { text: "unnamed", from: null };
  const node = isScalar(e.value) ? e.value : null;
  const raw = node ? scalarString(node) : null;
  if (isNull(e)) return { text: "unnamed", from: e.span };
  if (raw === null) {
    typeError(ctx, "scenario_id", "a name", e);
    return { text: "unnamed", from: null };
  }
  const plain = PLAIN_NAME.test(raw) && !KEYWORD_WORDS.includes(raw);
  return { text: plain ? raw : stringText(raw), from: e.valueSpan };
}

/** The scenario's own settings: those at the top of the YAML (`description`), and those of `simulation`. */
function convertScenario(ctx: Ctx, keys: Keys): { meta: Setting[]; simulation: Setting[]; comments: string[] } {
  const settings = (only: (t: Target) => boolean) => readBlock(ctx, keys, [], only).written.map((w) => w.setting);
  const meta = settings((t) => parentOf(t.yaml) === "");
  const seed = targetsOf([]).find((t) => t.attr.name === "seed")!;
  const given = keys.get(seed.yaml);
  if (given && !isNull(given.entry)) return { meta, simulation: settings((t) => parentOf(t.yaml) !== ""), comments: [] };
  const seeded: Setting = { name: seed.attr.name, text: String(seed.attr.default), from: given?.entry.span ?? null };
  return {
    meta,
    simulation: [seeded, ...settings((t) => parentOf(t.yaml) !== "" && t !== seed)],
    comments: [`The YAML sets no seed, so the sandbox drew one from the OS; sbx runs are always seeded (${String(seed.attr.default)} here).`],
  };
}

function convertNetwork(ctx: Ctx, keys: Keys): OutBlock | null {
  const path = [NETWORK.kind];
  const e = keys.get("network");
  if (!e || ![...keys.keys()].some((k) => parentOf(k) === "network")) return null;
  if (readBlock(ctx, keys, path, (t) => t.switch).switched?.on === false) return commentOnly(["The YAML's network has `enabled: false`: no network (everyone sees everyone), as in the sandbox."]);
  const settings = readBlock(ctx, keys, path, (t) => !t.switch).written.map((w) => w.setting);
  const blocks = NETWORK.blocks.flatMap((child) => {
    const inner = [...path, child.kind];
    return switchable(ctx, inner, readBlock(ctx, keys, inner)) ?? [];
  });
  return { head: NETWORK.kind, settings, blocks, comments: [], from: e.entry.keySpan };
}

function convertGovernance(ctx: Ctx, keys: Keys): OutBlock | null {
  const levers = GOVERNANCE.blocks.flatMap((lever) => {
    const path = [GOVERNANCE.kind, lever.kind];
    return switchable(ctx, path, readBlock(ctx, keys, path)) ?? [];
  });
  return levers.length ? { head: GOVERNANCE.kind, settings: [], blocks: levers, comments: [], from: keys.get("governance")?.entry.keySpan ?? null } : null;
}

// ---- success criteria ---------------------------------------------------------------------------------

function convertCriteria(ctx: Ctx, keys: Keys): { criteria: Criterion[]; comments: string[]; from: Span | null } {
  const criteria: Criterion[] = [];
  const unevaluated: string[] = [];
  for (const [path, { entry, label }] of keys) {
    if (parentOf(path) !== "success_criteria") continue;
    const mapping = CRITERIA.find((c) => c.key === withinSection(path))!;
    const scalar = isScalar(entry.value) ? entry.value : null;
    const v = scalar?.value;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      typeError(ctx, label, typeof v === "number" ? "a finite number" : "a number", entry);
      continue;
    }
    const expr = `${mapping.lhs} ${mapping.cmp} ${numberText(v, scalar!.source)}`;
    if (!mapping.evaluated) {
      unevaluated.push(mapping.key);
      warnInert(ctx, label, entry, `sbx now evaluates it, as \`${expr}\``);
    }
    criteria.push({ label: mapping.key, expr, from: entry.span });
  }
  const list = unevaluated.length > 1 ? `${unevaluated.slice(0, -1).join(", ")} and ${unevaluated[unevaluated.length - 1]}` : unevaluated[0];
  const comments = unevaluated.length ? [`The sandbox's runner never evaluated ${list}; sbx does.`] : [];
  return { criteria, comments, from: keys.get("success_criteria")?.entry.keySpan ?? null };
}

// ---- agents ---------------------------------------------------------------------------------------

function convertAgents(ctx: Ctx, e: Entry | undefined): OutBlock | null {
  const node = e?.value ?? null;
  const empty = !e || isNull(e);
  if (e && !empty && !isSeq(node)) {
    typeError(ctx, AGENTS, "a list of agent specs", e);
    return null;
  }
  const groups: Group[] = [];
  for (const [i, item] of (empty || !node ? [] : items(ctx.doc, node)).entries()) {
    const label = `${AGENTS}[${i}]`;
    if (!item.node || !isMap(item.node)) {
      ctx.diagnostics.push(diagnostic("SBX2101", { context: label, expected: "a mapping with type and count", found: describeYaml(item.node) }, ctx.file, item.span));
      continue;
    }
    const group = convertAgent(ctx, item.node, label, item.span);
    if (group) groups.push(group);
  }
  if (!groups.length) {
    if (!ctx.diagnostics.some((d) => d.severity === "error")) {
      const params = { context: "the scenario", what: "at least one agent: add an `agents:` list, e.g. `- type: honest` with `count: 3`" };
      ctx.diagnostics.push(e ? diagnostic("SBX3005", params, ctx.file, e.keySpan) : fileDiagnostic("SBX3005", params, ctx.file));
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
  return { head: POPULATION.kind, settings: [], blocks, comments: [], from: e?.keySpan ?? null };
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

/** Keys of `level` that sbx drops, each with a warning that says why (SBX5005). */
function dropped(ctx: Ctx, keys: Keys, level: string): void {
  for (const k of UNMAPPED) {
    const found = k.handling === "inert" && parentOf(k.path) === level ? keys.get(k.path) : undefined;
    if (found) warnInert(ctx, found.label, found.entry, `sbx drops it: ${k.note!}`);
  }
}

function convertAgent(ctx: Ctx, node: Node, label: string, span: Span): Group | null {
  const level = `${AGENTS}[]`;
  const keys: Keys = new Map();
  const map = collect(ctx, level, node, label, keys);
  let kind = AGENT_TYPE.default as Kind;
  const typeEntry = map.get("type");
  if (typeEntry) {
    const v = read(ctx, typeEntry, `${label}.type`, AGENT_TYPE);
    if (v === undefined || v === null) return null;
    kind = v.value as Kind;
  }
  const path = [POPULATION.kind, kind];
  const own = readBlock(ctx, keys, path).written;
  const count = own.find((w) => w.target.attr.name === "count");
  const countDefault = targetsOf(path).find((t) => t.attr.name === "count")!.attr.default as number;
  dropped(ctx, keys, level);
  const settings: Setting[] = own.filter((w) => w !== count).map((w) => w.setting);
  let persona = String(LLM_AGENT.attrs.find((a) => a.name === "persona")!.default);
  const llmEntry = map.get(LLM_AGENT.kind);
  if (llmEntry && kind !== LLM_AGENT.kind) {
    warnInert(ctx, `${label}.${LLM_AGENT.kind}`, llmEntry, `sbx drops it: only llm agents read an llm block, and this one is ${kind}`);
  } else if (kind === LLM_AGENT.kind) {
    const llm = section(ctx, llmEntry, `${label}.${LLM_AGENT.kind}`);
    if (llm) {
      const out = convertLlm(ctx, llm, `${label}.${LLM_AGENT.kind}`);
      settings.push(...out.settings);
      persona = out.persona ?? persona;
    }
  }
  const found = [typeEntry, count && keys.get(count.target.yaml)?.entry].flatMap((x) => (x ? [eolComments(ctx, x)] : [])).filter((c) => c.note);
  const countComments = found.length ? { note: found.map((c) => c.note).join("\n"), comments: found.flatMap((c) => c.comments ?? []) } : {};
  return {
    kind,
    count: count ? { value: count.value, text: count.setting.text } : { value: countDefault, text: String(countDefault) },
    countFrom: count?.setting.from ?? null,
    countComments,
    settings,
    persona,
    from: span,
  };
}

function convertLlm(ctx: Ctx, node: Node, label: string): { settings: Setting[]; persona?: string } {
  const level = `${AGENTS}[].${LLM_AGENT.kind}`;
  const keys: Keys = new Map();
  collect(ctx, level, node, label, keys);
  const written = readBlock(ctx, keys, [POPULATION.kind, LLM_AGENT.kind]).written;
  const valueOf = (name: string) => written.find((w) => w.target.attr.name === name)?.value;
  const apiKey = keys.get(`${level}.api_key`);
  if (apiKey && !isNull(apiKey.entry)) {
    const provider = valueOf("provider") ?? LLM_AGENT.attrs.find((a) => a.name === "provider")!.default;
    const variable = provider === "openai" ? "OPENAI_API_KEY" : provider === "ollama" ? null : "ANTHROPIC_API_KEY";
    const what = `sbx never stores API keys in scenarios; ${variable ? `set ${variable} in the environment instead` : "ollama needs none"}`;
    ctx.diagnostics.push(diagnostic("SBX5008", { key: apiKey.label, what }, ctx.file, apiKey.entry.keySpan));
  }
  const baseUrl = keys.get(`${level}.base_url`);
  if (baseUrl && !isNull(baseUrl.entry)) {
    ctx.diagnostics.push(diagnostic("SBX5008", { key: baseUrl.label, what: `${yamlKey(`${level}.base_url`)!.note!}, so calls go to the provider's default endpoint` }, ctx.file, baseUrl.entry.keySpan));
  }
  dropped(ctx, keys, level);
  const persona = valueOf("persona");
  return { settings: written.map((w) => w.setting), ...(typeof persona === "string" ? { persona } : {}) };
}
