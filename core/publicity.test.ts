import { describe, expect, it } from 'vitest';
import { chineseDate, daysBetween, objectionDecisionSchema, objectionInputSchema, PUBLICITY_LIMITS, publicityInputSchema, publicityPhase } from './publicity';

const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const valid = {
  title: '初评结果公示',
  startsOn: '2023-04-20',
  endsOn: '2023-04-25',
  contactName: '王老师',
  contactPhone: '0991-6386020',
  objectionMethod: '实名书面反映',
  entries: [
    { applicationId: ID1, summary: '简介一' },
    { applicationId: ID2, summary: '简介二' },
  ],
};
const messages = (schema: { safeParse(v: unknown): { error?: { issues: { path: PropertyKey[]; message: string }[] } } }, v: unknown) =>
  schema.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}:${i.message}`) ?? [];

describe('公示: the body of 发布公示 / 更正公示', () => {
  it('takes a whole notice, trimmed, ids lower-cased', () => {
    const parsed = publicityInputSchema.parse({ ...valid, title: '  初评结果公示 ', entries: [{ applicationId: ID1.toUpperCase(), summary: ' 简介 ' }] });
    expect(parsed.title).toBe('初评结果公示');
    expect(parsed.entries).toEqual([{ applicationId: ID1, summary: '简介' }]);
    // a one-day period, a mobile as the contact phone
    expect(publicityInputSchema.safeParse({ ...valid, endsOn: valid.startsOn, contactPhone: '13609901234' }).success).toBe(true);
  });

  it('names each problem: dates, order, length of the period, lengths, phone, candidates, duplicates', () => {
    expect(messages(publicityInputSchema, { ...valid, startsOn: '2023-02-30' })).toEqual([
      'startsOn:公示开始日期不是有效日期，应为YYYY-MM-DD格式，如2023-04-20',
    ]);
    expect(messages(publicityInputSchema, { ...valid, startsOn: '2023-04-26' })).toEqual(['endsOn:公示结束日期（2023-04-25）不能早于开始日期（2023-04-26）']);
    expect(messages(publicityInputSchema, { ...valid, endsOn: '2023-07-18' })).toEqual([]); // the 90th day
    expect(messages(publicityInputSchema, { ...valid, endsOn: '2023-07-20' })).toEqual([
      `endsOn:公示期不能超过${PUBLICITY_LIMITS.periodDays}天，请调整结束日期`,
    ]);
    expect(messages(publicityInputSchema, { ...valid, title: '标'.repeat(101) })).toEqual(['title:公示标题不能超过100字']);
    expect(messages(publicityInputSchema, { ...valid, contactPhone: '6386020' })[0]).toContain('联系电话格式不正确');
    expect(messages(publicityInputSchema, { ...valid, objectionMethod: ' ' })).toEqual(['objectionMethod:请填写受理异议的方式']);
    expect(messages(publicityInputSchema, { ...valid, entries: [] })).toEqual(['entries:请至少选择一名公示的候选人']);
    expect(messages(publicityInputSchema, { ...valid, entries: [valid.entries[0], valid.entries[0]] })).toEqual([
      'entries.1.applicationId:第2名候选人重复，每名候选人只能公示一次',
    ]);
    expect(messages(publicityInputSchema, { ...valid, entries: [{ applicationId: ID1, summary: '简'.repeat(301) }] })).toEqual([
      'entries.0.summary:事迹简介不能超过300字',
    ]);
    expect(messages(publicityInputSchema, { ...valid, entries: [{ applicationId: 'x', summary: '简' }] })).toEqual([
      'entries.0.applicationId:候选人不正确，请重新选择',
    ]);
    expect(messages(publicityInputSchema, { ...valid, title: 'a\u0000b' })[0]).toContain('公示标题含有无法识别的字符');
  });
});

describe('异议 and 核实', () => {
  it('the form: 姓名, 手机, a 6-digit code, the candidate, the content', () => {
    const form = { name: '张三', mobile: '13677776666', code: '012345', entry: 1, content: '异议' };
    expect(objectionInputSchema.parse(form)).toEqual(form);
    expect(messages(objectionInputSchema, { ...form, mobile: '1367777666' })[0]).toContain('手机格式不正确');
    expect(messages(objectionInputSchema, { ...form, code: '12345' })).toEqual(['code:短信验证码应为6位数字']);
    expect(messages(objectionInputSchema, { ...form, entry: 0 })).toEqual(['entry:请选择异议涉及的候选人']);
    expect(messages(objectionInputSchema, { ...form, content: '异'.repeat(2001) })).toEqual(['content:异议内容不能超过2000字']);
  });

  it('核实: 异议成立 or 异议不成立 with 核实情况', () => {
    expect(objectionDecisionSchema.parse({ conclusion: 'upheld', finding: ' 属实 ' })).toEqual({ conclusion: 'upheld', finding: '属实' });
    expect(messages(objectionDecisionSchema, { conclusion: 'open', finding: '属实' })[0]).toContain('请选择核实结论');
    expect(messages(objectionDecisionSchema, { conclusion: 'rejected', finding: '' })).toEqual(['finding:请填写核实情况']);
  });
});

describe('dates of a 公示', () => {
  it('the period is inclusive: 公示中 on its last day, 已期满 the day after', () => {
    const p = { status: 'published', startsOn: '2023-04-20', endsOn: '2023-04-25' };
    expect(publicityPhase(p, '2023-04-19')).toBe('未开始');
    expect(publicityPhase(p, '2023-04-20')).toBe('公示中');
    expect(publicityPhase(p, '2023-04-25')).toBe('公示中');
    expect(publicityPhase(p, '2023-04-26')).toBe('已期满');
    expect(publicityPhase({ ...p, status: 'withdrawn' }, '2023-04-22')).toBe('已撤回');
    expect(daysBetween('2023-02-28', '2023-03-01')).toBe(1);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(chineseDate('2023-04-05')).toBe('2023年4月5日');
  });
});
