/** Messages between the page and the engine's Web Worker (engine-worker.ts). */
import type { Verdict } from "../../src/criteria/evaluate.ts";
import type { EpochRecord, RunResult } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import type { FreezeInterval } from "../../src/report/index.ts";
import type { runDocument } from "../../src/report/summary.ts";

/** How LLM agents answer in the browser: never a provider's API. */
export type LlmAnswers = { readonly mode: "offline" } | { readonly mode: "cassette"; readonly name: string; readonly text: string };

export type ToEngine =
  /** Compile `text` (saved as `fileName` beside the shipped scenarios) and run it; `seed` overrides the scenario's, as `sbx run --seed`. */
  | { readonly t: "run"; readonly fileName: string; readonly text: string; readonly seed: number | null; readonly llm: LlmAnswers }
  /** The last run's report.html, event log (JSONL) or plan (JSON). */
  | { readonly t: "download"; readonly what: "report" | "events" | "plan" };

/** A compile diagnostic as the CLI prints it. */
export interface ShownDiagnostic {
  readonly severity: "error" | "warning" | "info";
  readonly code: string;
  readonly message: string;
  /** `file:line:col`, the file relative to the scenarios folder. */
  readonly where: string;
}

/** A network as sigma draws it: the topology's edges, or (without one) who interacted with whom. */
export interface NetworkState {
  readonly kind: "topology" | "interactions";
  readonly edges: readonly (readonly [string, string, number])[];
}

export type FromEngine =
  | { readonly t: "compiled"; readonly ok: boolean; readonly diagnostics: readonly ShownDiagnostic[] }
  | { readonly t: "started"; readonly plan: Plan; readonly planHash: string; readonly llm: string | null }
  | { readonly t: "epoch"; readonly record: EpochRecord; readonly network: NetworkState }
  | {
      readonly t: "finished";
      readonly result: RunResult;
      readonly verdicts: readonly Verdict[];
      /** What `sbx run --json` prints for this run. */
      readonly document: ReturnType<typeof runDocument>;
      readonly freezes: readonly FreezeInterval[];
      readonly network: NetworkState;
      /** Calls a cassette could not answer. */
      readonly cassetteMisses: readonly string[];
      /** Milliseconds the worker spent compiling and running. */
      readonly timings: { readonly compileMs: number; readonly runMs: number };
    }
  | { readonly t: "failed"; readonly message: string }
  | { readonly t: "download"; readonly what: "report" | "events" | "plan"; readonly text: string | null; readonly error?: string };
