// The assignment planner of the online expert review (issue 13, 7.): who reviews whom.
//
// Balanced plan (planAssignments): every candidate gets at least k reviews, no expert more than L, no recused
// pair, no pair twice. It is a flow problem — source → candidate (capacity k), candidate → expert (capacity 1 when
// the pair is allowed), expert → sink (capacity L) — solved exactly by max-flow (Dinic), so the planner finds a
// plan whenever one exists, and when none exists it says why:
//   - the total: 需要至少 n×k 份评审，专家最多可承担 m×L 份;
//   - a candidate with fewer than k experts free of 回避 (no L can help: more experts or fewer 回避 are needed);
//   - otherwise a bottleneck (Hall's condition): the candidates still short and the experts that could be
//     rearranged to serve them, all full at L; with the smallest L that would work.
// The load is then spread as evenly as the 回避 allow: the capacities are raised level by level (water-filling)
// and the flow is improved along alternating paths (move one review from an expert with load a to one with load
// ≤ a − 2) until no such path remains. That minimises Σ load², which for this kind of flow problem also makes the
// largest load as small as possible and the smallest as large as possible.
// Deterministic: the experts are offered to each candidate in a seeded shuffled order (mulberry32, no
// Math.random), so the same input and seed give the same plan, and the design is mixed — different candidates
// share different experts — which keeps the additive model of ranking.ts connected.
//
// Kept assignments (`keep`: pairs already made, possibly already scored) count toward coverage and load and are
// never moved; a kept pair that is now recused is dropped and reported. An expert already above L keeps what they
// have and gets nothing new. reassign() is this with the existing assignments kept: it tops up the candidates
// that fell short after a declared 回避.
//
// Whole-group mode (planWholeGroups): each expert of 评审组 G reviews every candidate of group G except recused
// pairs; the candidates below k are reported.
import { designComponents } from './graph';
import { pairKey } from './recusal';

/** A candidate to be reviewed: `name` is used in the messages (the id otherwise), `group` is the 评审组 / 推荐领域. */
export interface PlanCandidate {
  id: string;
  name?: string;
  group?: string | null;
}

/** An expert: `name` for the messages, `group` the expert's 评审组. */
export interface PlanExpert {
  id: string;
  name?: string;
  group?: string | null;
}

/** One review to be done: `expertId` scores `candidateId`. */
export interface Assignment {
  expertId: string;
  candidateId: string;
}

/** The recused pairs, keyed by pairKey(expertId, candidateId): a Set of keys, or recusalPairs' Map. */
export type ForbiddenPairs = { has(key: string): boolean };

export interface PlanInput {
  candidates: readonly PlanCandidate[];
  experts: readonly PlanExpert[];
  /** recused pairs (回避); none when omitted */
  forbidden?: ForbiddenPairs;
  /** the least number of reviews per candidate (integer ≥ 0) */
  k: number;
  /** the most reviews per expert (integer ≥ 0), kept ones included */
  L: number;
  /** assignments already made, kept as they are (they count toward k and L) */
  keep?: readonly Assignment[];
  /**
   * Only within 评审组: a candidate of group G goes only to experts of group G. A candidate without a group, or an
   * expert without one, is not restricted.
   */
  sameGroup?: boolean;
  /** the seed of the tie-breaks (default 1) */
  seed?: number;
}

export type PlanProblem =
  | { kind: 'capacity'; need: number; capacity: number; text: string }
  | { kind: 'candidate'; candidateId: string; eligible: number; text: string }
  | { kind: 'bottleneck'; candidateIds: string[]; missing: number; expertIds: string[]; text: string };

export interface PlanSuccess {
  ok: true;
  /** every assignment of the plan, kept and new, by candidate then expert in input order */
  assignments: Assignment[];
  /** the new assignments only */
  added: Assignment[];
  /** kept assignments dropped because the pair is now recused */
  dropped: Assignment[];
  /** reviews per expert (every expert, 0 included) */
  loadByExpert: Record<string, number>;
  /** reviews per candidate (every candidate) */
  coverageByCandidate: Record<string, number>;
  maxLoad: number;
  minLoad: number;
  /** connected components of the design (1: every candidate is linked to every other through shared experts) */
  components: number;
}

export interface PlanFailure {
  ok: false;
  /** why, in Chinese, for the organizer */
  reason: string;
  problems: PlanProblem[];
  /** the smallest 每位专家最多评审数 that would work with these experts and 回避, when raising L can help */
  suggestedL?: number;
}

export type PlanResult = PlanSuccess | PlanFailure;

/** A candidate short of k reviews. */
export interface Shortfall {
  candidateId: string;
  /** reviews that count (assigned and not recused) */
  coverage: number;
  /** k − coverage */
  missing: number;
  text: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Max-flow (Dinic). Edges are stored in pairs: edge i and its reverse i ^ 1; cap[] holds residual capacities.

class Network {
  readonly adj: number[][];
  readonly to: number[] = [];
  readonly cap: number[] = [];
  private readonly level: Int32Array;
  private readonly next: Int32Array;

  constructor(readonly size: number) {
    this.adj = Array.from({ length: size }, () => []);
    this.level = new Int32Array(size);
    this.next = new Int32Array(size);
  }

  add(u: number, v: number, capacity: number): number {
    const i = this.to.length;
    this.to.push(v, u);
    this.cap.push(capacity, 0);
    this.adj[u]!.push(i);
    this.adj[v]!.push(i + 1);
    return i;
  }

  /** Augments the current flow to a maximum one; returns the flow added. */
  augment(s: number, t: number): number {
    let total = 0;
    while (this.bfs(s, t)) {
      this.next.fill(0);
      for (let f = this.dfs(s, t, Infinity); f > 0; f = this.dfs(s, t, Infinity)) total += f;
    }
    return total;
  }

  /** The nodes reachable from s in the residual graph. */
  reachable(s: number): Uint8Array {
    const seen = new Uint8Array(this.size);
    const queue = [s];
    seen[s] = 1;
    for (let h = 0; h < queue.length; h++) {
      for (const i of this.adj[queue[h]!]!) {
        const v = this.to[i]!;
        if (this.cap[i]! > 0 && !seen[v]) {
          seen[v] = 1;
          queue.push(v);
        }
      }
    }
    return seen;
  }

  private bfs(s: number, t: number): boolean {
    this.level.fill(-1);
    this.level[s] = 0;
    const queue = [s];
    for (let h = 0; h < queue.length; h++) {
      const u = queue[h]!;
      for (const i of this.adj[u]!) {
        const v = this.to[i]!;
        if (this.cap[i]! > 0 && this.level[v]! < 0) {
          this.level[v] = this.level[u]! + 1;
          queue.push(v);
        }
      }
    }
    return this.level[t]! >= 0;
  }

  private dfs(u: number, t: number, limit: number): number {
    if (u === t) return limit;
    const edges = this.adj[u]!;
    for (; this.next[u]! < edges.length; this.next[u]!++) {
      const i = edges[this.next[u]!]!;
      const v = this.to[i]!;
      if (this.cap[i]! > 0 && this.level[v] === this.level[u]! + 1) {
        const f = this.dfs(v, t, Math.min(limit, this.cap[i]!));
        if (f > 0) {
          this.cap[i]! -= f;
          this.cap[i ^ 1]! += f;
          return f;
        }
      }
    }
    return 0;
  }
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

const NAMES_SHOWN = 5;

function nameList(names: readonly string[]): string {
  const shown = names
    .slice(0, NAMES_SHOWN)
    .map((n) => `「${n}」`)
    .join('');
  return names.length > NAMES_SHOWN ? `${shown}等${names.length}位` : shown;
}

function checkCount(value: number, label: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${label} must be an integer ≥ 0, got ${value}`);
}

function indexIds(items: readonly { id: string }[], what: string): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    if (index.has(item.id)) throw new RangeError(`duplicate ${what} id ${item.id}`);
    index.set(item.id, i);
  });
  return index;
}

const groupAllows = (c: PlanCandidate, e: PlanExpert): boolean => c.group == null || e.group == null || c.group === e.group;

// ---------------------------------------------------------------------------------------------------------------
// The balanced plan

/**
 * A plan where every candidate gets at least k reviews and no expert more than L, or why there is none.
 * Throws RangeError on a programming error (k or L not a non-negative integer, duplicate ids, a kept assignment
 * naming an unknown expert or candidate).
 */
export function planAssignments(input: PlanInput): PlanResult {
  const { candidates, experts, k, L } = input;
  checkCount(k, 'k');
  checkCount(L, 'L');
  const cIndex = indexIds(candidates, 'candidate');
  const eIndex = indexIds(experts, 'expert');
  const n = candidates.length;
  const m = experts.length;
  const forbidden = input.forbidden ?? { has: () => false };
  const cName = (c: number) => candidates[c]!.name ?? candidates[c]!.id;
  const eName = (e: number) => experts[e]!.name ?? experts[e]!.id;

  // Kept assignments: deduplicated, recused ones dropped.
  const keptC = new Array<number>(n).fill(0);
  const keptE = new Array<number>(m).fill(0);
  const kept = new Set<number>(); // c * m + e
  const dropped: Assignment[] = [];
  for (const a of input.keep ?? []) {
    const c = cIndex.get(a.candidateId);
    const e = eIndex.get(a.expertId);
    if (c === undefined) throw new RangeError(`kept assignment names unknown candidate ${a.candidateId}`);
    if (e === undefined) throw new RangeError(`kept assignment names unknown expert ${a.expertId}`);
    if (kept.has(c * m + e)) continue;
    if (forbidden.has(pairKey(a.expertId, a.candidateId))) {
      if (!dropped.some((d) => d.expertId === a.expertId && d.candidateId === a.candidateId)) dropped.push({ ...a });
      continue;
    }
    kept.add(c * m + e);
    keptC[c]!++;
    keptE[e]!++;
  }
  const anyKept = kept.size > 0;

  const need = keptC.map((x) => Math.max(0, k - x));
  const room = keptE.map((x) => Math.max(0, L - x));
  const totalNeed = need.reduce((s, x) => s + x, 0);
  const totalRoom = room.reduce((s, x) => s + x, 0);

  // Allowed new pairs.
  const eligible: number[][] = candidates.map((c, ci) => {
    const list: number[] = [];
    experts.forEach((e, ei) => {
      if (kept.has(ci * m + ei)) return;
      if (forbidden.has(pairKey(e.id, c.id))) return;
      if (input.sameGroup && !groupAllows(c, e)) return;
      list.push(ei);
    });
    return list;
  });

  const problems: PlanProblem[] = [];
  if (totalNeed > totalRoom) {
    const text = anyKept
      ? `还需${totalNeed}份评审才能使每位候选人至少${k}份，专家最多还可承担${totalRoom}份（每位专家最多${L}份，已分配的计入）`
      : `需要至少${totalNeed}份评审（${n}位候选人×每人至少${k}份），专家最多可承担${totalRoom}份（${m}位专家×每人最多${L}份）`;
    problems.push({ kind: 'capacity', need: totalNeed, capacity: totalRoom, text });
  }
  const expertWord = input.sameGroup ? '无需回避的本组专家' : '无需回避的专家';
  candidates.forEach((c, ci) => {
    const available = keptC[ci]! + eligible[ci]!.length;
    if (available < k) {
      problems.push({
        kind: 'candidate',
        candidateId: c.id,
        eligible: available,
        text: `候选人「${cName(ci)}」只有${available}位${expertWord}，少于每人至少${k}份`,
      });
    }
  });
  const hopeless = problems.some((p) => p.kind === 'candidate');
  if (hopeless) return failure(problems);

  // The network: S, candidates, experts, T.
  const S = 0;
  const T = n + m + 1;
  const net = new Network(n + m + 2);
  const random = mulberry32(input.seed ?? 1);
  for (let c = 0; c < n; c++) net.add(S, 1 + c, need[c]!);
  const pairEdge: { c: number; e: number; edge: number }[] = [];
  for (let c = 0; c < n; c++) {
    const order = [...eligible[c]!];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const e of order) pairEdge.push({ c, e, edge: net.add(1 + c, 1 + n + e, 1) });
  }
  const sinkEdge = experts.map((_, e) => net.add(1 + n + e, T, 0));
  const sinkCap = new Array<number>(m).fill(0); // capacity currently given to expert → T
  // Water-filling: raise every expert's total load limit one level at a time, from the least possible maximum.
  const raiseTo = (level: number) => {
    for (let e = 0; e < m; e++) {
      const capacity = Math.max(0, level - keptE[e]!);
      if (capacity > sinkCap[e]!) {
        net.cap[sinkEdge[e]!]! += capacity - sinkCap[e]!;
        sinkCap[e] = capacity;
      }
    }
  };
  const totalKept = keptE.reduce((s, x) => s + x, 0);
  let level = Math.min(L, m === 0 ? 0 : Math.ceil((totalKept + totalNeed) / m));
  raiseTo(level);
  let flow = net.augment(S, T);
  while (flow < totalNeed && level < L) {
    raiseTo(++level);
    flow += net.augment(S, T);
  }

  if (flow < totalNeed) {
    // Hall's condition fails: the candidates still short, and the experts reachable from them by rearranging
    // (alternating paths in the residual graph), which are all full. Computed before raising L any further.
    const seen = net.reachable(S);
    const short: number[] = [];
    for (let c = 0; c < n; c++) if (seen[1 + c] && net.cap[2 * c]! > 0) short.push(c); // S → c is edge 2c
    const missing = short.reduce((s, c) => s + net.cap[2 * c]!, 0);
    const full: number[] = [];
    for (let e = 0; e < m; e++) if (seen[1 + n + e]) full.push(e);
    // The smallest L that works: keep raising (each candidate has k experts free of 回避, so some level does).
    let suggestedL = level;
    while (flow < totalNeed) {
      raiseTo(++suggestedL);
      flow += net.augment(S, T);
    }
    if (problems.length === 0) {
      const others = input.sameGroup ? '其余专家须回避或不在本组' : '其余专家须回避';
      problems.push({
        kind: 'bottleneck',
        candidateIds: short.map((c) => candidates[c]!.id),
        missing,
        expertIds: full.map((e) => experts[e]!.id),
        text:
          `无法同时满足每位候选人至少${k}份、每位专家最多${L}份：候选人${nameList(short.map(cName))}还差${missing}份评审，` +
          `而能为他们调配的${full.length}位专家${nameList(full.map(eName))}都已达到${L}份的上限，${others}`,
      });
    }
    return failure(problems, suggestedL);
  }
  // The total is a cut of the network: a plan that exists never exceeds it.
  if (problems.length > 0) throw new Error('planner: a flow exceeded the total capacity');

  // Balance: move one review along an alternating path from an expert with load a to one with load ≤ a − 2.
  const load = keptE.map((x, e) => x + (sinkCap[e]! - net.cap[sinkEdge[e]!]!));
  const expertNode = (e: number) => 1 + n + e;
  const balanceOnce = (): boolean => {
    const byLoad = experts.map((_, e) => e).sort((a, b) => load[b]! - load[a]! || a - b);
    for (const a of byLoad) {
      const target = load[a]! - 2;
      if (target < 0) return false;
      // BFS over experts and candidates: expert → candidate along a used pair (undo it), candidate → expert along
      // an unused allowed pair (make it).
      const from = new Int32Array(net.size).fill(-1); // the edge used to reach each node
      const seen = new Uint8Array(net.size);
      seen[expertNode(a)] = 1;
      const queue = [expertNode(a)];
      let best = -1;
      for (let h = 0; h < queue.length; h++) {
        const u = queue[h]!;
        for (const i of net.adj[u]!) {
          const v = net.to[i]!;
          if (v === S || v === T || seen[v] || net.cap[i]! <= 0) continue;
          seen[v] = 1;
          from[v] = i;
          queue.push(v);
          if (v > n) {
            const e = v - 1 - n;
            if (load[e]! <= target && (best < 0 || load[e]! < load[best]! || (load[e] === load[best] && e < best))) best = e;
          }
        }
      }
      if (best < 0) continue;
      for (let v = expertNode(best); v !== expertNode(a); v = net.to[from[v]! ^ 1]!) {
        const i = from[v]!;
        net.cap[i]!--;
        net.cap[i ^ 1]!++;
      }
      net.cap[sinkEdge[a]!]!++;
      net.cap[sinkEdge[a]! ^ 1]!--;
      net.cap[sinkEdge[best]!]!--;
      net.cap[sinkEdge[best]! ^ 1]!++;
      load[a]!--;
      load[best]!++;
      return true;
    }
    return false;
  };
  // Each move lowers Σ load² by at least 2, so this ends.
  while (balanceOnce());

  const isNew = new Set<number>();
  for (const p of pairEdge) if (net.cap[p.edge] === 0) isNew.add(p.c * m + p.e);
  const assignments: Assignment[] = [];
  const added: Assignment[] = [];
  const coverage = new Array<number>(n).fill(0);
  const finalLoad = new Array<number>(m).fill(0);
  for (let c = 0; c < n; c++) {
    for (let e = 0; e < m; e++) {
      const key = c * m + e;
      const fresh = isNew.has(key);
      if (!fresh && !kept.has(key)) continue;
      const a = { expertId: experts[e]!.id, candidateId: candidates[c]!.id };
      assignments.push(a);
      if (fresh) added.push(a);
      coverage[c]!++;
      finalLoad[e]!++;
    }
  }
  return {
    ok: true,
    assignments,
    added,
    dropped,
    loadByExpert: Object.fromEntries(experts.map((e, i) => [e.id, finalLoad[i]!])),
    coverageByCandidate: Object.fromEntries(candidates.map((c, i) => [c.id, coverage[i]!])),
    maxLoad: m === 0 ? 0 : Math.max(...finalLoad),
    minLoad: m === 0 ? 0 : Math.min(...finalLoad),
    components: designComponents(assignments).count,
  };
}

function failure(problems: PlanProblem[], suggestedL?: number): PlanFailure {
  const texts = problems.map((p) => p.text);
  const shown = texts.slice(0, 1 + NAMES_SHOWN);
  let reason = shown.join('；');
  if (texts.length > shown.length) reason += `；另有${texts.length - shown.length}项同类问题`;
  if (suggestedL !== undefined) reason += `。将每位专家最多评审数提高到${suggestedL}份即可满足`;
  return suggestedL === undefined ? { ok: false, reason, problems } : { ok: false, reason, problems, suggestedL };
}

/**
 * Tops up the candidates who fell short of k after a declared 回避: the existing `assignments` are kept (those now
 * recused are dropped and reported), and new ones are added respecting L. `added` is what to insert, `dropped`
 * what to remove.
 */
export function reassign(input: Omit<PlanInput, 'keep'> & { assignments: readonly Assignment[] }): PlanResult {
  const { assignments, ...rest } = input;
  return planAssignments({ ...rest, keep: assignments });
}

// ---------------------------------------------------------------------------------------------------------------
// Whole-group mode and the shortfall after 回避

export interface GroupPlan {
  assignments: Assignment[];
  loadByExpert: Record<string, number>;
  coverageByCandidate: Record<string, number>;
  /** the candidates with fewer than k reviews (no group, a group without experts, or too many 回避) */
  belowK: Shortfall[];
}

/** Every expert of group G reviews every candidate of group G, except recused pairs. */
export function planWholeGroups(input: {
  candidates: readonly PlanCandidate[];
  experts: readonly PlanExpert[];
  forbidden?: ForbiddenPairs;
  k: number;
}): GroupPlan {
  const { candidates, experts, k } = input;
  checkCount(k, 'k');
  indexIds(candidates, 'candidate');
  indexIds(experts, 'expert');
  const forbidden = input.forbidden ?? { has: () => false };
  const assignments: Assignment[] = [];
  const load = new Map(experts.map((e) => [e.id, 0]));
  const coverage = new Map(candidates.map((c) => [c.id, 0]));
  const belowK: Shortfall[] = [];
  for (const c of candidates) {
    let members = 0;
    for (const e of experts) {
      if (c.group == null || e.group !== c.group) continue;
      members++;
      if (forbidden.has(pairKey(e.id, c.id))) continue;
      assignments.push({ expertId: e.id, candidateId: c.id });
      load.set(e.id, load.get(e.id)! + 1);
      coverage.set(c.id, coverage.get(c.id)! + 1);
    }
    const got = coverage.get(c.id)!;
    if (got >= k) continue;
    const name = c.name ?? c.id;
    const why =
      c.group == null
        ? '未分入评审组'
        : members === 0
          ? `评审组「${c.group}」没有专家`
          : members === got
            ? `评审组「${c.group}」只有${members}位专家`
            : `评审组「${c.group}」的${members}位专家中${members - got}位回避，只有${got}份评审`;
    belowK.push({ candidateId: c.id, coverage: got, missing: k - got, text: `候选人「${name}」${why}，少于每人至少${k}份，还差${k - got}份` });
  }
  return { assignments, loadByExpert: Object.fromEntries(load), coverageByCandidate: Object.fromEntries(coverage), belowK };
}

/**
 * The candidates below k once the recused pairs are taken out of `assignments`, so that the organizer can
 * reassign them. Duplicate assignments count once. With `candidates`, candidates without any assignment are
 * listed too, in that order; otherwise in order of first appearance in `assignments`.
 */
export function shortfall(assignments: readonly Assignment[], recusals: ForbiddenPairs, k: number, candidates?: readonly PlanCandidate[]): Shortfall[] {
  checkCount(k, 'k');
  const valid = new Map<string, Set<string>>();
  const recused = new Map<string, Set<string>>();
  for (const c of candidates ?? []) {
    valid.set(c.id, new Set());
    recused.set(c.id, new Set());
  }
  for (const a of assignments) {
    if (!valid.has(a.candidateId)) {
      if (candidates) continue; // not one of the candidates asked about
      valid.set(a.candidateId, new Set());
      recused.set(a.candidateId, new Set());
    }
    (recusals.has(pairKey(a.expertId, a.candidateId)) ? recused : valid).get(a.candidateId)!.add(a.expertId);
  }
  const names = new Map((candidates ?? []).map((c) => [c.id, c.name ?? c.id]));
  const out: Shortfall[] = [];
  for (const [id, experts] of valid) {
    const coverage = experts.size;
    if (coverage >= k) continue;
    const r = recused.get(id)!.size;
    const because = r > 0 ? `（${r}位专家回避）` : '';
    out.push({
      candidateId: id,
      coverage,
      missing: k - coverage,
      text: `候选人「${names.get(id) ?? id}」现有${coverage}份有效评审${because}，少于每人至少${k}份，还差${k - coverage}份`,
    });
  }
  return out;
}
