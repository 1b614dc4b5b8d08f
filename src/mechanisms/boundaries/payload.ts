/**
 * Synthetic payloads for scripted agents' outbound flows: scripted agents
 * produce no text, so each flow carries a payload drawn by the agent's
 * kind — with some probability a fake email and phone number (PII), a fake
 * API key (a credential), a code fragment — which the leakage detector then
 * scans like any other content. The secrets are random and never logged.
 */
import type { Rng } from "../../kernel/rng/types.ts";

type PayloadClass = "pii" | "credential" | "code";

/** Chance per flow that its payload carries each class, by agent kind (others: as honest). */
export const PAYLOAD_RATES: Readonly<Record<string, Readonly<Record<PayloadClass, number>>>> = {
  honest: { pii: 0.02, credential: 0.01, code: 0.02 },
  opportunistic: { pii: 0.05, credential: 0.03, code: 0.05 },
  deceptive: { pii: 0.08, credential: 0.05, code: 0.05 },
  adversarial: { pii: 0.1, credential: 0.15, code: 0.1 },
};

const HEX = "0123456789abcdef";

function hex(rng: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += HEX[rng.below(16)];
  return s;
}

function digits(rng: Rng, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String(rng.below(10));
  return s;
}

/** One flow's synthetic content: three draws for the classes, then the fake data of each class drawn. */
export function syntheticPayload(kind: string, rng: Rng, interaction: number): string {
  const rates = PAYLOAD_RATES[kind] ?? PAYLOAD_RATES.honest!;
  const pii = rng.random() < rates.pii;
  const credential = rng.random() < rates.credential;
  const code = rng.random() < rates.code;
  const parts = [`result of interaction ${interaction}`];
  if (pii) parts.push(`contact user${digits(rng, 4)}@example.org, tel ${digits(rng, 3)}-${digits(rng, 3)}-${digits(rng, 4)}`);
  if (credential) parts.push(`api_key=${hex(rng, 32)}`);
  if (code) parts.push(`def handler_${digits(rng, 3)}(payload):`);
  return parts.join("; ");
}
