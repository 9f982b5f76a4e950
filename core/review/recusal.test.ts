import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normaliseIdNumber, normaliseMobile, normaliseOrgName, pairKey, recusalPairs, recusalReason } from './recusal';
import type { DeclaredRecusal, RecusalCandidate, RecusalExpert } from './recusal';

const expert: RecusalExpert = { id: 'e1', workUnit: '新疆农业科学院', mobile: '13900000001', idNumber: '650102198001011234' };
const candidate: RecusalCandidate = {
  id: 'c1',
  workUnit: '新疆大学',
  unitName: '乌鲁木齐市科学技术协会',
  mobile: '13800000000',
  idNumber: '65010219800101123X',
};

describe('normaliseOrgName', () => {
  it('removes every kind of whitespace (ASCII, U+3000, no-break, zero-width, tabs, newlines)', () => {
    expect(normaliseOrgName(' 新疆\u3000大学 \u00A0化学\t学院\n\u200B')).toBe('新疆大学化学学院');
  });

  it('turns full-width letters, digits and brackets half-width, and folds Latin case', () => {
    expect(normaliseOrgName('中国科学院新疆理化技术研究所（ＸＪＩＰＣ）')).toBe('中国科学院新疆理化技术研究所(xjipc)');
    expect(normaliseOrgName('新疆第１师医院')).toBe('新疆第1师医院');
    expect(normaliseOrgName('ABC Company')).toBe(normaliseOrgName('ａｂｃ　ｃｏｍｐａｎｙ'));
  });

  it('writes （）〔〕【】［］[] as ()', () => {
    for (const s of [
      '新疆大学（化学学院）',
      '新疆大学〔化学学院〕',
      '新疆大学【化学学院】',
      '新疆大学［化学学院］',
      '新疆大学[化学学院]',
      '新疆大学 ( 化学学院 )',
    ]) {
      expect(normaliseOrgName(s)).toBe('新疆大学(化学学院)');
    }
  });

  it('keeps different names different (no containment: a college is not its university)', () => {
    expect(normaliseOrgName('新疆大学化学学院')).not.toBe(normaliseOrgName('新疆大学'));
  });

  it('is idempotent and never leaves whitespace (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const once = normaliseOrgName(s);
        expect(normaliseOrgName(once)).toBe(once);
        expect(/\s/u.test(once)).toBe(false);
      }),
    );
  });

  it('ignores inserted whitespace and full-width forms of ASCII (property)', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...'abcXYZ019()'.split('')) });
    fc.assert(
      fc.property(ascii, fc.array(fc.constantFrom(' ', '\u3000', '\t', '\u00A0')), (s, spaces) => {
        const fullWidth = [...s].map((ch) => String.fromCodePoint(ch.codePointAt(0)! + 0xfee0)).join('');
        const spaced = [...fullWidth].map((ch, i) => ch + (spaces[i] ?? '')).join('');
        expect(normaliseOrgName(spaced)).toBe(normaliseOrgName(s));
      }),
    );
  });
});

describe('normaliseMobile and normaliseIdNumber', () => {
  it.each([
    '13800000000',
    '138 0000 0000',
    '+86 138 0000 0000',
    '+8613800000000',
    '0086-138-0000-0000',
    '8613800000000',
    '１３８００００００００',
    '(+86) 13800000000',
  ])('%s is 13800000000', (s) => {
    expect(normaliseMobile(s)).toBe('13800000000');
  });

  it('strips 86 only as a country code (13 digits), never from the number itself', () => {
    expect(normaliseMobile('86123')).toBe('86123');
  });

  it('upper-cases the check letter and drops whitespace', () => {
    expect(normaliseIdNumber(' 65010219800101123x ')).toBe('65010219800101123X');
    expect(normaliseIdNumber('６５０１０２１９８００１０１１２３ｘ')).toBe('65010219800101123X');
  });
});

describe('recusalReason', () => {
  it('lets an unrelated expert review', () => {
    expect(recusalReason(expert, candidate)).toBeNull();
    expect(recusalReason(expert, candidate, [])).toBeNull();
  });

  it("同单位: the expert's 工作单位 is the candidate's 单位名称, after normalising", () => {
    const r = recusalReason({ ...expert, workUnit: ' 新疆 大学 ' }, candidate);
    expect(r).toEqual({ code: '同单位', text: '专家工作单位「新疆 大学」与候选人单位名称相同，须回避' });
    expect(recusalReason({ ...expert, workUnit: '新疆大学' }, { ...candidate, workUnit: '新疆\u3000大学' })?.code).toBe('同单位');
  });

  it("同单位: the expert's 工作单位 is the recommending unit", () => {
    const r = recusalReason({ ...expert, workUnit: '乌鲁木齐市科学技术协会' }, candidate);
    expect(r).toEqual({ code: '同单位', text: '专家工作单位「乌鲁木齐市科学技术协会」与候选人的推荐单位相同，须回避' });
  });

  it('同单位: full-width brackets and Latin case do not hide the match', () => {
    const e = { ...expert, workUnit: '中国科学院新疆理化技术研究所(XJIPC)' };
    const c = { ...candidate, workUnit: '中国科学院新疆理化技术研究所（xjipc）' };
    expect(recusalReason(e, c)?.code).toBe('同单位');
  });

  it('blank names never match each other', () => {
    expect(recusalReason({ ...expert, workUnit: '' }, { ...candidate, workUnit: '', unitName: '' })).toBeNull();
    expect(recusalReason({ ...expert, workUnit: '\u3000 ' }, { ...candidate, workUnit: '  ' })).toBeNull();
    expect(recusalReason({ ...expert, workUnit: null }, { ...candidate, workUnit: null, unitName: undefined })).toBeNull();
  });

  it('本人: the same 手机, after removing spaces and +86', () => {
    const r = recusalReason({ ...expert, mobile: '+86 138 0000 0000' }, candidate);
    expect(r).toEqual({ code: '本人', text: '专家即候选人本人（手机号码相同），须回避' });
  });

  it('本人: the same 身份证号码, whatever the case of the X', () => {
    const r = recusalReason({ ...expert, idNumber: '65010219800101123x' }, candidate);
    expect(r).toEqual({ code: '本人', text: '专家即候选人本人（身份证号码相同），须回避' });
  });

  it('blank numbers never match', () => {
    expect(recusalReason({ ...expert, mobile: '', idNumber: '' }, { ...candidate, mobile: '', idNumber: '' })).toBeNull();
    expect(recusalReason({ ...expert, mobile: '+86', idNumber: ' ' }, { ...candidate, mobile: '0086', idNumber: '' })).toBeNull();
  });

  it('申报回避: the expert’s declaration with its reason, for this pair only', () => {
    const declared: DeclaredRecusal[] = [
      { expertId: 'e1', candidateId: 'c2', by: 'expert', reason: '曾为其博士生导师' },
      { expertId: 'e2', candidateId: 'c1', by: 'expert', reason: '合作项目' },
      { expertId: 'e1', candidateId: 'c1', by: 'expert', reason: ' 近三年有共同发表的论文 ' },
    ];
    expect(recusalReason(expert, candidate, declared)).toEqual({ code: '申报回避', text: '专家申报回避：近三年有共同发表的论文' });
    expect(recusalReason(expert, { ...candidate, id: 'c3' }, declared)).toBeNull();
  });

  it('申报回避: the organizer’s declaration, with or without a reason; the expert’s reason is preferred', () => {
    const organizer: DeclaredRecusal = { expertId: 'e1', candidateId: 'c1', by: 'organizer', reason: '' };
    expect(recusalReason(expert, candidate, [organizer])).toEqual({ code: '申报回避', text: '自治区科协指定回避' });
    expect(recusalReason(expert, candidate, [{ ...organizer, reason: '亲属关系' }])?.text).toBe('自治区科协指定回避：亲属关系');
    const both = [organizer, { expertId: 'e1', candidateId: 'c1', by: 'expert' as const, reason: '同一课题组' }];
    expect(recusalReason(expert, candidate, both)?.text).toBe('专家申报回避：同一课题组');
  });

  it('本人 wins over 同单位, which wins over 申报回避', () => {
    const declared: DeclaredRecusal[] = [{ expertId: 'e1', candidateId: 'c1', by: 'expert', reason: 'x' }];
    const sameUnit = { ...expert, workUnit: '新疆大学' };
    expect(recusalReason(sameUnit, candidate, declared)?.code).toBe('同单位');
    expect(recusalReason({ ...sameUnit, mobile: '13800000000' }, candidate, declared)?.code).toBe('本人');
  });
});

describe('recusalPairs', () => {
  it('lists every recused pair with its reason, keyed by pairKey, and only those', () => {
    const experts: RecusalExpert[] = [
      { id: 'e1', workUnit: '新疆大学' },
      { id: 'e2', workUnit: '石河子大学', mobile: '13800000002' },
      { id: 'e3', workUnit: '塔里木大学' },
    ];
    const candidates: RecusalCandidate[] = [
      { id: 'c1', workUnit: '新疆大学', unitName: '新疆大学科协' },
      { id: 'c2', workUnit: '喀什大学', unitName: '石河子大学', mobile: '13800000009' },
      { id: 'c3', workUnit: '新疆医科大学', unitName: '新疆医学会', mobile: '138 0000 0002' },
    ];
    const declared: DeclaredRecusal[] = [
      { expertId: 'e3', candidateId: 'c1', by: 'expert', reason: '师生关系' },
      { expertId: 'e9', candidateId: 'c1', by: 'organizer' },
    ];
    const pairs = recusalPairs(experts, candidates, declared);
    expect([...pairs.entries()].map(([k, r]) => [k, r.code])).toEqual([
      [pairKey('e1', 'c1'), '同单位'],
      [pairKey('e2', 'c2'), '同单位'],
      [pairKey('e2', 'c3'), '本人'],
      [pairKey('e3', 'c1'), '申报回避'],
    ]);
  });

  it('agrees with recusalReason on every pair (property)', () => {
    const units = ['新疆大学', '新疆 大学', '石河子大学', '（自治区）农科院', '(自治区)农科院', ''];
    const phones = ['13800000000', '+86 13800000000', '13900000000', ''];
    const person = (prefix: string) =>
      fc.record({ id: fc.constantFrom(`${prefix}1`, `${prefix}2`, `${prefix}3`), workUnit: fc.constantFrom(...units), mobile: fc.constantFrom(...phones) });
    fc.assert(
      fc.property(
        fc.uniqueArray(person('e'), { selector: (e) => e.id, maxLength: 3 }),
        fc.uniqueArray(
          person('c').map((c) => ({ ...c, unitName: c.workUnit.split('').reverse().join('') })),
          { selector: (c) => c.id, maxLength: 3 },
        ),
        fc.array(
          fc.record({
            expertId: fc.constantFrom('e1', 'e2'),
            candidateId: fc.constantFrom('c1', 'c3'),
            by: fc.constantFrom('expert' as const, 'organizer' as const),
          }),
        ),
        (experts, candidates, declared) => {
          const pairs = recusalPairs(experts, candidates, declared);
          for (const e of experts) {
            for (const c of candidates) {
              expect(pairs.get(pairKey(e.id, c.id)) ?? null).toEqual(recusalReason(e, c, declared));
            }
          }
        },
      ),
    );
  });
});
