/**
 * The feed (docs/sandbox.md §6.2): posts, replies and votes, ranked deterministically. Agents
 * see the top `visible_posts`. Other mechanisms weigh votes through the
 * `voteWeight` hook this mechanism adds (vote normalisation).
 */
import type { At } from "../../kernel/events.ts";
import { mechanism } from "../../kernel/mechanism.ts";
import type { MetricSpec } from "../../kernel/metric.ts";
import { series } from "../../kernel/metric.ts";
import type { AgentSlot } from "../../kernel/population.ts";
import type { World } from "../../kernel/world.ts";
import { interactions } from "../interactions/index.ts";
import { Feed, type Post, type VoteOutcome } from "./feed.ts";
import { FEED, FEED_SLICE } from "./language.ts";

declare module "../../kernel/actions.ts" {
  interface ActionMap {
    post: { readonly kind: "post"; readonly content: string };
    reply: { readonly kind: "reply"; readonly postId: number; readonly content: string };
    vote: { readonly kind: "vote"; readonly postId: number; readonly direction: 1 | -1 };
  }
}

declare module "../../kernel/events.ts" {
  interface EventMap {
    post_created: At & { id: number; author: string; parent: number | null; content: string };
    /** `weight`: the vote's influence, present where a mechanism weighs votes (vote normalisation). */
    vote_cast: At & { post: number; voter: string; direction: 1 | -1; outcome: VoteOutcome; weight?: number };
  }
}

declare module "../../kernel/policy.ts" {
  interface TurnView {
    /** The top-ranked visible posts, best first. */
    posts(): readonly Post[];
  }
}

declare module "../../kernel/mechanism.ts" {
  interface Instance {
    /** The influence of the voter's next vote (votes weigh 1 unless some mechanism says otherwise). */
    voteWeight?(voter: AgentSlot): number;
  }
}

function createFeed(w: World) {
  const settings = w.slice(FEED_SLICE);
  const feed = new Feed(settings.replyWeight);
  const tally = { posts: 0, votes: 0, totalPosts: 0, totalVotes: 0 };
  // Resolved at the first vote (the world wires hooks after every mechanism is created).
  let voteWeights: ReturnType<typeof w.hooks<"voteWeight">> | null = null;

  function publish(actor: AgentSlot, content: string, parent: number | null): boolean {
    const text = content.slice(0, settings.maxContentLength);
    const id = feed.create(actor.id, text, parent);
    if (id === null) return false;
    w.emit({ type: "post_created", epoch: w.epoch, step: w.step, id, author: actor.id, parent, content: text });
    return true;
  }

  return {
    tally,
    turn: {
      posts: (): readonly Post[] => feed.top(settings.visiblePosts),
    },
    actions: {
      post: (actor: AgentSlot, action: { content: string }) => publish(actor, action.content, null),
      reply: (actor: AgentSlot, action: { postId: number; content: string }) => publish(actor, action.content, action.postId),
      vote(actor: AgentSlot, action: { postId: number; direction: 1 | -1 }): boolean {
        const weighers = (voteWeights ??= w.hooks("voteWeight"));
        let weight = 1;
        for (let i = 0; i < weighers.length; i++) weight *= weighers[i](actor);
        const direction = action.direction > 0 ? 1 : -1;
        const outcome = feed.vote(action.postId, actor.idx, direction, weight);
        if (outcome === null) return false;
        // Two literals rather than a key added afterwards (a map transition per vote); the keys keep their order.
        w.emit(
          weighers.length
            ? { type: "vote_cast", epoch: w.epoch, step: w.step, post: action.postId, voter: actor.id, direction, outcome, weight }
            : { type: "vote_cast", epoch: w.epoch, step: w.step, post: action.postId, voter: actor.id, direction, outcome },
        );
        return true;
      },
    },
    /** Replay only: a post or vote names an agent of the plan (a log edited by hand may not). */
    verify(e: { type: string; author?: string; voter?: string }): string | null {
      if (e.type !== "post_created" && e.type !== "vote_cast") return null;
      const who = e.type === "post_created" ? e.author : e.voter;
      return who !== undefined && w.population.byId.has(who) ? null : `${e.type} names ${JSON.stringify(who)}, who is not an agent of the plan`;
    },
    reduce: {
      epoch_started: () => {
        tally.posts = 0;
        tally.votes = 0;
      },
      post_created: () => {
        tally.posts++;
        tally.totalPosts++;
      },
      vote_cast: (e: { outcome: VoteOutcome }) => {
        tally.votes++;
        if (e.outcome === "new") tally.totalVotes++;
      },
    },
  };
}

type FeedInstance = ReturnType<typeof createFeed>;

const N = "none" as const;

/** swarm-0.1 reports the feed's totals as 0 in epochs without interactions (docs/sandbox.md §7.8). */
function hidesTotals(w: World): boolean {
  return w.semantics.feedTotalsZeroWithoutInteractions && w.get(interactions).epoch.length === 0;
}

const METRICS: readonly MetricSpec<FeedInstance>[] = [
  series("feed", N, "flow", "posts", "count", "Posts and replies created this epoch.", "|new posts|", (m) => m.tally.posts),
  series("feed", N, "flow", "votes", "count", "Votes cast this epoch.", "|new votes|", (m) => m.tally.votes),
  series("feed", N, "stock", "total_posts", "count", "Posts and replies since the run started (in profile swarm-0.1, 0 in epochs without interactions, as the reference reports).", "|posts|", (m, _sel, w) =>
    hidesTotals(w) ? 0 : m.tally.totalPosts,
  ),
  series("feed", N, "stock", "total_votes", "count", "Distinct (voter, post) votes since the run started (same swarm-0.1 quirk as total_posts).", "|votes|", (m, _sel, w) =>
    hidesTotals(w) ? 0 : m.tally.totalVotes,
  ),
];

export const feed = mechanism({
  name: "feed",
  doc: "Posts, replies and votes, ranked by net votes and replies.",
  plan: [FEED_SLICE],
  language: [{ under: "scenario", block: FEED }],
  create: createFeed,
  metrics: METRICS,
});
