import { describe, expect, it } from 'vitest';
import { defaultCampaignSettings } from '../campaign';
import { ageOn, campaignConstraints, countLimit, describeConstraint, isYouth, percent } from './constraints';
import type { SelectionConstraint } from './types';

describe('ageOn', () => {
  it('counts the birthday on the reference date, not the day before', () => {
    expect(ageOn('1978-05-30', '2023-05-30')).toBe(45);
    expect(ageOn('1978-05-30', '2023-05-29')).toBe(44);
    expect(ageOn('1978-05-31', '2023-05-30')).toBe(44);
    expect(ageOn('1977-05-31', '2023-05-30')).toBe(45);
  });

  it('someone born on 29 February is a year older on 1 March of a common year, and on 29 February of a leap year', () => {
    expect(ageOn('2000-02-29', '2023-02-28')).toBe(22);
    expect(ageOn('2000-02-29', '2023-03-01')).toBe(23);
    expect(ageOn('2000-02-29', '2024-02-28')).toBe(23);
    expect(ageOn('2000-02-29', '2024-02-29')).toBe(24);
  });

  it('gives NaN for a date that is not YYYY-MM-DD, which is never youth', () => {
    expect(ageOn('1978/05/30', '2023-05-30')).toBeNaN();
    expect(isYouth(ageOn('', '2023-05-30'), 45)).toBe(false);
  });
});

describe('isYouth', () => {
  it('"45岁以下" includes 45 (民法典 第1259条), not 46', () => {
    expect(isYouth(44, 45)).toBe(true);
    expect(isYouth(45, 45)).toBe(true);
    expect(isYouth(46, 45)).toBe(false);
    // the reference date decides: born 1978-05-30 is 45 on 2023-05-30 (youth) and 46 on 2024-05-30 (not)
    expect(isYouth(ageOn('1978-05-30', '2023-05-30'), 45)).toBe(true);
    expect(isYouth(ageOn('1977-05-30', '2023-05-30'), 45)).toBe(false);
    expect(isYouth(ageOn('1977-05-31', '2023-05-30'), 45)).toBe(true);
  });
});

describe('countLimit', () => {
  it('a max share allows ⌊b·size⌋, a min share needs ⌈b·size⌉, binary fractions forgiven', () => {
    expect(countLimit({ op: 'max', measure: 'share', bound: 0.1 }, 20)).toBe(2);
    expect(countLimit({ op: 'max', measure: 'share', bound: 0.1 }, 25)).toBe(2);
    expect(countLimit({ op: 'min', measure: 'share', bound: 0.2 }, 20)).toBe(4);
    expect(countLimit({ op: 'min', measure: 'share', bound: 0.2 }, 21)).toBe(5);
    // 0.7 × 10 = 7.000000000000001 in binary: still 7, not 8; 0.3 × 10 = 3.0000000000000004: 3 allowed
    expect(countLimit({ op: 'min', measure: 'share', bound: 0.7 }, 10)).toBe(7);
    expect(countLimit({ op: 'max', measure: 'share', bound: 0.3 }, 10)).toBe(3);
    expect(countLimit({ op: 'min', measure: 'count', bound: 3 }, 20)).toBe(3);
  });
});

describe('campaignConstraints and describeConstraint', () => {
  it("starts with the notice's two from the campaign settings, then the organizer's", () => {
    const s = defaultCampaignSettings(2026);
    const extra: SelectionConstraint = { id: 'women', attribute: 'gender', value: '女', op: 'min', measure: 'count', bound: 3, of: 'winners' };
    s.selection.constraints = [extra];
    s.academicianMaxRatio = 0.15;
    const cs = campaignConstraints(s);
    expect(cs.map((c) => c.id)).toEqual(['academician', 'youth', 'women']);
    expect(cs.map((c) => describeConstraint(c, s.youthAgeLimit))).toEqual(['院士 ≤ 15%', '45岁以下 ≥ 20%', '性别为女 至少3人']);
    expect(describeConstraint(cs[1]!, 40)).toBe('40岁以下 ≥ 20%');
  });

  it('describes each kind, and a label replaces the description', () => {
    const d = (c: Omit<SelectionConstraint, 'id'>) => describeConstraint({ id: 'x', ...c }, 45);
    expect(d({ attribute: 'field', each: true, op: 'min', measure: 'count', bound: 1, of: 'winners' })).toBe('每个推荐领域至少1人');
    expect(d({ attribute: 'unit', each: true, op: 'max', measure: 'count', bound: 2, of: 'winners' })).toBe('每个推荐单位至多2人');
    expect(d({ attribute: 'unit', each: true, op: 'max', measure: 'share', bound: 0.25, of: 'winners' })).toBe('每个推荐单位 ≤ 25%');
    expect(d({ attribute: 'frontline', op: 'min', measure: 'count', bound: 5, of: 'winners' })).toBe('基层一线 至少5人');
    expect(d({ attribute: 'academician', op: 'max', measure: 'share', bound: 0.1, of: 'nationals' })).toBe('全国推荐：院士 ≤ 10%');
    expect(d({ attribute: 'frontline', op: 'min', measure: 'count', bound: 5, of: 'winners', label: '向基层一线倾斜' })).toBe('向基层一线倾斜');
  });

  it('percent keeps at most one decimal', () => {
    expect([percent(0.15), percent(0.125), percent(2 / 3), percent(1)]).toEqual(['15%', '12.5%', '66.7%', '100%']);
  });
});
