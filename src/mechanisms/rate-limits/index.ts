/**
 * Rate limits: posts, votes and task claims per agent per epoch, proposals
 * per agent per step. Counted from the events of actions that succeeded;
 * an action past its limit fails (claims only in profile sbx: the reference
 * checks the claim limit in observations only). Observations show whether
 * each limit — and every other mechanism's capacity, such as the bandwidth
 * cap — leaves room, unless `advertised = false`.
 */
import type { Action, ActionKind } from "../../kernel/actions.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { TurnView } from "../../kernel/policy.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { RATE_LIMITS, RATE_LIMITS_SLICE } from "./language.ts";

declare module "../../kernel/policy.ts" {
  interface TurnView {
    readonly canPost: boolean;
    readonly canInteract: boolean;
    readonly canVote: boolean;
    readonly canClaimTask: boolean;
  }
}

function createRateLimits(w: World) {
  const limits = w.slice(RATE_LIMITS_SLICE);
  const pop = w.population;
  const n = pop.size;
  const posts = new Int32Array(n);
  const votes = new Int32Array(n);
  const claims = new Int32Array(n);
  const proposals = new Int32Array(n);
  /** The step serial each agent's proposal count belongs to. */
  const proposalStep = new Int32Array(n).fill(-1);
  // The events counted are the acting agent's own (found without a lookup by id).
  const idx = (id: string): number => w.agentOf(id)?.idx ?? -1;
  const proposalsThisStep = (i: number): number => (proposalStep[i] === w.stepSerial ? proposals[i] : 0);

  function capacity(agent: AgentSlot, kind: ActionKind): boolean {
    const i = agent.idx;
    switch (kind) {
      case "post":
      case "reply":
        return posts[i] < limits.postsPerEpoch;
      case "vote":
        return votes[i] < limits.votesPerEpoch;
      case "propose":
        return proposalsThisStep(i) < limits.interactionsPerStep;
      case "claim_task":
        return claims[i] < limits.tasksPerEpoch;
      default:
        return true;
    }
  }

  const advertised = limits.advertised;
  return {
    capacity,
    allow(actor: AgentSlot, action: Action): boolean {
      if (action.kind === "claim_task" && !w.semantics.taskCreation) return true;
      return capacity(actor, action.kind);
    },
    turn: {
      get canPost(): boolean {
        return !advertised || w.hasCapacity((this as TurnView).self, "post");
      },
      get canInteract(): boolean {
        return !advertised || w.hasCapacity((this as TurnView).self, "propose");
      },
      get canVote(): boolean {
        return !advertised || w.hasCapacity((this as TurnView).self, "vote");
      },
      get canClaimTask(): boolean {
        return !advertised || w.hasCapacity((this as TurnView).self, "claim_task");
      },
    },
    reduce: {
      post_created: (e: { author: string }) => {
        const i = idx(e.author);
        if (i >= 0) posts[i]++;
      },
      vote_cast: (e: { voter: string }) => {
        const i = idx(e.voter);
        if (i >= 0) votes[i]++;
      },
      task_claimed: (e: { agent: string }) => {
        const i = idx(e.agent);
        if (i >= 0) claims[i]++;
      },
      interaction_proposed: (e: { initiator: string }) => {
        const i = idx(e.initiator);
        if (i < 0) return;
        if (proposalStep[i] !== w.stepSerial) {
          proposalStep[i] = w.stepSerial;
          proposals[i] = 0;
        }
        proposals[i]++;
      },
      // advance_epoch: every per-epoch counter resets.
      epoch_completed: () => {
        posts.fill(0);
        votes.fill(0);
        claims.fill(0);
      },
    },
  };
}

export const rateLimits = mechanism({
  name: "rate-limits",
  doc: "Posts, votes and task claims per agent per epoch; proposals per agent per step.",
  plan: [RATE_LIMITS_SLICE],
  language: [{ under: "scenario", block: RATE_LIMITS }],
  create: createRateLimits,
});
