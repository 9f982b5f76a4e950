import { describe, it, expect } from 'vitest';
import { checkEligibility } from './eligibility';

const clean = {
  worksInXinjiang: true,
  isAcademician: true,
  previousWinner: false,
  activeMilitary: false,
  civilServant: false,
  seniorOfficial: false,
  nationalHonour: false,
  zuimeiTitle: false,
};

describe('checkEligibility', () => {
  it('neither refuses nor flags an eligible candidate (academicians included) or an unanswered form', () => {
    expect(checkEligibility(clean)).toEqual({ refused: [], flags: [] });
    expect(checkEligibility({})).toEqual({ refused: [], flags: [] });
  });

  it('refuses people not working in Xinjiang', () => {
    const r = checkEligibility({ ...clean, worksInXinjiang: false });
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]).toContain('评选在新疆工作的科技工作者中开展');
  });

  it('refuses previous winners', () => {
    expect(checkEligibility({ ...clean, previousWinner: true }).refused).toEqual(['往年获评“新疆最美科技工作者”人员不再推荐']);
  });

  it('refuses a previous winner found in the earlier years’ results, naming the year, whatever the form answers', () => {
    const found = { previousWinYears: [2023] };
    const message = '经核查，申报人已获评2023年“新疆最美科技工作者”：往年获评“新疆最美科技工作者”人员不再推荐';
    expect(checkEligibility({ ...clean, previousWinner: false }, found).refused).toEqual([message]);
    expect(checkEligibility({ ...clean, previousWinner: true }, found).refused).toEqual([message]);
    expect(checkEligibility(clean, { previousWinYears: [2023, 2025] }).refused[0]).toContain('2023年、2025年');
    expect(checkEligibility(clean, { previousWinYears: [] }).refused).toEqual([]);
  });

  it.each([
    ['activeMilitary', '现役军人'],
    ['civilServant', '公务员'],
    ['seniorOfficial', '厅局级以上'],
  ] as const)('refuses %s quoting the exclusion rule', (key, word) => {
    const r = checkEligibility({ ...clean, [key]: true });
    expect(r.refused).toHaveLength(1);
    expect(r.refused[0]).toContain(word);
    expect(r.refused[0]).toContain('不包括现役军人、公务员和参照公务员法管理的党政机关现任厅局级以上行政职务者');
    expect(r.flags).toEqual([]);
  });

  it('flags national honours and 最美 titles without refusing', () => {
    const honour = checkEligibility({ ...clean, nationalHonour: true });
    expect(honour.refused).toEqual([]);
    expect(honour.flags).toHaveLength(1);
    expect(honour.flags[0]).toContain('原则上不再推荐');
    const both = checkEligibility({ ...clean, nationalHonour: true, zuimeiTitle: true });
    expect(both.flags).toHaveLength(2);
    expect(both.flags[1]).toContain('中宣部“最美”系列称号');
  });

  it('collects several refusals at once', () => {
    const r = checkEligibility({ ...clean, previousWinner: true, civilServant: true, worksInXinjiang: false });
    expect(r.refused).toHaveLength(3);
  });
});
