/**
 * The engine's Web Worker: compiles the scenario with the bundled standard
 * library, runs it with the same engine `sbx run` uses, and streams each
 * epoch to the page, so the page never freezes. The run is deterministic:
 * the same text and seed give the same numbers as `sbx run --json` in Node.
 */
import files from "sbx:bundled-files";
import { compile } from "../../src/compiler/index.ts";
import { evaluateCriteria, type Verdict } from "../../src/criteria/evaluate.ts";
import { fileDiagnostic, hasErrors, type Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { llmPolicies, runPlan, runPlanAsync, toJsonl, type RunOptions, type RunResult, type SimEvent } from "../../src/engine/index.ts";
import { parseCassette, ReplayClient, type CassetteHeader } from "../../src/llm/cassette.ts";
import { OfflineResponder } from "../../src/llm/offline.ts";
import type { ModelClient } from "../../src/llm/types.ts";
import { AgentNetwork } from "../../src/mechanisms/network/graph.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { validatePlan } from "../../src/plan/validate.ts";
import { freezeIntervals } from "../../src/report/model.ts";
import { runDocument } from "../../src/report/summary.ts";
import { LineIndex } from "../../src/text/line-index.ts";
import { relativePath } from "../../src/compiler/host.ts";
import { SCENARIOS_DIR, scenarioPath, VirtualFiles } from "./files.ts";
import type { FromEngine, LlmAnswers, NetworkState, ShownDiagnostic, ToEngine } from "./protocol.ts";

const post = (message: FromEngine) => (self as unknown as Worker).postMessage(message);

/** The last run, kept for downloads; `compiled` is the plan as `sbx compile --out` writes it. */
let last: { plan: Plan; compiled: unknown; result: RunResult; verdicts: readonly Verdict[]; events: SimEvent[] } | null = null;

function shown(d: Diagnostic, vfs: VirtualFiles): ShownDiagnostic {
  const base = { severity: d.severity, code: d.code, message: d.message };
  // No file (a setting of the run) or no position (a whole file): say only what there is.
  if (d.file === undefined) return { ...base, where: "sbx" };
  const file = d.file.startsWith(`${SCENARIOS_DIR}/`) ? relativePath(SCENARIOS_DIR, d.file) : d.file.replace(/^\/sbx\/stdlib\/(.*)\.sbx$/, "std/$1");
  if (d.span === undefined || d.file.startsWith("<")) return { ...base, where: d.file.startsWith("<") ? d.file : file };
  const at = new LineIndex(vfs.read(d.file) ?? "").position(d.span.start);
  return { ...base, where: `${file}:${at.line + 1}:${at.character + 1}` };
}

/**
 * The network as it stands: the topology, followed through the events that
 * change it as the network mechanism applies them; without one, accepted
 * interactions between each pair.
 */
class NetworkTracker {
  private readonly net: AgentNetwork | null;
  private readonly pairs = new Map<string, [string, string, number]>();

  constructor(plan: Plan) {
    this.net = plan.network ? new AgentNetwork(plan.agents.map((a) => a.id), plan.network) : null;
  }

  event(e: SimEvent): void {
    const net = this.net;
    switch (e.type) {
      case "network_initialized":
        for (const [a, b, w] of e.edges) net?.setEdge(a, b, w);
        break;
      case "edge_strengthened":
        net?.setEdge(e.a, e.b, e.weight);
        break;
      case "edges_decayed":
        net?.decay();
        break;
      case "agent_disconnected":
        for (const [a, b] of e.edges) net?.removeEdge(a, b);
        break;
      case "interaction_completed": {
        const x = e.interaction;
        if (net || !x.accepted) break;
        const [a, b] = x.initiator < x.counterparty ? [x.initiator, x.counterparty] : [x.counterparty, x.initiator];
        const key = `${a}\u0000${b}`;
        const pair = this.pairs.get(key) ?? [a, b, 0];
        pair[2]++;
        this.pairs.set(key, pair);
        break;
      }
    }
  }

  state(): NetworkState {
    return this.net ? { kind: "topology", edges: this.net.edgeList() } : { kind: "interactions", edges: [...this.pairs.values()].map(([a, b, n]) => [a, b, n] as const) };
  }
}

/** Who answers the LLM agents: the offline responder (`--dry-run`) or a cassette (`--replay`); a cassette of another plan is refused. */
function llmClient(plan: Plan, planHash: string, answers: LlmAnswers): { client: ModelClient; replay: ReplayClient | null; label: string } | { refused: string } {
  if (answers.mode === "offline") return { client: new OfflineResponder(plan.simulation.seed), replay: null, label: "the offline responder" };
  let header: CassetteHeader;
  let replay: ReplayClient;
  try {
    const cassette = parseCassette(answers.text, answers.name);
    header = cassette.header;
    replay = new ReplayClient(cassette);
  } catch (e) {
    return { refused: (e as Error).message };
  }
  if (header.planHash !== planHash) {
    return { refused: `the cassette was recorded from another plan (${header.scenario}, seed ${header.seed}, ${header.planHash.slice(0, 19)}); this run's plan is ${planHash.slice(0, 19)}` };
  }
  return { client: replay, replay, label: `the cassette ${answers.name}` };
}

async function run(message: Extract<ToEngine, { t: "run" }>): Promise<void> {
  last = null;
  const vfs = new VirtualFiles(files);
  const path = scenarioPath(message.fileName);
  vfs.write(path, message.text);
  const compileStart = performance.now();
  const overrides = message.seed === null ? [] : [{ path: "seed", value: String(message.seed), origin: "seed" }];
  const compilation = compile(vfs.host(), [path], { overrides });
  const diagnostics = compilation.diagnostics.map((d) => shown(d, vfs));
  const scenarios = compilation.scenarios.filter((s) => s.file === path);
  if (hasErrors(compilation.diagnostics)) {
    post({ t: "compiled", ok: false, diagnostics });
    return;
  }
  if (!scenarios.length) {
    // As `sbx run` says it (a file of sweeps or presets: `sbx sweep` runs sweeps).
    post({ t: "compiled", ok: false, diagnostics: [...diagnostics, shown(fileDiagnostic("SBX2017", {}, path), vfs)] });
    return;
  }
  // Where `sbx run` asks for --scenario, the playground runs the first and says so.
  const chosen = scenarios[0]!;
  const several: ShownDiagnostic[] =
    scenarios.length > 1 ? [{ severity: "info", code: "", message: `the file declares several scenarios (${scenarios.map((x) => x.name).join(", ")}); this runs the first, as \`sbx run --scenario ${chosen.name}\` does`, where: message.fileName }] : [];
  post({ t: "compiled", ok: true, diagnostics: [...diagnostics, ...several] });
  const compileMs = performance.now() - compileStart;
  const checked = validatePlan(chosen.plan);
  if (!checked.plan) {
    post({ t: "failed", message: `the plan breaks its schema: ${checked.problems.join("; ")}` });
    return;
  }
  const plan = checked.plan;
  const planHash = chosen.planHash!;
  const llm = plan.agents.some((a) => a.kind === "llm") ? llmClient(plan, planHash, message.llm) : null;
  if (llm && "refused" in llm) {
    post({ t: "failed", message: llm.refused });
    return;
  }
  post({ t: "started", plan, planHash, llm: llm?.label ?? null });

  const events: SimEvent[] = [];
  const network = new NetworkTracker(plan);
  const options: RunOptions = {
    events: (e) => {
      events.push(e);
      network.event(e);
    },
    onEpoch: (record) => post({ t: "epoch", record, network: network.state() }),
    planHash,
  };
  let result: RunResult;
  const runStart = performance.now();
  try {
    if (llm) {
      // Replays and offline answers never wait: the recorded waits already happened.
      const hosted = llmPolicies(plan, llm.client, { sleep: async () => undefined });
      result = await runPlanAsync(plan, { ...options, policyFor: hosted.policyFor });
    } else {
      result = runPlan(plan, options);
    }
  } catch (e) {
    post({ t: "failed", message: `the run failed inside sbx: ${(e as Error).message}` });
    return;
  }
  const runMs = performance.now() - runStart;
  const verdicts = evaluateCriteria(plan, [result]);
  last = { plan, compiled: chosen.plan, result, verdicts, events };
  post({
    t: "finished",
    result,
    verdicts,
    document: runDocument(plan, result, verdicts),
    freezes: freezeIntervals(events),
    network: result.network ? { kind: "topology", edges: result.network.edges } : network.state(),
    cassetteMisses: llm?.replay ? [...llm.replay.misses] : [],
    timings: { compileMs, runMs },
  });
}

async function download(what: "report" | "events" | "plan"): Promise<void> {
  if (!last) {
    post({ t: "download", what, text: null, error: "run a scenario first" });
    return;
  }
  try {
    if (what === "events") post({ t: "download", what, text: toJsonl(last.events) });
    else if (what === "plan") post({ t: "download", what, text: `${JSON.stringify(last.compiled, null, 2)}\n` });
    else {
      // Vega is large: loaded the first time a report is asked for.
      const { renderReport } = await import("../../src/report/index.ts");
      const html = await renderReport({ plan: last.plan, result: last.result, verdicts: last.verdicts, freezes: freezeIntervals(last.events) });
      post({ t: "download", what, text: html });
    }
  } catch (e) {
    post({ t: "download", what, text: null, error: (e as Error).message });
  }
}

self.onmessage = (e: MessageEvent<ToEngine>) => {
  const message = e.data;
  if (message.t === "run") void run(message).catch((error: Error) => post({ t: "failed", message: error.message }));
  else void download(message.what);
};
