/**
 * The compiler's side of the language server: compilations of open buffers
 * over the disk, and every answer that needs one (diagnostics, navigation,
 * rename, quick fixes, the names completion and hover offer). In `sbx lsp`
 * it runs in a worker thread (analysis-worker.ts), so a long compile never
 * holds up the requests the editor thread answers from a parse alone; in the
 * playground, in the language server's Web Worker. Files come through
 * `ServerFiles`.
 *
 * A compilation remembers a stamp of every file it read (an open buffer's
 * revision, a file's modification time and size, or its absence). It stays
 * valid while those stamps do, so an edit recompiles the edited document and
 * the documents that read it, and nothing else; a file created, changed or
 * deleted on disk is seen by its stamp even when the editor sends no event.
 */
import type { Span } from "../../language/ast.ts";
import { basename, dirname, joinPath, normalizePath, relativePath, type SourceHost } from "../../src/compiler/host.ts";
import { compile, type Compilation } from "../../src/compiler/index.ts";
import { loadProgram, resolveSpecifier, visibleNames, type Decl } from "../../src/compiler/program.ts";
import type { SymbolDef } from "../../src/compiler/symbols.ts";
import type { Diagnostic, Fix } from "../../src/diagnostics/diagnostic.ts";
import { DECLARATIONS } from "../../src/registry/blocks.ts";
import { declarationMarkdown } from "./describe.ts";
import { MISSING, type ServerFiles } from "./files.ts";
import { canRename, definition, IDENTIFIER, importTargetAt, references, symbolAt, type Place } from "./navigation.ts";

/** A declared name as completion and hover show it. */
export interface DeclInfo {
  readonly kind: string;
  readonly name: string;
  readonly module: string;
  readonly markdown: string;
}

/** What completion, hover and semantic tokens need from a compilation: names in scope and population groups. */
export interface Summary {
  /** Declarations visible from the document, by kind (own, imported, prelude). */
  readonly visible: Readonly<Record<string, readonly DeclInfo[]>>;
  /** Population groups of each scenario of the document: name → kind. */
  readonly groups: Readonly<Record<string, readonly (readonly [string, string])[]>>;
}

export interface Analysed {
  readonly path: string;
  /** The document's version the compilation saw, or null when it is not open. */
  readonly version: number | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: Summary;
}

export type RenameAnswer = { readonly error: string; readonly invalidParams?: boolean } | { readonly span: Span; readonly placeholder: string } | { readonly edits: readonly Place[] };

interface Cached {
  readonly stamps: ReadonlyMap<string, string>;
  readonly result: Compilation;
  /** Whether its diagnostics were handed out by `diagnose`. */
  reported: boolean;
}

interface OpenText {
  readonly version: number;
  readonly text: string;
  readonly stamp: string;
}

/** How to name a module in documentation seen from `from`: `std/governance`, `./common.sbx`. */
export function moduleLabel(stdlibDir: string, from: string): (path: string) => string {
  const std = normalizePath(stdlibDir) + "/";
  return (path) => {
    if (path.startsWith(std)) return `std/${basename(path).replace(/\.sbx$/, "")}`;
    const rel = relativePath(dirname(from), path);
    return rel.startsWith(".") ? rel : `./${rel}`;
  };
}

export function declInfo(d: Decl, label: (path: string) => string, text: string | undefined): DeclInfo {
  return { kind: d.kind, name: d.name, module: d.module, markdown: declarationMarkdown(d, label(d.module), text) };
}

/** Folders never searched for workspace files. */
const SKIPPED = new Set(["node_modules", ".git", "dist", "out", "build"]);
/** Compilations of unopened files kept for the next references or rename. */
const MAX_CACHED = 64;
/** At most this many workspace files are indexed (a home folder opened by mistake must not stall rename). */
const MAX_WORKSPACE_FILES = 5000;

export class Analyzer {
  private readonly open = new Map<string, OpenText>();
  private readonly diskTexts = new Map<string, { stamp: string; text: string | undefined }>();
  private readonly cache = new Map<string, Cached>();
  private folders: string[] = [];
  private serial = 0;
  /** How many compilations ran (tests and the benchmark read it). */
  compiles = 0;

  constructor(
    readonly stdlibDir: string,
    private readonly disk: ServerFiles,
  ) {}

  // ---- the world ------------------------------------------------------------------------------

  setFolders(folders: readonly string[]): void {
    this.folders = folders.map(normalizePath);
  }

  /** An open buffer's text (new or changed). */
  update(path: string, version: number, text: string): void {
    const previous = this.open.get(path);
    if (previous && previous.version === version && previous.text === text) return;
    this.open.set(path, { version, text, stamp: `open#${++this.serial}` });
  }

  /** A buffer closed: the file is read from disk again. */
  close(path: string): void {
    this.open.delete(path);
    this.diskTexts.delete(path);
  }

  /** Files changed on disk (null: any file). Stamps catch changes too; this drops cached texts at once. */
  diskChanged(paths: readonly string[] | null): void {
    if (paths === null) this.diskTexts.clear();
    else for (const p of paths) this.diskTexts.delete(p);
  }

  isStdlib(path: string): boolean {
    return path.startsWith(normalizePath(this.stdlibDir) + "/");
  }

  /** The current stamp of a file, reading it when it changed. */
  private stamp(path: string): string {
    const open = this.open.get(path);
    if (open) return open.stamp;
    if (this.isStdlib(path)) return "stdlib";
    return this.readDisk(path).stamp;
  }

  private readDisk(path: string): { stamp: string; text: string | undefined } {
    const stamp = this.disk.stamp(path);
    const known = this.diskTexts.get(path);
    if (known && known.stamp === stamp) return known;
    const text = stamp === MISSING ? undefined : this.disk.read(path);
    const entry = { stamp, text };
    this.diskTexts.set(path, entry);
    return entry;
  }

  text(path: string): string | undefined {
    const open = this.open.get(path);
    if (open) return open.text;
    if (this.isStdlib(path)) {
      const known = this.diskTexts.get(path);
      if (known) return known.text;
    }
    return this.readDisk(path).text;
  }

  // ---- compilations ---------------------------------------------------------------------------

  private valid(cached: Cached): boolean {
    for (const [path, stamp] of cached.stamps) if (this.stamp(path) !== stamp) return false;
    return true;
  }

  /** `path` compiled as an entry, up to date with every open buffer and the disk. */
  compilation(path: string): Compilation {
    return this.cached(path).result;
  }

  private cached(path: string): Cached {
    const cached = this.cache.get(path);
    if (cached && this.valid(cached)) return cached;
    const stamps = new Map<string, string>();
    const host: SourceHost = {
      stdlibDir: this.stdlibDir,
      readFile: (p) => {
        stamps.set(p, this.stamp(p));
        return this.text(p);
      },
    };
    const result = compile(host, [path]);
    this.compiles++;
    const fresh: Cached = { stamps, result, reported: false };
    this.cache.delete(path);
    this.cache.set(path, fresh);
    // Keep the open documents' compilations and the most recent others (references compile unopened files too).
    if (this.cache.size > MAX_CACHED) {
      for (const key of this.cache.keys()) {
        if (this.cache.size <= MAX_CACHED) break;
        if (!this.open.has(key) && key !== path) this.cache.delete(key);
      }
    }
    return fresh;
  }

  /** Whether `path`'s last compilation is still valid and its diagnostics were handed out. */
  reported(path: string): boolean {
    const cached = this.cache.get(path);
    return cached !== undefined && cached.reported && this.valid(cached);
  }

  /** Diagnostics and summary of `path` as an entry. */
  analyse(path: string): Analysed {
    const cached = this.cached(path);
    cached.reported = true;
    const result = cached.result;
    return { path, version: this.open.get(path)?.version ?? null, diagnostics: result.diagnostics.filter((d) => d.file === path), summary: this.summary(path, result) };
  }

  moduleLabel(from: string): (path: string) => string {
    return moduleLabel(this.stdlibDir, from);
  }

  private declInfo(d: Decl, label: (path: string) => string): DeclInfo {
    return declInfo(d, label, this.text(d.module));
  }

  private summary(path: string, result: Compilation): Summary {
    const program = result.program;
    const module = program.modules.get(path);
    const label = this.moduleLabel(path);
    const visible: Record<string, DeclInfo[]> = {};
    for (const spec of DECLARATIONS) {
      const decls = module ? visibleNames(program, module, spec.kind) : (program.prelude?.declarations.filter((d) => d.kind === spec.kind) ?? []);
      visible[spec.kind] = decls.map((d) => this.declInfo(d, label));
    }
    const groups: Record<string, (readonly [string, string])[]> = {};
    for (const s of result.scenarios) {
      if (s.file !== path) continue;
      const out = new Map<string, string>();
      for (const g of s.plan?.groups ?? []) out.set(g.name, g.kind);
      groups[s.name] = [...out];
    }
    for (const d of result.symbols.defs) {
      if (d.kind !== "group" || d.file !== path || !d.container) continue;
      const list = (groups[d.container] ??= []);
      if (!list.some(([name]) => name === d.name)) list.push([d.name, d.name]);
    }
    return { visible, groups };
  }

  /** Declarations of the module `spec` names from `from` (for `import "…" { names }`). */
  moduleDeclarations(from: string, spec: string): DeclInfo[] {
    const host: SourceHost = { stdlibDir: this.stdlibDir, readFile: (p) => this.text(p) };
    const target = resolveSpecifier(host, from, spec);
    const loaded = loadProgram(host, [target]).modules.get(target);
    const label = this.moduleLabel(from);
    return (loaded?.declarations ?? []).map((d) => this.declInfo(d, label));
  }

  // ---- navigation -----------------------------------------------------------------------------

  definition(path: string, offset: number): Place | null {
    const result = this.compilation(path);
    const module = importTargetAt(result, path, offset);
    if (module) return this.text(module) === undefined ? null : { file: module, span: { start: 0, end: 0 } };
    return definition(result, path, offset);
  }

  references(path: string, offset: number, includeDeclaration: boolean): Place[] {
    const target = symbolAt(this.compilation(path), path, offset);
    return target ? this.uses(target, includeDeclaration) : [];
  }

  /** Every use of `target` in the open documents and the workspace's files. */
  private uses(target: SymbolDef, includeDeclaration: boolean): Place[] {
    const entries = new Set<string>([...this.open.keys(), target.file]);
    for (const file of this.files()) {
      if (entries.has(file)) continue;
      // Only a file that spells the name can use it.
      if (this.text(file)?.includes(target.name)) entries.add(file);
    }
    return references(
      [...entries].map((e) => this.compilation(e)),
      target,
      includeDeclaration,
    );
  }

  /** The `.sbx` files of the workspace folders, listed afresh (files appear without events in some clients). */
  files(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      if (out.length >= MAX_WORKSPACE_FILES) return;
      const entries = [...this.disk.list(dir)];
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith(".") || SKIPPED.has(e.name)) continue;
        const full = joinPath(dir, e.name);
        if (e.folder) walk(full);
        else if (e.name.endsWith(".sbx") && out.length < MAX_WORKSPACE_FILES) out.push(full);
      }
    };
    for (const folder of this.folders) walk(folder);
    return out;
  }

  private renameTarget(path: string, offset: number): { target: SymbolDef } | { error: string } {
    const result = this.compilation(path);
    const target = symbolAt(result, path, offset);
    if (!target) return { error: "nothing to rename here: place the cursor on a declared name or a use of one" };
    const check = canRename(target, (f) => this.isStdlib(f), this.moduleLabel(path));
    if (!check.ok) return { error: check.reason };
    // A population entry such as `free_rider = 3` is named by its policy: rename the policy instead.
    if (target.kind === "group" && result.symbols.refs.some((r) => r.file === target.file && r.span.start === target.nameSpan.start && r.target.kind !== "group")) {
      return { error: `the group '${target.name}' is named by its policy; rename the policy, or give the group a name of its own` };
    }
    return { target };
  }

  prepareRename(path: string, offset: number): RenameAnswer {
    const found = this.renameTarget(path, offset);
    if ("error" in found) return found;
    const result = this.compilation(path);
    const use = result.symbols.refs.find((r) => r.file === path && r.span.start <= offset && offset <= r.span.end && r.target.name === found.target.name);
    return { span: use?.span ?? found.target.nameSpan, placeholder: found.target.name };
  }

  rename(path: string, offset: number, newName: string): RenameAnswer {
    const found = this.renameTarget(path, offset);
    if ("error" in found) return found;
    if (!IDENTIFIER.test(newName)) return { error: `'${newName}' is not a valid name: use letters, digits and _, not starting with a digit`, invalidParams: true };
    return { edits: this.uses(found.target, true) };
  }

  /** Quick fixes of the diagnostics of `path` that touch [from, to]. */
  fixes(path: string, from: number, to: number): { diagnostic: Diagnostic; fixes: readonly Fix[] }[] {
    const out: { diagnostic: Diagnostic; fixes: readonly Fix[] }[] = [];
    for (const d of this.compilation(path).diagnostics) {
      if (d.file !== path || !d.span || !d.fixes.length || d.span.end < from || d.span.start > to) continue;
      out.push({ diagnostic: d, fixes: d.fixes });
    }
    return out;
  }
}
