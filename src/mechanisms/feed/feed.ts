/**
 * The feed (docs/sandbox.md §6.2): posts, replies and votes, with the deterministic ranking
 * the spec recommends in place of the reference's wall-clock age term:
 * net_votes + α·reply_count descending, then newest first.
 *
 * Ranked (top-level, visible) posts live in a B-tree keyed by (score, seq), so
 * the top-K list costs O(K + log n) and is cached until a post or vote
 * changes the top K (most votes and new posts of a large population land
 * below it).
 */
import { BTree } from "../../kernel/btree.ts";

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

interface RankKey {
  score: number;
  seq: number;
}

const compareRank = (a: RankKey, b: RankKey): number => (b.score !== a.score ? (b.score > a.score ? 1 : -1) : b.seq - a.seq);

const STOP = { break: true } as const;

export type VoteOutcome = "new" | "same" | "changed";

export class Feed {
  private readonly posts: Post[] = [];
  private readonly ranked = new BTree<RankKey, Post>(undefined, compareRank);
  /** Each ranked post's key, by post id (ids are dense from 0). */
  private readonly keys: (RankKey | undefined)[] = [];
  /**
   * Each voter's vote records, by voter number then post id: the record's
   * index into `voteDirection` and `voteWeight` (no object per vote).
   */
  private readonly votes: (Map<number, number> | undefined)[] = [];
  private readonly voteDirection: (1 | -1)[] = [];
  private readonly voteWeight: number[] = [];
  private voteRecords = 0;
  private version = 0;
  private topCache: Post[] = [];
  private topVersion = -1;
  private topLimit = -1;
  /** The key of the cached list's last post while the list is full (null: any change may alter the list). */
  private topLast: RankKey | null = null;
  /** The list top() is filling, walking the tree in rank order without an iterator (one callback for the feed's life). */
  private filled = 0;
  private collectLimit = 0;
  private readonly collect = (_key: RankKey, post: Post): { break: true } | void => {
    this.topCache[this.filled++] = post;
    if (this.filled >= this.collectLimit) return STOP;
  };

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

  private rerank(p: Post): void {
    if (p.parent !== null || p.hidden) return;
    const last = this.topLast;
    let key = this.keys[p.id];
    // The cached top list changes only if the post was in it or now ranks into it (keys are unique by seq).
    let changed = last === null;
    if (key !== undefined) {
      if (!changed && compareRank(key, last!) <= 0) changed = true;
      this.ranked.delete(key);
      // A post keeps one key object, re-scored in place while out of the tree.
      key.score = this.score(p);
    } else {
      key = { score: this.score(p), seq: p.id };
      this.keys[p.id] = key;
    }
    this.ranked.set(key, p);
    if (changed || compareRank(key, last!) <= 0) this.version++;
  }

  /** A new post (or reply); null when the parent does not exist. Ids count from 0. */
  create(author: string, content: string, parent: number | null): Post | null {
    if (parent !== null && this.posts[parent] === undefined) return null;
    const post: Post = { id: this.posts.length, author, content, parent, upvotes: 0, downvotes: 0, replyCount: 0, hidden: false };
    this.posts.push(post);
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
    let byPost = this.votes[voter];
    if (byPost === undefined) this.votes[voter] = byPost = new Map();
    const previous = byPost.get(postId);
    if (previous !== undefined) {
      const was = this.voteDirection[previous];
      if (was === direction) return "same";
      if (was === 1) post.upvotes -= this.voteWeight[previous];
      else post.downvotes -= this.voteWeight[previous];
      this.voteDirection[previous] = direction;
      this.voteWeight[previous] = weight;
    } else {
      byPost.set(postId, this.voteRecords);
      this.voteDirection.push(direction);
      this.voteWeight.push(weight);
      this.voteRecords += 1;
    }
    if (direction === 1) post.upvotes += weight;
    else post.downvotes += weight;
    this.rerank(post);
    return previous === undefined ? "new" : "changed";
  }

  /** The `limit` best-ranked top-level visible posts, best first. */
  top(limit: number): readonly Post[] {
    if (this.topVersion !== this.version || this.topLimit !== limit) {
      // The list is rebuilt in place: callers read it during a turn, and the feed changes only between turns.
      const out = this.topCache;
      this.filled = 0;
      if (this.ranked.size > 0) {
        this.collectLimit = limit;
        this.ranked.forEachPair(this.collect);
      }
      out.length = this.filled;
      this.topVersion = this.version;
      this.topLimit = limit;
      this.topLast = out.length >= limit && out.length > 0 ? (this.keys[out[out.length - 1]!.id] ?? null) : null;
    }
    return this.topCache;
  }
}
