/**
 * Side tables of the binder: what each name declares and where it is used.
 * The language server's go-to-definition, references, rename and outline read them.
 */
import type { Span } from "../text/span.ts";
import type { Decl } from "./program.ts";

export interface SymbolDef {
  /** Declaration kind (`scenario`, `persona`, …) or `group` for a population group. */
  readonly kind: string;
  readonly name: string;
  readonly file: string;
  readonly nameSpan: Span;
  readonly span: Span;
  /** The scenario a population group belongs to. */
  readonly container?: string;
}

export interface SymbolRef {
  readonly file: string;
  readonly span: Span;
  readonly target: SymbolDef;
}

export function declSymbol(decl: Decl): SymbolDef {
  return { kind: decl.kind, name: decl.name, file: decl.module, nameSpan: decl.node.name!.span, span: decl.node.span };
}

export class SymbolTable {
  readonly defs: SymbolDef[] = [];
  readonly refs: SymbolRef[] = [];
  private readonly byKey = new Map<string, SymbolDef>();
  private readonly seenRefs = new Set<string>();

  define(def: SymbolDef): SymbolDef {
    const key = `${def.file}:${def.nameSpan.start}:${def.kind}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    this.byKey.set(key, def);
    this.defs.push(def);
    return def;
  }

  reference(file: string, span: Span, target: Decl | SymbolDef): void {
    const key = `${file}:${span.start}:${span.end}:${target.kind}`;
    if (this.seenRefs.has(key)) return;
    this.seenRefs.add(key);
    // The declaration's symbol is made only for a new reference: most are met again (each scenario asks for its presets).
    this.refs.push({ file, span, target: "node" in target ? declSymbol(target) : target });
  }
}
