/**
 * Keeping API keys out of everything sbx writes. Text from outside (a
 * completion, an error body) passes through `scrub` before anything else
 * sees it, so events, cassettes, summaries and reports derive from the
 * scrubbed text only, and a replay reproduces the same scrubbed bytes.
 */

export const REDACTED = "[redacted]";

/** Environment variables whose values are secrets. */
export const SECRET_VARIABLES = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OLLAMA_API_KEY", "ANTHROPIC_AUTH_TOKEN"] as const;

/** Shapes of provider keys and bearer credentials, whatever their value. */
const KEY_PATTERNS: readonly RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g,
  /\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\bx-api-key\s*[:=]\s*\S+/gi,
];

export interface Scrubber {
  (text: string): string;
  /** The literal secrets it removes (for tests and diagnostics, never printed). */
  readonly secrets: readonly string[];
}

/** A scrubber for the secrets in `env` (values shorter than 8 characters are too common to be keys). */
export function scrubberFor(env: Readonly<Record<string, string | undefined>>): Scrubber {
  const secrets = SECRET_VARIABLES.map((v) => env[v]).filter((s): s is string => typeof s === "string" && s.trim().length >= 8);
  const fn = (text: string): string => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    for (const p of KEY_PATTERNS) out = out.replace(p, REDACTED);
    return out;
  };
  return Object.assign(fn, { secrets });
}
