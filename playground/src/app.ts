/**
 * The playground page (started by main.ts): the editor (with the language server in its worker),
 * the run controls, and what a run shows — status, criteria, live charts, the
 * agents, the network and the per-epoch numbers. The engine runs in its own
 * worker and streams epochs; Pause and Step pace what is shown (the run is
 * deterministic, so stepping through it shows exactly the run).
 */
import files from "sbx:bundled-files";
import { EditorView } from "@codemirror/view";
import { formatValue } from "../../src/criteria/format.ts";
import type { Verdict } from "../../src/criteria/evaluate.ts";
import type { EpochRecord } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { formatNumber } from "../../src/report/model.ts";
import { fileUriToPath, pathToFileUri } from "../../lsp/server/files.ts";
import { kindsOf, LIVE_CHARTS, LiveCharts, type LiveChart } from "./charts.ts";
import { readOnlyState, ScenarioEditor, type Peek } from "./editor.ts";
import { SCENARIOS_DIR, scenarioPath, STDLIB_DIR, VirtualFiles } from "./files.ts";
import { sbxSyntax } from "./highlight.ts";
import { NetworkView } from "./network.ts";
import type { FromEngine, LlmAnswers, NetworkState, ToEngine } from "./protocol.ts";
import { decodeShare, encodeShare } from "./share.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const DEFAULT_EXAMPLE = "status_game.sbx";
const vfs = new VirtualFiles(files);

// ---- run state -------------------------------------------------------------------------------

type Phase = "idle" | "compiling" | "running" | "finished" | "stopped" | "failed";
type Finished = Extract<FromEngine, { t: "finished" }>;

interface Session {
  readonly worker: Worker;
  readonly fileName: string;
  readonly text: string;
  readonly seed: number | null;
  phase: Phase;
  plan: Plan | null;
  received: { record: EpochRecord; network: NetworkState }[];
  /** How many received epochs may be shown: Infinity while playing; Step adds one. */
  allowance: number;
  shown: number;
  /** Epochs the charts, and the network, were last asked to show. */
  charted: number;
  networked: number;
  finished: Finished | null;
  startedAt: number;
}

let session: Session | null = null;
let lastRun: Session | null = null;
let editor: ScenarioEditor;
let charts: LiveCharts;
let network: NetworkView;

const buttons = {
  run: $<HTMLButtonElement>("run"),
  pause: $<HTMLButtonElement>("pause"),
  step: $<HTMLButtonElement>("step"),
  stop: $<HTMLButtonElement>("stop"),
  format: $<HTMLButtonElement>("format"),
  share: $<HTMLButtonElement>("share"),
  plan: $<HTMLButtonElement>("download-plan"),
  events: $<HTMLButtonElement>("download-events"),
  report: $<HTMLButtonElement>("download-report"),
};

function setStatus(text: string, failed = false): void {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("failed", failed);
}

function seedInput(): number | null {
  const raw = $<HTMLInputElement>("seed").value.trim();
  if (raw === "") return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function fileName(): string {
  const path = fileUriToPath(editor.fileUri);
  return path.slice(path.lastIndexOf("/") + 1);
}

async function llmAnswers(): Promise<LlmAnswers> {
  const chosen = document.querySelector<HTMLInputElement>("input[name=llm]:checked")?.value;
  const file = $<HTMLInputElement>("cassette").files?.[0];
  if (chosen === "cassette" && file) return { mode: "cassette", name: file.name, text: await file.text() };
  return { mode: "offline" };
}

/** Whether a run is under way: computing, or computed but not yet all shown. */
function underWay(s: Session | null): s is Session {
  return s !== null && (s.phase === "compiling" || s.phase === "running" || (s.phase === "finished" && s.shown < s.received.length));
}

function updateButtons(): void {
  const s = session;
  const active = underWay(s);
  const playing = active && s.allowance === Infinity;
  buttons.run.disabled = false;
  buttons.run.textContent = active && !playing ? "▶ Resume" : "▶ Run";
  buttons.pause.disabled = !playing;
  buttons.step.disabled = false;
  buttons.stop.disabled = !active;
  const downloadable = lastRun?.finished != null;
  buttons.plan.disabled = !downloadable;
  buttons.events.disabled = !downloadable;
  buttons.report.disabled = !downloadable;
}

// ---- starting, pacing, stopping -------------------------------------------------------------

async function start(allowance: number): Promise<void> {
  stop("replaced");
  // The engine's worker keeps one run for downloads: the new one replaces it.
  lastRun = null;
  const text = editor.text;
  const seed = seedInput();
  const s: Session = {
    worker: engineWorker(),
    fileName: fileName(),
    text,
    seed,
    phase: "compiling",
    plan: null,
    received: [],
    allowance,
    shown: 0,
    charted: 0,
    networked: 0,
    finished: null,
    startedAt: performance.now(),
  };
  session = s;
  performance.clearMarks("sbx:last-epoch");
  performance.mark("sbx:run-start");
  charts.preload();
  resetRunView();
  // What arrived in the run's first moments is drawn then.
  setTimeout(schedule, STREAM_AFTER_MS + 10);
  setStatus("Compiling…");
  updateButtons();
  s.worker.onmessage = (e: MessageEvent<FromEngine>) => receive(s, e.data);
  s.worker.onerror = (e) => fail(s, `the engine's worker failed: ${e.message}`);
  const message: ToEngine = { t: "run", fileName: s.fileName, text, seed, llm: await llmAnswers() };
  s.worker.postMessage(message);
  // The address becomes a link that reproduces this run.
  const hash = await encodeShare({ text, fileName: s.fileName, seed });
  if (session === s) history.replaceState(null, "", hash);
}

let engine: Worker | null = null;

/** The engine's worker: kept from run to run (warm), replaced when a run is stopped or fails. */
function engineWorker(): Worker {
  return (engine ??= new Worker(new URL("engine-worker.js", document.baseURI), { type: "module", name: "sbx engine" }));
}

function dropWorker(worker: Worker): void {
  worker.terminate();
  if (engine === worker) engine = null;
}

/** Stop the run where it is: what is shown stays; the rest of the run, computed or not, is dropped. */
function stop(why: "user" | "replaced"): void {
  const s = session;
  if (!underWay(s)) return;
  dropWorker(s.worker);
  s.phase = "stopped";
  if (why === "user") setStatus(s.plan ? `Stopped at epoch ${s.shown} of ${s.plan.simulation.epochs}. Criteria are judged on complete runs.` : "Stopped.");
  updateButtons();
}

function fail(s: Session, message: string): void {
  if (session !== s) return;
  s.phase = "failed";
  dropWorker(s.worker);
  setStatus(message, true);
  updateButtons();
}

function receive(s: Session, m: FromEngine): void {
  if (session !== s && m.t !== "download") return;
  switch (m.t) {
    case "compiled":
      showCompileDiagnostics(m.diagnostics);
      if (!m.ok) {
        // The worker is fine: it just found errors.
        s.phase = "failed";
        setStatus(m.diagnostics.some((d) => d.severity === "error") ? "The scenario has errors: fix them to run it." : "Nothing to run.", true);
        updateButtons();
      }
      break;
    case "started":
      s.plan = m.plan;
      s.phase = "running";
      $("llm").toggleAttribute("open", m.llm !== null);
      setStatus(`Running ${m.plan.scenario.name}${m.llm ? ` (LLM agents answered by ${m.llm})` : ""}…`);
      updateButtons();
      break;
    case "epoch":
      s.received.push({ record: m.record, network: m.network });
      schedule();
      break;
    case "finished":
      s.finished = m;
      s.phase = "finished";
      schedule();
      break;
    case "failed":
      fail(s, m.message);
      break;
    case "download":
      saveDownload(m);
      break;
  }
}

let frame = 0;
/**
 * Charts and the network are drawn while a run streams, but not in its first
 * moments: a run that ends sooner is drawn once, complete (a few hundred
 * epochs of a small scenario take less than this).
 */
const STREAM_AFTER_MS = 250;
const NETWORK_EVERY_MS = 300;
let lastNetwork = 0;
/** Redraw at the next animation frame. */
function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

function render(): void {
  const s = session;
  if (!s || !s.plan || s.phase === "stopped" || s.phase === "failed") return;
  const target = Math.min(s.received.length, s.allowance);
  const grew = target > s.shown;
  s.shown = Math.max(s.shown, target);
  const complete = s.finished !== null && s.shown === s.received.length;
  const epochs = s.received.slice(0, s.shown).map((r) => r.record);
  const total = s.plan.simulation.epochs;
  if (grew) showEpochs(s.plan, epochs);
  if (!complete) showNetwork(s, s.plan, epochs);
  if (s.charted < s.shown && (complete || performance.now() - s.startedAt > STREAM_AFTER_MS)) {
    s.charted = s.shown;
    charts.update({ plan: s.plan, epochs });
  }
  if (complete && s.finished) {
    if (!performance.getEntriesByName("sbx:last-epoch").length) performance.mark("sbx:last-epoch");
    finish(s, s.finished);
  } else if (s.phase === "running" || s.phase === "finished") {
    const paused = s.allowance !== Infinity;
    setStatus(paused ? `Paused at epoch ${s.shown} of ${total}: Step shows the next, Run the rest.` : `Running ${s.plan.scenario.name}: epoch ${s.shown} of ${total}…`);
  }
  updateButtons();
}

function finish(s: Session, f: Finished): void {
  if (lastRun === s) return;
  lastRun = s;
  const ms = Math.round(performance.now() - s.startedAt);
  const plan = s.plan!;
  const t = f.timings;
  setStatus(`Finished ${plan.scenario.name}: ${f.result.epochsCompleted} epochs, seed ${f.result.seed}, in ${ms} ms (compile ${Math.round(t.compileMs)} ms, run ${Math.round(t.runMs)} ms). Plan ${f.result.planHash.slice(0, 19)}…`);
  showVerdicts(f.verdicts, f.cassetteMisses);
  const kinds = kindsOf(plan, f.result.epochs);
  $("network").hidden = false;
  void network.show({ agents: f.result.agents, kinds, network: f.network });
  const handle = (window as unknown as { sbxPlayground: PlaygroundHandle }).sbxPlayground;
  handle.lastDocument = f.document;
  handle.lastTimings = f.timings;
  document.body.dataset["run"] = "finished";
}

// ---- what a run shows -------------------------------------------------------------------------

function resetRunView(): void {
  document.body.dataset["run"] = "running";
  $("compile-diagnostics").replaceChildren();
  $("criteria").hidden = true;
  $("agents").hidden = true;
  $("network").hidden = true;
  $("epochs").hidden = true;
  $("agents").querySelector("tbody")!.replaceChildren();
  $("epochs").querySelector("tbody")!.replaceChildren();
  charts.clear();
  network.clear();
}

function showCompileDiagnostics(list: readonly { severity: string; code: string; message: string; where: string }[]): void {
  const word = { error: "error", warning: "warning", info: "note" } as Record<string, string>;
  $("compile-diagnostics").replaceChildren(
    ...list.map((d) => {
      const li = document.createElement("li");
      li.className = d.severity;
      li.textContent = `${d.where}: ${word[d.severity] ?? d.severity}${d.code ? `[${d.code}]` : ""}: ${d.message}`;
      return li;
    }),
  );
}

function cell(text: string, value?: number | string | null, numeric = true): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "num";
  if (value !== undefined && value !== null) td.dataset["value"] = String(value);
  return td;
}

function swatch(colour: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = "swatch";
  span.style.background = colour;
  return span;
}

function showEpochs(plan: Plan, epochs: readonly EpochRecord[]): void {
  const last = epochs.at(-1);
  if (!last) return;
  const kinds = kindsOf(plan, epochs);
  // The agents at the end of the last epoch shown.
  $("agents").hidden = false;
  $("agents-epoch").textContent = `at the end of epoch ${last.epoch}`;
  $("agents").querySelector("tbody")!.replaceChildren(
    ...last.agents.map((a) => {
      const tr = document.createElement("tr");
      tr.dataset["agent"] = a.id;
      if (a.frozen) tr.className = "frozen";
      const kind = kinds.of(a.id);
      const kindCell = cell(kind, kind, false);
      kindCell.prepend(swatch(kinds.colours[kinds.names.indexOf(kind)] ?? "#7F7F7F"));
      tr.append(
        cell(a.id, a.id, false),
        kindCell,
        cell(a.group, a.group, false),
        cell(formatNumber(a.reputation), a.reputation),
        cell(formatNumber(a.payoff), a.payoff),
        cell(formatNumber(a.resources), a.resources),
        cell(a.frozen ? "yes" : "no", String(a.frozen), false),
        cell(String(a.interactionsInitiated), a.interactionsInitiated),
        cell(String(a.interactionsReceived), a.interactionsReceived),
      );
      return tr;
    }),
  );
  // One row per epoch, as `sbx run` prints them.
  $("epochs").hidden = false;
  const body = $("epochs").querySelector("tbody")!;
  for (const e of epochs.slice(body.children.length)) {
    const tr = document.createElement("tr");
    tr.dataset["epoch"] = String(e.epoch);
    const m = (name: string) => e.metrics[name] ?? null;
    tr.append(
      cell(String(e.epoch), e.epoch),
      cell(formatNumber(m("interactions") ?? 0), m("interactions") ?? 0),
      cell(formatNumber(m("accepted") ?? 0), m("accepted") ?? 0),
      cell(formatNumber(m("toxicity")), m("toxicity")),
      cell(formatNumber(m("quality_gap")), m("quality_gap")),
      cell(formatNumber(m("avg_payoff")), m("avg_payoff")),
      cell(formatNumber(m("welfare")), m("welfare")),
      cell(String(e.agents.filter((a) => a.frozen).length)),
    );
    body.append(tr);
  }
}

/** The network of the last epoch shown, a few times a second at most (the finished run's is drawn by finish()). */
function showNetwork(s: Session, plan: Plan, epochs: readonly EpochRecord[]): void {
  const current = s.received[s.shown - 1];
  if (!current || s.networked >= s.shown) return;
  const now = performance.now();
  if (now - s.startedAt <= STREAM_AFTER_MS) return;
  if (now - lastNetwork < NETWORK_EVERY_MS) {
    setTimeout(schedule, NETWORK_EVERY_MS);
    return;
  }
  lastNetwork = now;
  s.networked = s.shown;
  $("network").hidden = false;
  void network.show({ agents: current.record.agents, kinds: kindsOf(plan, epochs), network: current.network });
}

const STATUS_WORD = { pass: "PASS", fail: "FAIL", undefined: "UNDEF" } as const;

function showVerdicts(verdicts: readonly Verdict[], misses: readonly string[]): void {
  const section = $("criteria");
  section.hidden = false;
  const passed = verdicts.filter((v) => v.status === "pass").length;
  $("criteria-summary").textContent = verdicts.length
    ? `${passed} of ${verdicts.length} criteria passed on this run.${misses.length ? ` The cassette could not answer ${misses.length} call(s): the run diverged from the recording.` : ""}`
    : "This scenario declares no criteria (add an expect block).";
  section.querySelector("tbody")!.replaceChildren(
    ...verdicts.map((v) => {
      const tr = document.createElement("tr");
      tr.dataset["criterion"] = v.id;
      tr.dataset["status"] = v.status;
      const status = document.createElement("td");
      const badge = document.createElement("span");
      badge.className = `status status-${v.status}`;
      badge.textContent = STATUS_WORD[v.status];
      status.append(badge);
      tr.append(
        cell(v.label === v.id ? v.id : `${v.id}: ${v.label}`, v.id, false),
        status,
        cell(v.observed === null ? "—" : formatValue(v.observed), v.observed),
        cell(v.comparator && v.bound !== null ? `${v.comparator} ${formatValue(v.bound)}` : "—", v.bound),
        cell(v.reason ?? "", null, false),
      );
      return tr;
    }),
  );
}

// ---- downloads ---------------------------------------------------------------------------------

const DOWNLOAD = {
  plan: { suffix: ".plan.json", type: "application/json" },
  events: { suffix: ".events.jsonl", type: "application/x-ndjson" },
  report: { suffix: ".report.html", type: "text/html" },
} as const;

function requestDownload(what: keyof typeof DOWNLOAD): void {
  const run = lastRun;
  if (!run?.finished) return;
  run.worker.postMessage({ t: "download", what } satisfies ToEngine);
}

function saveDownload(m: Extract<FromEngine, { t: "download" }>): void {
  if (m.text === null) {
    setStatus(`Could not make the ${m.what} file: ${m.error ?? "unknown reason"}`, true);
    return;
  }
  const run = lastRun!;
  const base = run.finished!.result.scenario;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([m.text], { type: DOWNLOAD[m.what].type }));
  a.download = `${base}${DOWNLOAD[m.what].suffix}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

// ---- the editor, examples, sharing ------------------------------------------------------------

function examples(): { name: string; path: string }[] {
  return vfs.filesIn(SCENARIOS_DIR);
}

function open(name: string, text: string): void {
  editor.open(pathToFileUri(scenarioPath(name)), text);
  const select = $<HTMLSelectElement>("examples");
  select.value = examples().some((e) => e.name === name) && vfs.read(scenarioPath(name)) === text ? name : "";
}

/** The read-only view a definition in the standard library opens in. */
function makePeek(syntax: Parameters<typeof readOnlyState>[1]): Peek {
  let view: EditorView | null = null;
  $("peek-close").onclick = () => ($("peek").hidden = true);
  return {
    show(uri, text) {
      const path = fileUriToPath(uri);
      $("peek-title").textContent = path.startsWith(`${STDLIB_DIR}/`) ? `std/${path.slice(STDLIB_DIR.length + 1).replace(/\.sbx$/, "")}` : path.slice(path.lastIndexOf("/") + 1);
      $("peek").hidden = false;
      if (!view) view = new EditorView({ parent: $("peek-editor") });
      view.setState(readOnlyState(text, syntax));
      return view;
    },
  };
}

async function copyLink(): Promise<void> {
  const hash = await encodeShare({ text: editor.text, fileName: fileName(), seed: seedInput() });
  const url = `${location.origin}${location.pathname}${hash}`;
  history.replaceState(null, "", hash);
  try {
    await navigator.clipboard.writeText(url);
    $("editor-status").textContent = "Link copied: it opens this scenario with this seed and runs it.";
  } catch {
    $("editor-status").textContent = `Link (copy it from the address bar): ${url.length} characters.`;
  }
}

// ---- what tests and the benchmark read -------------------------------------------------------

interface PlaygroundHandle {
  /** Resolves when the page is interactive: the editor is up and the language server has answered. */
  ready: Promise<void>;
  /** The last finished run as `sbx run --json` prints it. */
  lastDocument: unknown;
  /** How long the engine's worker took to compile and to run it. */
  lastTimings: { compileMs: number; runMs: number } | null;
  chartData(name: LiveChart): Record<string, unknown[]>;
  chartsSettled(): Promise<void>;
  network(): ReturnType<NetworkView["snapshot"]>;
  editorText(): string;
}

/** Start the page; `lspWorker` is the language server's worker, already loading. */
export async function startPlayground(lspWorker: Worker): Promise<void> {
  let interactive!: () => void;
  const handle: PlaygroundHandle = {
    ready: new Promise<void>((resolve) => (interactive = resolve)),
    lastDocument: null,
    lastTimings: null,
    chartData: (name) => charts.chartData(name),
    chartsSettled: () => charts.settled(),
    network: () => network.snapshot(),
    editorText: () => editor.text,
  };
  (window as unknown as { sbxPlayground: PlaygroundHandle }).sbxPlayground = handle;

  const figures = new Map(LIVE_CHARTS.map((name) => [name, document.querySelector<HTMLElement>(`figure[data-chart="${name}"]`)!]));
  charts = new LiveCharts(figures);
  network = new NetworkView($("network-canvas"), $("network-caption"));

  const syntax = await sbxSyntax();
  const peek = makePeek(syntax);
  let published = false;
  editor = new ScenarioEditor({
    parent: $("editor"),
    worker: lspWorker,
    syntax,
    fileText: (uri) => (uri.startsWith("file:") ? vfs.read(fileUriToPath(uri)) : undefined),
    peek: () => peek,
    onChange: () => undefined,
    onDiagnostics: (count) => {
      $("editor-status").textContent = count ? `${count} problem${count === 1 ? "" : "s"} (hover a squiggle; Ctrl-. fixes)` : "No problems.";
      if (!published) {
        published = true;
        performance.mark("sbx:interactive");
        interactive();
      }
    },
  });

  const select = $<HTMLSelectElement>("examples");
  select.append(new Option("(your scenario)", ""), ...examples().map((e) => new Option(e.name.replace(/\.sbx$/, ""), e.name)));
  select.onchange = () => {
    if (!select.value) return;
    open(select.value, vfs.read(scenarioPath(select.value)) ?? "");
    $<HTMLInputElement>("seed").value = "";
  };

  buttons.run.onclick = () => {
    if (session && (session.phase === "running" || session.phase === "compiling") && session.allowance !== Infinity) {
      session.allowance = Infinity;
      schedule();
    } else void start(Infinity);
  };
  buttons.pause.onclick = () => {
    if (!session) return;
    session.allowance = session.shown;
    render();
  };
  buttons.step.onclick = () => {
    const s = session;
    if (s && s.phase !== "failed" && s.phase !== "stopped" && s.shown < (s.plan?.simulation.epochs ?? Infinity) && !(s.finished && s.shown >= s.received.length)) {
      s.allowance = Math.min(s.allowance, s.shown) + 1;
      schedule();
    } else void start(1);
  };
  buttons.stop.onclick = () => stop("user");
  buttons.format.onclick = () => editor.format();
  buttons.share.onclick = () => void copyLink();
  buttons.plan.onclick = () => requestDownload("plan");
  buttons.events.onclick = () => requestDownload("events");
  buttons.report.onclick = () => requestDownload("report");
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      buttons.run.click();
    }
  });

  // A shared link opens its scenario and runs it; otherwise the status game waits for Run.
  let shared = null;
  try {
    shared = await decodeShare(location.hash);
  } catch (e) {
    setStatus(`${(e as Error).message}. Opened the status game instead.`, true);
  }
  if (shared) {
    open(shared.fileName, shared.text);
    $<HTMLInputElement>("seed").value = shared.seed === null ? "" : String(shared.seed);
  } else {
    open(DEFAULT_EXAMPLE, vfs.read(scenarioPath(DEFAULT_EXAMPLE)) ?? "");
    if (!$("status").classList.contains("failed")) setStatus("Ready: press Run (Ctrl-Enter), or Step through the run epoch by epoch.");
  }
  for (const b of [buttons.run, buttons.step, buttons.format, buttons.share]) b.disabled = false;
  performance.mark("sbx:editor-ready");
  editor.view.focus();
  if (shared) void start(Infinity);
  await handle.ready;
  // Once the editor is ready, the engine and the charts load in the background, so the first Run is quick.
  const idle = (f: () => void) => ("requestIdleCallback" in window ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 200));
  idle(() => {
    engineWorker();
    charts.preload();
  });
}

export function startFailed(e: Error): void {
  setStatus(`The playground failed to start: ${e.message}`, true);
}
