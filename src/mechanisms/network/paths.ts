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
 * breadth-first search from 32 sources at once: bit b of a node's frontier
 * word says the search from source 32·k + b reached it at the current
 * distance. Both sums are whole numbers (exact in a double far beyond any
 * population here), so the order they are added in does not matter.
 *
 * One block of 32 sources at a time, each level one call of `relaxLevel`: a
 * small function called a few hundred times is optimised after a few calls,
 * where one loop nest would run most of a process's first measure in the
 * interpreter (issue 12's cold run).
 */
export function allPairsDistanceSums(csr: CompressedRows, n: number): { total: number; count: number } {
  let frontier = new Uint32Array(n);
  let next = new Uint32Array(n);
  const visited = new Uint32Array(n);
  let total = 0;
  let count = 0;
  for (let first = 0; first < n; first += 32) {
    frontier.fill(0);
    visited.fill(0);
    for (let v = first; v < n && v < first + 32; v++) frontier[v] = visited[v] = 1 << (v - first);
    for (let d = 1; ; d++) {
      const reached = relaxLevel(csr.offsets, csr.targets, n, frontier, next, visited);
      if (reached === 0) break;
      total += d * reached;
      count += reached;
      const t = frontier;
      frontier = next;
      next = t;
    }
  }
  return { total, count };
}

/** One BFS level for a block of sources: next = the neighbours' frontiers not yet visited; returns how many (source, node) pairs it reached. */
function relaxLevel(offsets: Int32Array, targets: Int32Array, n: number, frontier: Uint32Array, next: Uint32Array, visited: Uint32Array): number {
  let reached = 0;
  for (let v = 0; v < n; v++) {
    let seen = 0;
    for (let e = offsets[v], end = offsets[v + 1]; e < end; e++) seen |= frontier[targets[e]];
    const fresh = seen & ~visited[v];
    next[v] = fresh;
    if (fresh !== 0) {
      visited[v] |= fresh;
      reached += popcount(fresh);
    }
  }
  return reached;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
