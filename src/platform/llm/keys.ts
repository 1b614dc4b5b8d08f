/** Which providers a plan calls, and which API keys a live run of it needs. */
import { messageOf } from "../../diagnostics/catalogue.ts";
import type { Plan } from "../../plan/schema.ts";
import type { Provider } from "../../llm/types.ts";

/** The variable holding each provider's key; Ollama (local) needs none. */
export const KEY_VARIABLES: Readonly<Record<Provider, string | null>> = { anthropic: "ANTHROPIC_API_KEY", openai: "OPENAI_API_KEY", ollama: null };

export function hasLlmAgents(plan: Plan): boolean {
  return plan.agents.some((a) => a.kind === "llm");
}

/** The providers the plan's LLM agents use, in order of first appearance. */
export function planProviders(plan: Plan): Provider[] {
  const out: Provider[] = [];
  for (const a of plan.agents) if (a.kind === "llm" && !out.includes(a.params.provider)) out.push(a.params.provider);
  return out;
}

export interface MissingKey {
  readonly provider: Provider;
  readonly variable: string;
}

/** The keys a live run would need but `env` lacks (empty values count as missing). */
export function missingKeys(plan: Plan, env: Readonly<Record<string, string | undefined>>): MissingKey[] {
  const out: MissingKey[] = [];
  for (const provider of planProviders(plan)) {
    const variable = KEY_VARIABLES[provider];
    if (variable && !(env[variable] ?? "").trim()) out.push({ provider, variable });
  }
  return out;
}

export function missingKeyMessage(m: MissingKey): string {
  return messageOf("SBX4004", { provider: m.provider, variable: m.variable });
}
