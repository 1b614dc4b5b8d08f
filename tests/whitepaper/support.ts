/** Helpers for the whitepaper mechanisms' tests: scenarios compiled from text, run with their events. */
import { expect } from "vitest";
import { fromJsonl, reconstruct, runWithEvents, toJsonl, type InteractionRecord, type RunResult, type SimEvent } from "../../src/engine/index.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { compileText } from "../support/compiler.ts";

export function planOf(source: string): Plan {
  const result = compileText(source);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.scenarios[0]!.plan!;
}

export interface Run {
  result: RunResult;
  events: SimEvent[];
  xs: InteractionRecord[];
}

export function run(plan: Plan): Run {
  const xs: InteractionRecord[] = [];
  const { result, events } = runWithEvents(plan, { onInteraction: (x) => xs.push(x) });
  return { result, events, xs };
}

export function eventsOf<T extends SimEvent["type"]>(r: Run, type: T): Extract<SimEvent, { type: T }>[] {
  return r.events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);
}

/** Replay through JSONL rebuilds every metric, agent and interaction. */
export function expectLosslessReplay(r: Run): void {
  const back = reconstruct(fromJsonl(toJsonl(r.events)));
  expect(back.result).toEqual(r.result);
  expect(back.interactions).toEqual(r.xs);
}

/** The per-epoch values of a metric. */
export const series = (r: Run, metric: string): (number | null)[] => r.result.epochs.map((e) => e.metrics[metric] ?? null);
export const total = (xs: readonly (number | null)[]): number => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
