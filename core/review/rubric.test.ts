import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultRubric, failedGates, hasOneDecimal, rubricSchema, scoreSheetSchema, sheetTotal } from './rubric';
import type { Rubric } from './rubric';

const messages = (r: { success: boolean; error?: { issues: { message: string; path: PropertyKey[] }[] } }) =>
  r.success ? [] : r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('the default rubric', () => {
  it('follows 四、评选标准: 政治过硬 a gate, then 业绩突出 50, 事迹感人 30, 典型性与代表性 20', () => {
    const r = defaultRubric();
    expect(r.criteria.map((c) => [c.name, c.kind, c.maxScore])).toEqual([
      ['政治过硬', 'gate', 0],
      ['业绩突出', 'score', 50],
      ['事迹感人', 'score', 30],
      ['典型性与代表性', 'score', 20],
    ]);
    expect(r.criteria.reduce((s, c) => s + c.maxScore, 0)).toBe(100);
    expect(r.criteria[0]!.description).toContain('拥护中国共产党的领导');
    expect(r.criteria[2]!.description).toContain('适合公开宣传');
  });

  it('passes its own schema, and each call returns a fresh copy', () => {
    expect(rubricSchema.safeParse(defaultRubric()).success).toBe(true);
    const a = defaultRubric();
    a.criteria[1]!.maxScore = 1;
    expect(defaultRubric().criteria[1]!.maxScore).toBe(50);
  });
});

describe('rubricSchema', () => {
  const base = defaultRubric();
  const withCriteria = (criteria: unknown[]) => rubricSchema.safeParse({ criteria });

  it('requires the score maxima to sum to 100, showing the sum', () => {
    const r = withCriteria(base.criteria.map((c) => (c.key === 'story' ? { ...c, maxScore: 40 } : c)));
    expect(messages(r)).toEqual(['criteria: 各打分项的满分之和应为100分（现为业绩突出50+事迹感人40+典型性与代表性20=110分）']);
  });

  it('refuses a gate with points, a score criterion without a whole maximum, duplicates, and bad keys', () => {
    expect(messages(withCriteria([{ ...base.criteria[0]!, maxScore: 10 }, ...base.criteria.slice(1)]))).toContain(
      'criteria.0.maxScore: 「政治过硬」是是否项，不计分，满分应为0',
    );
    expect(messages(withCriteria([base.criteria[0], { ...base.criteria[1]!, maxScore: 49.5 }, base.criteria[2], base.criteria[3]]))).toContain(
      'criteria.1.maxScore: 「业绩突出」的满分应为1至100之间的整数',
    );
    expect(messages(withCriteria([...base.criteria, { ...base.criteria[3]!, maxScore: 0 }]))).toEqual(
      expect.arrayContaining(['criteria.4.key: 评分项代码「typical」重复', 'criteria.4.name: 评分项「典型性与代表性」重复']),
    );
    expect(messages(withCriteria([{ ...base.criteria[0]!, key: 'Political' }, ...base.criteria.slice(1)]))).toContain(
      'criteria.0.key: 评分项代码应为小写字母开头的字母、数字或下划线，不超过32个字符',
    );
  });

  it('needs at least one score criterion', () => {
    expect(messages(withCriteria([base.criteria[0]]))).toEqual(['criteria: 评分标准至少要有一个打分项']);
    expect(messages(withCriteria([]))).toEqual(['criteria: 评分标准至少要有一个打分项']);
  });

  it('accepts another split of 100 and several gates', () => {
    const r: Rubric = {
      criteria: [
        { key: 'political', name: '政治过硬', description: '', kind: 'gate', maxScore: 0 },
        { key: 'integrity', name: '学术诚信', description: '', kind: 'gate', maxScore: 0 },
        { key: 'all', name: '综合评价', description: '', kind: 'score', maxScore: 100 },
      ],
    };
    expect(rubricSchema.safeParse(r).success).toBe(true);
  });
});

describe('scoreSheetSchema', () => {
  const rubric = defaultRubric();
  const submit = scoreSheetSchema(rubric, 'submit');
  const draft = scoreSheetSchema(rubric, 'draft');
  const full = { scores: { achievement: 45.5, story: 27, typical: 18.2 }, gates: { political: true }, comment: '事迹扎实' };

  it('accepts a complete sheet with one decimal, and normalises floating tails', () => {
    expect(submit.parse(full)).toEqual(full);
    expect(submit.parse({ ...full, scores: { ...full.scores, typical: 0.1 + 0.2 } }).scores.typical).toBe(0.3);
  });

  it('names the criterion and its range when a score is out of range', () => {
    expect(messages(submit.safeParse({ ...full, scores: { ...full.scores, achievement: 51 } }))).toEqual(['scores.achievement: 业绩突出的分数须在0到50之间']);
    expect(messages(submit.safeParse({ ...full, scores: { ...full.scores, story: -1 } }))).toEqual(['scores.story: 事迹感人的分数须在0到30之间']);
  });

  it('allows at most one decimal, and numbers only', () => {
    expect(messages(submit.safeParse({ ...full, scores: { ...full.scores, typical: 18.25 } }))).toEqual([
      'scores.typical: 典型性与代表性的分数最多保留一位小数',
    ]);
    expect(messages(submit.safeParse({ ...full, scores: { ...full.scores, typical: '18' } }))).toEqual(['scores.typical: 典型性与代表性的分数须为数字']);
    expect(messages(submit.safeParse({ ...full, scores: { ...full.scores, typical: Number.NaN } }))).toEqual(['scores.typical: 典型性与代表性的分数须为数字']);
  });

  it('at 提交, every score and every gate is required; at 保存, blanks are fine and come out null', () => {
    expect(messages(submit.safeParse({ scores: { achievement: 40 }, gates: {} }))).toEqual([
      'gates.political: 请选择政治过硬：是或否',
      'scores.story: 请填写事迹感人的分数',
      'scores.typical: 请填写典型性与代表性的分数',
    ]);
    expect(draft.parse({ scores: { achievement: 40, story: null } })).toEqual({
      scores: { achievement: 40, story: null, typical: null },
      gates: { political: null },
    });
    expect(draft.parse({})).toEqual({ scores: { achievement: null, story: null, typical: null }, gates: { political: null } });
  });

  it('a gate is 是 or 否 only', () => {
    expect(messages(submit.safeParse({ ...full, gates: { political: 'yes' } }))).toEqual(['gates.political: 政治过硬只能选择是或否']);
    expect(submit.parse({ ...full, gates: { political: false } }).gates.political).toBe(false);
  });

  it('refuses unknown criteria, criteria in the wrong section, and unknown fields', () => {
    expect(messages(submit.safeParse({ ...full, scores: { ...full.scores, bonus: 5 } }))).toEqual(['scores.bonus: 评分标准中没有评分项「bonus」']);
    expect(messages(submit.safeParse({ ...full, scores: { ...full.scores, political: 5 } }))).toEqual([
      'scores.political: 「政治过硬」是是否项，请选择是或否，不打分',
    ]);
    expect(messages(submit.safeParse({ ...full, gates: { political: true, story: true } }))).toEqual(['gates.story: 「事迹感人」是打分项，请填写分数']);
    expect(messages(submit.safeParse({ ...full, total: 90 }))).toEqual([': 评分表中有无法识别的内容：total']);
  });

  it('limits the comment to 500 characters and refuses control characters in it', () => {
    expect(submit.safeParse({ ...full, comment: '好'.repeat(500) }).success).toBe(true);
    expect(messages(submit.safeParse({ ...full, comment: '好'.repeat(501) }))).toEqual(['comment: 评语不能超过500字']);
    expect(messages(submit.safeParse({ ...full, comment: 'a\u0000b' }))[0]).toContain('评语含有无法识别的字符');
  });

  it('accepts exactly the one-decimal scores within range (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20, max: 520 }), fc.integer({ min: 0, max: 9 }), (tenths, extra) => {
        const value = tenths / 10 + extra / 100;
        const r = submit.safeParse({ ...full, scores: { ...full.scores, achievement: value } });
        const expected = value >= 0 && value <= 50 && extra === 0;
        expect(r.success).toBe(expected);
        if (r.success) expect(r.data.scores.achievement).toBe(tenths / 10);
      }),
    );
  });
});

describe('sheetTotal and failedGates', () => {
  const rubric = defaultRubric();

  it('adds the score criteria exactly in tenths; gates score nothing, blanks count 0', () => {
    // 45.1 + 27.3 + 18.2 = 90.6 (in binary floating point the plain sum is 90.60000000000001)
    expect(45.1 + 27.3 + 18.2).not.toBe(90.6);
    expect(sheetTotal(rubric, { scores: { achievement: 45.1, story: 27.3, typical: 18.2 } })).toBe(90.6);
    expect(sheetTotal(rubric, { scores: { achievement: 40, story: null } })).toBe(40);
    expect(sheetTotal(rubric, { scores: { political: 99, achievement: 1 } })).toBe(1);
    expect(sheetTotal(rubric, { scores: {} })).toBe(0);
  });

  it('the total of a valid sheet is at most 100 and has one decimal (property)', () => {
    const tenths = (max: number) => fc.integer({ min: 0, max: max * 10 }).map((t) => t / 10);
    fc.assert(
      fc.property(tenths(50), tenths(30), tenths(20), (achievement, story, typical) => {
        const total = sheetTotal(rubric, { scores: { achievement, story, typical } });
        expect(total).toBeLessThanOrEqual(100);
        expect(hasOneDecimal(total)).toBe(true);
        expect(total).toBe(Math.round((achievement + story + typical) * 10) / 10);
      }),
    );
  });

  it('lists the gates answered 否', () => {
    expect(failedGates(rubric, { gates: { political: false } }).map((c) => c.name)).toEqual(['政治过硬']);
    expect(failedGates(rubric, { gates: { political: true } })).toEqual([]);
    expect(failedGates(rubric, { gates: { political: null } })).toEqual([]);
  });
});
