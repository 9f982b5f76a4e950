// 按规则推荐 (issue 14, 5.): the exact solver. It proposes the best set of winners, and the best national recommendees,
// that meets every constraint, explains each difference from plain merit order, and says why when no set can.
//
// "The best set" is lexicographic by merit. Candidates are grouped by merit (smaller is better; equal merits are
// ties and form one group). A set's profile is the number of its members in each group, best group first; of two
// sets of the same size, the better one has more members in the first group where their profiles differ (equivalently:
// its merits, sorted, are lexicographically smaller). So a candidate is left out only when taking them, together with
// everyone better already kept, would make the constraints impossible to meet; no number of lower-ranked candidates
// can outweigh one better-ranked one. The proposal minimises (the winners' profile, then the nationals' profile):
// the winners first, and among the best winner sets the one whose national recommendees are best.
//
// Method: integer programs solved with yalps (MIT, pure JavaScript, so it runs in the browser too): binary x_i =
// winner, y_i = national; Σx = winners, Σy = nationals; y_i ≤ x_i when the nationals come from the winners; each
// constraint row (constraintRows: a share bound as its integer count) as a linear row; fixed include/exclude as bounds.
// First one solve maximising a rank-based weight gives a good feasible solution. Then, for each merit group in order
// (winners, then nationals), the group's count is raised while "one more of this group, with every earlier group's
// count fixed" is feasible, and then fixed itself. Each step is a yes/no question answered exactly by branch and bound
// (infeasible means no more can be taken; the rank-based objective, with a 2% tolerance, only steers which solution
// is found). A step needs no solve when the current solution already takes as many of the group as sound bounds
// allow (the places left, maxima already filled by surely chosen candidates, minima the places left cannot reach),
// so there are usually 2–10 solves. Weights that make one objective lexicographic (2^n) were rejected: they lose
// exactness in floating point beyond ~50 candidates. A solve that times out (20 s) or cycles is reported (method,
// or the reasons), never taken as a proof. The tests check the optimum against brute force (n ≤ 24) and against
// HiGHS (n = 30–70).
import { solve as yalpsSolve, type Constraint, type Model, type Options } from 'yalps';
import { describeConstraint, constraintRows, percent, type ConstraintRow } from './constraints';
import type { SelectionSetup } from './check';
import { attributeLabel, type SelectionCandidate, type SelectionConstraint, type SelectionList } from './types';

export type Proposal =
  | { feasible: true; winners: string[]; nationals: string[]; explanations: string[]; objective: number; method: string }
  | { feasible: false; reasons: string[] };

export interface FixedChoice {
  /** application ids that must be winners */
  include?: string[];
  /** application ids that must not be chosen (neither as winners nor as national recommendees) */
  exclude?: string[];
}

const OPTIONS: Options = { tolerance: 0, maxIterations: 1_000_000, maxPivots: 200_000, timeout: 20_000 };
/** For the steps that only ask whether a solution exists: the first one within 2% of the steering objective will do. */
const STEER: Options = { ...OPTIONS, tolerance: 0.02 };

interface Ctx {
  setup: SelectionSetup;
  n: number;
  rows: ConstraintRow[];
  /** not excluded */
  avail: boolean[];
  included: Set<number>;
  /** position in plain merit order (0 = best), ties by the pool's order */
  pos: number[];
  /** 1 + the number of candidates with strictly better merit: "第N名" */
  rank: number[];
  solves: number;
  timedOut: boolean;
}

interface Solution {
  x: Set<number>;
  y: Set<number>;
}

/** A row on a merit group: its count fixed (`equal`) or raised (`min`). */
type Extra = { list: SelectionList; members: number[]; equal?: number; min?: number };

/** The pool's order by merit (stable: ties keep the pool's order). */
function meritOrder(candidates: SelectionCandidate[]): number[] {
  return candidates.map((_, i) => i).sort((a, b) => candidates[a]!.merit - candidates[b]!.merit || a - b);
}

function context(setup: SelectionSetup, fixed: FixedChoice | undefined): Ctx {
  const { candidates } = setup;
  const n = candidates.length;
  const index = new Map(candidates.map((c, i) => [c.id, i]));
  const excluded = new Set((fixed?.exclude ?? []).map((id) => index.get(id)).filter((i): i is number => i !== undefined));
  const included = new Set((fixed?.include ?? []).map((id) => index.get(id)).filter((i): i is number => i !== undefined));
  const order = meritOrder(candidates);
  const pos = new Array<number>(n);
  order.forEach((i, p) => (pos[i] = p));
  const rank = candidates.map((c) => 1 + candidates.filter((d) => d.merit < c.merit).length);
  return {
    setup,
    n,
    rows: constraintRows(candidates, setup.constraints, setup.sizes, setup.youthAgeLimit),
    avail: candidates.map((_, i) => !excluded.has(i)),
    included,
    pos,
    rank,
    solves: 0,
    timedOut: false,
  };
}

/**
 * One integer program: the sizes, the link, the fixed choices, the given rows and extra equalities; the objective
 * is `weight` per variable (omitted: any feasible solution). Returns null when infeasible.
 */
function runModel(
  ctx: Ctx,
  rows: ConstraintRow[],
  extras: Extra[],
  weight?: (list: SelectionList, i: number) => number,
  options: Options = OPTIONS,
): Solution | null {
  const { setup, n, avail } = ctx;
  const within = setup.nationalsWithinWinners;
  const constraints = new Map<string, Constraint>();
  constraints.set('W', { equal: setup.sizes.winners });
  constraints.set('N', { equal: setup.sizes.nationals });
  const xs: Map<string, number>[] = [];
  const ys: Map<string, number>[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(new Map([['W', 1]]));
    ys.push(new Map([['N', 1]]));
    if (within && setup.sizes.nationals > 0) {
      constraints.set(`L${i}`, { max: 0 });
      xs[i]!.set(`L${i}`, -1);
      ys[i]!.set(`L${i}`, 1);
    }
  }
  if (ctx.included.size) {
    constraints.set('I', { equal: ctx.included.size });
    for (const i of ctx.included) xs[i]!.set('I', 1);
  }
  rows.forEach((row, k) => {
    const key = `r${k}`;
    constraints.set(key, row.op === 'max' ? { max: row.limit } : { min: row.limit });
    const vars = row.list === 'winners' ? xs : ys;
    for (const i of row.members) vars[i]!.set(key, 1);
  });
  extras.forEach((e, k) => {
    const key = `g${k}`;
    constraints.set(key, e.equal !== undefined ? { equal: e.equal } : { min: e.min! });
    const vars = e.list === 'winners' ? xs : ys;
    for (const i of e.members) vars[i]!.set(key, 1);
  });
  const variables: [string, Map<string, number>][] = [];
  for (let i = 0; i < n; i++) {
    if (!avail[i]) continue;
    if (weight) {
      xs[i]!.set('obj', weight('winners', i));
      ys[i]!.set('obj', weight('nationals', i));
    }
    variables.push([`x${i}`, xs[i]!]);
    if (setup.sizes.nationals > 0) variables.push([`y${i}`, ys[i]!]);
  }
  const model: Model<string, string> = {
    direction: 'maximize',
    constraints,
    variables,
    binaries: true,
    ...(weight ? { objective: 'obj' } : {}),
  };
  ctx.solves += 1;
  const result = yalpsSolve(model, options);
  if (result.status === 'timedout' || result.status === 'cycled') ctx.timedOut = true;
  if (result.status === 'infeasible' || result.status === 'cycled' || Number.isNaN(result.result)) return null;
  const solution: Solution = { x: new Set(), y: new Set() };
  for (const [key, value] of result.variables) {
    if (value < 0.5) continue;
    (key[0] === 'x' ? solution.x : solution.y).add(Number(key.slice(1)));
  }
  return solution;
}

/** Merit groups (equal merits together) among the available candidates, best first. */
function meritGroups(ctx: Ctx): number[][] {
  const { candidates } = ctx.setup;
  const order = ctx.pos
    .map((p, i) => [p, i] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, i]) => i)
    .filter((i) => ctx.avail[i]);
  const groups: number[][] = [];
  for (const i of order) {
    const last = groups[groups.length - 1];
    if (last && candidates[last[0]!]!.merit === candidates[i]!.merit) last.push(i);
    else groups.push([i]);
  }
  return groups;
}

/** The lexicographic optimum (see the file's comment), or null when no set meets every constraint. */
function lexicographicOptimum(ctx: Ctx): Solution | null {
  const { n } = ctx;
  const { winners: W, nationals: N } = ctx.setup.sizes;
  // Secondary weights, to steer each solve toward good solutions: better positions weigh more; winners more than nationals.
  const secondary = (list: SelectionList, i: number) => (list === 'winners' ? (n - ctx.pos[i]!) * (n + 1) : n - ctx.pos[i]!);
  let incumbent = runModel(ctx, ctx.rows, [], secondary);
  if (!incumbent) return null;
  const extras: Extra[] = [];
  const groups = meritGroups(ctx);
  const within = ctx.setup.nationalsWithinWinners;
  /** candidates that cannot be winners: their group's count was fixed at 0, or it came after the list was full */
  const notWinners = new Set<number>(ctx.avail.flatMap((ok, i) => (ok ? [] : [i])));
  for (const [list, size] of [
    ['winners', W],
    ['nationals', N],
  ] as const) {
    // Cheap bounds that let a group be fixed without a solve: what is already decided for sure (whole groups in,
    // the fixed includes) and, for groups fixed part-way (ties), an upper bound of their members in each row.
    const rows = ctx.rows.filter((r) => r.list === list);
    const inRow = rows.map((r) => {
      const flags = new Uint8Array(n);
      for (const i of r.members) flags[i] = 1;
      return flags;
    });
    const sure = new Set<number>();
    const sureCount = rows.map(() => 0);
    const partialBound = rows.map(() => 0);
    const markSure = (i: number) => {
      if (sure.has(i)) return;
      sure.add(i);
      rows.forEach((_, k) => (sureCount[k]! += inRow[k]![i]!));
    };
    if (list === 'winners') for (const i of ctx.included) markSure(i);
    let fixedCount = 0;
    /** Can candidate i still be taken, given what is fixed? false only when it surely cannot (a sound bound). */
    const possible = (i: number) => {
      if (list === 'nationals' && within && notWinners.has(i)) return false;
      const left = size - fixedCount - 1;
      return rows.every((r, k) =>
        r.op === 'max' ? !inRow[k]![i] || sure.has(i) || sureCount[k]! < r.limit : inRow[k]![i] || r.limit - (sureCount[k]! + partialBound[k]!) <= left,
      );
    };
    let g = 0;
    for (; g < groups.length && fixedCount < size; g++) {
      const group = groups[g]!;
      const chosen = list === 'winners' ? incumbent.x : incumbent.y;
      const current = group.filter((i) => chosen.has(i)).length;
      const cap = Math.min(group.filter(possible).length, size - fixedCount);
      // Raise the group's count while a solution with one more of them exists: each step is a feasibility question
      // (exact: infeasible means no more can be taken); the secondary objective only steers which solution is found.
      for (let c = current; c < cap;) {
        const better = runModel(ctx, ctx.rows, [...extras, { list, members: group, min: c + 1 }], secondary, STEER);
        if (!better) break;
        incumbent = better;
        c = group.filter((i) => (list === 'winners' ? better.x : better.y).has(i)).length;
      }
      const now = list === 'winners' ? incumbent.x : incumbent.y;
      const count = group.filter((i) => now.has(i)).length;
      extras.push({ list, members: group, equal: count });
      fixedCount += count;
      if (count === group.length) group.forEach(markSure);
      else if (count > 0) rows.forEach((_, k) => (partialBound[k]! += Math.min(count, group.filter((i) => inRow[k]![i]).length)));
      if (list === 'winners' && count === 0) group.forEach((i) => notWinners.add(i));
    }
    if (list === 'winners') for (; g < groups.length; g++) groups[g]!.forEach((i) => notWinners.add(i));
  }
  return incumbent;
}

// ---- explanations ----

function tags(ctx: Ctx, i: number, rows: ConstraintRow[]): string {
  const c = ctx.setup.candidates[i]!;
  const parts = [`第${ctx.rank[i]}名`];
  for (const row of rows) {
    const a = row.constraint.attribute;
    const tag = a === 'youth' ? `${c.age}岁` : a === 'academician' || a === 'frontline' ? attributeLabel(a) : (row.value ?? '');
    if (tag && !parts.includes(tag)) parts.push(tag);
  }
  return `${c.name}（${parts.join('，')}）`;
}

function subject(row: ConstraintRow, youthAgeLimit: number): string {
  const name = attributeLabel(row.constraint.attribute, youthAgeLimit);
  const prefix = row.list === 'nationals' ? '全国推荐人选中' : '';
  if (row.value === undefined) return prefix + name;
  return prefix + (row.constraint.each ? `${name}“${row.value}”` : `${name}为${row.value}`);
}

function wouldExceed(row: ConstraintRow, count: number, youthAgeLimit: number): string {
  const c = row.constraint;
  return c.measure === 'share'
    ? `${subject(row, youthAgeLimit)}将为${count}/${row.size}，超过${percent(c.bound)}`
    : `${subject(row, youthAgeLimit)}将为${count}人，超过至多${c.bound}人`;
}

const needs = (row: ConstraintRow, youthAgeLimit: number) => `${subject(row, youthAgeLimit)}需至少${row.limit}人`;

/** The top `size` of `eligible` by plain merit order. */
function plainTop(ctx: Ctx, eligible: (i: number) => boolean, size: number): Set<number> {
  return new Set(
    ctx.pos
      .map((p, i) => [p, i] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, i]) => i)
      .filter(eligible)
      .slice(0, size),
  );
}

/**
 * One line per difference between `chosen` and `plain` (the plain merit order). `nationals`, when the list is the
 * winners and the nationals come from them: a winner may be there for a nationals minimum.
 */
function explainList(
  ctx: Ctx,
  list: SelectionList,
  chosen: Set<number>,
  plain: Set<number>,
  verbIn: string,
  verbOut: string,
  nationals?: Set<number>,
): string[] {
  const limitAge = ctx.setup.youthAgeLimit;
  const rows = ctx.rows.filter((r) => r.list === list);
  /** the rows that can explain a difference: this list's, and the nationals' minima through the winners */
  const minRows = ctx.rows.filter((r) => r.op === 'min' && (r.list === list || nationals !== undefined));
  const setOf = (row: ConstraintRow) => (row.list === list ? chosen : nationals!);
  const count = (row: ConstraintRow) => row.members.reduce((k, i) => k + (setOf(row).has(i) ? 1 : 0), 0);
  const byPos = (a: number, b: number) => ctx.pos[a]! - ctx.pos[b]!;
  const added = [...chosen].filter((i) => !plain.has(i)).sort(byPos);
  const dropped = [...plain].filter((i) => !chosen.has(i)).sort(byPos);
  const lines: string[] = [];
  const name = (i: number) => ctx.setup.candidates[i]!.name;
  const merit = (i: number) => ctx.setup.candidates[i]!.merit;
  for (const i of dropped) {
    const over = rows.filter((r) => r.op === 'max' && r.members.includes(i) && count(r) + 1 > r.limit);
    if (over.length) {
      lines.push(`${tags(ctx, i, over)}${verbOut}：${over.map((r) => wouldExceed(r, count(r) + 1, limitAge)).join('；')}`);
      continue;
    }
    const helped = (r: ConstraintRow) => added.filter((j) => r.members.includes(j) && setOf(r).has(j));
    const tight = minRows.filter((r) => count(r) <= r.limit && helped(r).length > 0 && !r.members.includes(i));
    if (tight.length) {
      const by = tight.map((r) => `${needs(r, limitAge)}，名额让给了${helped(r).map(name).join('、')}`);
      lines.push(`${tags(ctx, i, [])}${verbOut}：${by.join('；')}`);
    } else {
      const tie = added.find((j) => merit(j) === merit(i));
      lines.push(`${tags(ctx, i, [])}${verbOut}：${tie !== undefined ? `与${name(tie)}并列，满足全部约束时只能选其一` : '同时满足全部约束时名次靠后'}`);
    }
  }
  for (const i of added) {
    if (list === 'winners' && ctx.included.has(i)) {
      lines.push(`${tags(ctx, i, [])}${verbIn}：已确定入选`);
      continue;
    }
    const tight = minRows.filter((r) => r.members.includes(i) && setOf(r).has(i) && count(r) <= r.limit);
    if (tight.length) lines.push(`${tags(ctx, i, tight)}${verbIn}：${tight.map((r) => needs(r, limitAge)).join('；')}`);
    else if (dropped.some((j) => merit(j) === merit(i))) {
      lines.push(`${tags(ctx, i, [])}${verbIn}：与${name(dropped.find((j) => merit(j) === merit(i))!)}并列，满足全部约束时只能选其一`);
    } else if (dropped.length) {
      const who = dropped.length > 3 ? `${dropped.slice(0, 3).map(name).join('、')}等${dropped.length}人` : dropped.map(name).join('、');
      lines.push(`${tags(ctx, i, [])}${verbIn}：递补${who}让出的名额`);
    } else lines.push(`${tags(ctx, i, [])}${verbIn}：与同名次人选并列，按约束选定`);
  }
  return lines;
}

function explain(ctx: Ctx, s: Solution): string[] {
  const { winners: W, nationals: N } = ctx.setup.sizes;
  const lines: string[] = [];
  const plainAll = plainTop(ctx, () => true, W);
  for (const i of plainAll) if (!ctx.avail[i]) lines.push(`${tags(ctx, i, [])}未入选：已排除`);
  lines.push(
    ...explainList(
      ctx,
      'winners',
      s.x,
      plainTop(ctx, (i) => ctx.avail[i]!, W),
      '入选',
      '未入选',
      ctx.setup.nationalsWithinWinners && N > 0 ? s.y : undefined,
    ),
  );
  if (N > 0) {
    const eligible = ctx.setup.nationalsWithinWinners ? (i: number) => s.x.has(i) : (i: number) => ctx.avail[i]!;
    lines.push(...explainList(ctx, 'nationals', s.y, plainTop(ctx, eligible, N), '推荐为全国人选', '未推荐为全国人选'));
  }
  return lines;
}

// ---- infeasibility ----

const TIMED_OUT = '求解超时：未能在限定时间内判断能否满足全部约束，请减少附加约束后重试，或手动选择';

const LIST_SIZE: Record<SelectionList, string> = { winners: '最终评选人数', nationals: '全国推荐人数' };

/** Why one row cannot be met even alone (with the sizes and the fixed choices), or null when it can. */
function rowAlone(ctx: Ctx, row: ConstraintRow): string | null {
  const limitAge = ctx.setup.youthAgeLimit;
  const S = row.size;
  const what = row.list === 'nationals' ? '全国推荐：' : '';
  const name = subject({ ...row, list: 'winners' }, limitAge);
  const member = new Set(row.members);
  let availM = 0;
  let excludedM = 0;
  let availNon = 0;
  let incM = 0;
  let incNon = 0;
  ctx.setup.candidates.forEach((_, i) => {
    const m = member.has(i);
    if (!ctx.avail[i]) {
      if (m) excludedM += 1;
      return;
    }
    if (m) availM += 1;
    else availNon += 1;
    if (row.list === 'winners' && ctx.included.has(i)) {
      if (m) incM += 1;
      else incNon += 1;
    }
  });
  if (row.op === 'min') {
    if (row.limit > S) return `${what}${name}要求至少${row.limit}人，超过${LIST_SIZE[row.list]}${S}人`;
    if (availM < row.limit) {
      const aside = excludedM ? `（另有${excludedM}人已排除）` : '';
      return `${what}候选人中${name}仅${availM}人${aside}，无法满足至少${row.limit}人`;
    }
    if (incNon > S - row.limit) return `${what}已确定入选的${incNon}人都不是${name}，${name}最多只能再有${S - incNon}人，无法满足至少${row.limit}人`;
    return null;
  }
  if (incM > row.limit) return `${what}已确定入选的人中${name}已有${incM}人，超过至多${row.limit}人`;
  if (availNon + row.limit < S) return `${what}除${name}外候选人仅${availNon}人，${name}至多${row.limit}人，选不满${LIST_SIZE[row.list]}${S}人`;
  return null;
}

function quote(c: SelectionConstraint, youthAgeLimit: number) {
  return `“${describeConstraint(c, youthAgeLimit)}”`;
}

/** Why the constraints cannot all be met: each constraint impossible alone, by how much; else the ones in conflict. */
function diagnose(ctx: Ctx): string[] {
  const { setup } = ctx;
  const { winners: W, nationals: N } = setup.sizes;
  const reasons: string[] = [];
  const available = ctx.avail.filter(Boolean).length;
  const excluded = ctx.n - available;
  const both = [...ctx.included].filter((i) => !ctx.avail[i]);
  if (both.length) reasons.push(`${both.map((i) => setup.candidates[i]!.name).join('、')}既被确定入选又被排除`);
  if (available < W) reasons.push(`候选人仅${available}人${excluded ? `（另有${excluded}人已排除）` : ''}，不足最终评选人数${W}人`);
  if (ctx.included.size > W) reasons.push(`确定入选的${ctx.included.size}人多于最终评选人数${W}人`);
  if (setup.nationalsWithinWinners ? N > W : available < N) {
    reasons.push(setup.nationalsWithinWinners ? `全国推荐人数${N}人多于最终评选人数${W}人` : `候选人仅${available}人，不足全国推荐人数${N}人`);
  }
  if (reasons.length) return reasons;

  const rowsOf = (cs: SelectionConstraint[]) => ctx.rows.filter((r) => cs.includes(r.constraint));
  const feasible = (cs: SelectionConstraint[]) => runModel(ctx, rowsOf(cs), []) !== null;
  for (const c of setup.constraints) {
    if (feasible([c])) continue;
    const rows = rowsOf([c]);
    const alone = rows.map((r) => rowAlone(ctx, r)).filter((t): t is string => t !== null);
    if (alone.length) {
      reasons.push(...alone);
      continue;
    }
    const size = rows[0]?.size ?? 0;
    const listSize = LIST_SIZE[c.of];
    if (c.each && c.op === 'min') {
      const total = rows.reduce((k, r) => k + r.limit, 0);
      reasons.push(`${quote(c, setup.youthAgeLimit)}：候选人涉及${rows.length}个${attributeLabel(c.attribute)}，共需至少${total}人，超过${listSize}${size}人`);
    } else if (c.each && c.op === 'max') {
      const most = rows.reduce((k, r) => k + Math.min(r.limit, r.members.filter((i) => ctx.avail[i]).length), 0);
      reasons.push(`${quote(c, setup.youthAgeLimit)}：按此最多只能选出${most}人，不足${listSize}${size}人`);
    } else reasons.push(`${quote(c, setup.youthAgeLimit)}单独也无法满足`);
  }
  if (ctx.timedOut) return [TIMED_OUT];
  if (reasons.length) return reasons;

  // Each alone is possible: find a minimal set that is not (deletion filter), which is the conflict to report.
  let conflict = [...setup.constraints];
  for (const c of setup.constraints) {
    const without = conflict.filter((d) => d !== c);
    if (!feasible(without)) conflict = without;
  }
  if (ctx.timedOut) return [TIMED_OUT];
  const names = conflict.map((c) => quote(c, setup.youthAgeLimit));
  if (names.length === 0) return ['候选人无法组成满足人数要求的名单'];
  const joined = names.length === 1 ? names[0]! : `${names.slice(0, -1).join('、')}与${names[names.length - 1]}`;
  return [`约束${joined}无法同时满足（单独满足其中任意一条都可以；放宽其中一条即可）`];
}

/**
 * Exact: the lexicographically best winners (and then nationals) by merit subject to every constraint (see the
 * file's comment). `fixed` forces candidates in or out (an objection removing a winner: exclude them and include
 * the other winners, and the replacement keeps the others and every constraint). Explanations compare with plain
 * merit order: "张三（第19名，院士）未入选：院士将为3/20，超过10%" / "李四（第23名，38岁）入选：45岁以下需至少4人".
 * `objective` is the sum of the winners' merits (smaller is better), reported for the record.
 */
export function proposeSelection(setup: SelectionSetup, fixed?: FixedChoice): Proposal {
  const ctx = context(setup, fixed);
  const best = lexicographicOptimum(ctx);
  if (!best) return { feasible: false, reasons: ctx.timedOut ? [TIMED_OUT] : diagnose(ctx) };
  const byPos = (a: number, b: number) => ctx.pos[a]! - ctx.pos[b]!;
  const winners = [...best.x].sort(byPos);
  const nationals = [...best.y].sort(byPos);
  const ids = (xs: number[]) => xs.map((i) => setup.candidates[i]!.id);
  return {
    feasible: true,
    winners: ids(winners),
    nationals: ids(nationals),
    explanations: explain(ctx, best),
    objective: winners.reduce((s, i) => s + setup.candidates[i]!.merit, 0),
    method: `yalps整数规划，按名次逐级求最优（${ctx.solves}次求解）${ctx.timedOut ? '；有求解超时，结果可能不是最优' : ''}`,
  };
}
