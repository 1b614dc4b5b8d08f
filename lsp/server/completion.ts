/**
 * Completion: what may stand at the cursor (context.ts), filled in from the
 * schema registry, the metric registry and the binder's declarations.
 */
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionList, type Range } from "vscode-languageserver";
import type { DeclInfo } from "./analysis.ts";
import { METRICS } from "../../src/metrics/registry.ts";
import { AGENT_KINDS, DECLARATIONS, EXPECT, POPULATION, SCENARIO, SWEEP } from "../../src/registry/blocks.ts";
import type { AttrSpec, BlockSpec, ValueType } from "../../src/registry/types.ts";
import { childSpec, declarationOf, isArm, isSettings, stringClosed, type CursorContext, type Frame, type Slot } from "./context.ts";
import { HOLE, jsonAroundHoles, withJson } from "./serialized.ts";
import { attrDetail, attrMarkdown, blockDetail, blockMarkdown, CRITERION_FUNCTIONS, DISTRIBUTION_FUNCTIONS, functionMarkdown, metricDetail, metricMarkdown } from "./describe.ts";

/** What completion needs from the compiler; it may come from a slightly older compilation. */
export interface Semantics {
  /** Declarations of `kind` visible from the document (own, imported, prelude). */
  visible(kind: string): readonly DeclInfo[];
  /** Population groups of a scenario as the binder saw them, name → kind. */
  groups(scenario: string): ReadonlyMap<string, string>;
  /** Declarations of the module an import specifier names. */
  moduleDeclarations(specifier: string): readonly DeclInfo[];
  /** Specifiers that may be imported: standard modules and sibling files. */
  importable(): readonly string[];
  /** How to name a module in documentation (`std/governance`, `./common.sbx`). */
  moduleLabel(path: string): string;
  text(path: string): string | undefined;
  /** The document's own path. */
  readonly path: string;
}

const md = (value: string) => ({ kind: MarkupKind.Markdown, value });
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Group order in the list: attributes, then blocks, then values and names, then keywords. */
const SORT = { attribute: "1", block: "2", value: "3", keyword: "4" } as const;

export interface CompletionOptions {
  /** The client accepts snippet syntax (`$1`) in insert texts. */
  readonly snippets: boolean;
}

/** The items that may stand at the cursor, and the range every one of them replaces. */
export interface Completions {
  /**
   * Each item inserts its `insertText`, else its label. Items of registry
   * entries are built once and shared by every answer: never change them.
   */
  readonly items: readonly CompletionItem[];
  /** The word being typed or the inside of the string the cursor is in; null: insert at the cursor. */
  readonly range: Range | null;
}

/**
 * The completions at the cursor, with as little built per request as the
 * answer allows (the server answers many per second on large files): the
 * range is shared, and items of registry entries are reused as they are.
 */
export function completions(ctx: CursorContext, semantics: Semantics, toRange: (start: number, end: number) => Range, options: CompletionOptions = { snippets: true }): Completions {
  const found = itemsFor(ctx, semantics);
  const word = ctx.word;
  const inString = ctx.string;
  // An unterminated string (`import "`) runs to the line's end: replace all of it and close it.
  const closing = inString && !stringClosed(inString) ? '"' : "";
  let range: Range | null = null;
  if (inString) {
    const start = inString.startOffset + 1;
    const stop = (inString.endOffset ?? inString.startOffset) + (closing ? 1 : 0);
    range = toRange(start, Math.max(start, stop));
  } else if (word) range = toRange(word.start, word.end);
  const snippets = options.snippets || !found.some((i) => i.insertTextFormat === InsertTextFormat.Snippet);
  if (snippets && !inString) return { items: found, range };
  const items = found.map((raw) => {
    const item = options.snippets || raw.insertTextFormat !== InsertTextFormat.Snippet ? raw : plain(raw);
    if (!inString) return item;
    // Inside a string the item's text replaces the string's inside.
    const text = (item.insertText ?? item.label).replace(/^"|"$/g, "") + closing;
    return { ...item, filterText: item.label.replace(/^"|"$/g, ""), insertText: text };
  });
  return { items, range };
}

/** The completions at the cursor as LSP items, each with its own edit. */
export function complete(ctx: CursorContext, semantics: Semantics, toRange: (start: number, end: number) => Range, options: CompletionOptions = { snippets: true }): CompletionItem[] {
  return withEdits(completions(ctx, semantics, toRange, options));
}

/** Items that each carry their edit (for clients without a list's default edit range). */
export function withEdits({ items, range }: Completions): CompletionItem[] {
  return items.map((item) => {
    const text = item.insertText ?? item.label;
    return { ...item, ...(range ? { textEdit: { range, newText: text } } : { insertText: text }) };
  });
}

/** For a client that resolves items (`listWithEdits`): what it resolves, and the list the items' data names. */
export interface Lazily {
  readonly resolved: Resolved;
  readonly list: number;
}

/**
 * An item as `listWithEdits` sends it, its range and data `HOLE`s: the item
 * with its edit (`withEdits`), without what the client resolves, and its JSON
 * cut where the range and the data go.
 */
interface EditedItem {
  readonly shape: CompletionItem;
  readonly json: readonly string[];
}

/** Edited items, per item and variant (`editedItem`): made once, like the items. */
const editedItems = new WeakMap<CompletionItem, EditedItem[]>();

function editedItem(item: CompletionItem, ranged: boolean, lazily: Lazily | null): EditedItem {
  const variant = lazily ? (ranged ? 4 : 0) + (lazily.resolved.documentation ? 2 : 0) + (lazily.resolved.detail ? 1 : 0) : ranged ? 9 : 8;
  let variants = editedItems.get(item);
  if (!variants) editedItems.set(item, (variants = []));
  let made = variants[variant];
  if (!made) {
    const [edited] = withEdits({ items: [item], range: ranged ? (HOLE as unknown as Range) : null });
    const shape = lazily ? { ...withoutResolved(edited!, lazily.resolved), data: HOLE } : edited!;
    variants[variant] = made = { shape, json: jsonAroundHoles(shape) };
  }
  return made;
}

/**
 * The items for a client without a list's default edit range, each with its
 * own edit (`withEdits`), and for a client that resolves items, without what
 * it resolves and with data naming the item's place in the list `list`:
 * carrying their JSON (serialized.ts), joined from each item's JSON made once
 * with the answer's range and the data put in, so a keystroke neither copies
 * the shared items field by field nor serialises ~200 of them again.
 */
export function listWithEdits(answer: Completions, lazily: Lazily | null): CompletionItem[] {
  const { items, range } = answer;
  const rangeJson = range ? JSON.stringify(range) : "";
  const out: CompletionItem[] = new Array(items.length);
  const parts: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const { shape, json } = editedItem(items[i]!, range !== null, lazily);
    // The edit and the data fill the shape's holes in place: a copy of it whose fields are set (far cheaper
    // for V8 than a spread with fields added, or fields added to a copy), and its JSON around them.
    const item = { ...shape };
    let text = json[0]!;
    if (range) {
      item.textEdit = { range, newText: shape.textEdit!.newText };
      text += rangeJson + json[1]!;
    }
    if (lazily) {
      item.data = { list: lazily.list, index: i };
      text += `{"list":${lazily.list},"index":${i}}${json[range ? 2 : 1]!}`;
    }
    out[i] = item;
    parts[i] = text;
  }
  return withJson(out, `[${parts.join(",")}]`);
}

/** What a client fetches per item when it shows it (`completionItem/resolve`), so lists go out without it. */
export interface Resolved {
  readonly documentation: boolean;
  readonly detail: boolean;
}

const leanItems = { documentation: new WeakMap<CompletionItem, CompletionItem>(), detail: new WeakMap<CompletionItem, CompletionItem>() };

/**
 * An item for a list whose default edit range is the answer's range (LSP
 * `itemDefaults.editRange`): without its documentation (resolved when shown),
 * nor its detail when the client resolves that too, and its text as
 * `textEditText` when it is not the label. Made once per item.
 */
export function leanItem(item: CompletionItem, resolved: Resolved = { documentation: true, detail: false }): CompletionItem {
  const cache = resolved.detail ? leanItems.detail : leanItems.documentation;
  let lean = cache.get(item);
  if (!lean) {
    lean = withoutResolved(item, resolved);
    if (item.insertText !== undefined && item.insertText !== item.label) lean = { ...lean, textEditText: item.insertText };
    cache.set(item, lean);
  }
  return lean;
}

/** Lean items' JSON, made once per item (registry items are shared by every answer, completion.ts `memo`). */
const leanJson = new WeakMap<CompletionItem, string>();

/** A list's lean items and their JSON, for the items of a recent answer. */
interface LeanList {
  readonly source: readonly CompletionItem[];
  readonly detail: boolean;
  readonly items: readonly CompletionItem[];
  readonly json: string;
}

/** Lists made lately, the latest first: while one types, the items at the cursor are those of the last answer. */
let leanLists: LeanList[] = [];
const LEAN_LISTS = 4;

/** Whether two answers list the same items (the same objects: items are made once, `memo`), in the same order. */
function sameItems(a: readonly CompletionItem[], b: readonly CompletionItem[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The lean items of `items` and their JSON joined: made once for each list of items (and each item), then looked up. */
function leanList(items: readonly CompletionItem[], resolved: Resolved): LeanList {
  const i = leanLists.findIndex((l) => l.detail === resolved.detail && sameItems(l.source, items));
  if (i >= 0) {
    const known = leanLists[i]!;
    if (i > 0) leanLists = [known, ...leanLists.filter((l) => l !== known)];
    return known;
  }
  const lean = items.map((item) => leanItem(item, resolved));
  const parts = lean.map((item) => {
    let json = leanJson.get(item);
    if (json === undefined) leanJson.set(item, (json = JSON.stringify(item)));
    return json;
  });
  const made: LeanList = { source: items, detail: resolved.detail, items: Object.freeze(lean), json: parts.join(",") };
  leanLists = [made, ...leanLists.slice(0, LEAN_LISTS - 1)];
  return made;
}

/**
 * The list a client that takes list defaults gets (LSP 3.17 `itemDefaults`):
 * lean items under one edit range and one piece of data, carrying its JSON
 * (serialized.ts) joined from each item's JSON, made once per item, so a
 * completion does not serialise ~200 items again on every keystroke; and the
 * same items as the last answer's (the usual keystroke) are those of that
 * answer, their JSON joined once.
 */
export function listWithDefaults(answer: Completions, data: unknown, resolved: Resolved): CompletionList {
  const itemDefaults = { ...(answer.range ? { editRange: answer.range } : {}), data };
  const { items, json } = leanList(answer.items, resolved);
  return withJson({ isIncomplete: false, itemDefaults, items: items as CompletionItem[] }, `{"isIncomplete":false,"itemDefaults":${JSON.stringify(itemDefaults)},"items":[${json}]}`);
}

/** The item without what the client resolves when it shows it. */
export function withoutResolved(item: CompletionItem, resolved: Resolved): CompletionItem {
  const { documentation, detail, ...rest } = item;
  return { ...rest, ...(resolved.documentation || documentation === undefined ? {} : { documentation }), ...(resolved.detail || detail === undefined ? {} : { detail }) };
}

/** A snippet item for a client without snippet support: its text with the tab stops taken out. */
function plain(item: CompletionItem): CompletionItem {
  const { insertTextFormat: _format, ...rest } = item;
  return { ...rest, insertText: (item.insertText ?? item.label).replace(/\$\{\d+(?::([^}]*))?\}|\$\d+/g, (_m, placeholder: string | undefined) => placeholder ?? "") };
}

function itemsFor(ctx: CursorContext, sem: Semantics): readonly CompletionItem[] {
  const slot = ctx.slot;
  switch (slot.kind) {
    case "none":
      return [];
    case "top":
      return topItems();
    case "import-path":
      return sem.importable().map((spec) => ({ label: ctx.string ? spec : JSON.stringify(spec), kind: CompletionItemKind.Module, detail: "module", sortText: SORT.value }));
    case "import-names": {
      const written = new Set(slot.written);
      const decls = slot.module === null ? [] : sem.moduleDeclarations(slot.module);
      return unique(decls.filter((d) => !written.has(d.name) || d.name === ctx.word?.text)).map((d) => declItem(d, sem));
    }
    case "header":
      return headerKeywords(slot);
    case "ref": {
      // A declaration cannot extend itself.
      const own = slot.which === "extends" && slot.parent === null ? slot.self : null;
      return unique(sem.visible(slot.which === "of" ? "scenario" : slot.block))
        .filter((d) => !(d.name === own && d.module === sem.path))
        .map((d) => declItem(d, sem));
    }
    case "member":
      return memberItems(ctx, slot, sem);
    case "expr":
      return exprItems(ctx, slot, sem);
  }
}

function headerKeywords(slot: Extract<Slot, { kind: "header" }>): CompletionItem[] {
  const spec = childSpec(slot.parent, slot.block);
  if (!slot.named && spec?.named === "required") return [];
  const words = spec === SWEEP ? ["of", "extends"] : ["extends"];
  return words.map((w) => ({ label: w, kind: CompletionItemKind.Keyword, sortText: SORT.keyword }));
}

// ---- members -------------------------------------------------------------------------------

/** The spec a dotted path leads to from `root` (blocks by kind; population entries by agent kind). */
function walk(root: BlockSpec | null, segments: readonly string[]): BlockSpec | null {
  let spec = root;
  for (const s of segments) {
    if (!spec) return null;
    spec = spec === POPULATION ? (AGENT_KINDS.find((a) => a.kind === s) ?? null) : (spec.blocks.find((b) => b.kind === s) ?? null);
  }
  return spec;
}

/** Where a member's path starts: arms, `vary` and a settings block's dotted attributes set scenario paths. */
function pathRoot(frame: Frame, owner: "attribute" | "vary" | null, qualifier: readonly string[]): BlockSpec | null {
  return owner === "vary" || isArm(frame) || (isSettings(frame) && qualifier.length > 0) ? SCENARIO : frame.spec;
}

function memberItems(ctx: CursorContext, slot: Extract<Slot, { kind: "member" }>, sem: Semantics): CompletionItem[] {
  const frame = slot.frame;
  const spec = walk(pathRoot(frame, slot.owner, slot.qualifier), slot.qualifier);
  if (!spec) return [];
  const items: CompletionItem[] = [];
  const wordStart = ctx.word?.start ?? -1;
  const taken = (map: ReadonlyMap<string, number>, name: string) => slot.qualifier.length === 0 && slot.owner === null && map.has(name) && map.get(name) !== wordStart;
  if (spec === POPULATION && slot.qualifier.length === 0) {
    items.push(...AGENT_KINDS.map((a) => memo(a, "agent kind", () => ({ ...blockItem(a), detail: "agent kind", sortText: SORT.attribute }))));
    items.push(...unique(sem.visible("policy")).map((d) => declItem(d, sem, CompletionItemKind.Class)));
    return items;
  }
  for (const a of spec.attrs) if (!taken(frame.set, a.name)) items.push(attrItem(a, spec));
  for (const b of spec.blocks) if (b.repeatable || !taken(frame.blocks, b.kind)) items.push(blockItem(b));
  if (slot.qualifier.length === 0 && slot.owner === null) {
    if (frame.spec === SWEEP) items.push({ label: "vary", kind: CompletionItemKind.Keyword, detail: "vary path in values", sortText: SORT.keyword });
    if (frame.spec === EXPECT) items.push(...criterionOperands());
    // A settings block's first word may also start a setting of the scenario (`governance.audit.probability = …`).
    if (isSettings(frame)) for (const b of SCENARIO.blocks) items.push(blockItem(b));
  }
  return items;
}

/**
 * The registry does not change while the server runs, so the item of a
 * registry entry (with its documentation) is built once, frozen and shared
 * by every answer that lists it: a completion request then builds almost
 * nothing, and the editor thread's heap stays quiet.
 */
const built = new WeakMap<object, Map<string, CompletionItem>>();
function memo(entry: object, variant: string, build: () => CompletionItem): CompletionItem {
  let items = built.get(entry);
  if (!items) built.set(entry, (items = new Map()));
  let item = items.get(variant);
  if (!item) items.set(variant, (item = Object.freeze(build())));
  return item;
}

/** A list that depends on the registry alone, built once (frozen: callers copy it to add to it). */
function once(build: () => CompletionItem[]): () => readonly CompletionItem[] {
  let list: readonly CompletionItem[] | null = null;
  return () => (list ??= Object.freeze(build()));
}

const topItems = once(() => [
  ...DECLARATIONS.map((d) => blockItem(d)),
  { label: "import", kind: CompletionItemKind.Keyword, detail: 'import "module" { names }', sortText: SORT.keyword },
]);

function attrItem(a: AttrSpec, block: BlockSpec): CompletionItem {
  // The documentation names the block by its kind.
  return memo(a, block.kind, () => ({ label: a.name, kind: CompletionItemKind.Property, detail: attrDetail(a), documentation: md(attrMarkdown(a, block)), sortText: SORT.attribute }));
}

function blockItem(b: BlockSpec): CompletionItem {
  return memo(b, "block", () => ({ label: b.kind, kind: CompletionItemKind.Module, detail: blockDetail(b), documentation: md(blockMarkdown(b)), sortText: SORT.block }));
}

/**
 * The item of a declaration the analyzer reported, built once per report (a
 * document's names in scope stay the same objects until its next compilation,
 * server.ts `summaries`) and module label, and shared like registry items: a
 * population block lists every policy in scope, and building them afresh on
 * each keystroke cost more than the rest of the request (bench:lsp positions).
 * `kind`: the item kind when not the declaration's own (policies as groups).
 */
function declItem(d: DeclInfo, sem: Semantics, kind?: CompletionItemKind): CompletionItem {
  const label = sem.moduleLabel(d.module);
  return memo(d, `${kind ?? ""} ${label}`, () => ({
    label: d.name,
    kind: kind ?? (d.kind === "scenario" || d.kind === "sweep" ? CompletionItemKind.Class : CompletionItemKind.Reference),
    detail: `${d.kind} · ${label}`,
    documentation: md(d.markdown),
    sortText: SORT.value,
    ...(IDENT.test(d.name) ? {} : { insertText: JSON.stringify(d.name) }),
  }));
}

/** One item per name: a local declaration shadows the prelude's. */
function unique(decls: readonly DeclInfo[]): DeclInfo[] {
  const out = new Map<string, DeclInfo>();
  for (const d of decls) out.set(d.name, d);
  return [...out.values()];
}

// ---- expressions ---------------------------------------------------------------------------------

const criterionOperands = once(() => [
  ...METRICS.map((m) => metricItem(m)),
  ...[...CRITERION_FUNCTIONS].filter(([name]) => !name.startsWith("seeds.")).map(([name, f]) => ({
    label: name,
    kind: CompletionItemKind.Function,
    detail: f.signature,
    documentation: md(functionMarkdown(f)),
    sortText: SORT.value,
  })),
  { label: "seeds", kind: CompletionItemKind.Module, detail: "statistics over seeds: seeds.share, seeds.mean, …", sortText: SORT.value },
  { label: "not", kind: CompletionItemKind.Keyword, sortText: SORT.keyword },
]);

function metricItem(m: (typeof METRICS)[number], insert?: string): CompletionItem {
  return memo(m, insert ?? "", () => ({ label: insert ?? m.name, kind: CompletionItemKind.Field, detail: metricDetail(m), documentation: md(metricMarkdown(m)), sortText: SORT.value }));
}

function exprItems(ctx: CursorContext, slot: Extract<Slot, { kind: "expr" }>, sem: Semantics): readonly CompletionItem[] {
  const frame = slot.frame;
  if (slot.owner.kind === "statement") {
    // Outside `expect`, a dotted name on its own is a setting path being typed (`governance.au`).
    if (frame.spec !== EXPECT) return slot.qualifier && !slot.bracket ? memberItems(ctx, { kind: "member", frame, qualifier: slot.qualifier, owner: null }, sem) : [];
    return criterionItems(slot, sem);
  }
  const path = slot.owner.path;
  const root = pathRoot(frame, slot.owner.kind, path.slice(0, -1));
  const block = walk(root, path.slice(0, -1));
  const attr = block?.attrs.find((a) => a.name === path.at(-1));
  if (!attr) return [];
  if (slot.afterNumber && attr.type.t === "duration") return [{ label: attr.type.unit, kind: CompletionItemKind.Unit, detail: "unit", sortText: SORT.value }];
  // `seed = 1   ep`: no unit fits, so a new member starts on the same line.
  if (slot.afterNumber && ctx.word) return memberItems(ctx, { kind: "member", frame, qualifier: [], owner: null }, sem);
  if (!slot.expectOperand || slot.qualifier) return [];
  if (ctx.string && attr.type.t !== "enum" && attr.type.t !== "ref") return [];
  return valueItems(attr.type, attr, sem);
}

function valueItems(type: ValueType, attr: AttrSpec, sem: Semantics): CompletionItem[] {
  switch (type.t) {
    case "enum":
      return type.values.map((v) =>
        memo(attr, `value ${v}`, () => ({
          label: IDENT.test(v) ? v : JSON.stringify(v),
          kind: CompletionItemKind.EnumMember,
          detail: `${attr.name}${attr.default === v ? " (default)" : ""}`,
          documentation: md(attrMarkdown(attr, null)),
          sortText: SORT.value,
        })),
      );
    case "bool":
      return ["true", "false"].map((v) => ({ label: v, kind: CompletionItemKind.Value, sortText: SORT.value }));
    case "ref":
      return unique(sem.visible(type.kind)).map((d) => declItem(d, sem));
    case "distribution":
      return [...DISTRIBUTION_FUNCTIONS]
        .filter(([name]) => !type.int || name === "randint")
        .map(([name, f]) =>
          memo(f, "distribution", () => ({
            label: name,
            kind: CompletionItemKind.Function,
            detail: f.signature,
            documentation: md(functionMarkdown(f)),
            insertText: `${name}($1, $2)`,
            insertTextFormat: InsertTextFormat.Snippet,
            sortText: SORT.value,
          })),
        );
    default:
      return [];
  }
}

function criterionItems(slot: Extract<Slot, { kind: "expr" }>, sem: Semantics): readonly CompletionItem[] {
  if (slot.qualifier) {
    const prefix = slot.qualifier.join(".");
    if (prefix === "seeds") {
      return [...CRITERION_FUNCTIONS]
        .filter(([name]) => name.startsWith("seeds."))
        .map(([name, f]) => memo(f, "seeds", () => ({ label: name.slice("seeds.".length), kind: CompletionItemKind.Function, detail: f.signature, documentation: md(functionMarkdown(f)), sortText: SORT.value })));
    }
    return METRICS.filter((m) => m.name.startsWith(`${prefix}.`)).map((m) => metricItem(m, m.name.slice(prefix.length + 1)));
  }
  if (!slot.expectOperand) return [];
  const bracket = slot.bracket;
  if (bracket?.kind === "index") return selectionItems(slot.frame, bracket.named, sem);
  const operands = criterionOperands();
  if (bracket?.kind === "call" && (bracket.callee === "always" || bracket.callee === "eventually") && bracket.named === null) {
    return [
      ...operands,
      { label: "from", kind: CompletionItemKind.Property, detail: "first epoch to check", insertText: "from = ", sortText: SORT.attribute },
      { label: "by", kind: CompletionItemKind.Property, detail: "last epoch to check", insertText: "by = ", sortText: SORT.attribute },
    ];
  }
  return operands;
}

/** Inside `metric[…]`: agent kinds and population groups of the scenario, and the `kind=`/`group=`/`agent=` forms. */
function selectionItems(frame: Frame, named: string | null, sem: Semantics): CompletionItem[] {
  const declaration = declarationOf(frame);
  const groups = new Map<string, string>(declaration?.name ? sem.groups(declaration.name) : []);
  for (const [name, kind] of declaration?.groups ?? []) groups.set(name, kind);
  const kinds = new Set<string>([...groups.values()]);
  const items: CompletionItem[] = [];
  if (named === null || named === "kind") {
    for (const k of kinds) items.push({ label: k, kind: CompletionItemKind.EnumMember, detail: "agent kind", sortText: SORT.value });
  }
  if (named === null || named === "group") {
    for (const [g, kind] of groups) if (!(named === null && kinds.has(g))) items.push({ label: g, kind: CompletionItemKind.Variable, detail: `population group (${kind})`, sortText: SORT.value });
  }
  if (named === null) {
    for (const by of ["kind", "group", "agent"]) items.push({ label: by, kind: CompletionItemKind.Property, detail: `select by ${by}`, insertText: `${by} = `, sortText: SORT.attribute });
  }
  return items;
}
