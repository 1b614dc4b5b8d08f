/**
 * The sandbox's scenario YAML schema (docs/sandbox.md §10.1, §13), key by key.
 *
 * Every key that sets a .sbx setting is the registry's: an attribute's
 * `reference` is its YAML key, and a block switched on by presence names the
 * `*_enabled` key that switched it on (src/spec/types.ts). Its default, type
 * and range are the registry's too. What this file states is what the
 * registry cannot know: how the YAML is laid out in sections, the keys that
 * set nothing, the other spellings the sandbox's loader read, and the keys it
 * accepted but never applied, each stated against the registry entry it
 * concerns (by its .sbx path). YAML_KEYS, which the importer checks keys
 * against and docs/yaml-import.md renders, is derived from both.
 */
import { POPULATION, SCENARIO } from "../registry/blocks.ts";
import type { AttrSpec, BlockSpec, PlainValue } from "../registry/types.ts";

/** How the sandbox treated a key, and so how `sbx import` reports it. */
export type Handling =
  /** Read and applied by the sandbox; carried over exactly. */
  | "applied"
  /** A section (mapping or list) holding further keys. */
  | "section"
  /** A legacy alias or a lower-precedence spelling: applied only when the preferred key is absent. */
  | "alias"
  /** Accepted but never applied by the sandbox (SBX5005); sbx gives it a meaning, said in `note`. */
  | "inert"
  /** Read by the sandbox but with no place in a .sbx file (SBX5008); `note` says why. */
  | "not-carried"
  /** A success criterion the sandbox's runner evaluated. */
  | "criterion"
  /** A success criterion the sandbox stored but never evaluated (SBX5005); sbx evaluates it. */
  | "criterion-unevaluated";

export interface YamlKey {
  /** Dotted path; `agents[]` stands for every list item. */
  readonly path: string;
  /** The default when the key is absent, as text for the docs. */
  readonly default: string;
  /** The .sbx construct the key becomes. */
  readonly sbx: string;
  readonly handling: Handling;
  readonly note?: string;
}

/** A registry setting a YAML key sets. */
export interface Target {
  /** The YAML key: the registry's `reference`. */
  readonly yaml: string;
  /** Where the block sits in a scenario: `[]` for the scenario itself, `["governance", "audit"]`, `["population", "llm"]`. */
  readonly block: readonly string[];
  readonly spec: BlockSpec;
  readonly attr: AttrSpec;
  /** The key switches the block on or off (it sets `enabled`) rather than setting a value. */
  readonly switch: boolean;
  /** The setting as messages name it: `governance.audit.probability`, or the block for a block's switch. */
  readonly sbx: string;
}

/** Every registry setting with a YAML key, in registry order. */
export const TARGETS: readonly Target[] = (() => {
  const out: Target[] = [];
  const add = (yaml: string, block: readonly string[], spec: BlockSpec, attr: AttrSpec, isSwitch: boolean, sbx: string) =>
    out.push({ yaml, block, spec, attr, switch: isSwitch, sbx });
  const walk = (spec: BlockSpec, block: readonly string[]): void => {
    const enabled = spec.attrs.find((a) => a.name === "enabled");
    if (spec.reference && spec.enabledByPresence && enabled) add(spec.reference, block, spec, enabled, true, block.join("."));
    for (const attr of spec.attrs) if (attr.reference) add(attr.reference, block, spec, attr, attr === enabled, [...block, attr.name].join("."));
    for (const child of spec.blocks) walk(child, [...block, child.kind]);
  };
  walk(SCENARIO, []);
  return out;
})();

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** The settings of the block at `block` that YAML keys set, in registry order. */
export const targetsOf = (block: readonly string[]): Target[] => TARGETS.filter((t) => samePath(t.block, block));

// ---- what only the importer knows ----------------------------------------------------------------

/** The sandbox's agent types (`agents[i].type`); the loader did not lower-case them. */
export const AGENT_TYPES = ["honest", "opportunistic", "deceptive", "adversarial", "llm"] as const;

/** The sandbox's `PersonaType` values (docs/sandbox.md §9.1); the prelude declares a persona for each. */
const PERSONAS = ["honest", "strategic", "adversarial", "open"] as const;

/** The list of agents: the YAML key of the registry's population block. */
export const AGENTS: string = POPULATION.reference!;

/** The sections, in the order the docs list them, with their defaults and what each becomes. */
const SECTIONS: readonly YamlKey[] = [
  section(AGENTS, "[]", "`population { … }`"),
  section(`${AGENTS}[].llm`, "{}", "the settings of an `llm` group (ignored for scripted kinds, as the sandbox did)"),
  section("governance", "{}", "`governance { … }` (one lever block per lever that acts or keeps non-default values)"),
  section("payoff", "{}", "`payoff { … }`"),
  section("rate_limits", "{}", "`rate_limits { … }`"),
  section("network", "{} (no network)", "`network { … }`; absent, empty or `enabled: false` → no network block"),
  section("network.params", "{}", "the topology's parameters; they take precedence over the top-level spellings"),
  section("simulation", "{}", "`seed`, `epochs`, `steps` of the scenario"),
  section("outputs", "{}", "`outputs { … }`"),
  section("success_criteria", "{}", "`expect { … }`, one labelled criterion per key"),
];

/** Keys that set no registry setting: the scenario's name, an agent's type, and what sbx drops or cannot carry. */
export const UNMAPPED: readonly YamlKey[] = [
  key("scenario_id", '"unnamed"', "`scenario NAME { … }` (quoted when not a plain name)", "applied"),
  key(`${AGENTS}[].type`, '"honest"', `the group's kind: ${AGENT_TYPES.map((t) => `\`${t}\``).join(", ")}`, "applied"),
  key(`${AGENTS}[].role`, "—", "dropped", "inert", "roles were never wired into any agent; sbx has none"),
  key(`${AGENTS}[].roles`, "—", "dropped", "inert", "roles were never wired into any agent; sbx has none"),
  key(`${AGENTS}[].config`, "—", "dropped", "inert", "scripted agents always got default parameters; set them on the group in .sbx instead"),
  key(`${AGENTS}[].llm.api_key`, "none", "not carried over", "not-carried", "sbx never stores API keys in scenarios; it reads ANTHROPIC_API_KEY / OPENAI_API_KEY from the environment"),
  key(`${AGENTS}[].llm.base_url`, "none", "not carried over", "not-carried", "sbx has no per-agent endpoint setting"),
  key(`${AGENTS}[].llm.retry_base_delay`, "1.0", "dropped", "inert", "the loader never read it, so the sandbox's delay stayed 1.0"),
];

/**
 * Other spellings the loader read for a setting, by the setting. The
 * registry's key comes first; each spelling applies only when all before it
 * are absent.
 */
export const ALIASES: Readonly<Record<string, readonly string[]>> = {
  "governance.transaction_tax.rate": ["governance.transaction_tax"],
  "governance.reputation_decay.rate": ["governance.reputation_decay"],
  "network.edge_probability": ["network.edge_probability"],
  "network.k_neighbors": ["network.params.k_neighbors", "network.k_neighbors"],
  "network.rewire_probability": ["network.params.rewire_probability", "network.rewire_probability"],
  "network.m_edges": ["network.params.m_edges", "network.m_edges"],
};

export interface NeverApplied {
  /** Why the sandbox had no use for it (default: it never applied it). */
  readonly why?: string;
  /** What sbx does with it, where that is not simply applying it. */
  readonly instead?: string;
}

/** Settings whose key the sandbox accepted but never applied (SBX5005), by the setting; sbx keeps them. */
export const NEVER_APPLIED: Readonly<Record<string, NeverApplied>> = {
  "governance.vote_normalization": {},
  "governance.vote_normalization.max_weight": {},
  "governance.bandwidth.cap": {},
  "governance.staking.slash_rate": {},
  "proxy.sigmoid_k": { why: "never read by the sandbox's loader" },
  "network.disconnect_below_reputation": {},
  "outputs.metrics_csv": { why: "never written by the sandbox", instead: "sbx writes the per-epoch metrics there" },
};

/** How a value is written in .sbx, by the setting. */
export interface Style {
  /** As a percentage (`5%`), as the hand-written scenarios write these rates and chances. */
  readonly percent?: boolean;
  /** Lower-cased first, as the loader did. */
  readonly lower?: boolean;
  /** The words the sandbox allowed, where the registry allows more. */
  readonly words?: readonly string[];
}

export const STYLES: Readonly<Record<string, Style>> = {
  "governance.transaction_tax.rate": { percent: true },
  "governance.transaction_tax.split": { percent: true },
  "governance.staking.slash_rate": { percent: true },
  "governance.audit.probability": { percent: true },
  "network.topology": { lower: true },
  "population.llm.provider": { lower: true },
  "population.llm.persona": { lower: true, words: PERSONAS },
};

/** What the docs add about a setting's key. */
const DOC_NOTES: Readonly<Record<string, (t: Target) => string>> = {
  seed: (t) => `sbx runs are always seeded (${String(t.attr.default)} when absent); the sandbox drew a seed from the OS`,
  "network.enabled": () => "`false` → no network block, as in the sandbox",
  "population.llm.persona": () => `the sandbox's personas (${PERSONAS.join(", ")}); with several llm groups it also names the group`,
};

/** The criterion each success_criteria key becomes: `aggregate(metric) cmp v`. */
export interface CriterionMapping {
  readonly key: string;
  /** The left-hand side, as .sbx source. */
  readonly lhs: string;
  readonly cmp: ">=" | "<=";
  /** Whether the sandbox's runner evaluated it. */
  readonly evaluated: boolean;
}

const crit = (key: string, lhs: string, cmp: ">=" | "<=", evaluated: boolean): CriterionMapping => ({ key, lhs, cmp, evaluated });

export const CRITERIA: readonly CriterionMapping[] = [
  crit("min_epochs", "epochs_completed", ">=", true),
  crit("min_agents", "agents", ">=", true),
  crit("toxicity_threshold", "mean(toxicity)", "<=", true),
  crit("max_toxicity", "max(toxicity)", "<=", false),
  crit("min_welfare", "mean(welfare)", ">=", false),
  crit("max_llm_cost_usd", "sum(llm.cost_usd)", "<=", false),
  crit("min_connected_components", "min(network.components)", ">=", false),
  crit("max_avg_path_length", "max(network.avg_path_length)", "<=", false),
  crit("min_flagged_pairs", "max(collusion.flagged_pairs)", ">=", false),
  crit("max_ecosystem_collusion_risk", "max(collusion.ecosystem_risk)", "<=", false),
  crit("min_penalty_total", "sum(collusion.penalty)", ">=", false),
];

// ---- the schema, derived -------------------------------------------------------------------------

function key(path: string, def: string, sbx: string, handling: Handling, note?: string): YamlKey {
  return { path, default: def, sbx, handling, ...(note ? { note } : {}) };
}

function section(path: string, def: string, sbx: string): YamlKey {
  return key(path, def, sbx, "section");
}

/** The key a message names within its section: `transaction_tax_rate`, `params.k`. */
export const withinSection = (path: string): string => path.slice(path.indexOf(".") + 1);

/** Whether profile swarm-0.1 keeps the setting inert, and why. */
export function swarmInertness(t: Target): string | null {
  for (const inert of [t.spec.inert, t.switch ? undefined : t.attr.inert]) if (inert?.profiles.includes("swarm-0.1")) return inert.why;
  return null;
}

/** A default as the sandbox's YAML would spell it (floats with a decimal point, as Python prints them). */
function defaultText(t: Target): string {
  if (t.switch && t.spec.enabledByPresence) return "false";
  const v: PlainValue | undefined = t.attr.default;
  if (v === null || v === undefined) return "none";
  const type = t.attr.type;
  if (typeof v === "number") return (type.t === "number" && type.int) || (type.t === "duration" && type.unit !== "seconds") || !Number.isInteger(v) ? String(v) : v.toFixed(1);
  if (typeof v === "string") return type.t === "string" ? JSON.stringify(v) : v;
  return String(v);
}

function sbxText(targets: readonly Target[]): string {
  const t = targets[0]!;
  const head = t.block[t.block.length - 1];
  const lower = STYLES[t.sbx]?.lower ? " (lower-cased)" : "";
  if (targets.length > 1) return `\`${t.attr.name}\` of the group (\`<kind> = N\` in \`population\`)`;
  if (t.switch && t.spec.enabledByPresence) return `\`${head} { }\` (present) or \`enabled = false\``;
  const unit = t.attr.type.t === "duration" ? ` = N ${t.attr.type.unit}` : "";
  return head === undefined ? `\`${t.attr.name}\`${lower}` : `\`${head} { ${t.attr.name}${unit} }\`${lower}`;
}

function neverAppliedNote(t: Target, never: NeverApplied): string {
  const inert = swarmInertness(t);
  const does = never.instead ?? (inert ? `acts in profile sbx; swarm-0.1 keeps it inert (${inert})` : "sbx applies it");
  return never.why ? `${never.why}; ${does}` : does;
}

/** The rows of the registry's keys whose parent is `level`, each followed by its other spellings. */
function registryRows(level: string): YamlKey[] {
  const byKey = new Map<string, Target[]>();
  for (const t of TARGETS) if (parentOf(t.yaml) === level) byKey.set(t.yaml, [...(byKey.get(t.yaml) ?? []), t]);
  return [...byKey].flatMap(([path, targets]) => {
    const t = targets[0]!;
    const never = NEVER_APPLIED[t.sbx];
    const note = never ? neverAppliedNote(t, never) : DOC_NOTES[t.sbx]?.(t);
    const spellings = [path, ...(ALIASES[t.sbx] ?? [])];
    const aliases = spellings.slice(1).map((alias, i) => {
      const before = spellings.slice(0, i + 1).map(withinSection);
      return key(alias, "—", sbxText(targets), "alias", `used when ${before.join(" and ")} ${before.length > 1 ? "are" : "is"} absent`);
    });
    return [key(path, defaultText(t), sbxText(targets), never ? "inert" : "applied", note), ...aliases];
  });
}

export function parentOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot < 0 ? "" : path.slice(0, dot);
}

/** The level a section's keys sit at: a list's items, or the section itself. */
const levelOf = (path: string): string => (path === AGENTS ? `${AGENTS}[]` : path);

function criterionRows(): YamlKey[] {
  return CRITERIA.map((c) => key(`success_criteria.${c.key}`, "—", `\`${c.key}: ${c.lhs} ${c.cmp} v\``, c.evaluated ? "criterion" : "criterion-unevaluated"));
}

/** The schema: per level (top, then each section), its named keys, the registry's keys, its sections, the rest. */
export const YAML_KEYS: readonly YamlKey[] = ["", ...SECTIONS.map((s) => levelOf(s.path))].flatMap((level) => {
  const here = (rows: readonly YamlKey[]) => rows.filter((r) => parentOf(r.path) === level);
  const unmapped = here(UNMAPPED);
  return [
    ...unmapped.filter((r) => r.handling === "applied"),
    ...registryRows(level),
    ...here(SECTIONS),
    ...unmapped.filter((r) => r.handling !== "applied"),
    ...(level === "success_criteria" ? criterionRows() : []),
  ];
});

/** The keys valid directly under `level` ("" for the top level, "agents[]", "governance", …). */
export function keysAt(level: string): string[] {
  return YAML_KEYS.filter((k) => parentOf(k.path) === level).map((k) => k.path.slice(level ? level.length + 1 : 0));
}

export function yamlKey(path: string): YamlKey | undefined {
  return YAML_KEYS.find((k) => k.path === path);
}
