/**
 * The feed (docs/sandbox.md §6.2): posts, replies and votes, with the deterministic ranking
 * the spec recommends in place of the reference's wall-clock age term:
 * net_votes + α·reply_count descending, then newest first.
 *
 * Ranked (top-level, visible) posts are kept as one array of post ids sorted
 * worst first, with a parallel array of their scores (the binary search reads
 * scores in place: looking each probed post's score up by id was two cache
 * misses a probe among 100,000 agents' posts). A vote moves its post by a
 * binary search and one block copy of both arrays (votes land on the visible
 * top, new posts just below the positive scores, so the copies are short),
 * and the top-K list is the array's last K entries, rebuilt only when they
 * changed. Nothing is allocated per post or vote beyond the post and its
 * vote records (`Ballots`).
 */
import { AgentSet } from "../../kernel/agent-set.ts";

export interface Post {
  readonly id: number;
  readonly author: string;
  readonly content: string;
  readonly parent: number | null;
  /** Weighted up and down votes (whole numbers unless vote normalisation acts); net_votes = upvotes − downvotes. */
  upvotes: number;
  downvotes: number;
  replyCount: number;
  hidden: boolean;
}

export type VoteOutcome = "new" | "same" | "changed";

export class Feed {
  private readonly posts: Post[] = [];
  /** Ranked post ids, worst first: (score, id) ascending; a later post outranks an earlier one of equal score. */
  private order = new Int32Array(64);
  /** The score of the post at each place of `order`. */
  private scores = new Float64Array(64);
  private rankedCount = 0;
  /** The score each ranked post is filed under, by post id (undefined: not ranked). */
  private readonly filed: (number | undefined)[] = [];
  /** Each post's vote records, by post id (null: no votes yet). */
  private readonly ballots: (Ballots | null)[] = [];
  private voteRecords = 0;
  private version = 0;
  private topCache: Post[] = [];
  private topVersion = -1;
  private topLimit = -1;

  constructor(private readonly replyWeight: number) {}

  get postCount(): number {
    return this.posts.length;
  }

  /** Distinct (voter, post) vote records. */
  get voteCount(): number {
    return this.voteRecords;
  }

  get(id: number): Post | undefined {
    return this.posts[id];
  }

  private score(p: Post): number {
    return p.upvotes - p.downvotes + this.replyWeight * p.replyCount;
  }

  /** The first position in [lo, hi) whose post ranks at or above (score, id). */
  private lowerBound(score: number, id: number, lo: number, hi: number): number {
    const order = this.order;
    const scores = this.scores;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = scores[mid];
      if (s < score || (s === score && order[mid] < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private rerank(p: Post): void {
    if (p.parent !== null || p.hidden) return;
    const id = p.id;
    const score = this.score(p);
    const old = this.filed[id];
    const count = this.rankedCount;
    const order = this.order;
    const scores = this.scores;
    let at: number;
    if (old === undefined) {
      if (count === order.length) {
        (this.order = new Int32Array(count * 2)).set(order);
        (this.scores = new Float64Array(count * 2)).set(scores);
      }
      at = this.lowerBound(score, id, 0, count);
      this.order.copyWithin(at + 1, at, count);
      this.scores.copyWithin(at + 1, at, count);
      this.order[at] = id;
      this.scores[at] = score;
      this.filed[id] = score;
      this.rankedCount = count + 1;
      // The top list changed only if the post landed in it.
      if (at >= this.rankedCount - this.topLimit) this.version++;
      return;
    }
    if (score === old) return;
    const from = this.lowerBound(old, id, 0, count);
    if (score > old) {
      // Moving up: the posts it now outranks move down one place.
      at = this.lowerBound(score, id, from + 1, count) - 1;
      order.copyWithin(from, from + 1, at + 1);
      scores.copyWithin(from, from + 1, at + 1);
    } else {
      at = this.lowerBound(score, id, 0, from);
      order.copyWithin(at + 1, at, from);
      scores.copyWithin(at + 1, at, from);
    }
    order[at] = id;
    scores[at] = score;
    this.filed[id] = score;
    // The top list changed only if the post was in it or now ranks into it.
    if (Math.max(from, at) >= count - this.topLimit) this.version++;
  }

  /** A new post (or reply); null when the parent does not exist. Ids count from 0. */
  create(author: string, content: string, parent: number | null): Post | null {
    if (parent !== null && this.posts[parent] === undefined) return null;
    const post: Post = { id: this.posts.length, author, content, parent, upvotes: 0, downvotes: 0, replyCount: 0, hidden: false };
    this.posts.push(post);
    this.ballots.push(null);
    if (parent !== null) {
      const p = this.posts[parent];
      p.replyCount += 1;
      this.rerank(p);
    } else {
      this.rerank(post);
    }
    return post;
  }

  /**
   * One vote record per (voter, post); re-voting the same way changes nothing.
   * Null for an unknown post. `weight` is the vote's influence (1 unless vote
   * normalisation acts); changing direction moves the recorded weight.
   */
  vote(postId: number, voter: number, direction: 1 | -1, weight = 1): VoteOutcome | null {
    const post = this.posts[postId];
    if (post === undefined) return null;
    let b = this.ballots[postId];
    if (b === null) this.ballots[postId] = b = new Ballots();
    const up = direction === 1;
    const previous = b.voters.has(voter);
    if (previous) {
      const wasUp = b.up.has(voter);
      if (wasUp === up) return "same";
      const was = b.weight(voter);
      if (wasUp) post.upvotes -= was;
      else post.downvotes -= was;
    } else {
      b.voters.add(voter);
      this.voteRecords += 1;
    }
    if (up) b.up.add(voter);
    else b.up.delete(voter);
    b.setWeight(voter, weight);
    if (up) post.upvotes += weight;
    else post.downvotes += weight;
    this.rerank(post);
    return previous ? "changed" : "new";
  }

  /** The `limit` best-ranked top-level visible posts, best first. */
  top(limit: number): readonly Post[] {
    if (this.topVersion !== this.version || this.topLimit !== limit) {
      // The list is rebuilt in place: callers read it during a turn, and the feed changes only between turns.
      const out = this.topCache;
      const take = Math.min(limit, this.rankedCount);
      for (let k = 0; k < take; k++) out[k] = this.posts[this.order[this.rankedCount - 1 - k]];
      // Setting an array's length is a runtime call; most rebuilds keep it.
      if (out.length !== take) out.length = take;
      this.topVersion = this.version;
      this.topLimit = limit;
    }
    return this.topCache;
  }
}

/**
 * One post's vote records: who voted, who voted up, and the weights that are
 * not 1 (vote normalisation's). By post, not by voter: votes land on the few
 * visible posts (see AgentSet).
 */
class Ballots {
  readonly voters = new AgentSet();
  readonly up = new AgentSet();
  private weights: Map<number, number> | null = null;

  weight(voter: number): number {
    return this.weights?.get(voter) ?? 1;
  }

  setWeight(voter: number, weight: number): void {
    if (weight !== 1) (this.weights ??= new Map()).set(voter, weight);
    else this.weights?.delete(voter);
  }
}
