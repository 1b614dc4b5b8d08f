/**
 * Prompts for LLM agents (docs/sandbox.md §9.2): a system prompt (persona or
 * custom text, Big-Five traits, the response schema) and a user prompt (the
 * observation, recent memory, and the action or accept question).
 *
 * Pure functions of plain data: the agent copies what it sees into an
 * `Observation` before its first await, so the prompt reflects the state
 * every agent of the step saw.
 *
 * `faithful` keeps the reference's prompt as it was, quirks included (every
 * post shows "votes: 0", every task "reward: 0.0", the interaction types
 * list two that do not exist, memory is cut before it is filtered); the sbx
 * profile shows the real values.
 */
import type { ExtraAction } from "./extension.ts";

/** A persona as prompts render it (the plan's persona: src/mechanisms/llm-agents/language.ts). */
export interface Persona {
  readonly name: string;
  readonly prompt: string;
  readonly traits: { readonly openness: number; readonly conscientiousness: number; readonly extraversion: number; readonly agreeableness: number; readonly neuroticism: number } | null;
}

export interface ObservedPost {
  readonly id: number;
  readonly author: string;
  readonly content: string;
  /** Net votes (upvotes − downvotes). */
  readonly score: number;
  readonly replies: number;
}

export interface ObservedProposal {
  readonly id: number;
  readonly from: string;
  readonly type: string;
  readonly content: string;
  readonly transfer: number;
}

export interface ObservedTask {
  readonly id: number;
  readonly bounty: number;
  readonly difficulty: string;
  readonly status: string;
}

export interface ObservedAgent {
  readonly id: string;
  readonly reputation: number;
  readonly resources: number;
}

export interface Observation {
  readonly epoch: number;
  readonly step: number;
  readonly self: { readonly id: string; readonly reputation: number; readonly resources: number; readonly payoff: number };
  readonly canPost: boolean;
  readonly canInteract: boolean;
  readonly canVote: boolean;
  readonly canClaimTask: boolean;
  readonly posts: readonly ObservedPost[];
  readonly proposals: readonly ObservedProposal[];
  readonly availableTasks: readonly ObservedTask[];
  readonly activeTasks: readonly ObservedTask[];
  readonly agents: readonly ObservedAgent[];
  readonly ecosystem: {
    readonly agents: number;
    readonly active: number;
    readonly frozen: number;
    readonly pendingProposals: number;
    readonly avgReputation: number;
    readonly totalResources: number;
  };
  /** Sections mechanisms add (src/llm/extension.ts), shown after the ecosystem. */
  readonly sections?: readonly string[];
}

/** What an agent remembers (the reference's memory items). */
export type MemoryItem =
  | { readonly type: "interaction_outcome"; readonly counterparty: string; readonly initiated: boolean; readonly accepted: boolean; readonly p: number }
  | { readonly type: "action_reasoning"; readonly action: string; readonly reasoning: string }
  | { readonly type: "accept_decision"; readonly proposal: number; readonly initiator: string; readonly accepted: boolean; readonly reasoning: string };

export interface PromptOptions {
  /** Keep the reference's prompt quirks (profile swarm-0.1). */
  readonly faithful: boolean;
  /** Proposals may offer a transfer (the `transfers` mechanism is on). */
  readonly transfers: boolean;
  /** Actions mechanisms add (src/llm/extension.ts), listed after the standard ones. */
  readonly extra?: readonly ExtraAction[];
}

/** How many of each list the prompt shows (the reference's cuts). */
export const SHOWN = { posts: 5, tasks: 5, agents: 10, memory: 5, history: 3 } as const;

// ---------------------------------------------------------------- system prompt

const TRAIT_NAMES = ["openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism"] as const;

function traitWord(v: number): string {
  if (v >= 0.75) return "very high";
  if (v >= 0.25) return "high";
  if (v > -0.25) return "moderate";
  if (v > -0.75) return "low";
  return "very low";
}

/** The persona's Big-Five traits as prompt text (after the persona town's bands: ±0.75 reads as very high/low). */
export function renderTraits(persona: Persona): string {
  const t = persona.traits;
  if (!t) return "";
  const lines = TRAIT_NAMES.map((name) => `- ${name[0]!.toUpperCase()}${name.slice(1)}: ${t[name].toFixed(2)} (${traitWord(t[name])})`);
  return `## Your Personality\nBig Five traits, from -1 (very low) to 1 (very high):\n${lines.join("\n")}\nLet these traits shape your choices.`;
}

function interactionTypes(options: PromptOptions): string {
  // The reference lists "delegation" and "verification", which are not interaction types (they become collaboration).
  return options.faithful ? '"collaboration", "delegation", "verification", "reply"' : '"collaboration", "trade", "reply", "vote"';
}

export function actionSchema(options: PromptOptions): string {
  const transfer = options.transfers && !options.faithful ? ', "transfer": number (resources you offer; negative asks for them; optional)' : "";
  return [
    "## Response Format",
    'Respond with one JSON object and nothing else: {"action_type": "...", "reasoning": "...", "params": {...}}',
    "",
    "Actions and their params:",
    "- NOOP: do nothing. params: {}",
    '- POST: publish a post. params: {"content": string}',
    '- REPLY: reply to a post. params: {"post_id": number, "content": string}',
    '- VOTE: vote on a post. params: {"post_id": number, "direction": 1 or -1}',
    `- PROPOSE_INTERACTION: propose an interaction to another agent. params: {"counterparty_id": string, "interaction_type": one of ${interactionTypes(options)}, "content": string${transfer}}`,
    '- CLAIM_TASK: claim an available task. params: {"task_id": number}',
    '- SUBMIT_OUTPUT: submit work on a task you claimed. params: {"task_id": number, "content": string}',
    ...(options.extra ?? []).map((x) => x.doc),
  ].join("\n");
}

export const ACCEPT_SCHEMA = ["## Response Format", 'Respond with one JSON object and nothing else: {"accept": true or false, "reasoning": "..."}'].join("\n");

/** Persona text (or the custom system prompt, which replaces the persona whole), then the schema block. */
export function systemPrompt(persona: Persona, custom: string | null, schema: string): string {
  const head = custom ?? [persona.prompt.trim(), renderTraits(persona)].filter((s) => s !== "").join("\n\n");
  return `${head}\n\n${schema}`;
}

// ---------------------------------------------------------------- observation

const f2 = (x: number): string => x.toFixed(2);
/** Whole vote counts as integers; normalised (fractional) scores with two decimals. */
const score = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));
const f3 = (x: number): string => x.toFixed(3);
const py = (b: boolean): string => (b ? "True" : "False");

function excerpt(text: string, n: number): string {
  return `${text.slice(0, n)}...`;
}

/** The observation's sections, in the reference's order. */
export function formatObservation(o: Observation, options: PromptOptions): string {
  const out: string[] = [];
  out.push(
    "## Current State",
    `Epoch: ${o.epoch}, Step: ${o.step}`,
    `Your ID: ${o.self.id}`,
    `Reputation: ${f2(o.self.reputation)}`,
    `Resources: ${f2(o.self.resources)}`,
    `Total payoff: ${f2(o.self.payoff)}`,
    "",
    "## Rate Limits",
    `Can post: ${py(o.canPost)}`,
    `Can interact: ${py(o.canInteract)}`,
    `Can vote: ${py(o.canVote)}`,
    `Can claim task: ${py(o.canClaimTask)}`,
  );
  if (o.posts.length) {
    out.push("", `## Visible Posts (top ${SHOWN.posts})`);
    for (const p of o.posts.slice(0, SHOWN.posts)) {
      // The reference reads a `score` key its post dicts lack: every post shows 0.
      const votes = options.faithful ? "0" : score(p.score);
      const replies = options.faithful ? "" : `, replies: ${p.replies}`;
      out.push(`- post_id ${p.id} by ${p.author}: ${excerpt(p.content, 50)} (votes: ${votes}${replies})`);
    }
  }
  if (o.proposals.length) {
    out.push("", "## Pending Proposals (interactions proposed to you)");
    for (const p of o.proposals) {
      const transfer = p.transfer !== 0 ? `, offered transfer: ${f2(p.transfer)}` : "";
      out.push(`- proposal ${p.id} from ${p.from}: ${p.type}${transfer} - ${excerpt(p.content, 50)}`);
    }
  }
  if (o.availableTasks.length) {
    out.push("", `## Available Tasks (top ${SHOWN.tasks})`);
    for (const t of o.availableTasks.slice(0, SHOWN.tasks)) {
      // The reference reads `reward`, which tasks lack (they have a bounty): always 0.0.
      const reward = options.faithful ? 0 : t.bounty;
      out.push(`- task_id ${t.id}: ${t.difficulty} (reward: ${reward.toFixed(1)})`);
    }
  }
  if (o.activeTasks.length) {
    out.push("", "## Your Active Tasks");
    for (const t of o.activeTasks) out.push(`- task_id ${t.id}: ${t.status}`);
  }
  if (o.agents.length) {
    out.push("", `## Other Agents (top ${SHOWN.agents})`);
    for (const a of o.agents.slice(0, SHOWN.agents)) out.push(`- ${a.id}: reputation ${f2(a.reputation)}, resources ${f2(a.resources)}`);
  }
  const e = o.ecosystem;
  out.push(
    "",
    "## Ecosystem Health",
    `total_agents: ${e.agents}`,
    `active_agents: ${e.active}`,
    `frozen_agents: ${e.frozen}`,
    `pending_proposals: ${e.pendingProposals}`,
    `avg_reputation: ${f3(e.avgReputation)}`,
    `total_resources: ${f3(e.totalResources)}`,
  );
  for (const section of o.sections ?? []) out.push("", section);
  return out.join("\n");
}

function outcomeLine(m: Extract<MemoryItem, { type: "interaction_outcome" }>): string {
  const role = m.initiated ? "you proposed to" : "proposed to you by";
  return `- ${role} ${m.counterparty}: ${m.accepted ? "accepted" : "rejected"}, p = ${f2(m.p)}`;
}

/** The recent interaction outcomes the action prompt shows. */
export function recentOutcomes(memory: readonly MemoryItem[], options: PromptOptions): Extract<MemoryItem, { type: "interaction_outcome" }>[] {
  const isOutcome = (m: MemoryItem): m is Extract<MemoryItem, { type: "interaction_outcome" }> => m.type === "interaction_outcome";
  // The reference passes the last 10 items and keeps the outcomes among the last 5 of them.
  if (options.faithful) return memory.slice(-10).slice(-SHOWN.memory).filter(isOutcome);
  return memory.filter(isOutcome).slice(-SHOWN.memory);
}

export function actionPrompt(o: Observation, memory: readonly MemoryItem[], options: PromptOptions): string {
  const parts = [formatObservation(o, options)];
  const recent = recentOutcomes(memory, options);
  if (recent.length) parts.push(`## Recent Memory\n${recent.map(outcomeLine).join("\n")}`);
  parts.push("## Your Turn\nChoose one action. Respond with the JSON object only.");
  return parts.join("\n\n");
}

export function acceptPrompt(o: Observation, proposal: ObservedProposal, memory: readonly MemoryItem[], options: PromptOptions): string {
  const lines = [`## Interaction Proposal`, `Proposal ID: ${proposal.id}`, `From: ${proposal.from}`, `Type: ${proposal.type}`, `Content: ${proposal.content}`];
  if (proposal.transfer !== 0) lines.push(`Offered Transfer: ${f2(proposal.transfer)}`);
  const history = memory
    .filter((m): m is Extract<MemoryItem, { type: "interaction_outcome" }> => m.type === "interaction_outcome" && m.counterparty === proposal.from)
    .slice(-SHOWN.history);
  const parts = [formatObservation(o, options), lines.join("\n")];
  parts.push(`## History with this agent\n${history.length ? history.map(outcomeLine).join("\n") : "No previous interactions."}`);
  parts.push("## Your Decision\nAccept or reject this proposal. Respond with the JSON object only.");
  return parts.join("\n\n");
}

/** The most the retry note may add to a prompt, in bytes (the budget's bound allows for it). */
export const RETRY_NOTE_MAX = 400;

/** A rejected answer's error, appended for the one retry it gets. */
export function retryNote(error: string): string {
  // ASCII only and cut short, so the note stays within RETRY_NOTE_MAX bytes.
  const ascii = error.replace(/[^\x20-\x7e]/g, "?");
  const reason = ascii.length > 240 ? `${ascii.slice(0, 240)}...` : ascii;
  return `\n\n## Your previous answer could not be used\n${reason}\nAnswer again with exactly one JSON object in the format above.`;
}
