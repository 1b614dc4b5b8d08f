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
  /**
   * Seen definitions and references by file, then start offset: every name of every scenario passes through
   * here, and a key string built per call (file path, offsets, kind) was a flat copy and a hash each time.
   */
  private readonly defsAt = new Map<string, Map<number, SymbolDef[]>>();
  private readonly refsAt = new Map<string, Map<number, SymbolRef[]>>();

  define(def: SymbolDef): SymbolDef {
    const at = slot(this.defsAt, def.file, def.nameSpan.start);
    for (const existing of at) if (existing.kind === def.kind) return existing;
    at.push(def);
    this.defs.push(def);
    return def;
  }

  reference(file: string, span: Span, target: Decl | SymbolDef): void {
    const at = slot(this.refsAt, file, span.start);
    for (const seen of at) if (seen.span.end === span.end && seen.target.kind === target.kind) return;
    // The declaration's symbol is made only for a new reference: most are met again (each scenario asks for its presets).
    const ref: SymbolRef = { file, span, target: "node" in target ? declSymbol(target) : target };
    at.push(ref);
    this.refs.push(ref);
  }
}

function slot<T>(byFile: Map<string, Map<number, T[]>>, file: string, start: number): T[] {
  let byStart = byFile.get(file);
  if (!byStart) byFile.set(file, (byStart = new Map()));
  let at = byStart.get(start);
  if (!at) byStart.set(start, (at = []));
  return at;
}
