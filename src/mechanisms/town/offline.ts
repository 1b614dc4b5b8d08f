/**
 * The offline responder's answer to a town prompt (`--dry-run`): an option
 * read off the prompt, drawn with the weights below, a target among those
 * offered, a line to say when talking, and — when asked — a self-report
 * answer that agrees with the traits the system prompt gives, so offline
 * runs show personas that hold. Pure: the caller supplies the stream.
 */
import type { Rng } from "../../kernel/rng/types.ts";
import { PROBE_ITEMS } from "./llm.ts";

const WEIGHTS: Readonly<Record<string, number>> = {
  talk: 4, work: 4, help: 2, gift: 1, research: 4, cite: 3, submit_report: 5, fill_field: 4, propose_plan: 2, submit_plan: 5, scan: 4, move: 2, report: 2, steal: 0.2, rest: 0.5,
};

const LINES = ["Good to see you here.", "What do you make of it?", "I have been thinking about this.", "Let's keep each other posted.", "I see it a bit differently."];

const TRAIT_LINE = /^- (Openness|Conscientiousness|Extraversion|Agreeableness|Neuroticism): (-?\d+(?:\.\d+)?)/gm;

export function offlineTownAnswer(system: string, user: string, rng: Rng): string {
  const options = section(user, "Options")
    .split("\n")
    .filter((l) => l.startsWith("- "))
    .map((l) => {
      const m = /^- (\w+)(?::\s*(.*))?$/.exec(l);
      return { kind: m?.[1] ?? "rest", detail: m?.[2] ?? "" };
    });
  const total = options.reduce((s, o) => s + (WEIGHTS[o.kind] ?? 1), 0);
  let r = rng.random() * total;
  let chosen = options[options.length - 1] ?? { kind: "rest", detail: "" };
  for (const o of options) {
    const w = WEIGHTS[o.kind] ?? 1;
    if (r < w) {
      chosen = o;
      break;
    }
    r -= w;
  }
  const answer: Record<string, unknown> = { action: chosen.kind, reasoning: `Choosing to ${chosen.kind.replace(/_/g, " ")} this tick.` };
  const field = (name: string): string | undefined => {
    const m = new RegExp(`"${name}" (?:one of )?([^;]+)`).exec(chosen.detail);
    if (!m) return undefined;
    const values = m[1]!.split(",").map((x) => x.trim()).filter(Boolean);
    return values[rng.below(values.length)];
  };
  for (const name of ["target", "room", "topic", "rule"]) {
    const v = field(name);
    if (v !== undefined) answer[name] = v;
  }
  if (chosen.kind === "talk") answer["utterance"] = LINES[rng.below(LINES.length)];
  const probe = /How accurately does this describe you\? "([^"]+)"/.exec(user);
  if (probe) {
    const item = PROBE_ITEMS.find((it) => it.text === probe[1]);
    const traits = new Map([...system.matchAll(TRAIT_LINE)].map((m) => [m[1]!.toLowerCase(), Number(m[2])]));
    const value = item ? (traits.get(item.trait) ?? 0) * item.keyed : 0;
    answer["probe"] = Math.max(1, Math.min(5, Math.round(3 + 2 * value)));
  }
  return JSON.stringify(answer);
}

function section(text: string, title: string): string {
  const start = text.indexOf(`## ${title}`);
  if (start < 0) return "";
  const next = text.indexOf("\n## ", start + 3);
  return next < 0 ? text.slice(start) : text.slice(start, next);
}
