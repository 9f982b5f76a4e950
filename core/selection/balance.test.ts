import { describe, expect, it } from 'vitest';
import { ageBand, balanceReport } from './balance';
import type { SelectionSetup } from './check';
import type { SelectionCandidate } from './types';

const person = (i: number, age: number, field: string, gender: string, academician = false, frontline = false): SelectionCandidate => ({
  id: `a${i}`,
  name: `候选人${i}`,
  merit: i,
  age,
  flags: { academician, youth: false, frontline },
  values: { field, region: i % 2 ? '喀什地区' : '乌鲁木齐市', unitType: '高校', unit: `单位${i}`, gender, ethnicity: i === 3 ? '' : '汉族' },
});

const setup: SelectionSetup = {
  candidates: [
    person(1, 35, '农业', '女', true),
    person(2, 36, '工业', '男'),
    person(3, 45, '工业', '男', false, true),
    person(4, 46, '医疗', '女'),
    person(5, 56, '工业', '男', true, true),
  ],
  constraints: [],
  sizes: { winners: 3, nationals: 0 },
  nationalsWithinWinners: true,
  youthAgeLimit: 45,
};

describe('balanceReport', () => {
  it('counts the chosen against the shortlist, value by value', () => {
    const rows = balanceReport(setup, ['a1', 'a3', 'a5', 'zz']);
    const of = (attribute: string) => rows.filter((r) => r.attribute === attribute).map((r) => [r.value, r.shortlist, r.chosen]);
    expect(of('field')).toEqual([
      ['工业', 3, 2],
      ['农业', 1, 1],
      ['医疗', 1, 0],
    ]);
    expect(of('region')).toEqual([
      ['喀什地区', 3, 3],
      ['乌鲁木齐市', 2, 0],
    ]);
    expect(of('gender')).toEqual([
      ['男', 3, 2],
      ['女', 2, 1],
    ]);
    expect(of('ethnicity')).toEqual([
      ['汉族', 4, 2],
      ['未填写', 1, 1],
    ]);
    expect(of('ageBand')).toEqual([
      ['35岁以下', 1, 1],
      ['36–45岁', 2, 1],
      ['46–55岁', 1, 0],
      ['56岁以上', 1, 1],
    ]);
    expect(of('youth')).toEqual([
      ['是', 3, 2],
      ['否', 2, 1],
    ]);
    expect(of('academician')).toEqual([
      ['是', 2, 2],
      ['否', 3, 1],
    ]);
    expect(of('frontline')).toEqual([
      ['是', 2, 2],
      ['否', 3, 1],
    ]);
  });

  it('age bands include their bounds', () => {
    expect([35, 36, 45, 46, 55, 56].map(ageBand)).toEqual(['35岁以下', '36–45岁', '36–45岁', '46–55岁', '46–55岁', '56岁以上']);
  });
});
