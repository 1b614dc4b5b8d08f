/**
 * Hover: registry documentation for block kinds, attributes and their values,
 * metric docs and formulas, criterion functions, and the declaration a name
 * refers to. Uses the same cursor context as completion.
 */
import type { IToken } from "chevrotain";
import { tokenMatcher } from "chevrotain";
import { MarkupKind, type Hover, type Range } from "vscode-languageserver";
import * as T from "../../language/tokens.ts";
import type { DeclInfo } from "./analysis.ts";
import { metricDef, METRICS } from "../../src/metrics/registry.ts";
import { AGENT_KINDS, DECLARATIONS, EXPECT, POPULATION, SCENARIO } from "../../src/registry/blocks.ts";
import type { AttrSpec, BlockSpec } from "../../src/registry/types.ts";
import type { Semantics } from "./completion.ts";
import { childSpec, declarationOf, isArm, isSettings, type CursorContext, type Frame, type Parsed } from "./context.ts";
import { attrMarkdown, blockMarkdown, CRITERION_FUNCTIONS, DISTRIBUTION_FUNCTIONS, functionMarkdown, metricMarkdown } from "./describe.ts";

const KEYWORD_DOCS: Record<string, string> = {
  import: 'Brings declarations of another module into scope: `import "std/governance" { moderate }`, or every declaration with `import "./common.sbx"`.',
  extends: "Starts from a declaration and changes it: the members written here override the inherited ones.",
  of: "`sweep name of scenario { … }`: the scenario the sweep varies.",
  in: "`vary path in values`: the values a sweep gives a setting.",
  vary: "`vary path in values`: a setting the sweep varies over a list or range of values.",
  and: "True when both conditions hold.",
  or: "True when either condition holds.",
  not: "True when the condition does not hold.",
  by: "`from..to by step`: the step of a range.",
};

export function hover(ctx: CursorContext, lexed: Parsed, sem: Semantics, toRange: (start: number, end: number) => Range): Hover | null {
  const token = ctx.token;
  if (!token) return null;
  const value = hoverText(ctx, token, lexed, sem);
  if (!value) return null;
  return { contents: { kind: MarkupKind.Markdown, value }, range: toRange(token.startOffset, (token.endOffset ?? token.startOffset) + 1) };
}

function find(sem: Semantics, kind: string, name: string): DeclInfo | undefined {
  const all = sem.visible(kind).filter((d) => d.name === name);
  return all.at(-1);
}

function declText(_sem: Semantics, d: DeclInfo | undefined): string | null {
  return d ? d.markdown : null;
}

function next(lexed: Parsed, token: IToken, k = 1): IToken | undefined {
  const i = lexed.tokens.indexOf(token);
  return i < 0 ? undefined : lexed.tokens[i + k];
}

/** `network` `.` `edges` → the longest metric name starting at `token`. */
function dottedMetric(lexed: Parsed, token: IToken, qualifier: readonly string[]): string | null {
  const i = lexed.tokens.indexOf(token);
  const parts = [...qualifier, token.image];
  let j = i;
  let best = metricDef(parts.join(".")) ? parts.join(".") : null;
  while (tokenMatcher(lexed.tokens[j + 1] ?? token, T.Dot) && lexed.tokens[j + 2] && tokenMatcher(lexed.tokens[j + 2]!, T.AnyName)) {
    parts.push(lexed.tokens[j + 2]!.image);
    j += 2;
    if (metricDef(parts.join("."))) best = parts.join(".");
  }
  return best;
}

function walk(root: BlockSpec | null, segments: readonly string[]): BlockSpec | null {
  let spec = root;
  for (const s of segments) {
    if (!spec) return null;
    spec = spec === POPULATION ? (AGENT_KINDS.find((a) => a.kind === s) ?? null) : (spec.blocks.find((b) => b.kind === s) ?? null);
  }
  return spec;
}

function attrOf(frame: Frame, owner: "attribute" | "vary" | null, path: readonly string[]): { attr: AttrSpec; block: BlockSpec } | null {
  const root = owner === "vary" || isArm(frame) || (isSettings(frame) && path.length > 1) ? SCENARIO : frame.spec;
  const block = walk(root, path.slice(0, -1));
  const attr = block?.attrs.find((a) => a.name === path.at(-1));
  return attr && block ? { attr, block } : null;
}

function hoverText(ctx: CursorContext, token: IToken, lexed: Parsed, sem: Semantics): string | null {
  const slot = ctx.slot;
  const word = token.image;
  if (tokenMatcher(token, T.Import) || tokenMatcher(token, T.Extends) || tokenMatcher(token, T.Of) || tokenMatcher(token, T.In) || tokenMatcher(token, T.And) || tokenMatcher(token, T.Or) || tokenMatcher(token, T.Not)) {
    return KEYWORD_DOCS[word] ?? null;
  }
  switch (slot.kind) {
    case "top": {
      const spec = DECLARATIONS.find((d) => d.kind === word);
      return spec ? blockMarkdown(spec) : null;
    }
    case "import-path": {
      if (!ctx.string) return null;
      // Loading the module is the costly part: once per hover.
      const spec = ctx.string.image.replace(/^"|"$/g, "");
      const declared = sem.moduleDeclarations(spec);
      return `Module \`${spec}\`${declared.length ? `: declares ${declared.map((d) => `\`${d.name}\``).join(", ")}` : ""}`;
    }
    case "import-names":
      return slot.module ? declText(sem, sem.moduleDeclarations(slot.module).find((d) => d.name === word)) : null;
    case "header": {
      if (slot.parent === null) {
        const own = find(sem, slot.block, word);
        if (own) return declText(sem, own);
      }
      const spec = childSpec(slot.parent, slot.block);
      return spec ? blockMarkdown(spec) : null;
    }
    case "ref":
      return declText(sem, find(sem, slot.which === "of" ? "scenario" : slot.block, [...slot.qualifier, word].join(".")));
    case "member":
      return memberHover(slot.frame, slot.owner, slot.qualifier, token, lexed, sem);
    case "expr":
      return exprHover(ctx, slot, token, lexed, sem);
    case "none":
      return null;
  }
}

function memberHover(frame: Frame, owner: "attribute" | "vary" | null, qualifier: readonly string[], token: IToken, lexed: Parsed, sem: Semantics): string | null {
  const word = token.image;
  if (word === "vary" && owner === null && tokenMatcher(next(lexed, token) ?? token, T.AnyName)) return KEYWORD_DOCS["vary"]!;
  const root = owner === "vary" || isArm(frame) || (isSettings(frame) && (qualifier.length > 0 || !frame.spec?.attrs.some((a) => a.name === word))) ? SCENARIO : frame.spec;
  const spec = walk(root, qualifier);
  if (spec === POPULATION && qualifier.length === 0) {
    const kind = AGENT_KINDS.find((a) => a.kind === word);
    if (kind) return blockMarkdown(kind);
    return declText(sem, find(sem, "policy", word));
  }
  const after = next(lexed, token);
  const attr = spec?.attrs.find((a) => a.name === word);
  const block = spec?.blocks.find((b) => b.kind === word);
  if (attr && (!block || (after && tokenMatcher(after, T.Equals)))) return attrMarkdown(attr, spec);
  if (block) return blockMarkdown(block);
  if (frame.spec === EXPECT && qualifier.length === 0) return criterionWord(token, lexed, []);
  return null;
}

function criterionWord(token: IToken, lexed: Parsed, qualifier: readonly string[]): string | null {
  const name = [...qualifier, token.image].join(".");
  const fn = CRITERION_FUNCTIONS.get(name);
  const after = next(lexed, token);
  if (fn && after && tokenMatcher(after, T.LParen)) return functionMarkdown(fn);
  const metric = dottedMetric(lexed, token, qualifier);
  if (metric) return metricMarkdown(metricDef(metric)!);
  if (token.image === "seeds" && qualifier.length === 0) return "Statistics over the seeds of `expect.seeds`: " + [...CRITERION_FUNCTIONS.keys()].filter((k) => k.startsWith("seeds.")).map((k) => `\`${k}\``).join(", ");
  if (fn) return functionMarkdown(fn);
  const prefix = METRICS.filter((m) => m.name.startsWith(`${name}.`));
  return prefix.length ? `Metrics: ${prefix.map((m) => `\`${m.name}\``).join(", ")}` : null;
}

function exprHover(ctx: CursorContext, slot: Extract<CursorContext["slot"], { kind: "expr" }>, token: IToken, lexed: Parsed, sem: Semantics): string | null {
  const word = token.image;
  if (word === "by" && !slot.expectOperand) return KEYWORD_DOCS["by"]!;
  if (slot.owner.kind === "statement") {
    if (slot.frame.spec !== EXPECT) return null;
    if (slot.bracket?.kind === "index" && slot.expectOperand) {
      const declaration = declarationOf(slot.frame);
      const groups = new Map(declaration?.name ? sem.groups(declaration.name) : []);
      for (const [g, k] of declaration?.groups ?? []) groups.set(g, k);
      if ([...groups.values()].includes(word) && (slot.bracket.named === null || slot.bracket.named === "kind")) return `Agent kind \`${word}\`: the agents of every group of this kind.`;
      if (groups.has(word)) return `Population group \`${word}\` (${groups.get(word)}).`;
      if (["kind", "group", "agent"].includes(word)) return `Select by ${word}.`;
      return null;
    }
    if (tokenMatcher(token, T.AnyName)) return criterionWord(token, lexed, slot.qualifier ?? []);
    return null;
  }
  const found = attrOf(slot.frame, slot.owner.kind, slot.owner.path);
  if (!found) return null;
  const { attr, block } = found;
  if (attr.type.t === "ref" && (tokenMatcher(token, T.Identifier) || ctx.string)) {
    const name = ctx.string ? ctx.string.image.replace(/^"|"$/g, "") : word;
    return declText(sem, find(sem, attr.type.kind, name)) ?? attrMarkdown(attr, block);
  }
  if (attr.type.t === "distribution" && DISTRIBUTION_FUNCTIONS.has(word)) return functionMarkdown(DISTRIBUTION_FUNCTIONS.get(word)!);
  return attrMarkdown(attr, block);
}
