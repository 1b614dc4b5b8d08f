/**
 * What an LLM agent is shown of the world at a decision: its own state, the
 * feed's first posts, proposals, tasks, visible agents, the ecosystem's
 * totals, and what mechanisms add (src/llm/extension.ts). The prompt
 * (src/llm/prompt.ts) formats it.
 */
import type { Observation } from "../../llm/prompt.ts";
import { SHOWN } from "../../llm/prompt.ts";
import type { LlmExtension } from "../../llm/extension.ts";
import type { PolicyContext, TurnView } from "../../kernel/policy.ts";

/** What the agent sees, copied now: later reads would see other agents' actions. */
export function observe(view: TurnView, population: PolicyContext["population"], extensions: readonly LlmExtension[]): Observation {
  const self = view.self;
  const others: Observation["agents"][number][] = [];
  view.forEachVisible((s) => {
    if (others.length < SHOWN.agents) others.push({ id: s.id, reputation: s.reputation, resources: s.resources });
  });
  const pop = population;
  let frozen = 0;
  let reputation = 0;
  let resources = 0;
  const pending = view.pendingTotal();
  for (const s of pop.slots) {
    if (s.frozen) frozen++;

    reputation += s.reputation;
    resources += s.resources;
  }
  const n = pop.slots.length;
  const sections = extensions.flatMap((x) => x.section(self.id) ?? []);
  return {
    ...(sections.length ? { sections } : {}),
    epoch: view.epoch,
    step: view.step,
    self: { id: self.id, reputation: self.reputation, resources: self.resources, payoff: self.totalPayoff },
    canPost: view.canPost,
    canInteract: view.canInteract,
    canVote: view.canVote,
    canClaimTask: view.canClaimTask,
    posts: view
      .posts()
      .slice(0, SHOWN.posts)
      .map((p) => ({ id: p.id, author: p.author, content: p.content, score: p.upvotes - p.downvotes, replies: p.replyCount })),
    proposals: view.pendingProposals().map((p) => ({ id: p.id, from: p.initiator, type: p.type, content: p.content, transfer: p.transfer })),
    availableTasks: view
      .availableTasks()
      .slice(0, SHOWN.tasks)
      .map((t) => ({ id: t.id, bounty: t.bounty, difficulty: t.difficulty, status: t.status })),
    activeTasks: view.activeTasks().map((t) => ({ id: t.id, bounty: t.bounty, difficulty: t.difficulty, status: t.status })),
    agents: others,
    ecosystem: { agents: n, active: n - frozen, frozen, pendingProposals: pending, avgReputation: n ? reputation / n : 0, totalResources: resources },
  };
}
