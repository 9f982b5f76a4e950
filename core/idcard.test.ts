import { describe, it, expect } from 'vitest';
import { ageAt, checkIdAgainst, maskIdNumber, parseIdNumber } from './idcard';

// Independent implementation of the GB 11643 check character, so the test does not trust the code under test.
function withCheck(body17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body17.split('').reduce((acc, c, i) => acc + Number(c) * w[i]!, 0);
  return body17 + '10X98765432'[sum % 11];
}

const TODAY = '2024-06-01';
const MALE = withCheck('65010219800501001'); // 17th digit 1 → 男
const FEMALE = withCheck('65010219921231002'); // 17th digit 2 → 女

describe('parseIdNumber', () => {
  it('accepts a valid number and extracts birth date, gender and region', () => {
    const r = parseIdNumber(MALE, TODAY);
    expect(r).toEqual({ ok: true, id: MALE, birthDate: '1980-05-01', gender: '男', regionCode: '650102' });
    const f = parseIdNumber(FEMALE, TODAY);
    expect(f.ok && f.gender).toBe('女');
    expect(f.ok && f.birthDate).toBe('1992-12-31');
  });

  it('trims and accepts a lowercase x check character', () => {
    let body = '';
    for (let seq = 0; seq < 1000 && !body; seq++) {
      const candidate = `11010519750811${String(seq).padStart(3, '0')}`;
      if (withCheck(candidate).endsWith('X')) body = candidate;
    }
    expect(body).not.toBe('');
    const lower = `  ${withCheck(body).toLowerCase()} `;
    const r = parseIdNumber(lower, TODAY);
    expect(r.ok).toBe(true);
    expect(r.ok && r.id).toBe(withCheck(body));
    expect(r.ok && r.id.endsWith('X')).toBe(true);
  });

  it('refuses a wrong check character', () => {
    const last = MALE[17] === '0' ? '1' : '0';
    const r = parseIdNumber(MALE.slice(0, 17) + last, TODAY);
    expect(r).toEqual({ ok: false, message: '身份证号码校验位不正确，请核对后重新填写' });
  });

  it('refuses 15-digit legacy numbers with a specific message', () => {
    const r = parseIdNumber('650102800501001', TODAY);
    expect(r).toEqual({ ok: false, message: '不支持15位旧身份证号码，请填写18位身份证号码' });
  });

  it('refuses wrong length and characters', () => {
    const short = parseIdNumber('6501021980050100', TODAY);
    expect(short.ok).toBe(false);
    expect(!short.ok && short.message).toContain('18位');
    const letters = parseIdNumber('65010219800501A01X', TODAY);
    expect(letters.ok).toBe(false);
    expect(!letters.ok && letters.message).toContain('前17位应为数字');
    expect(parseIdNumber('', TODAY).ok).toBe(false);
  });

  it('refuses impossible, future and pre-1900 birth dates even with a correct checksum', () => {
    const feb30 = parseIdNumber(withCheck('65010219800230001'), TODAY);
    expect(feb30.ok).toBe(false);
    expect(!feb30.ok && feb30.message).toContain('19800230');
    const future = parseIdNumber(withCheck('65010220300101001'), TODAY);
    expect(future.ok).toBe(false);
    expect(!future.ok && future.message).toContain('合理范围');
    expect(parseIdNumber(withCheck('65010218991231001'), TODAY).ok).toBe(false);
    // A date only in the future relative to the reference day.
    expect(parseIdNumber(withCheck('65010220240602001'), TODAY).ok).toBe(false);
    expect(parseIdNumber(withCheck('65010220240601001'), TODAY).ok).toBe(true);
  });
});

describe('checkIdAgainst', () => {
  it('is silent when birth date and gender agree', () => {
    expect(checkIdAgainst(MALE, '1980-05-01', '男')).toEqual([]);
    expect(checkIdAgainst(MALE)).toEqual([]);
  });

  it('reports a mismatched birth date with the date in the ID', () => {
    expect(checkIdAgainst(MALE, '1980-05-02', '男')).toEqual(['出生日期与身份证号码不一致：身份证号码中为1980-05-01']);
  });

  it('reports a mismatched gender', () => {
    expect(checkIdAgainst(FEMALE, '1992-12-31', '男')).toEqual(['性别与身份证号码不一致：身份证号码中为女']);
  });

  it('reports nothing for an invalid ID (its own error is shown elsewhere)', () => {
    expect(checkIdAgainst('123', '1980-05-02', '女')).toEqual([]);
  });
});

describe('maskIdNumber and ageAt', () => {
  it('masks the middle ten characters', () => {
    expect(maskIdNumber('65010219800501123X')).toBe('6501**********123X');
    expect(maskIdNumber(MALE)).toHaveLength(18);
    expect(maskIdNumber(MALE)).not.toContain('19800501');
  });

  it('counts full years', () => {
    expect(ageAt('1980-05-30', '2023-05-30')).toBe(43);
    expect(ageAt('1980-05-31', '2023-05-30')).toBe(42);
    expect(ageAt('1978-05-31', '2023-05-30')).toBe(44);
    expect(ageAt('1978-01-01', '2023-05-30')).toBe(45);
  });
});
