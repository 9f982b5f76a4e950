import { describe, it, expect } from 'vitest';
import {
  DEGREES,
  EDUCATION_LEVELS,
  ETHNIC_GROUPS,
  POLITICAL_STATUSES,
  RECOMMEND_FIELDS,
  REGIONS,
  ROLE_LABELS,
  ROLES,
  UNIT_STATUS_LABELS,
  UNIT_STATUSES,
  UNIT_TYPES,
} from './codes';

describe('code tables', () => {
  it('has the 56 ethnic groups, unique, in GB 3304 order', () => {
    expect(ETHNIC_GROUPS).toHaveLength(56);
    expect(new Set(ETHNIC_GROUPS).size).toBe(56);
    expect(ETHNIC_GROUPS[0]).toBe('汉族');
    expect(ETHNIC_GROUPS[4]).toBe('维吾尔族');
    expect(ETHNIC_GROUPS[16]).toBe('哈萨克族');
    expect(ETHNIC_GROUPS[55]).toBe('基诺族');
    expect(ETHNIC_GROUPS.every((g) => g.endsWith('族'))).toBe(true);
  });

  it('has Xinjiang’s 14 prefecture-level divisions plus 自治区级', () => {
    expect(REGIONS).toHaveLength(15);
    expect(new Set(REGIONS).size).toBe(15);
    expect(REGIONS[0]).toBe('乌鲁木齐市');
    expect(REGIONS[13]).toBe('阿勒泰地区');
    expect(REGIONS[14]).toBe('自治区级');
  });

  it('has the other tables without duplicates', () => {
    for (const table of [POLITICAL_STATUSES, EDUCATION_LEVELS, DEGREES, UNIT_TYPES, RECOMMEND_FIELDS]) {
      expect(new Set(table).size).toBe(table.length);
    }
    expect(POLITICAL_STATUSES).toHaveLength(13);
    expect(RECOMMEND_FIELDS).toHaveLength(5);
    expect(UNIT_TYPES).toHaveLength(5);
  });

  it('labels every role and unit status', () => {
    expect(ROLES.map((r) => ROLE_LABELS[r])).toEqual(['申报人', '推荐单位', '自治区科协', '评审专家']);
    expect(UNIT_STATUSES.map((s) => UNIT_STATUS_LABELS[s])).toEqual(['待审核', '已通过', '未通过', '已停用']);
  });
});
