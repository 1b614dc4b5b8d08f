/**
 * Model answers to decisions (docs/sandbox.md §9.3): find the JSON in the
 * completion, then check it with a zod schema and map it to an engine action
 * or an accept/reject decision.
 *
 * An answer without usable JSON is `malformed`; JSON that breaks the schema
 * is `invalid`. Either earns the agent one retry with the error appended.
 * `faithful` (profile swarm-0.1) keeps the reference's lenient mapping: an
 * unknown action is a NOOP, an unknown interaction type a collaboration, and
 * `accept` is Python truthiness.
 */
import { z } from "zod";
import type { Action } from "../kernel/actions.ts";
import { INTERACTION_TYPES, type InteractionType } from "../spec/plan.ts";
import type { ExtraAction } from "./extension.ts";

export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly reasoning: string }
  | { readonly ok: false; readonly fault: "malformed" | "invalid"; readonly error: string };

/**
 * The reference's extraction: the first fenced block (optionally tagged
 * json), else the greedy span from the first "{" to the last "}".
 */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const fence = /```(?:json)?\s*\n?([\s\S]*?)```/.exec(text);
  let candidate: string | null = null;
  if (fence) candidate = fence[1]!.trim();
  else {
    const start = text.indexOf("{");
    const end = text.lastIndexOf("}");
    if (start >= 0 && end > start) candidate = text.slice(start, end + 1);
  }
  if (candidate === null) return { ok: false, error: "No JSON found in response" };
  try {
    return { ok: true, value: JSON.parse(candidate) as unknown };
  } catch (e) {
    return { ok: false, error: `Invalid JSON: ${(e as Error).message}` };
  }
}

const Id = z.union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/, "expected a whole number").transform(Number)]);
const AgentId = z.union([z.string().min(1), z.number().transform(String)]);
const Content = z.string();
const Direction = z.union([z.literal(1), z.literal(-1), z.literal("1").transform(() => 1 as const), z.literal("-1").transform(() => -1 as const)]);
const Transfer = z.number().finite();

const Envelope = z.looseObject({
  action_type: z.string({ error: "action_type must be a string" }),
  reasoning: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const ACTION_TYPES = ["NOOP", "POST", "REPLY", "VOTE", "PROPOSE_INTERACTION", "CLAIM_TASK", "SUBMIT_OUTPUT"] as const;

const PARAMS = {
  NOOP: z.looseObject({}),
  POST: z.looseObject({ content: Content }),
  REPLY: z.looseObject({ post_id: Id, content: Content }),
  VOTE: z.looseObject({ post_id: Id, direction: Direction.optional() }),
  PROPOSE_INTERACTION: z.looseObject({
    counterparty_id: AgentId,
    interaction_type: z.string().optional(),
    content: Content.optional(),
    transfer: Transfer.optional(),
  }),
  CLAIM_TASK: z.looseObject({ task_id: Id }),
  SUBMIT_OUTPUT: z.looseObject({ task_id: Id, content: Content.optional() }),
} as const;

function issues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

const isInteractionType = (s: string): s is InteractionType => (INTERACTION_TYPES as readonly string[]).includes(s);

export interface ParseOptions {
  readonly faithful: boolean;
  /** Proposals may carry a transfer. */
  readonly transfers: boolean;
  /** Actions mechanisms add (src/llm/extension.ts). */
  readonly extra?: readonly ExtraAction[];
}

export function parseAction(text: string, options: ParseOptions): Parsed<Action> {
  const json = extractJson(text);
  if (!json.ok) return { ok: false, fault: "malformed", error: json.error };
  const env = Envelope.safeParse(json.value);
  if (!env.success) return { ok: false, fault: "invalid", error: issues(env.error) };
  const reasoning = env.data.reasoning ?? "";
  const type = env.data.action_type.trim().toUpperCase();
  // Models sometimes put params at the top level; take them from there when `params` is absent.
  const { action_type: _t, reasoning: _r, params, ...rest } = env.data;
  const raw = params ?? rest;
  const extra = options.extra?.find((x) => x.type === type);
  if (extra) {
    const q = extra.params.safeParse(raw);
    if (!q.success) return { ok: false, fault: "invalid", error: `params: ${issues(q.error)}` };
    return { ok: true, value: extra.toAction(q.data as never), reasoning };
  }
  if (!(ACTION_TYPES as readonly string[]).includes(type)) {
    if (options.faithful) return { ok: true, value: { kind: "noop" }, reasoning };
    const known = [...ACTION_TYPES, ...(options.extra ?? []).map((x) => x.type)];
    return { ok: false, fault: "invalid", error: `action_type: unknown action "${env.data.action_type}" (expected one of ${known.join(", ")})` };
  }
  const t = type as (typeof ACTION_TYPES)[number];
  const p = PARAMS[t].safeParse(raw);
  if (!p.success) return { ok: false, fault: "invalid", error: `params: ${issues(p.error)}` };
  const ok = (value: Action): Parsed<Action> => ({ ok: true, value, reasoning });
  switch (t) {
    case "NOOP":
      return ok({ kind: "noop" });
    case "POST": {
      const q = p.data as z.infer<typeof PARAMS.POST>;
      return ok({ kind: "post", content: q.content });
    }
    case "REPLY": {
      const q = p.data as z.infer<typeof PARAMS.REPLY>;
      return ok({ kind: "reply", postId: q.post_id, content: q.content });
    }
    case "VOTE": {
      const q = p.data as z.infer<typeof PARAMS.VOTE>;
      return ok({ kind: "vote", postId: q.post_id, direction: q.direction ?? 1 });
    }
    case "PROPOSE_INTERACTION": {
      const q = p.data as z.infer<typeof PARAMS.PROPOSE_INTERACTION>;
      const given = (q.interaction_type ?? "collaboration").trim().toLowerCase();
      let type: InteractionType;
      if (isInteractionType(given)) type = given;
      else if (options.faithful) type = "collaboration";
      else return { ok: false, fault: "invalid", error: `params.interaction_type: unknown type "${q.interaction_type}" (expected one of ${INTERACTION_TYPES.join(", ")})` };
      const transfer = options.transfers && !options.faithful ? (q.transfer ?? 0) : 0;
      return ok({ kind: "propose", counterparty: q.counterparty_id, type, content: q.content ?? "", transfer });
    }
    case "CLAIM_TASK": {
      const q = p.data as z.infer<typeof PARAMS.CLAIM_TASK>;
      return ok({ kind: "claim_task", taskId: q.task_id });
    }
    case "SUBMIT_OUTPUT": {
      const q = p.data as z.infer<typeof PARAMS.SUBMIT_OUTPUT>;
      return ok({ kind: "submit_output", taskId: q.task_id, content: q.content ?? "" });
    }
  }
}

const AcceptAnswer = z.looseObject({ accept: z.boolean({ error: "accept must be true or false" }), reasoning: z.string().optional() });

/** Python's bool() of a JSON value: what the reference's `bool(dict.get("accept", False))` reads. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

export function parseAccept(text: string, options: ParseOptions): Parsed<boolean> {
  const json = extractJson(text);
  if (!json.ok) return { ok: false, fault: "malformed", error: json.error };
  if (options.faithful) {
    const obj = json.value !== null && typeof json.value === "object" && !Array.isArray(json.value) ? (json.value as Record<string, unknown>) : {};
    return { ok: true, value: truthy(obj["accept"]), reasoning: typeof obj["reasoning"] === "string" ? obj["reasoning"] : "" };
  }
  const a = AcceptAnswer.safeParse(json.value);
  if (!a.success) return { ok: false, fault: "invalid", error: issues(a.error) };
  return { ok: true, value: a.data.accept, reasoning: a.data.reasoning ?? "" };
}
