// 网上评选结果 (issue 13, 11.): the ranking figures, defined here once. The server computes them in SQL over the
// submitted sheets; these functions are the reference the SQL is tested against, and the definitions below are the
// ones the documentation gives. Only submitted (已提交) sheets count.
//
// Per candidate, over the n sheets submitted on them (t = a sheet's total, sheetTotal: the sum of its score
// criteria, exact in tenths):
//   sheets        n.
//   mean          Σt / n.
//   trimmedMean   去掉一个最高分和一个最低分: (Σt − max t − min t) / (n − 2) when n ≥ 5; the plain mean when n ≤ 4
//                 (with 3 or 4 sheets, dropping two would throw away half the opinions or more).
//   zMean         the mean of the sheets' z-scores. A sheet's z = (t − μe) / σe, where μe and σe are the mean and
//                 the population standard deviation (divide by the count, not count − 1) of the totals of every sheet
//                 its expert submitted, in this campaign. An expert whose σe is 0 — one sheet, or the same total
//                 on all of them — has expressed no preference between candidates: each of their sheets counts
//                 z = 0 (neutral) rather than being dropped, so the sheet count stays the same for every figure.
//   additive      the candidate's quality q in the additive model t = q(candidate) + b(expert) + error, fitted by
//                 least squares over all submitted sheets, with the experts' offsets b summing to 0. When the design
//                 falls apart into connected components (groups of experts and candidates with no expert shared
//                 between them: e.g. whole-group review), the offsets sum to 0 within each component: each group's
//                 candidates are measured against that group's average expert, and `component` says which
//                 group a candidate belongs to (the UI warns when there is more than one). Solved exactly from the
//                 normal equations (fitAdditive); fitAdditiveIterative gives the alternating-means iteration the SQL
//                 may use, which converges to the same values.
//   criterionMeans  for each score criterion, the mean of its scores (sheets that left it blank are skipped).
//   std, range    the spread of the totals: population standard deviation, and max − min (0 for one sheet).
//   gateFailures  the number of sheets that answer 否 to any gate (政治过硬); gateFailed when there is at least one.
//                 Such candidates are marked, not removed or moved: the organizer decides.
// A candidate without sheets has n = 0 and null figures.
//
// rankBy orders by one figure, highest first, after rounding it to 2 decimals (round2: half away from zero, as
// PostgreSQL's round(numeric, 2)); equal rounded values share a rank (competition ranking: 1, 2, 2, 4), labelled
// "并列第2", others "第1". Ties keep the rows' given order; candidates without the figure come last, unranked.
import { designComponents } from './graph';
import type { Rubric } from './rubric';
import { sheetTotal } from './rubric';

/** A submitted sheet, as the ranking reads it. */
export interface RankingSheet {
  expertId: string;
  candidateId: string;
  scores: Readonly<Record<string, number | null | undefined>>;
  gates: Readonly<Record<string, boolean | null | undefined>>;
}

/** A sheet reduced to its total (the input of the additive model). */
export interface SheetTotal {
  expertId: string;
  candidateId: string;
  total: number;
}

export interface CandidateFigures {
  candidateId: string;
  sheets: number;
  mean: number | null;
  trimmedMean: number | null;
  zMean: number | null;
  additive: number | null;
  /** the candidate's connected component in the design (0, 1, …), null without sheets */
  component: number | null;
  criterionMeans: Record<string, number | null>;
  std: number | null;
  range: number | null;
  gateFailures: number;
  gateFailuresByKey: Record<string, number>;
  gateFailed: boolean;
}

export const RANK_FIGURES = ['mean', 'trimmedMean', 'zMean', 'additive'] as const;
export type RankFigure = (typeof RANK_FIGURES)[number];
export const RANK_FIGURE_LABELS: Record<RankFigure, string> = {
  mean: '平均分',
  trimmedMean: '去掉最高分和最低分后的平均分',
  zMean: '标准分（z分数）平均',
  additive: '消除评委宽严差异后的估计分',
};
/** Sheets needed before the trimmed mean drops the highest and the lowest total. */
export const TRIM_MIN_SHEETS = 5;

/** `x` rounded to 2 decimals, half away from zero (PostgreSQL's round(numeric, 2)), after dropping floating noise. */
export function round2(x: number): number {
  const scaled = Number((Math.abs(x) * 100).toPrecision(12));
  const r = (Math.sign(x) * Math.round(scaled)) / 100;
  return r === 0 ? 0 : r; // no −0
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The trimmed mean of a candidate's totals (see the top of this file); null for none. */
export function trimmedMean(totals: readonly number[]): number | null {
  if (totals.length === 0) return null;
  if (totals.length < TRIM_MIN_SHEETS) return mean(totals);
  const sum = totals.reduce((s, x) => s + x, 0);
  return (sum - Math.max(...totals) - Math.min(...totals)) / (totals.length - 2);
}

/** Population standard deviation; 0 for one value, null for none. */
export function populationStd(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const mu = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - mu) ** 2, 0) / xs.length);
}

/**
 * Each expert's mean and population standard deviation over the totals they submitted. Totals have one decimal,
 * so the variance is computed in tenths, with integers: σ = 0 is then exact, never a rounding residue.
 */
export function expertStats(sheets: readonly SheetTotal[]): Map<string, { count: number; mean: number; std: number }> {
  const acc = new Map<string, { count: number; sum: number; squares: number }>();
  for (const s of sheets) {
    const tenths = Math.round(s.total * 10);
    const a = acc.get(s.expertId) ?? { count: 0, sum: 0, squares: 0 };
    a.count++;
    a.sum += tenths;
    a.squares += tenths * tenths;
    acc.set(s.expertId, a);
  }
  const out = new Map<string, { count: number; mean: number; std: number }>();
  for (const [id, a] of acc) {
    const numerator = a.count * a.squares - a.sum * a.sum; // n²·variance, in tenths²; an exact integer
    out.set(id, { count: a.count, mean: a.sum / a.count / 10, std: numerator <= 0 ? 0 : Math.sqrt(numerator) / a.count / 10 });
  }
  return out;
}

/** A sheet's z-score against its expert's statistics: 0 when the expert's σ is 0. */
export function zScore(total: number, stats: { mean: number; std: number }): number {
  return stats.std === 0 ? 0 : (total - stats.mean) / stats.std;
}

// ---------------------------------------------------------------------------------------------------------------
// The additive model t = q(candidate) + b(expert)

export interface AdditiveFit {
  /** q per candidate */
  quality: Map<string, number>;
  /** b per expert (summing to 0 within each component) */
  offset: Map<string, number>;
  /** the component of each candidate */
  component: Map<string, number>;
  components: number;
}

interface Design {
  experts: string[];
  candidates: string[];
  eIndex: Map<string, number>;
  cIndex: Map<string, number>;
  byCandidate: { e: number; t: number }[][];
  byExpert: { c: number; t: number }[][];
}

function design(sheets: readonly SheetTotal[]): Design {
  const eIndex = new Map<string, number>();
  const cIndex = new Map<string, number>();
  const byCandidate: { e: number; t: number }[][] = [];
  const byExpert: { c: number; t: number }[][] = [];
  const seen = new Set<string>();
  for (const s of sheets) {
    const key = `${s.expertId}\u001f${s.candidateId}`;
    if (seen.has(key)) throw new RangeError(`two sheets of expert ${s.expertId} on candidate ${s.candidateId}`);
    seen.add(key);
    let e = eIndex.get(s.expertId);
    if (e === undefined) eIndex.set(s.expertId, (e = byExpert.push([]) - 1));
    let c = cIndex.get(s.candidateId);
    if (c === undefined) cIndex.set(s.candidateId, (c = byCandidate.push([]) - 1));
    byCandidate[c]!.push({ e, t: s.total });
    byExpert[e]!.push({ c, t: s.total });
  }
  return { experts: [...eIndex.keys()], candidates: [...cIndex.keys()], eIndex, cIndex, byCandidate, byExpert };
}

/** Solves A x = b in place by Gaussian elimination with partial pivoting (A square, non-singular). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[pivot]![col]!)) pivot = r;
    [A[col], A[pivot]] = [A[pivot]!, A[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    const p = A[col]![col]!;
    for (let r = col + 1; r < n; r++) {
      const f = A[r]![col]! / p;
      if (f === 0) continue;
      for (let k = col; k < n; k++) A[r]![k]! -= f * A[col]![k]!;
      b[r]! -= f * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= A[r]![k]! * x[k]!;
    x[r] = s / A[r]![r]!;
  }
  return x;
}

/**
 * The least-squares fit of t = q(candidate) + b(expert), offsets summing to 0 in each connected component, solved
 * from the normal equations. Eliminating q (q_c = mean over c's sheets of t − b_e) leaves, per component, a
 * Laplacian system in the offsets: A b = r with A[e][e'] = δ(e,e')·n_e − Σ_{c seen by e and e'} 1/n_c and
 * r_e = Σ_{c seen by e} (t_ec − mean_c); adding 1 to every A[e][e'] of the component fixes Σ b = 0 and makes A
 * invertible. Experts per component are few (tens), so this is exact and fast.
 */
export function fitAdditive(sheets: readonly SheetTotal[]): AdditiveFit {
  const d = design(sheets);
  const comps = designComponents(sheets);
  const offset = new Array<number>(d.experts.length).fill(0);
  const candidateMean = d.byCandidate.map((list) => mean(list.map((x) => x.t)));
  const members = new Map<number, number[]>(); // component → expert indices
  d.experts.forEach((id, e) => {
    const k = comps.ofExpert.get(id)!;
    const list = members.get(k);
    if (list) list.push(e);
    else members.set(k, [e]);
  });
  for (const list of members.values()) {
    const local = new Map(list.map((e, i) => [e, i]));
    const size = list.length;
    const A = Array.from({ length: size }, () => new Array<number>(size).fill(1)); // the 1s fix Σ b = 0
    const r = new Array<number>(size).fill(0);
    list.forEach((e, i) => {
      A[i]![i]! += d.byExpert[e]!.length;
      for (const { c, t } of d.byExpert[e]!) {
        r[i]! += t - candidateMean[c]!;
        const nc = d.byCandidate[c]!.length;
        for (const other of d.byCandidate[c]!) A[i]![local.get(other.e)!]! -= 1 / nc;
      }
    });
    const b = solve(A, r);
    list.forEach((e, i) => (offset[e] = b[i]!));
  }
  const quality = d.byCandidate.map((list) => mean(list.map(({ e, t }) => t - offset[e]!)));
  return {
    quality: new Map(d.candidates.map((id, c) => [id, quality[c]!])),
    offset: new Map(d.experts.map((id, e) => [id, offset[e]!])),
    component: comps.ofCandidate,
    components: comps.count,
  };
}

/**
 * The same fit by alternating means (backfitting), the form a SQL implementation can iterate: start with every
 * offset 0; each sweep sets q_c = mean over c's sheets of (t − b_e), then b_e = mean over e's sheets of (t − q_c),
 * then shifts each component so that its offsets sum to 0 (b −= their mean, q += it: the fit is unchanged). Stops
 * when no value moved by more than `tolerance`, or after `maxSweeps`.
 */
export function fitAdditiveIterative(
  sheets: readonly SheetTotal[],
  options: { maxSweeps?: number; tolerance?: number } = {},
): AdditiveFit & { sweeps: number; converged: boolean } {
  const { maxSweeps = 10_000, tolerance = 1e-10 } = options;
  const d = design(sheets);
  const comps = designComponents(sheets);
  const compOfExpert = d.experts.map((id) => comps.ofExpert.get(id)!);
  const compOfCandidate = d.candidates.map((id) => comps.ofCandidate.get(id)!);
  const q = new Array<number>(d.candidates.length).fill(0);
  const b = new Array<number>(d.experts.length).fill(0);
  let sweeps = 0;
  let converged = false;
  while (sweeps < maxSweeps && !converged) {
    sweeps++;
    let moved = 0;
    d.byCandidate.forEach((list, c) => {
      const v = mean(list.map(({ e, t }) => t - b[e]!));
      moved = Math.max(moved, Math.abs(v - q[c]!));
      q[c] = v;
    });
    const nb = d.byExpert.map((list) => mean(list.map(({ c, t }) => t - q[c]!)));
    const sum = new Array<number>(comps.count).fill(0);
    const count = new Array<number>(comps.count).fill(0);
    nb.forEach((v, e) => {
      sum[compOfExpert[e]!]! += v;
      count[compOfExpert[e]!]!++;
    });
    const shift = sum.map((s, k) => s / count[k]!);
    nb.forEach((v, e) => {
      const centred = v - shift[compOfExpert[e]!]!;
      moved = Math.max(moved, Math.abs(centred - b[e]!));
      b[e] = centred;
    });
    q.forEach((v, c) => (q[c] = v + shift[compOfCandidate[c]!]!));
    converged = moved <= tolerance;
  }
  return {
    quality: new Map(d.candidates.map((id, c) => [id, q[c]!])),
    offset: new Map(d.experts.map((id, e) => [id, b[e]!])),
    component: comps.ofCandidate,
    components: comps.count,
    sweeps,
    converged,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Figures and ranks

/**
 * Every figure of every candidate. `candidateIds` gives the rows and their order (candidates without sheets
 * included, sheets of others ignored); without it, the candidates in order of first appearance in `sheets`.
 * Throws RangeError when one expert has two sheets on one candidate.
 */
export function rankingFigures(rubric: Rubric, sheets: readonly RankingSheet[], candidateIds?: readonly string[]): CandidateFigures[] {
  const totals: SheetTotal[] = sheets.map((s) => ({ expertId: s.expertId, candidateId: s.candidateId, total: sheetTotal(rubric, s) }));
  const stats = expertStats(totals); // over every sheet of the expert, whatever candidates are asked for
  const fit = fitAdditive(totals);
  const byCandidate = new Map<string, number[]>(); // indices into sheets
  sheets.forEach((s, i) => {
    const list = byCandidate.get(s.candidateId);
    if (list) list.push(i);
    else byCandidate.set(s.candidateId, [i]);
  });
  const ids = candidateIds ?? [...byCandidate.keys()];
  const scoreKeys = rubric.criteria.filter((c) => c.kind === 'score').map((c) => c.key);
  const gateKeys = rubric.criteria.filter((c) => c.kind === 'gate').map((c) => c.key);
  return ids.map((candidateId): CandidateFigures => {
    const mine = byCandidate.get(candidateId) ?? [];
    const t = mine.map((i) => totals[i]!.total);
    const criterionMeans: Record<string, number | null> = {};
    for (const key of scoreKeys) {
      const values = mine.map((i) => sheets[i]!.scores[key]).filter((v): v is number => typeof v === 'number');
      criterionMeans[key] = values.length ? mean(values) : null;
    }
    const gateFailuresByKey: Record<string, number> = {};
    for (const key of gateKeys) gateFailuresByKey[key] = mine.filter((i) => sheets[i]!.gates[key] === false).length;
    const gateFailures = mine.filter((i) => gateKeys.some((key) => sheets[i]!.gates[key] === false)).length;
    const none = t.length === 0;
    return {
      candidateId,
      sheets: t.length,
      mean: none ? null : mean(t),
      trimmedMean: trimmedMean(t),
      zMean: none ? null : mean(mine.map((i) => zScore(totals[i]!.total, stats.get(totals[i]!.expertId)!))),
      additive: none ? null : fit.quality.get(candidateId)!,
      component: none ? null : fit.component.get(candidateId)!,
      criterionMeans,
      std: populationStd(t),
      range: none ? null : Math.max(...t) - Math.min(...t),
      gateFailures,
      gateFailuresByKey,
      gateFailed: gateFailures > 0,
    };
  });
}

export interface RankInfo {
  /** the competition rank (1, 2, 2, 4), null without the figure */
  rank: number | null;
  tied: boolean;
  /** "第1", "并列第2", or "未评分" */
  rankLabel: string;
}

/**
 * The rows ordered by `figure` (a key of the row, or a function), highest first, each with its rank. Values are
 * compared after round2; ties keep the given order; rows without a finite value come last, unranked.
 */
export function rankBy<T extends object>(rows: readonly T[], figure: RankFigure | ((row: T) => number | null | undefined)): (T & RankInfo)[] {
  const valueOf = (row: T): number | null => {
    const v = typeof figure === 'function' ? figure(row) : (row as Record<string, unknown>)[figure];
    return typeof v === 'number' && Number.isFinite(v) ? round2(v) : null;
  };
  const keyed = rows.map((row, i) => ({ row, i, v: valueOf(row) }));
  keyed.sort((a, b) => (a.v === null ? (b.v === null ? a.i - b.i : 1) : b.v === null ? -1 : b.v - a.v || a.i - b.i));
  const count = new Map<number, number>();
  for (const k of keyed) if (k.v !== null) count.set(k.v, (count.get(k.v) ?? 0) + 1);
  let rank = 0;
  return keyed.map((k, pos): T & RankInfo => {
    if (k.v === null) return { ...k.row, rank: null, tied: false, rankLabel: '未评分' };
    if (pos === 0 || keyed[pos - 1]!.v !== k.v) rank = pos + 1;
    const tied = count.get(k.v)! > 1;
    return { ...k.row, rank, tied, rankLabel: tied ? `并列第${rank}` : `第${rank}` };
  });
}
