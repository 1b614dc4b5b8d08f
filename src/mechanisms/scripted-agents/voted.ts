/**
 * The posts policies have voted on, kept by post for a whole run: each post's
 * voters as an `AgentSet` over voter numbers. A set of posts per agent was a
 * hash table per agent, wherever the heap put it: at 100,000 agents every vote
 * missed the cache on the agent's set and its table. Votes land on the few
 * visible posts, so the sets a vote tests are the same few for every agent,
 * and voters are numbered in registration order (a round-robin schedule's
 * turns read each set from one end to the other).
 */
import { AgentSet } from "../../kernel/agent-set.ts";
import { perRun } from "./per-run.ts";

export class PostVoters {
  /** Each post's voters, by post id (null: no votes yet). */
  private readonly byPost: (AgentSet | null)[] = [];
  private voters = 0;

  /** A number for a new voter (one per policy that remembers its votes). */
  newVoter(): number {
    return this.voters++;
  }

  has(post: number, voter: number): boolean {
    const set = post < this.byPost.length ? this.byPost[post] : null;
    return set !== null && set.has(voter);
  }

  add(post: number, voter: number): void {
    // Filled up to the post, not written past the end: a sparse array would become a dictionary.
    while (this.byPost.length <= post) this.byPost.push(null);
    (this.byPost[post] ??= new AgentSet()).add(voter);
  }
}

/** The post voters of a run, found by something the run's policies share (its population). */
export const postVotersOf = perRun(() => new PostVoters());
