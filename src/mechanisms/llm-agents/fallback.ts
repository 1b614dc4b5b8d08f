/**
 * The scripted agent an LLM agent falls back on (`fallback = honest` …),
 * with that kind's default parameters as its block lowers them, so a
 * fallback behaves exactly like a default agent of that kind.
 */
import type { AgentEntry } from "../../spec/plan.ts";
import { lowerBlock } from "../../spec/lower.ts";
import { ADVERSARIAL, DECEPTIVE, HONEST, OPPORTUNISTIC, type ScriptedKind } from "../scripted-agents/language.ts";

const BLOCKS = { honest: HONEST, opportunistic: OPPORTUNISTIC, deceptive: DECEPTIVE, adversarial: ADVERSARIAL } as const;

/** The plan entry of a default scripted agent of `kind`, standing in for LLM agent `id`. */
export function fallbackAgent(kind: ScriptedKind, id: string, group: string): AgentEntry {
  return { id, kind, group, params: lowerBlock(BLOCKS[kind], null) };
}
