import { describe, expect, it } from 'vitest';
import { checkSelection, type SelectionSetup } from './check';
import type { SelectionCandidate, SelectionConstraint } from './types';

function person(i: number, a: { age?: number; academician?: boolean; field?: string; unit?: string; gender?: string } = {}): SelectionCandidate {
  return {
    id: `a${i}`,
    name: `候选人${i}`,
    merit: i,
    age: a.age ?? 50,
    flags: { academician: a.academician ?? false, youth: false, frontline: false },
    values: { field: a.field ?? '工业', region: '乌鲁木齐市', unitType: '高校', unit: a.unit ?? `单位${i}`, gender: a.gender ?? '男', ethnicity: '汉族' },
  };
}

const NOTICE: SelectionConstraint[] = [
  { id: 'academician', attribute: 'academician', op: 'max', measure: 'share', bound: 0.1, of: 'winners' },
  { id: 'youth', attribute: 'youth', op: 'min', measure: 'share', bound: 0.2, of: 'winners' },
];

/** 30 candidates: a1–a3 院士, a4–a7 aged 45, 44, 40, 38 (youth), a8 aged 46 (not youth); the rest 50. */
function setup(constraints: SelectionConstraint[] = NOTICE, nationals = 10): SelectionSetup {
  const ages: Record<number, number> = { 4: 45, 5: 44, 6: 40, 7: 38, 8: 46 };
  const candidates = Array.from({ length: 30 }, (_, k) => person(k + 1, { academician: k + 1 <= 3, age: ages[k + 1] }));
  return { candidates, constraints, sizes: { winners: 20, nationals }, nationalsWithinWinners: true, youthAgeLimit: 45 };
}

const ids = (...ns: number[]) => ns.map((n) => `a${n}`);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const line = (check: ReturnType<typeof checkSelection>, id: string) => check.lines.find((l) => l.constraintId === id)!;

describe('checkSelection: the notice’s two at the edges', () => {
  it('2/20 院士 is allowed, 3/20 refused', () => {
    const two = checkSelection(setup(), { winners: ids(2, 3, ...range(4, 21)), nationals: ids(...range(4, 13)) });
    expect(line(two, 'academician')).toMatchObject({ count: 2, size: 20, ok: true, text: '院士 2/20 = 10%，要求 ≤ 10%' });
    expect(two.ok).toBe(true);
    const three = checkSelection(setup(), { winners: ids(...range(1, 20)), nationals: ids(...range(1, 10)) });
    expect(line(three, 'academician')).toMatchObject({ count: 3, ok: false, text: '院士 3/20 = 15%，要求 ≤ 10%' });
    expect(three.ok).toBe(false);
  });

  it('4/20 under 45 is allowed (45 itself counts), 3/20 refused (46 does not)', () => {
    const four = checkSelection(setup(), { winners: ids(2, 3, ...range(4, 21)), nationals: ids(...range(4, 13)) });
    expect(line(four, 'youth')).toMatchObject({ count: 4, ok: true, text: '45岁以下 4/20 = 20%，要求 ≥ 20%' });
    // a4 (45) out, a8 (46) in: 3 youth
    const three = checkSelection(setup(), { winners: ids(2, 3, ...range(5, 22)), nationals: ids(...range(5, 14)) });
    expect(line(three, 'youth')).toMatchObject({ count: 3, ok: false, text: '45岁以下 3/20 = 15%，要求 ≥ 20%' });
    expect(three.ok).toBe(false);
  });

  it('takes shares of the required size while the organizer is still picking', () => {
    const partial = checkSelection(setup(), { winners: ids(1, 2, 3, 4), nationals: [] });
    expect(line(partial, 'academician').text).toBe('院士 3/20 = 15%，要求 ≤ 10%');
    expect(partial.sizeLines.map((l) => [l.text, l.ok])).toEqual([
      ['当选 4/20 人', false],
      ['全国推荐 0/10 人', false],
    ]);
    expect(partial.ok).toBe(false);
  });
});

describe('checkSelection: lists', () => {
  it('refuses national recommendees outside the winners when they must be among them, naming them', () => {
    const check = checkSelection(setup(), { winners: ids(2, 3, ...range(4, 21)), nationals: ids(...range(4, 12), 25) });
    expect(check.sizeLines.find((l) => l.constraintId === 'subset')).toMatchObject({ ok: false, text: '全国推荐人选须为当选人员：候选人25不在当选名单中' });
    expect(check.ok).toBe(false);
    const apart = checkSelection({ ...setup(), nationalsWithinWinners: false }, { winners: ids(2, 3, ...range(4, 21)), nationals: ids(...range(4, 12), 25) });
    expect(apart.sizeLines.some((l) => l.constraintId === 'subset')).toBe(false);
    expect(apart.ok).toBe(true);
  });

  it('refuses ids outside the shortlist and repeated ids', () => {
    const check = checkSelection(setup(), { winners: [...ids(2, 3, ...range(4, 20)), 'zz', 'a2'], nationals: ids(...range(4, 13)) });
    expect(check.sizeLines.map((l) => l.text)).toEqual([
      '当选 19/20 人',
      '全国推荐 10/10 人',
      '当选名单中有不在入围名单中的人选（编号zz），只能从入围名单中选择',
      '当选名单中候选人2重复，每人只能选一次',
    ]);
    expect(check.ok).toBe(false);
  });

  it('checks the nationals’ own constraints on the nationals', () => {
    const c: SelectionConstraint = { id: 'nat-ac', attribute: 'academician', op: 'min', measure: 'count', bound: 1, of: 'nationals' };
    const check = checkSelection(setup([...NOTICE, c]), { winners: ids(2, 3, ...range(4, 21)), nationals: ids(...range(4, 13)) });
    expect(line(check, 'nat-ac')).toMatchObject({ list: 'nationals', count: 0, size: 10, ok: false, text: '全国推荐：院士 0人，要求至少1人' });
  });
});

describe('checkSelection: each and value constraints', () => {
  const fields = ['农业', '工业', '医疗'];
  const pool = Array.from({ length: 12 }, (_, k) =>
    person(k + 1, { field: fields[k % 3], unit: k < 4 ? '新疆大学' : `单位${k}`, gender: k % 4 === 0 ? '女' : '男' }),
  );
  const base = { candidates: pool, sizes: { winners: 6, nationals: 0 }, nationalsWithinWinners: true, youthAgeLimit: 45 };
  const constraints: SelectionConstraint[] = [
    { id: 'field', attribute: 'field', each: true, op: 'min', measure: 'count', bound: 1, of: 'winners' },
    { id: 'unit', attribute: 'unit', each: true, op: 'max', measure: 'count', bound: 2, of: 'winners' },
    { id: 'women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: 2, of: 'winners' },
  ];

  it('gives one line per value found in the pool, in the issue’s words', () => {
    // a1..a6: fields 农业 工业 医疗 农业 工业 医疗; a1–a4 新疆大学; women a1, a5
    const check = checkSelection({ ...base, constraints }, { winners: ids(1, 2, 3, 4, 5, 6), nationals: [] });
    expect(check.lines.map((l) => [l.value, l.text, l.ok])).toEqual([
      ['农业', '推荐领域“农业” 2人，要求至少1人', true],
      ['工业', '推荐领域“工业” 2人，要求至少1人', true],
      ['医疗', '推荐领域“医疗” 2人，要求至少1人', true],
      ['新疆大学', '推荐单位“新疆大学” 4人，要求至多2人', false],
      ...range(4, 11).map((k) => [`单位${k}`, `推荐单位“单位${k}” ${k <= 5 ? 1 : 0}人，要求至多2人`, true]),
      ['女', '性别为女 2人，要求至少2人', true],
    ]);
    expect(check.ok).toBe(false);
  });

  it('a value nobody picked reads 0', () => {
    // a2, a5, a8, a11 are 工业 … pick only 工业 and 医疗
    const check = checkSelection({ ...base, constraints: constraints.slice(0, 1) }, { winners: ids(2, 3, 5, 6, 8, 9), nationals: [] });
    expect(check.lines[0]).toMatchObject({ value: '农业', count: 0, ok: false, text: '推荐领域“农业” 0人，要求至少1人' });
  });
});
