import { describe, it, expect } from 'vitest';
import {
  checkEmail,
  checkMobile,
  checkOfficePhone,
  checkPassword,
  checkPostcode,
  checkUsername,
  chinaToday,
  emailSchema,
  isValidDate,
  mobileSchema,
  officePhoneSchema,
  passwordSchema,
  postcodeSchema,
  usernameSchema,
} from './validators';

describe('validators', () => {
  it('checks mobile numbers', () => {
    expect(checkMobile('13912345678')).toBeNull();
    expect(checkMobile(' 19912345678 ')).toBeNull();
    expect(checkMobile('12912345678')).toContain('11位数字');
    expect(checkMobile('1391234567')).toContain('手机号码格式不正确');
    expect(checkMobile('')).toBe('请填写手机号码');
  });

  it('checks office phones, accepting landlines with extension and mobiles', () => {
    for (const ok of ['0991-6386020', '09916386020', '0991-6386020-123', '010-12345678', '13912345678']) {
      expect(checkOfficePhone(ok), ok).toBeNull();
    }
    for (const bad of ['6386020', '0991-63860', 'abc', '0991-6386020-']) {
      expect(checkOfficePhone(bad), bad).toContain('0991-6386020');
    }
  });

  it('checks postcodes and emails', () => {
    expect(checkPostcode('830000')).toBeNull();
    expect(checkPostcode('83000')).toContain('6位数字');
    expect(checkPostcode('83000a')).not.toBeNull();
    expect(checkEmail('lu.yao@xjkx.org.cn')).toBeNull();
    expect(checkEmail('lu yao@xjkx.cn')).toContain('格式不正确');
    expect(checkEmail('luyao@xjkx')).not.toBeNull();
    expect(checkEmail('@xjkx.cn')).not.toBeNull();
  });

  it('checks usernames', () => {
    expect(checkUsername('zhang_san01')).toBeNull();
    expect(checkUsername('abc')).toContain('4至32');
    expect(checkUsername('1abc')).toContain('字母开头');
    expect(checkUsername('zhang-san')).toContain('下划线');
    expect(checkUsername('a'.repeat(33))).toContain('4至32');
  });

  it('checks passwords and names the rule', () => {
    expect(checkPassword('abcdef12')).toBeNull();
    expect(checkPassword('12345678!')).toBeNull();
    expect(checkPassword('abcdefgh')).toContain('至少包含字母、数字、符号中的两类');
    expect(checkPassword('12345678')).toContain('两类');
    expect(checkPassword('ab1')).toContain('8至64位');
    expect(checkPassword('a1'.repeat(33))).toContain('8至64位');
  });

  it('checks calendar dates', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2023-02-29')).toBe(false);
    expect(isValidDate('2023-4-1')).toBe(false);
  });

  it('offers zod schemas with the same messages', () => {
    expect(mobileSchema.parse(' 13912345678 ')).toBe('13912345678');
    const bad = mobileSchema.safeParse('123');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe(checkMobile('123'));
    expect(mobileSchema.safeParse(undefined).error?.issues[0]?.message).toBe('请填写手机号码');
    expect(officePhoneSchema.safeParse('0991-6386020').success).toBe(true);
    expect(postcodeSchema.safeParse('8300').success).toBe(false);
    expect(emailSchema.safeParse('a@b.cn').success).toBe(true);
    expect(usernameSchema.safeParse('ab').success).toBe(false);
    expect(passwordSchema.safeParse('password').error?.issues[0]?.message).toBe(checkPassword('password'));
    expect(passwordSchema.safeParse('pass word1').success).toBe(true);
  });
});

describe('chinaToday: the one Asia/Shanghai date (server windows, web 首页, 出生日期 and 身份证号码 checks)', () => {
  it('is the Beijing date of the instant, whatever the host zone', () => {
    expect(chinaToday(new Date('2023-04-30T15:59:59Z'))).toBe('2023-04-30');
    expect(chinaToday(new Date('2023-04-30T16:00:00Z'))).toBe('2023-05-01');
    expect(chinaToday(new Date('2023-12-31T16:00:00Z'))).toBe('2024-01-01');
    const now = new Date();
    expect(chinaToday(now)).toBe(now.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }));
  });
});
