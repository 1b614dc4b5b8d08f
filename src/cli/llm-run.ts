/**
 * `sbx run` for scenarios with LLM agents: `--dry-run` (the offline
 * responder), `--record FILE` and `--replay FILE` (cassettes), the key check
 * before the run starts (SBX4004, exit 2), and what the run reports after:
 * model usage per agent, the budget warning (SBX4005), cassette misses.
 */
import { messageOf } from "../diagnostics/catalogue.ts";
import { createLlmHost, LlmSetupError, type LlmHost } from "../platform/llm/host.ts";
import type { LlmReport } from "../platform/llm/report.ts";
import { hasLlmAgents } from "../platform/llm/keys.ts";
import type { SimEvent } from "../engine/index.ts";
import type { Plan } from "../plan/schema.ts";
import { EXIT, type Terminal } from "./terminal.ts";

export interface LlmRunOptions {
  readonly dryRun?: boolean;
  readonly record?: string;
  readonly replay?: string;
}

/** The host for the run, null when the plan has no LLM agents and nothing is recorded or replayed, or an exit code after reporting why the run cannot start. */
export function prepareLlmRun(plan: Plan, options: LlmRunOptions, term: Terminal): { host: LlmHost | null } | { exit: number } {
  const error = (code: "SBX4004" | "SBX5001" | "SBX5002", message: string): { exit: number } => {
    term.err(`sbx: ${term.color.red(`error[${code}]`)}: ${message}\n`);
    return { exit: EXIT.usage };
  };
  if (options.replay !== undefined && options.dryRun) return error("SBX5002", "--replay and --dry-run exclude each other: a replay answers from its cassette");
  if (options.replay !== undefined && options.record !== undefined) return error("SBX5002", "--replay and --record exclude each other");
  if (!hasLlmAgents(plan) && options.replay === undefined && options.record === undefined) return { host: null };
  try {
    const mode = options.replay !== undefined ? "replay" : options.dryRun ? "dry-run" : "live";
    return {
      host: createLlmHost(plan, {
        mode,
        ...(options.replay !== undefined ? { replay: options.replay } : {}),
        ...(options.record !== undefined ? { record: options.record } : {}),
      }),
    };
  } catch (e) {
    if (e instanceof LlmSetupError) {
      if (e.code === "SBX4004") {
        for (const m of e.missing) {
          term.err(`sbx: ${term.color.red("error[SBX4004]")}: ${messageOf("SBX4004", { provider: m.provider, variable: m.variable })} (or run with --dry-run, or --replay a cassette)\n`);
        }
        return { exit: EXIT.usage };
      }
      return error(e.code, e.message);
    }
    throw e;
  }
}

const usd = (x: number): string => `$${x.toFixed(4)}`;

/** The human summary's LLM block: totals, then one line per agent. */
export function renderLlmUsage(report: LlmReport): string {
  const t = report.totals;
  const budget = report.budgetUsd === null ? "no budget" : `budget ${usd(report.budgetUsd)}`;
  const lines = [
    `LLM  calls ${t.requests}   faults ${t.failures}   fallbacks ${t.fallbacks}   tokens ${t.tokensIn} in / ${t.tokensOut} out   cost ${usd(t.costUsd)}   ${budget}`,
    "",
    `${"agent".padEnd(16)}${"calls".padStart(7)}${"faults".padStart(8)}${"fallbacks".padStart(11)}${"tokens in".padStart(11)}${"tokens out".padStart(12)}${"cost".padStart(11)}`,
    ...report.agents.map(
      (a) =>
        `${a.agent.padEnd(16)}${String(a.requests).padStart(7)}${String(a.failures).padStart(8)}${String(a.fallbacks).padStart(11)}${String(a.tokensIn).padStart(11)}${String(a.tokensOut).padStart(12)}${usd(a.costUsd).padStart(11)}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Warnings and errors after the run: SBX4005 when the budget stopped the calls; an error (exit 2) when a replay left calls unanswered. */
export function reportLlmOutcome(report: LlmReport | null, cassetteMisses: readonly string[], term: Terminal): number {
  if (report?.exhausted) {
    const message = messageOf("SBX4005", { budget: usd(report.exhausted.budgetUsd), spent: usd(report.exhausted.committedUsd) });
    term.err(`sbx: ${term.color.yellow("warning[SBX4005]")}: ${message}\n`);
  }
  if (cassetteMisses.length) {
    const first = cassetteMisses[0];
    term.err(`sbx: ${term.color.red("error[SBX5001]")}: the cassette could not answer ${cassetteMisses.length} call(s) (first: ${first}); it was recorded from a different run, and those decisions used the fallback\n`);
    return EXIT.usage;
  }
  return EXIT.ok;
}

/**
 * The LLM faults of a run, tallied from its events as they come: counts by
 * kind, the first fault's message, and how many decisions fell back. Printed
 * after the run (SBX4006), so an unreachable endpoint is never silent.
 */
export class LlmFaultTally {
  private readonly kinds = new Map<string, number>();
  private first: string | null = null;
  private answered = 0;
  private fallbacks = 0;

  observe = (e: SimEvent): void => {
    if (e.type === "llm_fault") {
      this.kinds.set(e.fault, (this.kinds.get(e.fault) ?? 0) + 1);
      this.first ??= `${e.agent}: ${e.fault}: ${e.detail}`;
    } else if (e.type === "llm_call" && e.ok) this.answered++;
    else if (e.type === "llm_fallback") this.fallbacks++;
  };

  get faults(): number {
    return [...this.kinds.values()].reduce((a, b) => a + b, 0);
  }

  /** The SBX4006 warning, or "" when every call was answered. */
  render(term: Terminal): string {
    const faults = this.faults;
    // Fallbacks without faults are the budget's (SBX4005 says so).
    if (!faults) return "";
    const decisions = this.answered + this.fallbacks;
    const kinds = [...this.kinds].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k} ×${n}`).join(", ");
    const share = decisions ? Math.round((this.fallbacks / decisions) * 100) : 0;
    const message = messageOf("SBX4006", {
      failed: `${faults} LLM call${faults === 1 ? "" : "s"} failed`,
      kinds,
      fallbacks: `${this.fallbacks} of ${decisions} decisions (${share}%) took the fallback`,
      first: this.first ?? "",
    });
    return `sbx: ${term.color.yellow("warning[SBX4006]")}: ${message}\n`;
  }
}
