/**
 * Loading: parse the entry files, follow their imports (standard modules and
 * relative files) and index each module's declarations. The standard prelude
 * (`std/prelude`) is loaded always and is in scope everywhere, shadowable.
 */
import type * as A from "../../language/ast.ts";
import { parse, type ParseResult } from "../../language/syntax.ts";
import { closest, diagnostic, fileDiagnostic, replaceWith, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { DECLARATIONS } from "../registry/blocks.ts";
import type { BlockSpec } from "../registry/types.ts";
import { dirname, joinPath, normalizePath, type SourceHost } from "./host.ts";

export const PRELUDE = "std/prelude";

export interface Decl {
  readonly kind: string;
  readonly name: string;
  readonly module: string;
  readonly node: A.Block;
  readonly spec: BlockSpec;
}

export interface ImportLink {
  readonly node: A.Import;
  /** Path of the imported module, or null when it was not found. */
  readonly target: string | null;
  /** Names brought into scope, resolved to declarations of the target. */
  readonly names: ReadonlyMap<string, readonly Decl[]>;
}

/**
 * What a module keeps of its parse: the tree, the syntax diagnostics and the block an unterminated comment cut short.
 * Not the tokens: kept, they were most of what a compile retained (more than the tree), copied by every collection
 * until the compile ended and held by the parse cache after it; nothing reads them once the tree is built.
 */
export type ModuleSyntax = Pick<ParseResult, "file" | "diagnostics" | "unfinished">;

export interface Module {
  readonly path: string;
  readonly text: string;
  readonly syntax: ModuleSyntax;
  readonly stdlib: boolean;
  readonly imports: readonly ImportLink[];
  readonly declarations: readonly Decl[];
}

export interface Program {
  readonly host: SourceHost;
  readonly modules: ReadonlyMap<string, Module>;
  readonly entries: readonly string[];
  readonly prelude: Module | null;
  /** Syntax and loading diagnostics (module not found, duplicate declarations, unknown top-level kinds). */
  readonly diagnostics: readonly Diagnostic[];
}

const DECLARATION_BY_KIND = new Map(DECLARATIONS.map((d) => [d.kind, d]));

export function declarationSpec(kind: string): BlockSpec | undefined {
  return DECLARATION_BY_KIND.get(kind);
}

export function stdlibModules(host: SourceHost): string[] {
  // Standard modules are few and fixed; listing them needs no directory IO.
  return STD_MODULES.filter((m) => host.readFile(`${host.stdlibDir}/${m}.sbx`) !== undefined).map((m) => `std/${m}`);
}

export const STD_MODULES = ["prelude", "governance", "personas", "llm", "networks", "policies", "economy"] as const;

/** Resolve an import specifier to an absolute module path (whether or not it exists). */
export function resolveSpecifier(host: SourceHost, from: string, spec: string): string {
  if (spec.startsWith("std/")) return normalizePath(`${host.stdlibDir}/${spec.slice(4)}.sbx`);
  const withExt = spec.endsWith(".sbx") ? spec : `${spec}.sbx`;
  return joinPath(dirname(from), withExt);
}

export function loadProgram(host: SourceHost, entries: readonly string[]): Program {
  const modules = new Map<string, Module>();
  const diagnostics: Diagnostic[] = [];
  const preludePath = resolveSpecifier(host, "/", PRELUDE);

  const load = (path: string): Module | null => {
    const existing = modules.get(path);
    if (existing) return existing;
    const text = host.readFile(path);
    if (text === undefined) return null;
    const syntax = parseCached(path, text);
    diagnostics.push(...syntax.diagnostics);
    const stdlib = path.startsWith(normalizePath(host.stdlibDir) + "/");
    const declarations = indexDeclarations(path, syntax.file, diagnostics);
    // Register before following imports, so import cycles terminate.
    const module: { -readonly [K in keyof Module]: Module[K] } = { path, text, syntax, stdlib, imports: [], declarations };
    modules.set(path, module);
    module.imports = syntax.file.items.filter((i): i is A.Import => i.kind === "Import").map((node) => linkImport(node, path));
    return module;
  };

  const linkImport = (node: A.Import, from: string): ImportLink => {
    if (!node.path) return { node, target: null, names: new Map() };
    const spec = node.path.value;
    const targetPath = resolveSpecifier(host, from, spec);
    const target = load(targetPath);
    if (!target) {
      const candidates = spec.startsWith("std/") ? STD_MODULES.map((m) => `std/${m}`) : [];
      const suggestion = closest(spec, candidates);
      diagnostics.push(
        diagnostic("SBX2008", { path: spec, suggestion }, from, node.path.span, {
          fixes: suggestion ? [replaceWith(from, node.path.span, JSON.stringify(suggestion))] : [],
        }),
      );
      return { node, target: null, names: new Map() };
    }
    const names = new Map<string, Decl[]>();
    if (node.names === null) {
      for (const d of target.declarations) names.set(d.name, [...(names.get(d.name) ?? []), d]);
    } else {
      for (const name of node.names) {
        const found = target.declarations.filter((d) => d.name === name.text);
        if (found.length) names.set(name.text, found);
        else {
          const suggestion = closest(name.text, target.declarations.map((d) => d.name));
          diagnostics.push(
            diagnostic("SBX2009", { module: spec, name: name.text, suggestion }, from, name.span, {
              fixes: suggestion ? [replaceWith(from, name.span, suggestion)] : [],
            }),
          );
        }
      }
    }
    return { node, target: targetPath, names };
  };

  const prelude = load(preludePath);
  for (const entry of entries) {
    if (!load(normalizePath(entry))) {
      diagnostics.push(fileDiagnostic("SBX5001", { path: entry, reason: host.unreadable?.(normalizePath(entry)) ?? "no such file" }, entry));
    }
  }
  return { host, modules, entries: entries.map(normalizePath), prelude, diagnostics };
}

/**
 * Syntax trees are values, so a file whose text has not changed need not be
 * parsed again: the language server and repeated compiles (sweeps, check) reuse
 * them. The cache is small and keyed by path; a changed text replaces the entry.
 */
const PARSE_CACHE_SIZE = 64;
const parseCache = new Map<string, { text: string; result: ModuleSyntax }>();

/** Forget every cached tree (benchmarks measure cold compiles). */
export function clearParseCache(): void {
  parseCache.clear();
}

export function parseCached(path: string, text: string): ModuleSyntax {
  const hit = parseCache.get(path);
  if (hit && hit.text === text) {
    parseCache.delete(path);
    parseCache.set(path, hit);
    return hit.result;
  }
  const { file, diagnostics, unfinished } = parse(text, path);
  const result: ModuleSyntax = { file, diagnostics, unfinished };
  parseCache.delete(path);
  parseCache.set(path, { text, result });
  if (parseCache.size > PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value!);
  return result;
}

function indexDeclarations(path: string, file: A.SourceFile, diagnostics: Diagnostic[]): Decl[] {
  const out: Decl[] = [];
  const seen = new Map<string, Decl>();
  for (const item of file.items) {
    if (item.kind !== "Block") continue;
    const spec = DECLARATION_BY_KIND.get(item.type.text);
    if (!spec) {
      const suggestion = closest(item.type.text, DECLARATION_BY_KIND.keys());
      diagnostics.push(
        diagnostic("SBX2001", { name: item.type.text, context: "the top level of the file", suggestion }, path, item.type.span, {
          fixes: suggestion ? [replaceWith(path, item.type.span, suggestion)] : [],
        }),
      );
      continue;
    }
    if (!item.name) {
      diagnostics.push(diagnostic("SBX3005", { context: `a top-level ${spec.kind}`, what: "a name" }, path, item.type.span));
      continue;
    }
    const decl: Decl = { kind: spec.kind, name: item.name.text, module: path, node: item, spec };
    const key = `${spec.kind}\u0000${decl.name}`;
    const previous = seen.get(key);
    if (previous) {
      diagnostics.push(
        diagnostic("SBX2010", { name: decl.name, what: `a ${spec.kind} in this file` }, path, item.name.span, {
          related: [{ file: path, span: previous.node.name!.span, message: "first declared here" }],
        }),
      );
      continue;
    }
    seen.set(key, decl);
    out.push(decl);
  }
  return out;
}

/**
 * The declarations of `kind` visible from `module` under `name`: its own first,
 * then its imports, then the prelude.
 */
export function lookup(program: Program, module: Module, kind: string, name: string): Decl | undefined {
  const own = ofKind(declarationIndex(module).get(name), kind);
  if (own) return own;
  for (const link of module.imports) {
    const found = link.names.get(name)?.find((d) => d.kind === kind);
    if (found) return found;
  }
  return program.prelude ? ofKind(declarationIndex(program.prelude).get(name), kind) : undefined;
}

function ofKind(decls: readonly Decl[] | undefined, kind: string): Decl | undefined {
  if (decls) for (const d of decls) if (d.kind === kind) return d;
  return undefined;
}

/**
 * A module's declarations by name, the first of each kind (as a scan would find): lookups stay constant-time in files
 * with thousands, and build no key string (a name has a declaration of one kind or a few).
 */
const DECLARATION_INDEX = new WeakMap<Module, Map<string, Decl[]>>();

function declarationIndex(module: Module): Map<string, Decl[]> {
  let index = DECLARATION_INDEX.get(module);
  if (!index) {
    index = new Map();
    for (const d of module.declarations) {
      const decls = index.get(d.name);
      if (!decls) index.set(d.name, [d]);
      else if (!ofKind(decls, d.kind)) decls.push(d);
    }
    DECLARATION_INDEX.set(module, index);
  }
  return index;
}

/** Every name of `kind` visible from `module`, for "did you mean" and completion. */
export function visibleNames(program: Program, module: Module, kind: string): Decl[] {
  const out = new Map<string, Decl>();
  for (const d of program.prelude?.declarations ?? []) if (d.kind === kind) out.set(d.name, d);
  for (const link of module.imports) for (const decls of link.names.values()) for (const d of decls) if (d.kind === kind) out.set(d.name, d);
  for (const d of module.declarations) if (d.kind === kind) out.set(d.name, d);
  return [...out.values()];
}
