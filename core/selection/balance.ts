// 结构分析 (issue 14, 6.): the chosen set against the shortlist, attribute by attribute, for a table and a chart.
import { isYouth } from './constraints';
import type { SelectionSetup } from './check';
import type { SelectionAttribute, SelectionCandidate, ValueAttribute } from './types';

export interface BalanceRow {
  attribute: SelectionAttribute | 'ageBand';
  value: string;
  /** candidates in the pool (the shortlist) with this value */
  shortlist: number;
  /** of them, chosen */
  chosen: number;
}

/** The age bands: 35岁以下, 36–45岁, 46–55岁, 56岁以上 ("以下" and "以上" include the number, as in isYouth). */
export const AGE_BANDS = ['35岁以下', '36–45岁', '46–55岁', '56岁以上'] as const;

export function ageBand(age: number): string {
  if (!Number.isFinite(age)) return '年龄不详';
  if (age <= 35) return AGE_BANDS[0];
  if (age <= 45) return AGE_BANDS[1];
  if (age <= 55) return AGE_BANDS[2];
  return AGE_BANDS[3];
}

const VALUE_ORDER: ValueAttribute[] = ['field', 'region', 'unitType', 'gender', 'ethnicity'];

/**
 * The chosen set against the pool by 推荐领域, 地区, 单位类型, 性别, 民族 (each value found in the pool, most
 * frequent first, ties by name), age band (all four, in order), <youthAgeLimit>岁以下, 院士 and 基层一线 (是/否).
 * Ids in `chosen` that are not in the pool are ignored.
 */
export function balanceReport(setup: SelectionSetup, chosen: string[]): BalanceRow[] {
  const picked = new Set(chosen);
  const rows: BalanceRow[] = [];
  const tally = (attribute: BalanceRow['attribute'], valueOf: (c: SelectionCandidate) => string, fixedValues?: readonly string[]) => {
    const counts = new Map<string, { shortlist: number; chosen: number }>();
    for (const v of fixedValues ?? []) counts.set(v, { shortlist: 0, chosen: 0 });
    for (const c of setup.candidates) {
      const v = valueOf(c);
      const entry = counts.get(v) ?? { shortlist: 0, chosen: 0 };
      entry.shortlist += 1;
      if (picked.has(c.id)) entry.chosen += 1;
      counts.set(v, entry);
    }
    let entries = [...counts.entries()];
    if (!fixedValues) entries = entries.sort((a, b) => b[1].shortlist - a[1].shortlist || a[0].localeCompare(b[0], 'zh-CN'));
    for (const [value, e] of entries) rows.push({ attribute, value, ...e });
  };
  for (const a of VALUE_ORDER) tally(a, (c) => c.values[a] || '未填写');
  tally('ageBand', (c) => ageBand(c.age), AGE_BANDS);
  const yesNo = ['是', '否'] as const;
  tally('youth', (c) => (isYouth(c.age, setup.youthAgeLimit) ? '是' : '否'), yesNo);
  tally('academician', (c) => (c.flags.academician ? '是' : '否'), yesNo);
  tally('frontline', (c) => (c.flags.frontline ? '是' : '否'), yesNo);
  return rows;
}
