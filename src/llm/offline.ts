/**
 * The offline responder behind `--dry-run`: answers every call at once, with
 * no network and no key, with a plausible decision read off the prompt (it
 * votes on posts it was shown, proposes to agents it was shown, claims and
 * submits tasks, accepts most proposals). Its choices come from a stream
 * keyed by the run's seed and the call's identity, so a dry run is as
 * reproducible as any other. Token counts are estimated (a token per four
 * bytes), so costs and budgets behave as they would with a real model.
 */
import { SbxStream, streamKey } from "../kernel/rng/streams.ts";
import { utf8Length } from "./cost.ts";
import type { ModelClient, ModelOutcome, ModelRequest } from "./types.ts";

const POSTS = [
  "Sharing what I have learned so far about working together here.",
  "A reminder that careful, verified work pays off for everyone.",
  "Looking for partners for a collaboration this round.",
  "Observation: trust seems to build slowly but pays off.",
  "Has anyone else noticed the audits lately? Worth keeping in mind.",
];

const REPLIES = ["Agreed, thanks for sharing.", "Interesting point; I see it differently.", "Good to know, I will keep that in mind."];

/** What the responder reads off a prompt sbx wrote (src/llm/prompt.ts). */
export interface PromptFacts {
  readonly self: string | null;
  readonly posts: readonly number[];
  readonly agents: readonly { id: string; reputation: number }[];
  readonly available: readonly number[];
  readonly active: readonly number[];
  readonly canPost: boolean;
  readonly canVote: boolean;
  readonly canInteract: boolean;
  readonly canClaim: boolean;
  /** Accepted and rejected past interactions with the proposer (accept prompts). */
  readonly history: { accepted: number; rejected: number };
  /** The compute economy's section, when the prompt has one (src/mechanisms/economy/llm.ts). */
  readonly economy?: { readonly balance: number; readonly auction: boolean; readonly toSign: readonly number[]; readonly toConfirm: readonly number[]; readonly toRule: readonly { id: number; proposer: string }[] };
}

function section(text: string, title: string): string {
  const start = text.indexOf(`## ${title}`);
  if (start < 0) return "";
  const next = text.indexOf("\n## ", start + 3);
  return next < 0 ? text.slice(start) : text.slice(start, next);
}

export function promptFacts(user: string): PromptFacts {
  const flag = (name: string) => new RegExp(`^${name}: True$`, "m").test(user);
  const all = (re: RegExp, text: string) => [...text.matchAll(re)];
  const history = section(user, "History with this agent");
  return {
    self: /^Your ID: (\S+)$/m.exec(user)?.[1] ?? null,
    posts: all(/^- post_id (\d+) by /gm, section(user, "Visible Posts")).map((m) => Number(m[1])),
    agents: all(/^- (\S+): reputation (-?\d+(?:\.\d+)?),/gm, section(user, "Other Agents")).map((m) => ({ id: m[1]!, reputation: Number(m[2]) })),
    available: all(/^- task_id (\d+): /gm, section(user, "Available Tasks")).map((m) => Number(m[1])),
    active: all(/^- task_id (\d+): (?:claimed|in_progress)$/gm, section(user, "Your Active Tasks")).map((m) => Number(m[1])),
    canPost: flag("Can post"),
    canVote: flag("Can vote"),
    canInteract: flag("Can interact"),
    canClaim: flag("Can claim task"),
    history: { accepted: all(/: accepted,/g, history).length, rejected: all(/: rejected,/g, history).length },
    ...economyFacts(user),
  };
}

/** What the responder reads of the economy's sections, if the prompt has them. */
function economyFacts(user: string): Pick<PromptFacts, "economy"> {
  const eco = section(user, "Economy");
  if (!eco) return {};
  const contracts = section(user, "Your Contracts");
  const ids = (todo: string) => [...contracts.matchAll(new RegExp(`^- contract (\\d+): .* - ${todo}`, "gm"))].map((m) => Number(m[1]));
  return {
    economy: {
      balance: Number(/^Your balance: (-?\d+(?:\.\d+)?) tokens/m.exec(eco)?.[1] ?? 0),
      auction: eco.includes("(now: BID_CORE)"),
      toSign: ids("SIGN_CONTRACT"),
      toConfirm: ids("CONFIRM_DELIVERY"),
      toRule: [...contracts.matchAll(/^- contract (\d+): .*; (\S+) -> .* - ARBITRATOR_RULING/gm)].map((m) => ({ id: Number(m[1]), proposer: m[2]! })),
    },
  };
}

/** Plausible economy actions: bid on the auction turn, sign and confirm contracts, rule disputes, work when in debt, else mostly mine. */
function economyOptions(facts: PromptFacts): [number, () => Choice][] {
  const e = facts.economy;
  if (!e) return [];
  const out: [number, () => Choice][] = [[3, () => ({ action_type: "MINE", reasoning: "Mining keeps me in the block lottery.", params: {} })]];
  if (e.auction) out.push([12, () => ({ action_type: "BID_CORE", reasoning: "Owning a core earns a share of every fee.", params: { core: 0, amount: Math.max(1, Math.floor(e.balance * 0.2)) } })]);
  if (e.balance < 0) out.push([6, () => ({ action_type: "JOB", reasoning: "Working pays down my debt.", params: {} })]);
  if (e.toRule.length) out.push([8, () => ({ action_type: "ARBITRATOR_RULING", reasoning: "Resolving the dispute I arbitrate.", params: { contract_id: e.toRule[0]!.id, ruling_for: e.toRule[0]!.proposer } })]);
  if (e.toSign.length) out.push([4, () => ({ action_type: "SIGN_CONTRACT", reasoning: "The terms look fair.", params: { contract_id: e.toSign[0] } })]);
  if (e.toConfirm.length) out.push([4, () => ({ action_type: "CONFIRM_DELIVERY", reasoning: "The delivery arrived.", params: { contract_id: e.toConfirm[0] } })]);
  return out;
}

type Choice = { action_type: string; reasoning: string; params: Record<string, unknown> };

function pick<T>(rng: SbxStream, xs: readonly T[]): T {
  return xs[rng.below(xs.length)]!;
}

/** A plausible action for the facts: weighted among what the observation allows. */
export function offlineAction(facts: PromptFacts, rng: SbxStream): Choice {
  const options: [number, () => Choice][] = [[1, () => ({ action_type: "NOOP", reasoning: "Nothing worth doing this turn; waiting.", params: {} })]];
  if (facts.active.length) {
    const task = facts.active[0]!;
    options.push([4, () => ({ action_type: "SUBMIT_OUTPUT", reasoning: "Finishing the task I claimed.", params: { task_id: task, content: `Completed work on task ${task}.` } })]);
  }
  if (facts.canClaim && facts.available.length) {
    options.push([2, () => ({ action_type: "CLAIM_TASK", reasoning: "This task looks worth the effort.", params: { task_id: pick(rng, facts.available) } })]);
  }
  if (facts.canInteract && facts.agents.length) {
    options.push([
      3,
      () => {
        // Prefer partners in good standing.
        const sorted = [...facts.agents].sort((a, b) => b.reputation - a.reputation || (a.id < b.id ? -1 : 1));
        const partner = sorted[rng.below(Math.min(3, sorted.length))]!;
        const type = rng.random() < 0.8 ? "collaboration" : "trade";
        return { action_type: "PROPOSE_INTERACTION", reasoning: `Working with ${partner.id} should benefit us both.`, params: { counterparty_id: partner.id, interaction_type: type, content: "Shall we work together on this?" } };
      },
    ]);
  }
  if (facts.canVote && facts.posts.length) {
    options.push([2, () => ({ action_type: "VOTE", reasoning: "Signalling which content is useful.", params: { post_id: pick(rng, facts.posts), direction: rng.random() < 0.8 ? 1 : -1 } })]);
  }
  if (facts.canPost) {
    options.push([2, () => ({ action_type: "POST", reasoning: "Sharing information helps coordination.", params: { content: pick(rng, POSTS) } })]);
    if (facts.posts.length) {
      options.push([1, () => ({ action_type: "REPLY", reasoning: "Engaging with a visible post.", params: { post_id: pick(rng, facts.posts), content: pick(rng, REPLIES) } })]);
    }
  }
  options.push(...economyOptions(facts));
  const total = options.reduce((s, [w]) => s + w, 0);
  let r = rng.random() * total;
  for (const [w, make] of options) {
    if (r < w) return make();
    r -= w;
  }
  return options[0]![1]();
}

/** Accept most proposals; less often from a partner that was rejected before. */
export function offlineAccept(facts: PromptFacts, rng: SbxStream): { accept: boolean; reasoning: string } {
  const p = facts.history.rejected > facts.history.accepted ? 0.4 : 0.75;
  const accept = rng.random() < p;
  return { accept, reasoning: accept ? "The proposal looks mutually beneficial." : "The risk outweighs the expected benefit." };
}

export class OfflineResponder implements ModelClient {
  constructor(private readonly seed: number) {}

  async complete(request: ModelRequest): Promise<ModelOutcome> {
    const rng = new SbxStream(streamKey(this.seed, `llm-offline:${request.callId}`));
    const facts = promptFacts(request.user);
    const isAccept = request.user.includes("## Interaction Proposal");
    const text = JSON.stringify(isAccept ? offlineAccept(facts, rng) : offlineAction(facts, rng));
    return {
      kind: "response",
      text,
      tokensIn: Math.ceil((utf8Length(request.system) + utf8Length(request.user)) / 4),
      tokensOut: Math.min(request.maxTokens, Math.ceil(utf8Length(text) / 4)),
      refusal: false,
    };
  }
}
