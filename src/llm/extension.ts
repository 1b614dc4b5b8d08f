/**
 * Actions and observation sections that mechanisms add to LLM agents (the
 * compute economy's mine, stake, contracts, …). A mechanism offers them
 * through the llm-agents extension point (`Instance.llmExtension`); the
 * prompt lists the extra actions after the standard ones and shows the extra
 * sections after the observation, and answers naming them are checked with
 * their zod schemas like the standard ones. Plans without such mechanisms
 * get exactly the prompts they always got.
 */
import type { z } from "zod";
import type { Action } from "../kernel/actions.ts";

export interface ExtraAction {
  /** The action_type the model writes, upper case (e.g. "MINE"). */
  readonly type: string;
  /** Its line in the response format: `- MINE: … params: {…}`. */
  readonly doc: string;
  /** Its params, checked like the standard actions' (zod). */
  readonly params: z.ZodType;
  /** The engine action for checked params. */
  readonly toAction: (params: never) => Action;
}

export interface LlmExtension {
  readonly actions: readonly ExtraAction[];
  /** A section of the agent's observation (`## Economy …`), or null. */
  readonly section: (agent: string) => string | null;
}
