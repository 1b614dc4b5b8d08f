/**
 * An extension point for mechanisms that give LLM agents a world of their
 * own (the town): a frame replaces the sandbox's prompt, answer schema and
 * fallback for one decision, while the calls, retries, faults, budget and
 * events stay the LLM agents' own. A mechanism installs `llmFrame` on the
 * turn view; an agent it does not frame decides as in the sandbox.
 */
import type { Action } from "../../kernel/actions.ts";
import type { Parsed } from "../../llm/parse.ts";
import type { Persona } from "../personas/language.ts";

export interface LlmFrame {
  readonly system: string;
  readonly user: string;
  /** The answer's JSON (already found in the completion) as an action, checked against the frame's schema. */
  parse(json: unknown): Parsed<Action>;
  /** What the agent does when the model cannot answer (the town's planner suggestion). */
  fallback(): Action;
  /** The decided action, marked with where it came from. */
  settle(action: Action, source: "model" | "planner"): Action;
  /** What the fallback event names as the agent's fallback. */
  readonly fallbackName: string;
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** The frame of this agent's decision, when a mechanism gives it one. */
    readonly llmFrame?: (persona: Persona) => LlmFrame | null;
  }
}
