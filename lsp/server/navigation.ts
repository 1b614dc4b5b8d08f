/**
 * Go to definition, find references and rename, read off the binder's side
 * tables (SymbolTable: declarations and every resolved use of them).
 */
import type { Span } from "../../language/ast.ts";
import type { Compilation } from "../../src/compiler/index.ts";
import { resolveSpecifier } from "../../src/compiler/program.ts";
import type { SymbolDef } from "../../src/compiler/symbols.ts";
import { AGENT_KINDS } from "../../src/registry/blocks.ts";

export interface Place {
  readonly file: string;
  readonly span: Span;
}

const contains = (s: Span, offset: number) => s.start <= offset && offset <= s.end;
export const symbolKey = (d: SymbolDef) => `${d.file}\u0000${d.nameSpan.start}\u0000${d.kind}`;

/** The declaration named at `offset` in `file`: by a use of it, or by its own name. */
export function symbolAt(result: Compilation, file: string, offset: number): SymbolDef | null {
  const refs = result.symbols.refs.filter((r) => r.file === file && contains(r.span, offset));
  // The innermost use wins (a policy-group key is both a group and a use of its policy: prefer the policy).
  refs.sort((a, b) => a.span.end - a.span.start - (b.span.end - b.span.start) || (a.target.kind === "group" ? 1 : -1));
  if (refs[0]) return refs[0].target;
  return result.symbols.defs.find((d) => d.file === file && contains(d.nameSpan, offset)) ?? null;
}

/** `import "./x.sbx"`: the module a path string at `offset` names. */
export function importTargetAt(result: Compilation, file: string, offset: number): string | null {
  const module = result.program.modules.get(file);
  for (const link of module?.imports ?? []) {
    const path = link.node.path;
    if (path && contains(path.span, offset)) return link.target ?? resolveSpecifier(result.program.host, file, path.value);
  }
  return null;
}

export function definition(result: Compilation, file: string, offset: number): Place | null {
  const target = symbolAt(result, file, offset);
  return target ? { file: target.file, span: target.nameSpan } : null;
}

/** Every use of `target` in the given compilations (one per open entry), and its declaration. */
export function references(results: readonly Compilation[], target: SymbolDef, includeDeclaration: boolean): Place[] {
  const key = symbolKey(target);
  const seen = new Set<string>();
  const out: Place[] = [];
  const add = (p: Place) => {
    const k = `${p.file}\u0000${p.span.start}\u0000${p.span.end}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(p);
  };
  if (includeDeclaration) add({ file: target.file, span: target.nameSpan });
  for (const r of results) for (const ref of r.symbols.refs) if (symbolKey(ref.target) === key) add({ file: ref.file, span: ref.span });
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start));
}

export type RenameCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether a declaration may be renamed from the editor. */
export function canRename(target: SymbolDef, isStdlib: (file: string) => boolean, stdlibLabel: (file: string) => string): RenameCheck {
  if (isStdlib(target.file)) {
    return { ok: false, reason: `'${target.name}' is declared in the standard library (${stdlibLabel(target.file)}) and cannot be renamed; declare your own ${target.kind} to shadow it` };
  }
  if (target.kind === "group" && AGENT_KINDS.some((k) => k.kind === target.name)) {
    return { ok: false, reason: `the group '${target.name}' is named after its agent kind; give it a name of its own first, e.g. \`${target.name} careful { count = 2 }\`` };
  }
  return { ok: true };
}

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
