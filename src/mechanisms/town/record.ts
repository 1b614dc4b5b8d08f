/**
 * A town action as the log records it (the `town_action` event), which
 * actions count as cooperation or conflict, and how an action reads in an LLM
 * resident's memory (src/mechanisms/town/state.ts keeps the memories).
 */
import type { TownActionKind } from "./language.ts";

/** One action as the log records it. */
export interface TownActionRecord {
  agent: string;
  action: TownActionKind;
  ok: boolean;
  /** The agent the action was aimed at (talk, gift, help, steal, report). */
  target?: string;
  /** The destination of a move. */
  room?: string;
  topic?: string;
  /** The fact researched or cited (research sprint). */
  fact?: number;
  /** The rule a plan drafts or enacts. */
  rule?: string;
  /** Credits moved (gift, steal, fine, pay). */
  amount?: number;
  /** Credits paid to an enacted rule's cost. */
  paid?: number;
  /** The actions the agent could take when it decided (a bitmask over the town's actions). */
  options: number;
  /** The agent was under stress when it decided. */
  stressed?: true;
  /** LLM agents: whether the model decided, or the planner stood in. */
  source?: "model" | "planner";
  /** What the agent said (LLM agents), truncated. */
  utterance?: string;
}

/** Cooperative actions: directed at another agent's good. */
export const COOPERATIVE: ReadonlySet<TownActionKind> = new Set(["talk", "gift", "help"]);
/** Conflict actions. */
export const CONFLICT: ReadonlySet<TownActionKind> = new Set(["steal", "report"]);

/** How an LLM resident remembers its own action. */
export function describeOwn(e: TownActionRecord): string {
  const what = `${e.action}${e.target ? ` ${e.target}` : ""}${e.room ? ` to the ${e.room}` : ""}${e.topic ? ` about ${e.topic}` : ""}`;
  return e.ok ? `You did: ${what}${e.utterance ? ` ("${e.utterance}")` : ""}.` : `You tried to ${what}, but could not.`;
}

/** How an LLM resident remembers an action aimed at it. */
export function describeOther(e: TownActionRecord): string {
  switch (e.action) {
    case "talk":
      return `${e.agent} talked with you${e.topic ? ` about ${e.topic}` : ""}${e.utterance ? `: "${e.utterance}"` : ""}.`;
    case "gift":
      return `${e.agent} gave you ${e.amount} credits.`;
    case "help":
      return `${e.agent} helped you: you earned ${e.amount} credits.`;
    case "steal":
      return `${e.agent} stole ${e.amount} credits from you.`;
    case "report":
      return `${e.agent} reported your theft: you paid a fine of ${e.amount} credits.`;
    default:
      return `${e.agent} did ${e.action} toward you.`;
  }
}

