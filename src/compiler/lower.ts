/**
 * Lowering: a checked scenario to an execution plan. The registry drives it:
 * every mechanism block lowers to its plan slice field by field
 * (src/spec/lower.ts), and every default is filled in from the registry, so
 * the engine never invents a value. What needs the program — agent ids,
 * references to personas and policies, the prelude's price table, criteria —
 * is lowered here.
 */
import type * as A from "../../language/ast.ts";
import { printExpression } from "../../language/format.ts";
import { closest, diagnostic, fileDiagnostic, replaceWith, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { LLM, PRICE_MODEL } from "../mechanisms/llm-agents/language.ts";
import { PERSONA } from "../mechanisms/personas/language.ts";
import type { MechanismDef } from "../kernel/mechanism.ts";
import { MECHANISMS } from "../mechanisms/index.ts";
import { NETWORK } from "../mechanisms/network/language.ts";
import { POLICY } from "../mechanisms/scripted-agents/language.ts";
import { PLAN_FORMAT, PLAN_VERSION, type Agent, type Criterion, type Observed, type Plan, type Profile, type SourceRange } from "../plan/schema.ts";
import { AGENT_KINDS } from "../registry/blocks.ts";
import { lowerBlock, lowerSlice, type BlockValues, type WrittenValues } from "../spec/lower.ts";
import type { CheckedGroup, CheckSite, LocatedValues, Location, PlainValue, ScenarioFacts, WrittenBlock } from "../spec/types.ts";
import { LineIndex } from "../text/line-index.ts";
import { SBX_VERSION } from "../version.ts";
import { child, children, get, isSet, textOf, type CBlock } from "./check.ts";
import { checkCriterion, type SelectionScope } from "./criteria.ts";
import { degenerateScenario } from "./degenerate.ts";
import { LIMITS, limitText } from "./limits.ts";
import { settingChanges } from "./settings.ts";
import type { ModelContext } from "./model.ts";
import { lookup, type Decl } from "./program.ts";
import type { SymbolDef } from "./symbols.ts";

export interface LowerContext extends ModelContext {
  /** Checked models of top-level declarations (personas, policies, price tables, observables), by kind and name as seen from a file. */
  readonly checkedDecl: (decl: Decl) => CBlock | null;
  readonly lineIndex: (file: string) => LineIndex;
}

const num = (b: CBlock, name: string): number => get(b, name) as number;
const str = (b: CBlock, name: string): string => get(b, name) as string;

export function lowerScenario(ctx: LowerContext, scenario: CBlock, decl: Decl): Plan | null {
  if (scenario.model.incomplete) return null;
  // Diagnostics are only ever added: the errors this scenario caused are those after this mark (counting them all per scenario was quadratic).
  const diagnosticsBefore = ctx.diagnostics.length;
  const profile = str(scenario, "profile") as Profile;
  const population = lowerPopulation(ctx, scenario, decl);
  // Without its agents, nothing else about the scenario can be checked (selections, edges) without false alarms.
  if (population.refused) return null;
  const scope = new PopulationScope(population);
  const criteria = lowerCriteria(ctx, scenario, scope);
  checkScenarioBlocks(ctx, scenario, decl);
  const slices = lowerSlices(ctx, scenario, decl, population);
  const network = lowerNetwork(ctx, scenario, scope);
  const llm = lowerLlm(ctx, scenario, population.agents);
  const mode = str(scenario, "mode");
  let llmAgents = 0;
  for (const a of population.agents) if (a.kind === "llm") llmAgents++;
  const hasLlm = llmAgents > 0;
  if (hasLlm && mode === "sync") {
    const attr = scenario.model.attrs.get("mode");
    ctx.diagnostics.push(diagnostic("SBX3014", { count: llmAgents }, attr?.file ?? decl.module, attr?.expr.span ?? decl.node.name!.span));
  }

  const maxActions = num(scenario, "max_actions_per_step");
  if (population.agents.length > maxActions && isSet(scenario, "max_actions_per_step") === false && population.agents.length > 20) {
    ctx.diagnostics.push(
      diagnostic(
        "SBX3013",
        { what: `max_actions_per_step is ${maxActions} but the population has ${population.agents.length} agents`, why: "agents late in the schedule lose their turn once that many actions succeed in a step; set max_actions_per_step to at least the population" },
        decl.module,
        decl.node.name!.span,
      ),
    );
  }

  degenerateScenario(ctx, scenario, population.agents.length);
  checkMechanisms(ctx, scenario, profile, population.groups);
  if (hasErrorSince(ctx.diagnostics, diagnosticsBefore)) return null;

  const outputs = child(scenario, "outputs");
  const plan = {
    format: PLAN_FORMAT,
    planVersion: PLAN_VERSION,
    scenario: { name: decl.name, description: str(scenario, "description"), motif: str(scenario, "motif") },
    profile,
    simulation: {
      seed: num(scenario, "seed"),
      epochs: num(scenario, "epochs"),
      stepsPerEpoch: num(scenario, "steps"),
      schedule: str(scenario, "schedule") as Plan["simulation"]["schedule"],
      maxActionsPerStep: maxActions,
      mode: mode === "auto" ? (hasLlm ? "async" : "sync") : (mode as "sync" | "async"),
    },
    ...slices,
    agents: population.agents,
    groups: population.groups.map((g) => ({ name: g.name, kind: g.kind, agentIds: g.agentIds })),
    network,
    llm,
    criteria: { seeds: criteria.seeds, items: criteria.items },
    observe: criteria.observe,
    outputs: { eventLog: (outputs ? get(outputs, "event_log") : null) as string | null, metricsCsv: (outputs ? get(outputs, "metrics_csv") : null) as string | null },
    provenance: {
      sbxVersion: SBX_VERSION,
      sources: [decl.module, ...criteria.sourceFiles.filter((f) => f !== decl.module)],
      criteria: criteria.ranges,
    },
  } as Plan;
  // The schema is enforced where plans leave the compiler (written, run, sent to a worker), not on every keystroke.
  return plan;
}

/**
 * What criteria and edges may name in a scenario. A class, not an object literal with a getter: V8 builds such a
 * literal in its runtime, a cost per scenario of its own in profiles.
 */
class PopulationScope implements SelectionScope {
  readonly kinds = new Set<string>();
  readonly groups = new Map<string, SymbolDef | null>();
  private agentIds: Set<string> | undefined;

  constructor(private readonly population: { readonly agents: readonly Agent[]; readonly groups: readonly LoweredGroup[] }) {
    for (const g of population.groups) {
      this.kinds.add(g.kind);
      this.groups.set(g.name, g.symbol);
    }
  }

  /** The agents' ids are needed only when a selection or an edge names no kind or group (rarely): made on first use. */
  get agents(): ReadonlySet<string> {
    if (!this.agentIds) {
      this.agentIds = new Set();
      for (const a of this.population.agents) this.agentIds.add(a.id);
    }
    return this.agentIds;
  }
}

function hasErrorSince(diagnostics: readonly Diagnostic[], from: number): boolean {
  for (let i = from; i < diagnostics.length; i++) if (diagnostics[i]!.severity === "error") return true;
  return false;
}

// ---- mechanisms' slices --------------------------------------------------------------------

/** A checked block as the registry-driven lowering reads it; `settings` lowers settings blocks (src/compiler/settings.ts). */
function valuesOf(b: CBlock | undefined, settings?: (b: CBlock) => PlainValue): BlockValues | null {
  return b ? new CheckedValues(b, settings) : null;
}

/** One object per block read, its methods shared: lowering reads every block of every scenario this way. */
class CheckedValues implements BlockValues {
  readonly on: boolean;
  readonly settings: (() => PlainValue) | undefined;

  constructor(
    private readonly block: CBlock,
    private readonly settingsOf: ((b: CBlock) => PlainValue) | undefined,
  ) {
    this.on = get(block, "enabled") !== false;
    this.settings = settingsOf && block.spec.settings ? () => settingsOf(block) : undefined;
  }

  value(name: string): PlainValue | undefined {
    return this.block.values.get(name);
  }

  child(kind: string): BlockValues | undefined {
    return valuesOf(child(this.block, kind), this.settingsOf) ?? undefined;
  }

  children(kind: string): { name: string | null; values: BlockValues }[] {
    return children(this.block, kind).map((c) => ({ name: c.name, values: valuesOf(c, this.settingsOf)! }));
  }
}

/** A checked block with where each part was written, for a mechanism's `finish` pass. */
function locatedOf(b: CBlock): LocatedValues {
  const node = b.model.node;
  const own: Location = { file: b.model.file, span: (node?.name ?? node?.type)?.span ?? { start: 0, end: 0 } };
  return {
    value: (name) => b.values.get(name),
    at: (name, ...items) => {
      const attr = name === undefined ? undefined : b.model.attrs.get(name);
      if (!attr) return own;
      let expr = attr.expr;
      for (const k of items) {
        const next = expr.kind === "List" ? expr.items[k] : undefined;
        if (!next) break;
        expr = next;
      }
      return { file: attr.file, span: expr.span };
    },
    child: (kind) => {
      const c = child(b, kind);
      return c ? locatedOf(c) : undefined;
    },
    children: (kind) => children(b, kind).map((c) => ({ name: c.name, values: locatedOf(c) })),
  };
}

/**
 * Every mechanism slice whose block lowers generically, each at its path:
 * scenario-level blocks from the scenario, levers from its governance block.
 * Slices the compiler lowers by hand (the network's edges are checked
 * against the population; LLM prices default to the prelude's table) are
 * filled in by the caller. A block's `finish` pass (src/spec/types.ts) runs
 * on its slice, written or not, with the population lowered.
 */
function lowerSlices(ctx: LowerContext, scenario: CBlock, decl: Decl, population: { agents: readonly Agent[]; groups: readonly LoweredGroup[] }): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  const scenarioAt: Location = { file: decl.module, span: decl.node.name!.span };
  const settings = (b: CBlock): PlainValue => settingChanges(ctx, scenario.model, b.model) as unknown as PlainValue;
  for (const { under, block, binding } of genericSlices()) {
    // A block that is not repeatable lowers from its first written one: found without listing them all.
    const parent = attachedTo(scenario, under);
    let first: CBlock | undefined;
    let written: readonly WrittenValues[];
    if (block.repeatable) {
      const blocks = parent ? children(parent, block.kind) : [];
      first = blocks[0];
      written = blocks.length ? blocks.map((b) => ({ name: b.name, values: valuesOf(b, settings)! })) : NOTHING_WRITTEN;
    } else {
      first = parent ? child(parent, block.kind) : undefined;
      written = first ? [{ name: first.name, values: valuesOf(first, settings)! }] : NOTHING_WRITTEN;
    }
    let lowered = lowerSlice(block, written);
    const finish = block.lower?.finish;
    if (finish) {
      lowered = finish(lowered, {
        written: first ? locatedOf(first) : null,
        agents: population.agents,
        scenario: scenarioAt,
        group: (name) => {
          const g = population.groups.find((x) => x.name === name)?.symbol;
          return g ? { file: g.file, span: g.nameSpan } : undefined;
        },
        report: (code, params, at) => ctx.diagnostics.push(diagnostic(code, params, at.file, at.span)),
      });
    }
    if (lowered !== undefined) setAt(out, binding.path, lowered);
  }
  return out;
}

/** Most mechanisms' blocks are not written in a given scenario: one empty list serves them all. */
const NOTHING_WRITTEN: readonly WrittenValues[] = [];

type SliceBlock = NonNullable<MechanismDef["language"]>[number];
let GENERIC_SLICES: { under: string; block: SliceBlock["block"]; binding: NonNullable<NonNullable<SliceBlock["block"]["lower"]>["slice"]> }[] | undefined;

/** The mechanism blocks lowered generically to a slice, in registry order (the registry is fixed: listed once). */
function genericSlices(): NonNullable<typeof GENERIC_SLICES> {
  if (GENERIC_SLICES) return GENERIC_SLICES;
  GENERIC_SLICES = [];
  for (const m of MECHANISMS) {
    for (const { under, block } of m.language ?? []) {
      const binding = block.lower?.slice;
      if (!binding || block.lower?.byCompiler || under === "declarations") continue;
      GENERIC_SLICES.push({ under, block, binding });
    }
  }
  return GENERIC_SLICES;
}

/** A mechanism's written blocks of a kind, where it attaches them: in the scenario or in its governance. */
function writtenBlocks(scenario: CBlock, under: string, kind: string): CBlock[] {
  const parent = attachedTo(scenario, under);
  return parent ? children(parent, kind) : [];
}

/** The block a mechanism's blocks are written in: the scenario, its governance or its population. */
function attachedTo(scenario: CBlock, under: string): CBlock | undefined {
  return under === "governance" || under === "population" ? child(scenario, under) : scenario;
}

/** Every mechanism's scenario-level checks, once the population is known. */
function checkMechanisms(ctx: LowerContext, scenario: CBlock, profile: Profile, groups: readonly LoweredGroup[]): void {
  // One table of groups for every mechanism's check: it does not change between them.
  const groupFacts = groups.map((g) => ({ name: g.name, kind: g.kind, agents: g.agentIds.length }));
  const facts = (attachments: readonly Attachment[]): ScenarioFacts => ({
    profile,
    groups: groupFacts,
    blocks: (kind) => {
      const where = attachments.find((a) => a.block.kind === kind);
      return (where ? writtenBlocks(scenario, where.under, kind) : []).map((b) => written(b));
    },
    report: (code, params, at, attr, replacement) => {
      const b = (at as WrittenBlock & { readonly source: CBlock }).source;
      const a = attr === undefined ? undefined : b.model.attrs.get(attr);
      const file = a?.file ?? b.model.file;
      const span = a?.expr.span ?? (b.model.node?.name ?? b.model.node?.type)?.span;
      // A block no file writes (a default) is reported at its file, at no position.
      if (!span) ctx.diagnostics.push(fileDiagnostic(code, params, file));
      else ctx.diagnostics.push(diagnostic(code, params, file, span, replacement === undefined ? {} : { fixes: [replaceWith(file, span, replacement)] }));
    },
  });
  for (const { check, attachments } of mechanismChecks()) check(facts(attachments));
}

interface Attachment {
  readonly under: string;
  readonly block: { readonly kind: string };
}

let MECHANISM_CHECKS: { check: (facts: ScenarioFacts) => void; attachments: readonly Attachment[] }[] | undefined;

/** Each mechanism's scenario check with the blocks it attaches, its population blocks too (a kind's groups, as written); the registry is fixed, so built once. */
function mechanismChecks(): readonly { check: (facts: ScenarioFacts) => void; attachments: readonly Attachment[] }[] {
  if (MECHANISM_CHECKS) return MECHANISM_CHECKS;
  MECHANISM_CHECKS = [];
  for (const m of MECHANISMS) {
    if (!m.check) continue;
    const kinds = Object.values(m.agents ?? {}).flatMap((k) => (k.block ? [{ under: "population", block: k.block }] : []));
    MECHANISM_CHECKS.push({ check: m.check.bind(m), attachments: [...(m.language ?? []), ...kinds] });
  }
  return MECHANISM_CHECKS;
}

function written(b: CBlock): WrittenBlock & { readonly source: CBlock } {
  return new WrittenCheckedBlock(b);
}

/** A written block as a mechanism's scenario check reads it (one object, its methods shared). */
class WrittenCheckedBlock implements WrittenBlock {
  readonly kind: string;
  readonly name: string | null;
  readonly on: boolean;

  constructor(readonly source: CBlock) {
    this.kind = source.kind;
    this.name = source.name;
    this.on = get(source, "enabled") !== false;
  }

  value(name: string): PlainValue {
    return get(this.source, name);
  }

  has(name: string): boolean {
    return this.source.values.has(name);
  }

  child(kind: string): WrittenCheckedBlock | undefined {
    const c = child(this.source, kind);
    return c ? new WrittenCheckedBlock(c) : undefined;
  }

  children(kind: string): WrittenCheckedBlock[] {
    return children(this.source, kind).map((c) => new WrittenCheckedBlock(c));
  }
}

/**
 * Each mechanism block's own check against its scenario (BlockSpec.check),
 * written or not: a check reports at one of the block's attributes or nested
 * blocks, at a population group, or at the block (the scenario's name when
 * the block is absent).
 */
function checkScenarioBlocks(ctx: LowerContext, scenario: CBlock, decl: Decl): void {
  const population = child(scenario, "population");
  const groupBlocks = population?.blocks ?? [];
  const groups: CheckedGroup[] = groupBlocks.map((g) => ({ name: g.name ?? g.kind, kind: g.model.policy ? "stochastic" : g.kind, count: num(g, "count"), values: valuesOf(g)! }));
  const governance = child(scenario, "governance");
  for (const { under, block, check } of checkedBlocks()) {
    const written = under === "governance" ? (governance ? child(governance, block.kind) : undefined) : child(scenario, block.kind);
    const fallback = { file: written?.model.file ?? decl.module, span: written?.model.node?.type.span ?? decl.node.name!.span };
    const site = (at: CheckSite): { file: string; span: A.Span } => {
      if (at && "attr" in at) {
        const a = written?.model.attrs.get(at.attr);
        return a ? { file: a.file, span: a.nameSpan } : fallback;
      }
      if (at && "child" in at) {
        const c = written?.blocks.find((b) => b.kind === at.child && b.name === at.name);
        const node = c?.model.node;
        return node ? { file: c.model.file, span: (node.name ?? node.type).span } : fallback;
      }
      if (at && "group" in at) {
        const g = groupBlocks.find((b) => (b.name ?? b.kind) === at.group);
        const span = g?.model.node?.name?.span ?? g?.model.node?.type.span ?? g?.model.attrs.get("count")?.nameSpan;
        return g && span ? { file: g.model.file, span } : fallback;
      }
      return fallback;
    };
    check({
      values: valuesOf(written),
      groups,
      closest,
      report: (code, params, at) => {
        const { file, span } = site(at);
        const suggestion = (params as { suggestion?: string | null }).suggestion;
        const fixes = suggestion && at && "child" in at ? [replaceWith(file, span, suggestion)] : [];
        ctx.diagnostics.push(diagnostic(code, params, file, span, { fixes }));
      },
    });
  }
}

type BlockCheckFn = NonNullable<SliceBlock["block"]["check"]>;
let CHECKED_BLOCKS: readonly { under: string; block: SliceBlock["block"]; check: BlockCheckFn }[] | undefined;

/** The mechanism blocks with a check of their own, in registry order (the registry is fixed: listed once). */
function checkedBlocks(): NonNullable<typeof CHECKED_BLOCKS> {
  CHECKED_BLOCKS ??= MECHANISMS.flatMap((m) => (m.language ?? []).flatMap(({ under, block }) => (block.check && under !== "declarations" ? [{ under, block, check: block.check }] : [])));
  return CHECKED_BLOCKS;
}

function setAt(out: Record<string, PlainValue>, path: readonly string[], value: PlainValue): void {
  let at = out as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) at = (at[path[i]!] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
}

// ---- population ----------------------------------------------------------------------

interface LoweredGroup {
  readonly name: string;
  readonly kind: string;
  readonly agentIds: string[];
  readonly symbol: SymbolDef | null;
}

function lowerPopulation(ctx: LowerContext, scenario: CBlock, decl: Decl): { agents: Agent[]; groups: LoweredGroup[]; refused?: true } {
  const population = child(scenario, "population");
  const agents: Agent[] = [];
  const groups: LoweredGroup[] = [];
  if (!population || population.blocks.length === 0) {
    ctx.diagnostics.push(diagnostic("SBX3005", { context: `scenario '${decl.name}'`, what: "a population with at least one agent, e.g. `population { honest = 3 }`" }, decl.module, decl.node.name!.span));
    return { agents, groups };
  }
  // Counted before any agent is made: a count typed one keystroke at a time must never exhaust memory.
  const total = population.blocks.reduce((sum, g) => sum + num(g, "count"), 0);
  const counted = population.blocks.every((g) => g.values.has("count"));
  const span = population.model.node?.type.span ?? decl.node.name!.span;
  if (total > LIMITS.agents) {
    ctx.diagnostics.push(diagnostic("SBX3016", { count: limitText(total), limit: limitText(LIMITS.agents) }, population.model.file, span));
    return { agents, groups, refused: true };
  }
  // Allowed (the sandbox runs such scenarios, and sweeps may vary a group down to 0), but never silent.
  if (total === 0 && counted) ctx.diagnostics.push(diagnostic("SBX3015", { scenario: decl.name }, population.model.file, span));
  const counters = new Map<string, number>();
  for (const group of population.blocks) {
    const kind = group.kind;
    const name = group.name ?? kind;
    const count = num(group, "count");
    const lowered = lowerAgentKind(ctx, group);
    // A kind whose counted member is several agents (a Sybil entity's identities) numbers the member in their params.
    const members = agentKind(kind)?.lower?.members;
    const per = members ? num(group, members.count) : 1;
    const ids: string[] = [];
    // Like agents share one params object, the group's own lowering (nothing mutates a plan's params): a million
    // agents' copies were most of the lowered plan, and garbage once the plan is checked into its own copy (src/plan/validate.ts).
    const shared = lowered && !members ? (lowered.params as Record<string, PlainValue>) : null;
    for (let i = 0; i < count * per; i++) {
      const k = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, k);
      const id = `${kind}_${k}`;
      ids.push(id);
      const params = shared ?? (clonePlain(lowered?.params) as Record<string, PlainValue>);
      if (members && lowered) params[members.index] = Math.floor(i / per) + 1;
      if (lowered) agents.push({ id, kind: lowered.kind, group: name, params } as Agent);
    }
    const nameSpan = group.model.node?.name?.span ?? group.model.node?.type.span ?? group.model.attrs.get("count")?.nameSpan ?? null;
    const symbol = nameSpan ? ctx.symbols.define({ kind: "group", name, file: group.model.file, nameSpan, span: group.model.node?.span ?? nameSpan, container: decl.name }) : null;
    // Plans outlive the compile: their arrays are copied to their length (push leaves room for 16 more, and a plan's
    // arrays were mostly spare room that every collection copied).
    groups.push({ name, kind, agentIds: ids.length ? ids.slice() : ids, symbol });
  }
  return { agents: agents.slice(), groups };
}

/**
 * A deep copy of a lowered value (numbers, strings, booleans, null, arrays and
 * plain records), so each agent owns its params. structuredClone per agent was
 * the compile's largest single cost; anything that is not plain data still goes through it.
 */
function clonePlain(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(clonePlain);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  // for-in rather than Object.keys: no array of keys per object (the prototype is Object's or none, so only own keys are seen).
  for (const key in value) out[key] = clonePlain((value as Record<string, unknown>)[key]);
  return out;
}

/** The agent kinds by name, the first of each (the registry is fixed: indexed once). */
let AGENT_KIND_INDEX: Map<string, (typeof AGENT_KINDS)[number]> | undefined;

function agentKind(kind: string): (typeof AGENT_KINDS)[number] | undefined {
  if (!AGENT_KIND_INDEX) {
    AGENT_KIND_INDEX = new Map();
    for (const k of AGENT_KINDS) if (!AGENT_KIND_INDEX.has(k.kind)) AGENT_KIND_INDEX.set(k.kind, k);
  }
  return AGENT_KIND_INDEX.get(kind);
}

/** A population group's plan kind and params: its kind's block lowered, or its declared policy's. */
function lowerAgentKind(ctx: LowerContext, g: CBlock): { kind: string; params: PlainValue } | null {
  const spec = agentKind(g.kind);
  if (spec) {
    let unresolved = false;
    const params = lowerBlock(spec, valuesOf(g), (kind, name) => {
      const value = kind === "persona" ? lowerPersona(ctx, g, name) : null;
      if (value === null) unresolved = true;
      return value;
    });
    return unresolved ? null : { kind: g.kind, params };
  }
  const policyDecl = g.model.policy;
  const policy = policyDecl ? ctx.checkedDecl(policyDecl) : null;
  if (!policyDecl || !policy) return null;
  return { kind: "stochastic", params: { policy: policyDecl.name, ...(lowerBlock(POLICY, valuesOf(policy)) as Record<string, PlainValue>) } };
}

/** A persona by name, as seen from the group's file: its prompt and traits. */
function lowerPersona(ctx: LowerContext, g: CBlock, name: string): PlainValue {
  const file = g.model.attrs.get("persona")?.file ?? g.model.file;
  const module = ctx.program.modules.get(file);
  const decl = module ? lookup(ctx.program, module, "persona", name) : undefined;
  const persona = decl ? ctx.checkedDecl(decl) : null;
  if (!persona) return null;
  return { name, ...(lowerBlock(PERSONA, valuesOf(persona)) as Record<string, PlainValue>) };
}

// ---- network, llm --------------------------------------------------------------------------

/** The network slice, with every custom edge's agents checked against the population. */
function lowerNetwork(ctx: LowerContext, scenario: CBlock, scope: SelectionScope): PlainValue {
  const n = child(scenario, "network");
  const lowered = lowerBlock(NETWORK, valuesOf(n));
  if (!n || lowered === null) return lowered;
  const edgesAttr = n.model.attrs.get("edges");
  for (const [a, b] of get(n, "edges") as [string, string, number][]) {
    for (const id of [a, b]) {
      if (scope.agents.has(id)) continue;
      const suggestion = closest(id, scope.agents);
      ctx.diagnostics.push(diagnostic("SBX2006", { what: "agent", name: id, suggestion }, edgesAttr?.file ?? n.model.file, edgesAttr?.expr.span ?? n.model.node!.type.span));
    }
  }
  return lowered;
}

function lowerLlm(ctx: LowerContext, scenario: CBlock, agents: readonly Agent[]): PlainValue {
  const llm = child(scenario, "llm");
  const prices = (llm && child(llm, "prices")) ?? standardPrices(ctx);
  const table: Record<string, PlainValue> = {};
  for (const model of prices ? children(prices, "model") : []) table[model.name!] = lowerBlock(PRICE_MODEL, valuesOf(model));
  // Set on the lowered slice itself (a spread copied it): the same keys in the same order.
  const lowered = lowerBlock(LLM, valuesOf(llm)) as Record<string, PlainValue>;
  lowered.prices = table;
  const warned = new Set<string>();
  for (const a of agents) {
    if (a.kind !== "llm" || a.params.provider === "ollama" || table[a.params.model] || warned.has(a.params.model)) continue;
    warned.add(a.params.model);
    const node = scenario.model.node;
    const span = node?.name?.span ?? node?.type.span;
    ctx.diagnostics.push(span ? diagnostic("SBX3010", { model: a.params.model }, scenario.model.file, span) : fileDiagnostic("SBX3010", { model: a.params.model }, scenario.model.file));
  }
  return lowered;
}

function standardPrices(ctx: LowerContext): CBlock | null {
  const decl = ctx.program.prelude?.declarations.find((d) => d.kind === "prices" && d.name === "reference");
  return decl ? ctx.checkedDecl(decl) : null;
}

// ---- criteria --------------------------------------------------------------------------------

function lowerCriteria(
  ctx: LowerContext,
  scenario: CBlock,
  scope: SelectionScope,
): { seeds: number[]; items: Criterion[]; observe: Observed[]; ranges: Record<string, SourceRange>; /** Each once, in order. */ sourceFiles: string[] } {
  const expect = child(scenario, "expect");
  const observe = new Map<string, Observed>();
  const items: Criterion[] = [];
  const ranges: Record<string, SourceRange> = {};
  const sourceFiles: string[] = [];
  if (!expect) return { seeds: [], items, observe: [], ranges, sourceFiles };
  const usedIds = new Set<string>();
  for (const statement of expect.model.statements) {
    if (statement.node.kind !== "Statement") continue;
    const node = statement.node;
    const text = textOf(ctx, statement.file);
    const checked = checkCriterion({ file: statement.file, text, diagnostics: ctx.diagnostics, scope, symbols: ctx.symbols, observe }, node);
    if (!checked) continue;
    // Printed canonically, so reformatting the file (`sbx fmt`) leaves the plan and its hash unchanged; a labelled criterion is not printed.
    const label = node.label?.text ?? printExpression(node.expr, text);
    let id = node.label?.text ?? `c${items.length + 1}`;
    while (usedIds.has(id)) id = `${id}_`;
    usedIds.add(id);
    items.push({ id, label, expr: checked.expr, overSeeds: checked.overSeeds });
    ranges[id] = sourceRange(ctx, statement.file, node.span);
    if (!sourceFiles.includes(statement.file)) sourceFiles.push(statement.file);
  }
  // Keyed by observedKey (criteria.ts), so sorting the keys sorts by it without building each key again per comparison.
  const keys = [...observe.keys()].sort();
  const sorted = keys.map((k) => observe.get(k)!);
  return { seeds: get(expect, "seeds") as number[], items, observe: sorted, ranges, sourceFiles };
}

function sourceRange(ctx: LowerContext, file: string, span: A.Span): SourceRange {
  const index = ctx.lineIndex(file);
  const start = index.lineColumn(span.start);
  const end = index.lineColumn(span.end);
  return { file, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

export type { Diagnostic };
