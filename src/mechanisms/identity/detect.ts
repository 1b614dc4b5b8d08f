/**
 * Sybil detection by behavioural similarity (the reference's
 * SybilDetectionLever, with two departures: docs/mechanisms.md).
 *
 * Each identity's pattern is how often it interacted with each
 * counterparty. Two identities are as similar as the mean of the Jaccard
 * index of their counterparty sets and the cosine of their interaction
 * frequencies, each leaving the pair itself out (two identities that trade
 * with each other are not less alike for it). Identities at or above the
 * threshold are linked; clusters are the connected groups of two or more.
 * Nothing depends on the names or the order of the identities.
 */

export type Pattern = ReadonlyMap<string, number>;

export function similarity(aId: string, a: Pattern, bId: string, b: Pattern): number {
  let union = 0;
  let shared = 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (const [k, x] of a) {
    if (k === bId) continue;
    union++;
    normA += x * x;
    const y = k === aId ? undefined : b.get(k);
    if (y !== undefined) {
      shared++;
      dot += x * y;
    }
  }
  for (const [k, y] of b) {
    if (k === aId) continue;
    normB += y * y;
    if (k === bId || !a.has(k)) union++;
  }
  if (union === 0 || normA === 0 || normB === 0) return 0;
  const jaccard = shared / union;
  const cosine = dot / Math.sqrt(normA * normB);
  return (jaccard + cosine) / 2;
}

/**
 * Clusters of linked identities, each in `order` (registration order), the
 * clusters ordered by their first member.
 */
export function detectClusters(order: readonly string[], patterns: ReadonlyMap<string, Pattern>, threshold: number): string[][] {
  const ids = order.filter((id) => (patterns.get(id)?.size ?? 0) > 0);
  const parent = new Map(ids.map((id) => [id, id]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i];
      const b = ids[j];
      if (similarity(a, patterns.get(a)!, b, patterns.get(b)!) >= threshold) {
        const ra = find(a);
        const rb = find(b);
        if (ra !== rb) parent.set(rb, ra);
      }
    }
  }
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const root = find(id);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(id);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
