// The review design as a graph: experts and candidates are nodes, each assignment (or submitted sheet) an edge.
// Candidates in different connected components were never scored by a common chain of experts, so their
// leniency-adjusted figures (the additive model) cannot be compared on data alone (ranking.ts).

/** Connected components of the bipartite expert–candidate graph given by `pairs`. */
export interface DesignComponents {
  /** the number of components (nodes without an edge are not counted) */
  count: number;
  /** component number (0, 1, … in order of first appearance in `pairs`) of each expert */
  ofExpert: Map<string, number>;
  /** component number of each candidate */
  ofCandidate: Map<string, number>;
}

export function designComponents(pairs: Iterable<{ expertId: string; candidateId: string }>): DesignComponents {
  const parent: number[] = [];
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const next = parent[x]!;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const experts = new Map<string, number>();
  const candidates = new Map<string, number>();
  const node = (map: Map<string, number>, id: string): number => {
    let i = map.get(id);
    if (i === undefined) {
      i = parent.length;
      parent.push(i);
      map.set(id, i);
    }
    return i;
  };
  for (const p of pairs) {
    const a = find(node(experts, p.expertId));
    const b = find(node(candidates, p.candidateId));
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  // Number the components by their smallest node, i.e. in order of first appearance.
  const number = new Map<number, number>();
  const numberOf = (i: number): number => {
    const root = find(i);
    let n = number.get(root);
    if (n === undefined) {
      n = number.size;
      number.set(root, n);
    }
    return n;
  };
  const nodes = [...experts.entries(), ...candidates.entries()].sort((x, y) => x[1] - y[1]);
  for (const [, i] of nodes) numberOf(i);
  return {
    count: number.size,
    ofExpert: new Map([...experts].map(([id, i]) => [id, numberOf(i)])),
    ofCandidate: new Map([...candidates].map(([id, i]) => [id, numberOf(i)])),
  };
}
