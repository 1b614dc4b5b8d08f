/**
 * Words for the editor: one-line details and markdown documentation of
 * registry entries (blocks, attributes, metrics, criterion functions) and
 * declarations, shared by completion and hover.
 */
import { typeName } from "../../src/compiler/values.ts";
import type { Decl } from "../../src/compiler/program.ts";
import type { MetricDef } from "../../src/metrics/registry.ts";
import { AGGREGATIONS, SEED_STATISTICS } from "../../src/plan/schema.ts";
import type { AttrSpec, BlockSpec, Bounds, PlainValue } from "../../src/registry/types.ts";

export function formatValue(v: PlainValue | undefined): string {
  if (v === undefined) return "required";
  if (v === null) return "none";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x as PlainValue)).join(", ")}]`;
  const o = v as Record<string, unknown>;
  if (o["dist"] === "uniform" || o["dist"] === "randint") return `${String(o["dist"])}(${String(o["low"])}, ${String(o["high"])})`;
  if (o["dist"] === "constant") return String(o["value"]);
  return JSON.stringify(v);
}

function boundsText(b: Bounds): string {
  const lo = b.min === undefined ? null : `${b.minExclusive ? ">" : "≥"} ${b.min}`;
  const hi = b.max === undefined ? null : `≤ ${b.max}`;
  return [lo, hi].filter(Boolean).join(" and ");
}

/** `a probability (0..1 or a percentage) · default 0.4`: the completion item's detail. */
export function attrDetail(a: AttrSpec): string {
  const parts = [typeName(a.type)];
  if (a.unit && a.unit !== "probability") parts.push(a.unit);
  parts.push(a.default === undefined ? "required" : `default ${formatValue(a.default)}`);
  return parts.join(" · ");
}

/**
 * Registry entries do not change while the server runs: their markdown is made
 * once per entry (and block), not on every hover of the same name.
 */
const made = new WeakMap<object, Map<unknown, string>>();
function once(entry: object, variant: unknown, make: () => string): string {
  let texts = made.get(entry);
  if (!texts) made.set(entry, (texts = new Map()));
  let text = texts.get(variant);
  if (text === undefined) texts.set(variant, (text = make()));
  return text;
}

export function attrMarkdown(a: AttrSpec, block: BlockSpec | null): string {
  return once(a, block, () => attrMarkdownOf(a, block));
}

function attrMarkdownOf(a: AttrSpec, block: BlockSpec | null): string {
  const rows: string[] = [`**${block ? `${block.kind}.` : ""}${a.name}**: ${a.doc}`, ""];
  rows.push(`- type: ${typeName(a.type)}`);
  if (a.unit) rows.push(`- unit: ${a.unit}`);
  if (a.range) rows.push(`- range: ${boundsText(a.range)}`);
  if (a.advise) rows.push(`- advised: ${boundsText(a.advise)} (${a.advise.why})`);
  rows.push(`- default: ${a.default === undefined ? "none (required)" : formatValue(a.default)}`);
  if (a.relevantWhen) rows.push(`- only with ${a.relevantWhen.attr} = ${a.relevantWhen.values.join(" or ")}`);
  if (a.inert) rows.push(`- no effect in profile ${a.inert.profiles.join(", ")}: ${a.inert.why}`);
  if (a.reference) rows.push(`- reference sandbox: \`${a.reference}\``);
  if (a.swarmField) rows.push(`- SWARM: \`${a.swarmField}\``);
  return rows.join("\n");
}

export function blockDetail(b: BlockSpec): string {
  return b.named === "required" ? `block ${b.kind} <name>` : "block";
}

export function blockMarkdown(b: BlockSpec): string {
  return once(b, null, () => blockMarkdownOf(b));
}

function blockMarkdownOf(b: BlockSpec): string {
  const rows = [`**${b.kind === "<policy>" ? "policy group" : b.kind}**: ${b.doc}`];
  if (b.attrs.length) rows.push("", `Attributes: ${b.attrs.map((a) => `\`${a.name}\``).join(", ")}`);
  if (b.blocks.length) rows.push("", `Blocks: ${b.blocks.map((c) => `\`${c.kind}\``).join(", ")}`);
  if (b.inert) rows.push("", `No effect in profile ${b.inert.profiles.join(", ")}: ${b.inert.why}`);
  if (b.reference) rows.push("", `Reference sandbox: \`${b.reference}\``);
  return rows.join("\n");
}

export function metricDetail(m: MetricDef): string {
  return `metric · ${m.shape === "series" ? "per epoch" : "per run"} · ${m.unit}`;
}

export function metricMarkdown(m: MetricDef): string {
  return once(m, null, () => metricMarkdownOf(m));
}

function metricMarkdownOf(m: MetricDef): string {
  const select = m.select === "none" ? "" : `\n\nSelectable: \`${m.name}[…]\` by ${m.select === "initiator" ? "initiator (kind, group or agent)" : "agent (kind, group or agent)"}.`;
  return `**${m.name}** (${m.shape === "series" ? "one value per epoch" : "one value per run"}, ${m.unit}): ${m.doc}\n\n\`${m.formula}\`${select}${m.optional ? "\n\nMay be undefined for a run (then criteria on it cannot pass)." : ""}`;
}

interface FunctionDoc {
  readonly signature: string;
  readonly doc: string;
}

const AGGREGATION_DOCS: Record<(typeof AGGREGATIONS)[number], string> = {
  mean: "The mean of a per-epoch series over the run's epochs.",
  min: "The smallest value of a per-epoch series.",
  max: "The largest value of a per-epoch series.",
  final: "The value of a per-epoch series at the last epoch.",
  first: "The value of a per-epoch series at the first epoch.",
  sum: "The sum of a per-epoch series over the run's epochs.",
};

const SEED_DOCS: Record<(typeof SEED_STATISTICS)[number], FunctionDoc> = {
  share: { signature: "seeds.share(condition)", doc: "The share of seeds on which a per-run condition holds, in [0, 1]." },
  mean: { signature: "seeds.mean(value)", doc: "The mean of a per-run value over the seeds." },
  min: { signature: "seeds.min(value)", doc: "The smallest per-run value over the seeds." },
  max: { signature: "seeds.max(value)", doc: "The largest per-run value over the seeds." },
  std: { signature: "seeds.std(value)", doc: "The standard deviation of a per-run value over the seeds." },
  lower: { signature: "seeds.lower(value, level = 95%)", doc: "The lower confidence bound of the mean of a per-run value over the seeds." },
  upper: { signature: "seeds.upper(value, level = 95%)", doc: "The upper confidence bound of the mean of a per-run value over the seeds." },
};

export const CRITERION_FUNCTIONS: ReadonlyMap<string, FunctionDoc> = new Map<string, FunctionDoc>([
  ...AGGREGATIONS.map((a): [string, FunctionDoc] => [a, { signature: `${a}(series)`, doc: AGGREGATION_DOCS[a] }]),
  ["at", { signature: "at(series, epoch)", doc: "The value of a per-epoch series at one epoch (0-based)." }],
  ["always", { signature: "always(condition, from = e, by = e)", doc: "True when a per-epoch condition holds at every epoch (optionally from/by an epoch)." }],
  ["eventually", { signature: "eventually(condition, from = e, by = e)", doc: "True when a per-epoch condition holds at some epoch (optionally from/by an epoch)." }],
  ...SEED_STATISTICS.map((s): [string, FunctionDoc] => [`seeds.${s}`, SEED_DOCS[s]]),
]);

export const DISTRIBUTION_FUNCTIONS: ReadonlyMap<string, FunctionDoc> = new Map([
  ["uniform", { signature: "uniform(low, high)", doc: "A number drawn uniformly between low and high." }],
  ["randint", { signature: "randint(low, high)", doc: "A whole number drawn uniformly from low to high, inclusive." }],
]);

export function functionMarkdown(f: FunctionDoc): string {
  return `\`\`\`sbx\n${f.signature}\n\`\`\`\n${f.doc}`;
}

/** A declaration: its header, where it lives, its description and (for personas) its prompt. */
/** A scenario's own words in markdown: as text, never as HTML. */
const asText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function declarationMarkdown(decl: Decl, moduleLabel: string, text: string | undefined): string {
  const node = decl.node;
  const header = text !== undefined ? text.slice(node.span.start, node.body ? node.body.start : node.span.end).trim() : `${decl.kind} ${decl.name}`;
  const rows = [`\`\`\`sbx\n${header}\n\`\`\``, `${decl.kind} declared in \`${moduleLabel}\``];
  const attr = (name: string) => node.members.find((m) => m.kind === "Attribute" && m.path.length === 1 && m.path[0]!.text === name);
  const description = attr("description");
  if (description?.kind === "Attribute" && description.value.kind === "String") rows.push("", asText(description.value.value));
  const prompt = attr("prompt");
  if (prompt?.kind === "Attribute" && prompt.value.kind === "String") {
    const value = asText(prompt.value.value);
    rows.push("", `> ${(value.length > 400 ? `${value.slice(0, 400)}…` : value).replace(/\n/g, "\n> ")}`);
  }
  if (!description && !prompt && text !== undefined) {
    const body = text.slice(node.span.start, node.span.end);
    if (body.length <= 600) rows[0] = `\`\`\`sbx\n${body}\n\`\`\``;
  }
  return rows.join("\n");
}
