import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Feed, type Post } from "../../src/mechanisms/feed/feed.ts";

/** The ranking by its definition (docs/sandbox.md §6.2): net votes + α·replies descending, then newest first. */
function naiveTop(posts: readonly Post[], replyWeight: number, limit: number): number[] {
  const score = (p: Post) => p.upvotes - p.downvotes + replyWeight * p.replyCount;
  return posts
    .filter((p) => p.parent === null)
    .sort((a, b) => score(b) - score(a) || b.id - a.id)
    .slice(0, limit)
    .map((p) => p.id);
}

type Op =
  | { op: "post" }
  /** A vote on the post ranked `rank` (0 = best) before it, where most votes land (agents vote on what they see). */
  | { op: "voteRanked"; rank: number; voter: number; up: boolean }
  | { op: "reply"; to: number } | { op: "vote"; post: number; voter: number; up: boolean; weight: number } | { op: "top"; limit: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ op: "post" as const }) },
  { weight: 1, arbitrary: fc.nat(60).map((to) => ({ op: "reply" as const, to })) },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant("vote" as const), post: fc.nat(60), voter: fc.nat(8), up: fc.boolean(), weight: fc.constantFrom(1, 1, 0.5, 2.5) }),
  },
  { weight: 6, arbitrary: fc.record({ op: fc.constant("voteRanked" as const), rank: fc.nat(6), voter: fc.nat(8), up: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constantFrom(1, 3, 5, 20).map((limit) => ({ op: "top" as const, limit })) },
);

describe("the feed's ranking", () => {
  it("lists the same top posts as sorting every post, after any sequence of posts, replies and votes", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom(0.5, 1, 0), (ops, replyWeight) => {
        const feed = new Feed(replyWeight);
        const all: Post[] = [];
        let limit = 5;
        for (const o of ops) {
          if (o.op === "post") all.push(feed.get(feed.create("a", "text", null) as number) as Post);
          else if (o.op === "reply") {
            const r = feed.create("b", "reply", o.to);
            if (r !== null) all.push(feed.get(r) as Post);
          } else if (o.op === "vote") feed.vote(o.post, o.voter, o.up ? 1 : -1, o.weight);
          else if (o.op === "voteRanked") {
            const ranked = naiveTop(all, replyWeight, o.rank + 1);
            if (ranked.length > o.rank) feed.vote(ranked[o.rank], o.voter, o.up ? 1 : -1);
          }
          else limit = o.limit;
          // Read after every change, so a stale cached list would show.
          expect(feed.top(limit).map((p) => p.id)).toEqual(naiveTop(all, replyWeight, limit));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("drops a post from the list when the last post of a full list is outranked or falls", () => {
    const feed = new Feed(0.5);
    for (let i = 0; i < 6; i++) feed.create("a", "x", null);
    expect(feed.top(3).map((p) => p.id)).toEqual([5, 4, 3]);
    feed.vote(3, 0, -1);
    expect(feed.top(3).map((p) => p.id)).toEqual([5, 4, 2]);
    feed.vote(1, 0, 1);
    expect(feed.top(3).map((p) => p.id)).toEqual([1, 5, 4]);
  });

  it("counts one vote record per voter and post, and moves its weight when the direction changes", () => {
    const feed = new Feed(0.5);
    const p = feed.get(feed.create("a", "x", null) as number) as Post;
    expect(feed.vote(p.id, 0, 1, 2)).toBe("new");
    expect(feed.vote(p.id, 0, 1, 2)).toBe("same");
    expect(feed.vote(p.id, 0, -1, 1)).toBe("changed");
    expect([p.upvotes, p.downvotes, feed.voteCount]).toEqual([0, 1, 1]);
    expect(feed.vote(99, 0, 1)).toBeNull();
  });

  it("shows a post's votes and replies whether it was read before or after them", () => {
    const feed = new Feed(0.5);
    const early = feed.get(feed.create("a", "x", null) as number) as Post;
    const late = feed.create("b", "y", null) as number;
    for (const id of [early.id, late]) {
      feed.vote(id, 0, 1, 2.5);
      feed.vote(id, 1, -1);
      feed.create("c", "reply", id);
    }
    expect(feed.create("c", "reply", 99)).toBeNull();
    for (const post of [early, feed.get(late) as Post]) expect([post.upvotes, post.downvotes, post.replyCount]).toEqual([2.5, 1, 1]);
    expect(feed.get(late)).toMatchObject({ author: "b", content: "y", parent: null });
    expect(feed.get(3)).toMatchObject({ author: "c", parent: late });
  });
});
