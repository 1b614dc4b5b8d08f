/**
 * The sbx language server: a thin adapter between LSP and the compiler front
 * end the CLI uses. This folder is the only place that imports
 * vscode-languageserver; everything it shows comes from `compile()`, the
 * parser, the registries and the formatter.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CodeActionKind,
  DiagnosticSeverity,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
  type Location,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
  createConnection,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver/node";
import { format } from "../../language/format.ts";
import { PACKAGE_ROOT, STDLIB_DIR } from "../../src/cli/node-host.ts";
import { basename, dirname, relativePath } from "../../src/compiler/host.ts";
import type { Compilation } from "../../src/compiler/index.ts";
import { loadProgram, resolveSpecifier, stdlibModules, visibleNames, type Decl } from "../../src/compiler/program.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { Span } from "../../language/ast.ts";
import { complete, type Semantics } from "./completion.ts";
import { contextAt } from "./context.ts";
import { hover } from "./hover.ts";
import { canRename, definition, IDENTIFIER, importTargetAt, references, symbolAt } from "./navigation.ts";
import { documentSymbols, foldingRanges } from "./outline.ts";
import { SEMANTIC_LEGEND, semanticTokens } from "./semantic-tokens.ts";
import { uriToPath, Workspace, type OpenDocument } from "./workspace.ts";

export interface ServerOptions {
  /** Milliseconds to wait after the last edit before recompiling for diagnostics. */
  readonly diagnosticsDelay?: number;
  readonly stdlibDir?: string;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** Where a code is explained: its entry in docs/diagnostics.md in the installed package (headings slug to `#sbx2002`). */
export function diagnosticHref(code: string): string {
  return `${pathToFileURL(join(PACKAGE_ROOT, "docs", "diagnostics.md")).href}#${code.toLowerCase()}`;
}

export function startServer(connection: Connection, options: ServerOptions = {}): Workspace {
  const workspace = new Workspace(options.stdlibDir ?? STDLIB_DIR);
  let delay = options.diagnosticsDelay ?? 200;
  let relatedInformation = false;
  let snippets = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const range = (path: string, span: Span): Range => {
    const lines = workspace.lines(path);
    return { start: lines.position(span.start), end: lines.position(span.end) };
  };
  const rangeIn = (path: string) => (start: number, end: number) => range(path, { start, end });
  /** Ranges from offsets within a window of the document that starts at `base`. */
  const shifted = (path: string, base: number) => (start: number, end: number) => range(path, { start: start + base, end: end + base });
  const location = (path: string, span: Span): Location => ({ uri: workspace.uriOf(path), range: range(path, span) });

  const toLsp = (d: Diagnostic): LspDiagnostic => ({
    range: range(d.file, d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: diagnosticHref(d.code) },
    source: "sbx",
    message: d.message,
    ...(relatedInformation && d.related.length ? { relatedInformation: d.related.map((r) => ({ location: location(r.file, r.span), message: r.message })) } : {}),
  });

  const docAt = (uri: string): OpenDocument | undefined => workspace.document(uriToPath(uri));

  // ---- diagnostics, debounced -------------------------------------------------------------

  const publish = (doc: OpenDocument) => {
    const result = workspace.compilation(doc.path);
    if (workspace.document(doc.path)?.version !== doc.version) return;
    const diagnostics = result.diagnostics.filter((d) => d.file === doc.path).map(toLsp);
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  };

  const runDiagnostics = () => {
    timer = null;
    const queue = workspace.documents();
    const nextDoc = () => {
      const doc = queue.shift();
      if (!doc || timer) return;
      const current = workspace.document(doc.path);
      try {
        if (current) publish(current);
      } catch (e) {
        connection.console.error(`sbx: diagnostics failed for ${doc.path}: ${(e as Error).stack ?? String(e)}`);
      }
      // One compilation per turn, so requests are answered in between.
      setImmediate(nextDoc);
    };
    nextDoc();
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(runDiagnostics, delay);
  };

  // ---- semantics for completion and hover -------------------------------------------------

  const moduleLabel = (from: string) => (path: string) => {
    if (workspace.isStdlib(path)) return `std/${basename(path).replace(/\.sbx$/, "")}`;
    const rel = relativePath(dirname(from), path);
    return rel.startsWith(".") ? rel : `./${rel}`;
  };

  const semanticsOf = (doc: OpenDocument, result: Compilation): Semantics => {
    const program = result.program;
    const module = program.modules.get(doc.path);
    return {
      visible: (kind) => (module ? visibleNames(program, module, kind) : (program.prelude?.declarations.filter((d) => d.kind === kind) ?? [])),
      groups: (scenario) => {
        const out = new Map<string, string>();
        const plan = result.scenarios.find((s) => s.name === scenario && s.file === doc.path)?.plan;
        for (const g of plan?.groups ?? []) out.set(g.name, g.kind);
        for (const d of result.symbols.defs) if (d.kind === "group" && d.container === scenario && d.file === doc.path && !out.has(d.name)) out.set(d.name, d.name);
        return out;
      },
      moduleDeclarations: (spec) => {
        const target = resolveSpecifier(workspace.host, doc.path, spec);
        const loaded = program.modules.get(target) ?? loadProgram(workspace.host, [target]).modules.get(target);
        return loaded?.declarations ?? [];
      },
      importable: () => {
        const out = stdlibModules(workspace.host);
        try {
          for (const f of readdirSync(dirname(doc.path)).sort()) if (f.endsWith(".sbx") && join(dirname(doc.path), f) !== doc.path) out.push(`./${f}`);
        } catch {
          // An unsaved buffer has no folder.
        }
        return out;
      },
      moduleLabel: moduleLabel(doc.path),
      text: (path) => workspace.text(path),
      path: doc.path,
    };
  };

  // ---- lifecycle ------------------------------------------------------------------------------

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as { diagnosticsDelay?: unknown };
    if (typeof init.diagnosticsDelay === "number" && init.diagnosticsDelay >= 0) delay = init.diagnosticsDelay;
    relatedInformation = params.capabilities.textDocument?.publishDiagnostics?.relatedInformation === true;
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [".", "[", '"', "/"] },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true },
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "sbx" },
    };
  });

  // Incremental sync, applied by the workspace itself so it sees each edit (and re-indexes only around it).
  connection.onDidOpenTextDocument((p) => {
    workspace.set(p.textDocument.uri, p.textDocument.version, p.textDocument.text);
    schedule();
  });
  connection.onDidChangeTextDocument((p) => {
    workspace.change(p.textDocument.uri, p.textDocument.version, p.contentChanges);
    schedule();
  });
  connection.onDidCloseTextDocument((p) => {
    workspace.close(p.textDocument.uri);
    void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
    schedule();
  });
  connection.onDidChangeWatchedFiles(() => {
    workspace.diskChanged();
    schedule();
  });

  // ---- requests -------------------------------------------------------------------------------

  connection.onCompletion((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return [];
    const offset = workspace.lines(doc.path).offset(params.position);
    const w = workspace.window(doc, offset);
    const ctx = contextAt(w.parsed, w.text, offset - w.base, "complete");
    if (ctx.slot.kind === "none") return [];
    return complete(ctx, semanticsOf(doc, workspace.recentCompilation(doc.path)), shifted(doc.path, w.base), { snippets });
  });

  connection.onHover((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const w = workspace.window(doc, offset);
    const ctx = contextAt(w.parsed, w.text, offset - w.base, "hover");
    return hover(ctx, w.parsed, semanticsOf(doc, workspace.recentCompilation(doc.path)), shifted(doc.path, w.base));
  });

  connection.onDefinition((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const result = workspace.compilation(doc.path);
    const module = importTargetAt(result, doc.path, offset);
    if (module) return workspace.text(module) === undefined ? null : location(module, { start: 0, end: 0 });
    const place = definition(result, doc.path, offset);
    return place ? location(place.file, place.span) : null;
  });

  const openCompilations = (): Compilation[] => workspace.documents().map((d) => workspace.compilation(d.path));

  connection.onReferences((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const target = symbolAt(workspace.compilation(doc.path), doc.path, offset);
    if (!target) return [];
    return references(openCompilations(), target, params.context.includeDeclaration).map((p) => location(p.file, p.span));
  });

  const renameTarget = (doc: OpenDocument, offset: number) => {
    const result = workspace.compilation(doc.path);
    const target = symbolAt(result, doc.path, offset);
    if (!target) return { error: "nothing to rename here: place the cursor on a declared name or a use of one" } as const;
    const check = canRename(target, (f) => workspace.isStdlib(f), moduleLabel(doc.path));
    if (!check.ok) return { error: check.reason } as const;
    // A population entry such as `free_rider = 3` is named by its policy: rename the policy instead.
    if (target.kind === "group" && result.symbols.refs.some((r) => r.file === target.file && r.span.start === target.nameSpan.start && r.target.kind !== "group")) {
      return { error: `the group '${target.name}' is named by its policy; rename the policy, or give the group a name of its own` } as const;
    }
    return { target } as const;
  };

  connection.onPrepareRename((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const found = renameTarget(doc, offset);
    if ("error" in found) return new ResponseError(ErrorCodes.InvalidRequest, found.error ?? "");
    const result = workspace.compilation(doc.path);
    const use = result.symbols.refs.find((r) => r.file === doc.path && r.span.start <= offset && offset <= r.span.end && r.target.name === found.target.name);
    const span = use?.span ?? found.target.nameSpan;
    return { range: range(doc.path, span), placeholder: found.target.name };
  });

  connection.onRenameRequest((params): WorkspaceEdit | ResponseError<void> | null => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const found = renameTarget(doc, offset);
    if ("error" in found) return new ResponseError(ErrorCodes.InvalidRequest, found.error ?? "");
    if (!IDENTIFIER.test(params.newName)) return new ResponseError(ErrorCodes.InvalidParams, `'${params.newName}' is not a valid name: use letters, digits and _, not starting with a digit`);
    const changes: Record<string, TextEdit[]> = {};
    for (const place of references(openCompilations(), found.target, true)) {
      (changes[workspace.uriOf(place.file)] ??= []).push({ range: range(place.file, place.span), newText: params.newName });
    }
    return { changes };
  });

  connection.onDocumentSymbol((params) => {
    const doc = docAt(params.textDocument.uri);
    return doc ? documentSymbols(workspace.parsed(doc), rangeIn(doc.path)) : [];
  });

  connection.onFoldingRanges((params) => {
    const doc = docAt(params.textDocument.uri);
    return doc ? foldingRanges(workspace.parsed(doc), workspace.lexed(doc), workspace.lines(doc.path)) : [];
  });

  connection.languages.semanticTokens.on((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return { data: [] };
    const result = workspace.recentCompilation(doc.path);
    const module = result.program.modules.get(doc.path);
    const origin = (kind: string, name: string): "stdlib" | "user" | null => {
      const decls: Decl[] = module ? (kind === "*" ? [...new Set(["persona", "policy", "scenario", ...result.program.modules.get(doc.path)!.declarations.map((d) => d.kind)])].flatMap((k) => visibleNames(result.program, module, k)) : visibleNames(result.program, module, kind)) : [];
      const decl = decls.find((d) => d.name === name);
      return decl ? (workspace.isStdlib(decl.module) ? "stdlib" : "user") : null;
    };
    return { data: semanticTokens(workspace.parsed(doc), workspace.lexed(doc), workspace.lines(doc.path), { origin }) };
  });

  connection.onDocumentFormatting((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const result = format(doc.text, doc.path);
    if ("error" in result || result.text === doc.text) return [];
    return [{ range: range(doc.path, { start: 0, end: doc.text.length }), newText: result.text }];
  });

  connection.onCodeAction((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return [];
    const lines = workspace.lines(doc.path);
    const from = lines.offset(params.range.start);
    const to = lines.offset(params.range.end);
    const actions: CodeAction[] = [];
    for (const d of workspace.compilation(doc.path).diagnostics) {
      if (d.file !== doc.path || !d.fixes.length || d.span.end < from || d.span.start > to) continue;
      for (const fix of d.fixes) {
        const changes: Record<string, TextEdit[]> = {};
        for (const e of fix.edits) (changes[workspace.uriOf(e.file)] ??= []).push({ range: range(e.file, e.span), newText: e.text });
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [toLsp(d)], isPreferred: d.fixes.length === 1, edit: { changes } });
      }
    }
    return actions;
  });

  connection.listen();
  return workspace;
}

/** `sbx lsp --stdio`: serve until the client disconnects. */
export function runStdioServer(options: ServerOptions = {}): Promise<void> {
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  startServer(connection, options);
  return new Promise((resolve) => connection.onExit(() => resolve()));
}
