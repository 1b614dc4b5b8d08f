/** The fault plan of the fault and cassette tests: which decision meets which fault. */
import type { Ask, Reply } from "./server.ts";

/** One agent per protocol meets transport faults, the other answer faults (agents llm_1…llm_6 in provider order a, a, b, b, c, c). */
const FIRST = new Set(["llm_1", "llm_3", "llm_5"]);

export function faultScript(ask: Ask): Reply | null {
  if (ask.isAccept) return null;
  const [agent, epoch, step] = ask.decision.split("/");
  const at = `${epoch}/${step}`;
  if (FIRST.has(agent!)) {
    if (at === "0/0" && ask.seen === 1) return { kind: "slow", delayMs: 1500 };
    if (at === "0/1" && ask.seen === 1) return { kind: "status", status: 429, headers: { "retry-after": "0.05" }, message: "rate limited" };
    if (at === "0/2" && ask.seen <= 2) return { kind: "status", status: 500, message: "internal error" };
    if (at === "1/0") return { kind: "status", status: 503, message: "overloaded" };
  } else {
    if (at === "0/0" && ask.seen === 1) return { kind: "garbage" };
    if (at === "0/1" && ask.seen === 1) return { kind: "answer", text: '{"action_type": "POST", "params": {"content": "unterminated' };
    if (at === "0/2" && ask.seen === 1) return { kind: "answer", text: "" };
    if (at === "1/0") return { kind: "refusal" };
    if (at === "1/1") return { kind: "answer", text: '{"action_type": "DANCE", "params": {}}' };
  }
  return null;
}

export const FAULT_PLAN_SPEC = {
  seed: 11,
  epochs: 2,
  steps: 3,
  groups: [
    { name: "a", provider: "anthropic", count: 2, maxRetries: 2, fallback: "honest" },
    { name: "b", provider: "openai", count: 2, maxRetries: 2 },
    { name: "c", provider: "ollama", count: 2, maxRetries: 2, fallback: "opportunistic" },
  ],
  honest: 2,
} as const;
