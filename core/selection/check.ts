// The constraint checker (issue 14, 4.): the panel beside the organizer's picks, green or red with the arithmetic, and
// the server's re-check at confirmation. Pure and cheap: it runs on every click.
import { constraintRows, percent, subjectLabel, type ConstraintRow } from './constraints';
import type { SelectionCandidate, SelectionConstraint, SelectionList } from './types';

/** A pick: application ids. */
export interface SelectionProblem {
  winners: string[];
  nationals: string[];
}

export interface SelectionSetup {
  /** the pool (the shortlist), with attributes */
  candidates: SelectionCandidate[];
  constraints: SelectionConstraint[];
  sizes: { winners: number; nationals: number };
  nationalsWithinWinners: boolean;
  youthAgeLimit: number;
}

export interface CheckLine {
  /** the constraint's id; 'size', 'subset', 'unknown' or 'duplicate' for the size lines */
  constraintId: string;
  list: SelectionList;
  /** for `each` constraints (one line per value) and value constraints */
  value?: string;
  count: number;
  size: number;
  ok: boolean;
  /** "院士 3/20 = 15%，要求 ≤ 10%" / "45岁以下 3/20 = 15%，要求 ≥ 20%" / "推荐领域“农业” 0人，要求至少1人" */
  text: string;
}

export interface SelectionCheck {
  /** every line ok AND the sizes are exact AND nationals ⊆ winners when required (and no unknown or repeated id) */
  ok: boolean;
  lines: CheckLine[];
  /** "当选 18/20 人", "全国推荐 10/10 人", "全国推荐人选须为当选人员：张三不在当选名单中" */
  sizeLines: CheckLine[];
}

/** The arithmetic of one row for `count` picked members. */
export function rowText(row: ConstraintRow, count: number, youthAgeLimit: number): string {
  const c = row.constraint;
  const subject = subjectLabel(c, row.value, youthAgeLimit);
  if (c.measure === 'share') {
    const ratio = row.size > 0 ? `${count}/${row.size} = ${percent(count / row.size)}` : `${count}/0`;
    return `${subject} ${ratio}，要求 ${c.op === 'min' ? '≥' : '≤'} ${percent(c.bound)}`;
  }
  return `${subject} ${count}人，要求${c.op === 'min' ? '至少' : '至多'}${c.bound}人`;
}

export function rowOk(row: ConstraintRow, count: number): boolean {
  return row.op === 'max' ? count <= row.limit : count >= row.limit;
}

export function checkSelection(setup: SelectionSetup, pick: SelectionProblem): SelectionCheck {
  const { candidates, sizes } = setup;
  const index = new Map(candidates.map((c, i) => [c.id, i]));
  const sizeLines: CheckLine[] = [];

  const resolve = (ids: string[], list: SelectionList): Set<number> => {
    const picked = new Set<number>();
    const unknown: string[] = [];
    const repeated: string[] = [];
    for (const id of ids) {
      const i = index.get(id);
      if (i === undefined) unknown.push(id);
      else if (picked.has(i)) repeated.push(candidates[i]!.name);
      else picked.add(i);
    }
    const what = list === 'winners' ? '当选名单' : '全国推荐名单';
    if (unknown.length) {
      sizeLines.push({
        constraintId: 'unknown',
        list,
        count: unknown.length,
        size: list === 'winners' ? sizes.winners : sizes.nationals,
        ok: false,
        text: `${what}中有不在入围名单中的人选（编号${unknown.join('、')}），只能从入围名单中选择`,
      });
    }
    if (repeated.length) {
      sizeLines.push({
        constraintId: 'duplicate',
        list,
        count: repeated.length,
        size: list === 'winners' ? sizes.winners : sizes.nationals,
        ok: false,
        text: `${what}中${[...new Set(repeated)].join('、')}重复，每人只能选一次`,
      });
    }
    return picked;
  };

  const winners = resolve(pick.winners, 'winners');
  const nationals = resolve(pick.nationals, 'nationals');
  sizeLines.unshift(
    {
      constraintId: 'size',
      list: 'winners',
      count: winners.size,
      size: sizes.winners,
      ok: winners.size === sizes.winners,
      text: `当选 ${winners.size}/${sizes.winners} 人`,
    },
    {
      constraintId: 'size',
      list: 'nationals',
      count: nationals.size,
      size: sizes.nationals,
      ok: nationals.size === sizes.nationals,
      text: `全国推荐 ${nationals.size}/${sizes.nationals} 人`,
    },
  );
  if (setup.nationalsWithinWinners) {
    const outside = [...nationals].filter((i) => !winners.has(i));
    if (outside.length) {
      sizeLines.push({
        constraintId: 'subset',
        list: 'nationals',
        count: outside.length,
        size: sizes.nationals,
        ok: false,
        text: `全国推荐人选须为当选人员：${outside.map((i) => candidates[i]!.name).join('、')}不在当选名单中`,
      });
    }
  }

  const lines = constraintRows(candidates, setup.constraints, sizes, setup.youthAgeLimit).map((row): CheckLine => {
    const picked = row.list === 'winners' ? winners : nationals;
    const count = row.members.reduce((n, i) => n + (picked.has(i) ? 1 : 0), 0);
    const line: CheckLine = {
      constraintId: row.constraint.id,
      list: row.list,
      count,
      size: row.size,
      ok: rowOk(row, count),
      text: rowText(row, count, setup.youthAgeLimit),
    };
    if (row.value !== undefined) line.value = row.value;
    return line;
  });

  return { ok: lines.every((l) => l.ok) && sizeLines.every((l) => l.ok), lines, sizeLines };
}
