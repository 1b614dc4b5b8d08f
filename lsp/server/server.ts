/**
 * The sbx language server: a thin adapter between LSP and the compiler front
 * end the CLI uses. This folder is the only place that imports
 * vscode-languageserver; everything it shows comes from `compile()`, the
 * parser, the registries and the formatter.
 *
 * Portable: the connection and the files come from the environment, so the
 * same server runs as `sbx lsp --stdio` (node.ts) and in the playground's Web
 * Worker (browser.ts).
 */
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
  type Location,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver";
import { format } from "../../language/format.ts";
import { dirname, joinPath } from "../../src/compiler/host.ts";
import { loadProgram, resolveSpecifier, stdlibModules } from "../../src/compiler/program.ts";
import type { Diagnostic, Fix } from "../../src/diagnostics/diagnostic.ts";
import type { Span } from "../../language/ast.ts";
import { declInfo, moduleLabel, type Analysed, type DeclInfo, type RenameAnswer, type Summary } from "./analysis.ts";
import { AnalysisClient, type StartThread } from "./analysis-client.ts";
import { completions, listWithDefaults, listWithEdits, type Resolved, type Semantics } from "./completion.ts";
import { contextAt } from "./context.ts";
import type { ServerFiles } from "./files.ts";
import { hover } from "./hover.ts";
import type { Place } from "./navigation.ts";
import { documentSymbols, foldingRanges } from "./outline.ts";
import { SEMANTIC_LEGEND, semanticTokens } from "./semantic-tokens.ts";
import { WARM_UP_DECLARATIONS, warmUp } from "./warm-up.ts";
import { uriToPath, Workspace, type OpenDocument } from "./workspace.ts";

/** What the server runs on: the disk and a worker thread (node.ts), or a virtual file system in a Web Worker (browser.ts). */
export interface ServerEnvironment {
  /** Absolute path of the standard library folder. */
  readonly stdlibDir: string;
  /** Files that are not open in the editor. */
  readonly files: ServerFiles;
  /** Starts the analyzer's thread; null: analyse in this thread. */
  readonly startThread: StartThread | null;
  /** Where a diagnostic code is explained (LSP `codeDescription`), if anywhere the client can open. */
  readonly diagnosticHref?: (code: string) => string | undefined;
  /** Milliseconds to wait after the last edit before recompiling for diagnostics. */
  readonly diagnosticsDelay?: number;
}

/** Run `f` after pending input has been read: setImmediate where there is one (Node), else a zero timer (a Web Worker). */
const later: (f: () => void) => void = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate ?? ((f) => setTimeout(f, 0));

/** A timer that can be set again for its delay from now (Node's `Timeout#refresh`, also after it ran), not a Web Worker's number. */
function refreshable(timer: unknown): timer is { refresh(): unknown } {
  return typeof timer === "object" && timer !== null && typeof (timer as { refresh?: unknown }).refresh === "function";
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function startServer(connection: Connection, env: ServerEnvironment): Workspace {
  const { stdlibDir, files } = env;
  const workspace = new Workspace(stdlibDir, files);
  let delay = env.diagnosticsDelay ?? 200;
  let relatedInformation = false;
  let snippets = false;
  /**
   * The client fetches an item's documentation when it shows it (completionItem/resolve): lists go out
   * without it, and without the item's detail when the client resolves that too (as VS Code).
   */
  let lazyDocs = false;
  let resolved: Resolved = { documentation: true, detail: false };
  /**
   * The client takes a list's default edit range and data (LSP 3.17 `itemDefaults`, as VS Code):
   * items then carry neither, and most are sent as made once per registry entry.
   */
  let listDefaults = false;
  let lastList: { readonly serial: number; readonly items: readonly CompletionItem[] } = { serial: 0, items: [] };
  let watchFiles = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The newest names in scope of each open document, from its last compilation (a keystroke seldom changes them). */
  const summaries = new Map<string, Summary>();

  const range = (path: string, span: Span): Range => {
    const lines = workspace.lines(path);
    return { start: lines.position(span.start), end: lines.position(span.end) };
  };
  const rangeIn = (path: string) => (start: number, end: number) => range(path, { start, end });
  /** Ranges from offsets within a window of the document that starts at `base`. */
  const shifted = (path: string, base: number) => (start: number, end: number) => range(path, { start: start + base, end: end + base });
  const location = (path: string, span: Span): Location => ({ uri: workspace.uriOf(path), range: range(path, span) });

  const toLsp = (d: Diagnostic): LspDiagnostic => {
    const href = env.diagnosticHref?.(d.code);
    return {
      // A diagnostic about a whole file (one it cannot read) has no span; LSP needs a range, so it sits at the start.
      range: d.span ? range(d.file, d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: SEVERITY[d.severity],
      code: d.code,
      ...(href ? { codeDescription: { href } } : {}),
      source: "sbx",
    message: d.message,
      ...(relatedInformation && d.related.length ? { relatedInformation: d.related.map((r) => ({ location: location(r.file, r.span), message: r.message })) } : {}),
    };
  };

  const docAt = (uri: string): OpenDocument | undefined => workspace.document(uriToPath(uri));

  // ---- the analyzer: compilations off this thread --------------------------------------------

  /** A compilation's result: publish it if it is of the document's current version. */
  const analysed = (result: Analysed) => {
    const doc = workspace.document(result.path);
    if (!doc) return;
    summaries.set(doc.path, result.summary);
    if (result.version !== doc.version) return;
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: result.diagnostics.map(toLsp) });
  };
  const analysis = new AnalysisClient(stdlibDir, files, env.startThread, {
    analysed,
    error: (message) => connection.console.error(message),
  });
  /** Ask the analyzer, with every open buffer's newest text handed over first. */
  const ask = <T>(method: Parameters<AnalysisClient["request"]>[0], ...args: unknown[]): Promise<T> => {
    analysis.sync(workspace.documents());
    return analysis.request<T>(method, ...args);
  };

  // ---- diagnostics, debounced -------------------------------------------------------------

  const runDiagnostics = () => {
    if (!refreshable(timer)) timer = null;
    const docs = workspace.documents();
    analysis.sync(docs);
    // The analyzer recompiles only the documents whose files changed, one per turn.
    analysis.diagnose(docs.map((d) => d.path));
  };

  const schedule = () => {
    // Node's timer is set again in place (no timer made per keystroke); a Web Worker's is replaced.
    if (refreshable(timer)) timer.refresh();
    else {
      if (timer) clearTimeout(timer);
      timer = setTimeout(runDiagnostics, delay);
    }
  };

  // ---- semantics for completion and hover -------------------------------------------------

  /** The document's names in scope: its last summary, else (first request after opening) a compilation now. */
  const summaryOf = async (doc: OpenDocument): Promise<Summary> => {
    const known = summaries.get(doc.path);
    if (known) return known;
    try {
      const result = await ask<Analysed>("analyse", doc.path);
      analysed(result);
      return result.summary;
    } catch {
      // The compile failed (its thread ran out of memory, and was restarted): answer from the registry alone.
      return { visible: {}, groups: {} };
    }
  };

  /**
   * Declarations of modules named by imports (completion and hover inside an import), with the text
   * they were read from and the document whose labels they carry: a module's declarations and their
   * documentation follow from its text alone, so they are loaded again only when that text changes.
   */
  const imported = new Map<string, { readonly from: string; readonly text: string | undefined; readonly declarations: readonly DeclInfo[] }>();
  let standardModules: readonly string[] | null = null;

  /**
   * How modules are named from a document (`std/governance`, `./common.sbx`), each worked out once:
   * completion names the module of every declaration it lists (a population block lists every policy).
   */
  const labels = new Map<string, (path: string) => string>();
  const labelsFrom = (from: string): ((path: string) => string) => {
    let label = labels.get(from);
    if (!label) {
      const of = moduleLabel(stdlibDir, from);
      const known = new Map<string, string>();
      label = (path) => {
        let name = known.get(path);
        if (name === undefined) known.set(path, (name = of(path)));
        return name;
      };
      if (labels.size >= 256) labels.clear();
      labels.set(from, label);
    }
    return label;
  };

  const semanticsOf = (doc: OpenDocument, summary: Summary): Semantics => {
    const label = labelsFrom(doc.path);
    return {
      visible: (kind) => summary.visible[kind] ?? [],
      groups: (scenario) => new Map(summary.groups[scenario] ?? []),
      moduleDeclarations: (spec) => {
        // A module being imported right now may be new: load it here (it is small), unless its text is the one loaded last.
        const target = resolveSpecifier(workspace.host, doc.path, spec);
        const text = workspace.text(target);
        const known = imported.get(target);
        if (known && known.text === text && known.from === doc.path) return known.declarations;
        const loaded = loadProgram(workspace.host, [target]).modules.get(target);
        const declarations = (loaded?.declarations ?? []).map((d): DeclInfo => declInfo(d, label, d.module === target ? text : workspace.text(d.module)));
        if (imported.size >= 64) imported.clear();
        imported.set(target, { from: doc.path, text, declarations });
        return declarations;
      },
      importable: () => {
        // The standard modules are the package's own files: found once.
        const out = [...(standardModules ??= stdlibModules(workspace.host))];
        // An unsaved buffer's folder lists nothing.
        const names = files.list(dirname(doc.path)).flatMap((e) => (e.folder ? [] : [e.name]));
        for (const f of names.sort()) if (f.endsWith(".sbx") && joinPath(dirname(doc.path), f) !== doc.path) out.push(`./${f}`);
        return out;
      },
      moduleLabel: label,
      text: (path) => workspace.text(path),
      path: doc.path,
    };
  };

  // ---- warming up the request path (warm-up.ts) ------------------------------------------------

  let warmBudget = WARM_UP_DECLARATIONS;
  let warming = false;
  /**
   * Run completion and hover over the declarations of `text`, a small step per turn, while the budget
   * lasts. Steps are immediates, not timers: a request that arrives meanwhile is read and answered
   * between two steps, and no timer's minimum delay stretches the warm-up over the first requests.
   */
  const warm = (text: string) => {
    if (warming || warmBudget <= 0) return;
    warming = true;
    const steps = warmUp(text, warmBudget, resolved);
    const next = () => {
      let done = true;
      try {
        // The steps stop at the budget they were given (declarations); each parse spends one.
        const step = steps.next();
        done = step.done === true;
        if (!step.done) warmBudget -= step.value;
      } catch {
        // Warming up is only an optimisation: text it cannot handle ends it.
      }
      if (done) {
        warming = false;
        return;
      }
      later(next);
    };
    later(next);
  };

  // ---- lifecycle ------------------------------------------------------------------------------

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as { diagnosticsDelay?: unknown };
    if (typeof init.diagnosticsDelay === "number" && init.diagnosticsDelay >= 0) delay = init.diagnosticsDelay;
    relatedInformation = params.capabilities.textDocument?.publishDiagnostics?.relatedInformation === true;
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    const resolvable = params.capabilities.textDocument?.completion?.completionItem?.resolveSupport?.properties ?? [];
    lazyDocs = resolvable.includes("documentation");
    resolved = { documentation: true, detail: resolvable.includes("detail") };
    const defaults = params.capabilities.textDocument?.completion?.completionList?.itemDefaults ?? [];
    listDefaults = lazyDocs && defaults.includes("editRange") && defaults.includes("data");
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? (params.rootUri ? [uriToPath(params.rootUri)] : params.rootPath ? [params.rootPath] : []);
    analysis.init(folders.filter((f) => !f.startsWith("/__unsaved__/")));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [".", "[", '"', "/"], resolveProvider: true },
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

  connection.onInitialized(() => {
    // Files created, changed or deleted outside the editor: ask the client to tell us (VS Code's client does it unasked).
    if (watchFiles) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.sbx" }] });
  });

  // Incremental sync, applied by the workspace itself so it sees each edit (and re-indexes only around it).
  connection.onDidOpenTextDocument((p) => {
    workspace.set(p.textDocument.uri, p.textDocument.version, p.textDocument.text);
    schedule();
    warm(p.textDocument.text);
  });
  connection.onDidChangeTextDocument((p) => {
    if (!workspace.change(p.textDocument.uri, p.textDocument.version, p.contentChanges)) return;
    schedule();
  });
  connection.onDidCloseTextDocument((p) => {
    // The file is read from disk again; the documents that import it are checked against that.
    const path = workspace.close(p.textDocument.uri);
    summaries.delete(path);
    analysis.close(path);
    void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
    schedule();
  });
  connection.onDidChangeWatchedFiles((p) => {
    analysis.diskChanged(p.changes.map((c) => uriToPath(c.uri)));
    schedule();
  });

  // ---- requests -------------------------------------------------------------------------------

  connection.onCompletion(async (params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return [];
    const offset = workspace.lines(doc.path).offset(params.position);
    const w = workspace.window(doc, offset);
    const ctx = contextAt(w.parsed, w.text, offset - w.base, "complete");
    if (ctx.slot.kind === "none") return [];
    const current = workspace.document(doc.path);
    if (!current) return [];
    const answer = completions(ctx, semanticsOf(current, await summaryOf(current)), shifted(doc.path, w.base), { snippets });
    if (!lazyDocs) return listWithEdits(answer, null);
    const serial = lastList.serial + 1;
    lastList = { serial, items: answer.items };
    if (listDefaults) {
      return listWithDefaults(answer, { list: serial }, resolved);
    }
    return listWithEdits(answer, { resolved, list: serial });
  });

  connection.onCompletionResolve((item) => {
    const at = item.data as { list?: unknown; index?: unknown } | undefined;
    if (at?.list !== lastList.serial) return item;
    // Items of a list with default data are found by their label and kind.
    const full = typeof at.index === "number" ? lastList.items[at.index] : lastList.items.find((i) => i.label === item.label && i.kind === item.kind);
    if (full?.label !== item.label) return item;
    return { ...item, ...(full.detail !== undefined ? { detail: full.detail } : {}), ...(full.documentation !== undefined ? { documentation: full.documentation } : {}) };
  });

  connection.onHover(async (params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const w = workspace.window(doc, offset);
    const ctx = contextAt(w.parsed, w.text, offset - w.base, "hover");
    if (!ctx.token) return null;
    const current = workspace.document(doc.path);
    if (!current) return null;
    return hover(ctx, w.parsed, semanticsOf(current, await summaryOf(current)), shifted(doc.path, w.base));
  });

  connection.onDefinition(async (params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const place = await ask<Place | null>("definition", doc.path, offset);
    return place ? location(place.file, place.span) : null;
  });

  connection.onReferences(async (params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const places = await ask<Place[]>("references", doc.path, offset, params.context.includeDeclaration);
    return places.map((p) => location(p.file, p.span));
  });

  connection.onPrepareRename(async (params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const answer = await ask<RenameAnswer>("prepareRename", doc.path, offset);
    if ("error" in answer) return new ResponseError(ErrorCodes.InvalidRequest, answer.error);
    if (!("span" in answer)) return null;
    return { range: range(doc.path, answer.span), placeholder: answer.placeholder };
  });

  connection.onRenameRequest(async (params): Promise<WorkspaceEdit | ResponseError<void> | null> => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const offset = workspace.lines(doc.path).offset(params.position);
    const answer = await ask<RenameAnswer>("rename", doc.path, offset, params.newName);
    if ("error" in answer) return new ResponseError(answer.invalidParams ? ErrorCodes.InvalidParams : ErrorCodes.InvalidRequest, answer.error);
    if (!("edits" in answer)) return null;
    const changes: Record<string, TextEdit[]> = {};
    for (const place of answer.edits) (changes[workspace.uriOf(place.file)] ??= []).push({ range: range(place.file, place.span), newText: params.newName });
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

  connection.languages.semanticTokens.on(async (params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return { data: [] };
    const summary = await summaryOf(doc);
    const current = workspace.document(doc.path);
    if (!current) return { data: [] };
    const origin = (kind: string, name: string): "stdlib" | "user" | null => {
      const decls: readonly DeclInfo[] = kind === "*" ? Object.values(summary.visible).flat() : (summary.visible[kind] ?? []);
      const decl = decls.findLast((d) => d.name === name);
      return decl ? (workspace.isStdlib(decl.module) ? "stdlib" : "user") : null;
    };
    return { data: semanticTokens(workspace.parsed(current), workspace.lexed(current), workspace.lines(current.path), { origin }) };
  });

  connection.onDocumentFormatting((params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return null;
    const result = format(doc.text, doc.path);
    if ("error" in result || result.text === doc.text) return [];
    return [{ range: range(doc.path, { start: 0, end: doc.text.length }), newText: result.text }];
  });

  connection.onCodeAction(async (params) => {
    const doc = docAt(params.textDocument.uri);
    if (!doc) return [];
    // Every action here is a quick fix: a client that asks only for other kinds gets none.
    const only = params.context.only;
    if (only && !only.some((k) => k === CodeActionKind.Empty || k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`))) return [];
    const lines = workspace.lines(doc.path);
    const from = lines.offset(params.range.start);
    const to = lines.offset(params.range.end);
    const found = await ask<{ diagnostic: Diagnostic; fixes: readonly Fix[] }[]>("fixes", doc.path, from, to);
    const actions: CodeAction[] = [];
    for (const { diagnostic: d, fixes } of found) {
      for (const fix of fixes) {
        const changes: Record<string, TextEdit[]> = {};
        for (const e of fix.edits) (changes[workspace.uriOf(e.file)] ??= []).push({ range: range(e.file, e.span), newText: e.text });
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [toLsp(d)], isPreferred: fixes.length === 1, edit: { changes } });
      }
    }
    return actions;
  });

  connection.onShutdown(() => {
    warmBudget = 0;
    return analysis.stop();
  });

  connection.listen();
  return workspace;
}
