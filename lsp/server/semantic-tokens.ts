/**
 * Semantic tokens: what the TextMate grammar cannot know. Declaration names
 * and references, block kinds, attribute keys, enum values, metrics and
 * criterion functions, numbers with their units, and keywords. Computed from
 * the syntax tree and the registry; `isStdlib` marks references into the
 * standard library.
 */
import { tokenMatcher } from "chevrotain";
import type { SemanticTokensLegend } from "vscode-languageserver";
import type * as A from "../../language/ast.ts";
import { dottedName } from "../../language/ast.ts";
import type { ParseResult } from "../../language/syntax.ts";
import * as T from "../../language/tokens.ts";
import { metricDef } from "../../src/metrics/registry.ts";
import { AGENT_KINDS, ARM, DECLARATIONS, EXPECT, POLICY_GROUP, POPULATION, SCENARIO } from "../../src/registry/blocks.ts";
import type { AttrSpec, BlockSpec } from "../../src/registry/types.ts";
import type { LineIndex } from "../../src/text/line-index.ts";
import type { Lexed } from "./context.ts";
import { CRITERION_FUNCTIONS, DISTRIBUTION_FUNCTIONS } from "./describe.ts";

const TYPES = ["keyword", "type", "class", "property", "enumMember", "variable", "function", "number", "parameter"] as const;
const MODIFIERS = ["declaration", "defaultLibrary", "readonly"] as const;
type TokenType = (typeof TYPES)[number];
type Modifier = (typeof MODIFIERS)[number];

export const SEMANTIC_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

interface Tok {
  readonly start: number;
  readonly end: number;
  readonly type: TokenType;
  readonly mods: readonly Modifier[];
}

export interface NameInfo {
  /** Where a name of `kind` visible from this file is declared: the standard library, the user's files, or nowhere. */
  origin(kind: string, name: string): "stdlib" | "user" | null;
}

export function semanticTokens(parsed: ParseResult, lexed: Lexed, lines: LineIndex, names: NameInfo): number[] {
  const toks: Tok[] = [];
  const push = (s: A.Span, type: TokenType, ...mods: Modifier[]) => toks.push({ start: s.start, end: s.end, type, mods });
  const ref = (s: A.Span, kind: string, name: string) => {
    const origin = names.origin(kind, name);
    push(s, "class", ...(origin === "stdlib" ? (["defaultLibrary"] as const) : []));
  };

  for (const t of lexed.tokens) {
    if ([T.Import, T.Extends, T.Of, T.In, T.And, T.Or, T.Not, T.True, T.False].some((k) => tokenMatcher(t, k))) {
      push({ start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 }, "keyword");
    }
  }

  const expr = (e: A.Expr, spec: AttrSpec | null, criteria: boolean): void => {
    switch (e.kind) {
      case "Number":
        push(e.span, "number");
        return;
      case "Ident":
        if (criteria) {
          if (metricDef(e.name)) push(e.span, "variable", "readonly");
          return;
        }
        if (spec?.type.t === "enum") push(e.span, "enumMember");
        else if (spec?.type.t === "ref") ref(e.span, spec.type.kind, e.name);
        return;
      case "String":
        if (spec?.type.t === "ref") ref(e.span, spec.type.kind, e.value);
        return;
      case "Member": {
        const name = dottedName(e);
        if (criteria && name && metricDef(name)) push(e.span, "variable", "readonly");
        else expr(e.object, spec, criteria);
        return;
      }
      case "Call": {
        const name = dottedName(e.callee);
        if (name && ((criteria && CRITERION_FUNCTIONS.has(name)) || DISTRIBUTION_FUNCTIONS.has(name))) push(e.callee.span, "function");
        for (const a of e.args) {
          if (a.name) push(a.name.span, "parameter");
          expr(a.value, null, criteria);
        }
        return;
      }
      case "Index":
        expr(e.target, spec, criteria);
        for (const a of e.args) {
          if (a.name) push(a.name.span, "parameter");
          if (a.value.kind === "Ident") push(a.value.span, "parameter");
          else expr(a.value, null, criteria);
        }
        return;
      case "Binary":
        expr(e.left, spec, criteria);
        expr(e.right, spec, criteria);
        return;
      case "Unary":
        expr(e.arg, spec, criteria);
        return;
      case "Paren":
        expr(e.expr, spec, criteria);
        return;
      case "List":
        for (const x of e.items) expr(x, spec, criteria);
        return;
      case "Range": {
        expr(e.from, spec, criteria);
        expr(e.to, spec, criteria);
        if (e.step) {
          const by = /\bby\b/.exec(textBetween(lexed, e.to.span.end, e.step.span.start));
          if (by) push({ start: e.to.span.end + by.index, end: e.to.span.end + by.index + 2 }, "keyword");
          expr(e.step, spec, criteria);
        }
        return;
      }
      default:
        return;
    }
  };

  const attrOf = (root: BlockSpec | null, path: readonly A.Name[]): AttrSpec | null => {
    let spec = root;
    for (const seg of path.slice(0, -1)) spec = spec?.blocks.find((b) => b.kind === seg.text) ?? null;
    return spec?.attrs.find((a) => a.name === path.at(-1)!.text) ?? null;
  };

  const block = (b: A.Block, parent: BlockSpec | null, top: boolean): void => {
    let spec: BlockSpec | null;
    if (top) spec = DECLARATIONS.find((d) => d.kind === b.type.text) ?? null;
    else if (parent === POPULATION) spec = AGENT_KINDS.find((a) => a.kind === b.type.text) ?? POLICY_GROUP;
    else spec = parent?.blocks.find((c) => c.kind === b.type.text) ?? null;
    if (spec === POLICY_GROUP) ref(b.type.span, "policy", b.type.text);
    else push(b.type.span, "type");
    if (b.name && (top || parent === POPULATION)) push(b.name.span, "class", "declaration");
    const kind = b.type.text;
    for (const r of [b.extends, b.of]) {
      if (!r) continue;
      const target = r === b.of ? "scenario" : kind;
      ref(r.span, target, r.parts.map((p) => p.text).join("."));
    }
    const pathRoot = spec === ARM ? SCENARIO : spec;
    for (const m of b.members) {
      switch (m.kind) {
        case "Block":
          block(m, spec, false);
          break;
        case "Attribute":
          if (spec === POPULATION && m.path.length === 1) {
            const name = m.path[0]!;
            if (AGENT_KINDS.some((a) => a.kind === name.text)) push(name.span, "type");
            else ref(name.span, "policy", name.text);
          } else for (const p of m.path) push(p.span, "property");
          expr(m.value, attrOf(spec?.settings && m.path.length > 1 ? SCENARIO : pathRoot, m.path), false);
          break;
        case "Vary": {
          const vary = m.span.start;
          push({ start: vary, end: vary + 4 }, "keyword");
          for (const p of m.path) push(p.span, "property");
          expr(m.values, attrOf(SCENARIO, m.path), false);
          break;
        }
        case "Statement":
          if (m.label) push(m.label.span, "parameter", "declaration");
          expr(m.expr, null, spec === EXPECT);
          break;
      }
    }
  };
  for (const item of parsed.file.items) {
    if (item.kind === "Block") block(item, null, true);
    else for (const n of item.names ?? []) ref(n.span, "*", n.text);
  }
  return encode(toks, lines);
}

function textBetween(lexed: Lexed, start: number, end: number): string {
  // Rebuild the text between two offsets from the tokens (whitespace as spaces), enough to find `by`.
  let out = "";
  for (const t of lexed.tokens) {
    if (t.startOffset >= end) break;
    if (t.startOffset >= start) out = out.padEnd(t.startOffset - start, " ") + t.image;
  }
  return out;
}

function encode(toks: Tok[], lines: LineIndex): number[] {
  toks.sort((a, b) => a.start - b.start || b.end - a.end);
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  let lastEnd = -1;
  for (const t of toks) {
    if (t.start < lastEnd || t.end <= t.start) continue;
    const a = lines.position(t.start);
    const b = lines.position(t.end);
    if (a.line !== b.line) continue;
    data.push(a.line - prevLine, a.line === prevLine ? a.character - prevChar : a.character, b.character - a.character, TYPES.indexOf(t.type), t.mods.reduce((m, x) => m | (1 << MODIFIERS.indexOf(x)), 0));
    prevLine = a.line;
    prevChar = a.character;
    lastEnd = t.end;
  }
  return data;
}
