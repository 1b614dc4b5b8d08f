/**
 * Whole-graph measures on a compact index snapshot of the network
 * (compressed rows over registration indices): connected components and the
 * exact all-pairs distance sums behind the average path length.
 */

/** Adjacency as compressed rows: node i's neighbours are targets[offsets[i] .. offsets[i + 1]). */
export interface CompressedRows {
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
}

/** Connected components of a compressed-row graph (isolated nodes count one each). */
export function componentCount(csr: CompressedRows): number {
  const n = csr.offsets.length - 1;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  let components = 0;
  for (let s = 0; s < n; s++) {
    if (seen[s]) continue;
    components++;
    seen[s] = 1;
    let top = 0;
    stack[top++] = s;
    while (top > 0) {
      const u = stack[--top];
      for (let e = csr.offsets[u]; e < csr.offsets[u + 1]; e++) {
        const v = csr.targets[e];
        if (!seen[v]) {
          seen[v] = 1;
          stack[top++] = v;
        }
      }
    }
  }
  return components;
}

/**
 * Σ d(s, v) and the number of reachable pairs s ≠ v over ordered pairs, by
 * breadth-first search from every source at once: bit s of a node's frontier
 * word-set says the search from s reached it at the current distance. Both
 * sums are whole numbers (exact in a double far beyond any population here).
 */
export function allPairsDistanceSums(csr: CompressedRows, n: number): { total: number; count: number } {
  const words = (n + 31) >>> 5;
  let frontier = new Uint32Array(n * words);
  let next = new Uint32Array(n * words);
  const visited = new Uint32Array(n * words);
  for (let v = 0; v < n; v++) {
    const bit = 1 << (v & 31);
    frontier[v * words + (v >>> 5)] = bit;
    visited[v * words + (v >>> 5)] = bit;
  }
  let total = 0;
  let count = 0;
  for (let d = 1; ; d++) {
    let reached = 0;
    for (let v = 0; v < n; v++) {
      const row = v * words;
      for (let w = 0; w < words; w++) next[row + w] = 0;
      for (let e = csr.offsets[v]; e < csr.offsets[v + 1]; e++) {
        const urow = csr.targets[e] * words;
        for (let w = 0; w < words; w++) next[row + w] |= frontier[urow + w];
      }
      for (let w = 0; w < words; w++) {
        const fresh = next[row + w] & ~visited[row + w];
        next[row + w] = fresh;
        if (fresh !== 0) {
          visited[row + w] |= fresh;
          reached += popcount(fresh);
        }
      }
    }
    if (reached === 0) break;
    total += d * reached;
    count += reached;
    const t = frontier;
    frontier = next;
    next = t;
  }
  return { total, count };
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
