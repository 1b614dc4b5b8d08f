/**
 * The feed (docs/sandbox.md §6.2): posts, replies and votes, with the deterministic ranking
 * the spec recommends in place of the reference's wall-clock age term:
 * net_votes + α·reply_count descending, then newest first.
 *
 * Ranked (top-level, visible) posts are kept as one array of post ids sorted
 * worst first, with a parallel array of their scores (the binary search reads
 * scores in place: looking each probed post's score up by id was two cache
 * misses a probe among 100,000 agents' posts). A vote moves its post by a
 * search from the top and one block copy of both arrays (votes land on the visible
 * top, new posts just below the positive scores, so the copies are short),
 * and the top-K list is the array's last K entries, rebuilt only when they
 * changed. A post is a row of columns by post id, an object only once it is
 * shown; nothing is allocated per post or vote beyond its vote records
 * (`Ballots`).
 */
import { AgentSet } from "../../kernel/agent-set.ts";
import { grown } from "../../kernel/columns.ts";

/** A post as agents see it in the top list (a snapshot kept current while it is shown). */
export interface Post {
  readonly id: number;
  readonly author: string;
  readonly content: string;
  readonly parent: number | null;
  /** Weighted up and down votes (whole numbers unless vote normalisation acts); net_votes = upvotes − downvotes. */
  upvotes: number;
  downvotes: number;
  replyCount: number;
}

export type VoteOutcome = "new" | "same" | "changed";

/** Top-level posts' parent in `parents`. */
const NO_PARENT = -1;

export class Feed {
  // The posts as columns indexed by post id: a large run creates millions of posts, which as objects
  // were most of its live heap, each one copied twice by the young-generation collector.
  private readonly authors: string[] = [];
  private readonly contents: string[] = [];
  private parents = new Int32Array(64);
  private upvotes = new Float64Array(64);
  private downvotes = new Float64Array(64);
  private replies = new Int32Array(64);
  /** The score each top-level post is filed under in `order`. */
  private filed = new Float64Array(64);
  /** Ranked post ids, worst first: (score, id) ascending; a later post outranks an earlier one of equal score. */
  private order = new Int32Array(64);
  /** The score of the post at each place of `order`. */
  private scores = new Float64Array(64);
  private rankedCount = 0;
  /** Each post's vote records, by post id (null: no votes yet). */
  private readonly ballots: (Ballots | null)[] = [];
  /** The posts handed out as objects (top lists, `get`), updated with their columns. */
  private readonly shown = new Map<number, Post>();
  private voteRecords = 0;
  private version = 0;
  private topCache: Post[] = [];
  private topVersion = -1;
  private topLimit = -1;

  constructor(private readonly replyWeight: number) {}

  get postCount(): number {
    return this.authors.length;
  }

  /** Distinct (voter, post) vote records. */
  get voteCount(): number {
    return this.voteRecords;
  }

  /** A post, kept current as it is voted on and replied to. */
  get(id: number): Post | undefined {
    if (this.authors[id] === undefined) return undefined;
    let post = this.shown.get(id);
    if (post === undefined) {
      const parent = this.parents[id];
      post = { id, author: this.authors[id], content: this.contents[id], parent: parent === NO_PARENT ? null : parent, upvotes: this.upvotes[id], downvotes: this.downvotes[id], replyCount: this.replies[id] };
      this.shown.set(id, post);
    }
    return post;
  }

  private score(id: number): number {
    return this.upvotes[id] - this.downvotes[id] + this.replyWeight * this.replies[id];
  }

  /**
   * The first position in [lo, hi) whose post ranks at or above (score, id),
   * galloping down from `hi` before the binary search: new posts and votes
   * land near the top of what are millions of ranked posts in a large run,
   * where a search from the middle read a cache line per halving.
   */
  private lowerBound(score: number, id: number, lo: number, hi: number): number {
    const order = this.order;
    const scores = this.scores;
    for (let step = 1; hi - step >= lo; step *= 2) {
      const at = hi - step;
      const s = scores[at];
      if (s < score || (s === score && order[at] < id)) {
        lo = at + 1;
        break;
      }
      hi = at;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = scores[mid];
      if (s < score || (s === score && order[mid] < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A new top-level post joins the ranking. */
  private rank(id: number): void {
    const score = this.score(id);
    const count = this.rankedCount;
    if (count === this.order.length) {
      this.order = grown(this.order, count * 2);
      this.scores = grown(this.scores, count * 2);
    }
    const at = this.lowerBound(score, id, 0, count);
    this.order.copyWithin(at + 1, at, count);
    this.scores.copyWithin(at + 1, at, count);
    this.order[at] = id;
    this.scores[at] = score;
    this.filed[id] = score;
    this.rankedCount = count + 1;
    // The top list changed only if the post landed in it.
    if (at >= this.rankedCount - this.topLimit) this.version++;
  }

  /** A ranked post's score changed: it moves to its new place. */
  private rerank(id: number): void {
    if (this.parents[id] !== NO_PARENT) return;
    const score = this.score(id);
    const old = this.filed[id];
    if (score === old) return;
    const count = this.rankedCount;
    const order = this.order;
    const scores = this.scores;
    let at: number;
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

  /** A new post (or reply): its id, or null when the parent does not exist. Ids count from 0. */
  create(author: string, content: string, parent: number | null): number | null {
    if (parent !== null && this.authors[parent] === undefined) return null;
    const id = this.authors.length;
    if (id === this.parents.length) {
      const size = id * 2;
      this.parents = grown(this.parents, size);
      this.upvotes = grown(this.upvotes, size);
      this.downvotes = grown(this.downvotes, size);
      this.replies = grown(this.replies, size);
      this.filed = grown(this.filed, size);
    }
    this.authors.push(author);
    this.contents.push(content);
    this.ballots.push(null);
    if (parent !== null) {
      this.parents[id] = parent;
      const replies = ++this.replies[parent];
      const shown = this.shown.get(parent);
      if (shown !== undefined) shown.replyCount = replies;
      this.rerank(parent);
    } else {
      this.parents[id] = NO_PARENT;
      this.rank(id);
    }
    return id;
  }

  /**
   * One vote record per (voter, post); re-voting the same way changes nothing.
   * Null for an unknown post. `weight` is the vote's influence (1 unless vote
   * normalisation acts); changing direction moves the recorded weight.
   */
  vote(postId: number, voter: number, direction: 1 | -1, weight = 1): VoteOutcome | null {
    if (this.authors[postId] === undefined) return null;
    let b = this.ballots[postId];
    if (b === null) this.ballots[postId] = b = new Ballots();
    const up = direction === 1;
    const previous = b.voters.has(voter);
    if (previous) {
      const wasUp = b.up.has(voter);
      if (wasUp === up) return "same";
      const was = b.weight(voter);
      if (wasUp) this.upvotes[postId] -= was;
      else this.downvotes[postId] -= was;
    } else {
      b.voters.add(voter);
      this.voteRecords += 1;
    }
    if (up) b.up.add(voter);
    else b.up.delete(voter);
    b.setWeight(voter, weight);
    if (up) this.upvotes[postId] += weight;
    else this.downvotes[postId] += weight;
    const shown = this.shown.get(postId);
    if (shown !== undefined) {
      shown.upvotes = this.upvotes[postId];
      shown.downvotes = this.downvotes[postId];
    }
    this.rerank(postId);
    return previous ? "changed" : "new";
  }

  /** The `limit` best-ranked top-level posts, best first. */
  top(limit: number): readonly Post[] {
    if (this.topVersion !== this.version || this.topLimit !== limit) {
      // The list is rebuilt in place: callers read it during a turn, and the feed changes only between turns.
      const out = this.topCache;
      const take = Math.min(limit, this.rankedCount);
      for (let k = 0; k < take; k++) out[k] = this.get(this.order[this.rankedCount - 1 - k])!;
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
