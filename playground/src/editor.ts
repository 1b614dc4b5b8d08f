/**
 * The editor: CodeMirror 6 talking LSP (@codemirror/lsp-client) to the sbx
 * language server in a Web Worker. Completion, hover, diagnostics with their
 * quick fixes, formatting, go-to-definition (into the standard library too,
 * shown read-only), find references and rename come from the server; the
 * colours from the TextMate grammar (highlight.ts).
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, indentUnit } from "@codemirror/language";
import { forEachDiagnostic, lintGutter, lintKeymap, openLintPanel, setDiagnostics, type Action, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import {
  findReferencesKeymap,
  formatDocument,
  formatKeymap,
  hoverTooltips,
  jumpToDefinition,
  jumpToDefinitionKeymap,
  LSPClient,
  LSPPlugin,
  renameKeymap,
  serverCompletion,
  Workspace,
  type LSPClientExtension,
  type Transport,
  type WorkspaceFile,
  type WorkspaceMapping,
} from "@codemirror/lsp-client";
import { search, searchKeymap } from "@codemirror/search";
import { EditorState, type Extension, type Text } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, ViewPlugin, type ViewUpdate } from "@codemirror/view";

/** LSP shapes the editor reads (vscode-languageserver stays the server's alone). */
interface LspPosition {
  line: number;
  character: number;
}
interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
interface LspDiagnostic {
  range: LspRange;
  severity?: number;
  code?: string | number;
  message: string;
}
interface LspTextEdit {
  range: LspRange;
  newText: string;
}
interface LspCodeAction {
  title: string;
  isPreferred?: boolean;
  diagnostics?: LspDiagnostic[];
  edit?: { changes?: Record<string, LspTextEdit[]> };
}

/** Elements hover and completion documentation may use; everything else is reduced to its text. */
const ALLOWED = new Set(["P", "CODE", "PRE", "EM", "STRONG", "B", "I", "UL", "OL", "LI", "BLOCKQUOTE", "BR", "HR", "H1", "H2", "H3", "H4", "H5", "H6", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD", "SPAN", "DIV", "DEL"]);

/**
 * The language server's markdown, rendered by the client, as safe HTML: a
 * scenario's own text (a description, a prompt) reaches hovers, and a shared
 * link can carry anyone's scenario. Only plain formatting elements survive,
 * with no attributes but the highlighter's classes.
 */
export function sanitizeHtml(html: string): string {
  // Event handlers are renamed before parsing (the browser would report each as a blocked script), then dropped with every attribute.
  let unhandled = html;
  for (let previous = ""; previous !== unhandled; ) {
    previous = unhandled;
    unhandled = unhandled.replace(/(<[^>]*?[\s/])on([a-z]*\s*=)/gi, "$1data-on$2");
  }
  // A document of its own, with no window: nothing in it loads or runs while it is cleaned.
  const body = new DOMParser().parseFromString(`<!doctype html><body>${unhandled}`, "text/html").body;
  const clean = (parent: Node) => {
    for (const child of [...parent.childNodes]) {
      if (child.nodeType === Node.ELEMENT_NODE) {
        const el = child as Element;
        if (!ALLOWED.has(el.tagName)) {
          el.replaceWith(body.ownerDocument.createTextNode(el.textContent ?? ""));
          continue;
        }
        for (const attr of [...el.attributes]) if (attr.name !== "class") el.removeAttribute(attr.name);
        clean(el);
      } else if (child.nodeType !== Node.TEXT_NODE) child.remove();
    }
  };
  clean(body);
  return body.innerHTML;
}

/** The worker's messages as the client's transport: LSP messages as JSON text, posted as objects (vscode-languageserver/browser's framing). */
export function workerTransport(worker: Worker): Transport {
  const handlers = new Set<(value: string) => void>();
  worker.addEventListener("message", (e: MessageEvent) => {
    const text = JSON.stringify(e.data);
    for (const h of handlers) h(text);
  });
  return {
    send: (message) => worker.postMessage(JSON.parse(message)),
    subscribe: (handler) => handlers.add(handler),
    unsubscribe: (handler) => handlers.delete(handler),
  };
}

type WorkspaceFileUpdate = ReturnType<Workspace["syncFiles"]>[number];

const SEVERITY = ["error", "error", "warning", "info", "hint"] as const;

/**
 * Typing pauses this long before edits go to the server, which waits
 * DIAGNOSTICS_DELAY_MS more before compiling: squiggles follow typing within
 * about a third of a second, and a burst of keystrokes compiles once.
 */
const SYNC_DELAY_MS = 250;
const DIAGNOSTICS_DELAY_MS = 60;

/** Sends edits to the server soon after typing stops (lsp-client's own diagnostics extension waits 500 ms). */
const syncAfterTyping = ViewPlugin.fromClass(
  class {
    private pending = -1;
    update(update: ViewUpdate) {
      if (!update.docChanged) return;
      if (this.pending > -1) clearTimeout(this.pending);
      this.pending = window.setTimeout(() => {
        this.pending = -1;
        LSPPlugin.get(update.view)?.client.sync();
      }, SYNC_DELAY_MS);
    }
    destroy() {
      if (this.pending > -1) clearTimeout(this.pending);
    }
  },
);

/**
 * Published diagnostics, squiggled, each with the server's quick fixes as
 * actions (shown in its tooltip and the diagnostics panel). The fixes are
 * asked for once per publication; a mapping carries every position over the
 * edits made since.
 */
function diagnosticsWithFixes(onPublished: (count: number) => void): LSPClientExtension {
  let mapping: WorkspaceMapping | null = null;
  return {
    clientCapabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } } } },
    notificationHandlers: {
      "textDocument/publishDiagnostics": (client, params: { uri: string; version?: number; diagnostics: LspDiagnostic[] }) => {
        const file = client.workspace.getFile(params.uri);
        if (!file || (params.version != null && params.version !== file.version)) return false;
        const view = file.getView();
        const plugin = view && LSPPlugin.get(view);
        if (!view || !plugin) return false;
        mapping?.destroy();
        const current = (mapping = client.workspaceMapping());
        const uri = params.uri;
        const at = (pos: LspPosition) => current.mapPosition(uri, pos);
        const show = (fixes: readonly LspCodeAction[]) => {
          const lint: LintDiagnostic[] = params.diagnostics.map((d) => {
            const code = typeof d.code === "string" ? d.code : "";
            const actions: Action[] = fixes
              .filter((a) => a.diagnostics?.some((x) => x.message === d.message && x.code === d.code && sameRange(x.range, d.range)))
              .map((a) => ({ name: a.title, apply: (v) => applyEdits(v, uri, a.edit?.changes?.[uri] ?? [], at) }));
            return { from: at(d.range.start), to: at(d.range.end), severity: SEVERITY[d.severity ?? 1], source: code ? `sbx ${code}` : "sbx", message: d.message, actions, markClass: code ? `sbx-${code}` : "" };
          });
          view.dispatch(setDiagnostics(view.state, lint));
        };
        show([]);
        onPublished(params.diagnostics.length);
        if (!params.diagnostics.length) return true;
        const doc = file.doc;
        client
          .request<unknown, LspCodeAction[] | null>("textDocument/codeAction", {
            textDocument: { uri },
            range: { start: { line: 0, character: 0 }, end: plugin.toPosition(doc.length, doc) },
            context: { diagnostics: params.diagnostics, only: ["quickfix"] },
          })
          .then(
            (fixes) => {
              if (mapping === current && fixes?.length) show(fixes);
            },
            (error) => plugin.reportError("Quick fixes failed", error),
          );
        return true;
      },
    },
    editorExtension: syncAfterTyping,
  };
}

const sameRange = (a: LspRange, b: LspRange) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

function applyEdits(view: EditorView, _uri: string, edits: readonly LspTextEdit[], at: (pos: LspPosition) => number): void {
  view.dispatch({ changes: edits.map((e) => ({ from: at(e.range.start), to: at(e.range.end), insert: e.newText })), userEvent: "input.quickfix" });
}

/** Ctrl-. (Cmd-. on a Mac): the quick fix at the cursor when there is one, else the list of every diagnostic and its fixes. */
function quickFixAtCursor(view: EditorView): boolean {
  const head = view.state.selection.main.head;
  const found: { d: LintDiagnostic; from: number; to: number }[] = [];
  forEachDiagnostic(view.state, (d, from, to) => {
    if (from <= head && head <= to && d.actions?.length) found.push({ d, from, to });
  });
  const only = found.length === 1 && found[0]!.d.actions!.length === 1 ? found[0]! : null;
  if (only) only.d.actions![0]!.apply(view, only.from, only.to);
  else openLintPanel(view);
  return true;
}

/** A standard library module, shown read-only where go-to-definition lands in it. */
export interface Peek {
  show(uri: string, text: string): EditorView;
}

/** One editor per file (the scenario); definitions in other files open in the peek. */
class PlaygroundWorkspace extends Workspace {
  files: (WorkspaceFile & { view: EditorView })[] = [];
  private versions = new Map<string, number>();

  constructor(
    client: LSPClient,
    private readonly peek: () => Peek | null,
    private readonly fileText: (uri: string) => string | undefined,
  ) {
    super(client);
  }

  private nextVersion(uri: string): number {
    const v = (this.versions.get(uri) ?? -1) + 1;
    this.versions.set(uri, v);
    return v;
  }

  syncFiles(): readonly WorkspaceFileUpdate[] {
    const out: WorkspaceFileUpdate[] = [];
    for (const file of this.files) {
      const plugin = LSPPlugin.get(file.view);
      if (!plugin || plugin.unsyncedChanges.empty) continue;
      out.push({ changes: plugin.unsyncedChanges, file, prevDoc: file.doc });
      file.doc = file.view.state.doc;
      file.version = this.nextVersion(file.uri);
      plugin.clear();
    }
    return out;
  }

  openFile(uri: string, languageId: string, view: EditorView): void {
    if (this.getFile(uri)) this.closeFile(uri);
    const file = { uri, languageId, version: this.nextVersion(uri), doc: view.state.doc, view, getView: () => view };
    this.files.push(file);
    this.client.didOpen(file);
  }

  closeFile(uri: string): void {
    if (!this.getFile(uri)) return;
    this.files = this.files.filter((f) => f.uri !== uri);
    this.client.didClose(uri);
  }

  override async displayFile(uri: string): Promise<EditorView | null> {
    const open = this.getFile(uri);
    if (open) return open.getView();
    const text = this.fileText(uri);
    const peek = this.peek();
    return text === undefined || !peek ? null : peek.show(uri, text);
  }
}

export interface EditorOptions {
  readonly parent: HTMLElement;
  readonly worker: Worker;
  readonly syntax: Extension;
  /** Text of a bundled file by URI (the standard library, the shipped scenarios). */
  readonly fileText: (uri: string) => string | undefined;
  readonly peek: () => Peek | null;
  readonly onChange: (text: string) => void;
  readonly onDiagnostics: (count: number) => void;
}

/** The basics every editor here has: line numbers, history, brackets, search, the keymaps. */
export function baseExtensions(syntax: Extension): Extension {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of("  "),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    search(),
    syntax,
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
  ];
}

export class ScenarioEditor {
  readonly client: LSPClient;
  readonly view: EditorView;
  private uri = "";

  constructor(private readonly options: EditorOptions) {
    this.client = new LSPClient({
      rootUri: "file:///sbx/scenarios",
      initializationOptions: { diagnosticsDelay: DIAGNOSTICS_DELAY_MS },
      sanitizeHTML: sanitizeHtml,
      timeout: 10_000,
      workspace: (client) => new PlaygroundWorkspace(client, options.peek, options.fileText),
      extensions: [serverCompletion(), hoverTooltips({ hoverTime: 300 }), diagnosticsWithFixes(options.onDiagnostics)],
    }).connect(workerTransport(options.worker));
    this.view = new EditorView({ parent: options.parent });
  }

  /** Open `text` as the file `uri` (the language server is told). */
  open(uri: string, text: string): void {
    this.uri = uri;
    this.view.setState(this.state(uri, text));
    this.options.onChange(text);
  }

  get fileUri(): string {
    return this.uri;
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  format(): void {
    formatDocument(this.view);
  }

  private state(uri: string, text: string): EditorState {
    return EditorState.create({
      doc: text,
      extensions: [
        baseExtensions(this.options.syntax),
        autocompletion({ activateOnTyping: true }),
        lintGutter(),
        this.client.plugin(uri, "sbx"),
        keymap.of([
          ...completionKeymap,
          ...lintKeymap,
          ...formatKeymap,
          ...jumpToDefinitionKeymap,
          ...findReferencesKeymap,
          ...renameKeymap,
          { key: "Mod-.", run: quickFixAtCursor, preventDefault: true },
        ]),
        // Ctrl-click (Cmd-click) goes to the definition, as in VS Code.
        EditorView.domEventHandlers({
          mousedown: (event, view) => {
            if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
            const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
            if (pos === null) return false;
            view.dispatch({ selection: { anchor: pos } });
            jumpToDefinition(view);
            event.preventDefault();
            return true;
          },
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) this.options.onChange(u.state.doc.toString());
        }),
      ],
    });
  }
}

/** The read-only editor a definition in another file opens in. */
export function readOnlyState(text: string, syntax: Extension): EditorState {
  return EditorState.create({ doc: text, extensions: [baseExtensions(syntax), EditorState.readOnly.of(true), EditorView.editable.of(false)] });
}

export type { Text };
