import { describe, it, expect } from 'vitest';
import { applicantRegisterSchema } from './accounts';
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

  it('checks passwords by the policy: 8+ characters from 3 of 4 classes, no common password, not the name', () => {
    expect(checkPassword('abcdEF12')).toBeNull();
    expect(checkPassword('12345678a!')).toBeNull();
    expect(checkPassword('Xinjiang#Kx7')).toBeNull();
    // two classes: says which it has and which it lacks
    expect(checkPassword('abcdef12')).toBe(
      '密码过于简单：目前只包含小写字母、数字，还须加入大写字母或符号中的一类（密码应为8至64位，至少包含大写字母、小写字母、数字、符号四类中的三类，且不能是常见密码或与用户名相同）',
    );
    expect(checkPassword('abcdefgh')).toContain('目前只包含小写字母，还须加入大写字母或数字或符号中的两类');
    expect(checkPassword('ab1')).toContain('8至64位');
    expect(checkPassword('Aa1!'.repeat(17))).toContain('8至64位');
    // the common passwords Chinese users favour pass the classes and are refused by the list, in any case
    for (const common of ['Aa123456', 'Woaini1314', 'Qq123456', 'P@ssw0rd', 'Admin@123', '1qaz@WSX', 'AA123456']) {
      expect(checkPassword(common), common).toContain('常见密码');
    }
    expect(checkPassword('Zhang_san1', 'zhang_san1')).toContain('不能与用户名相同');
    expect(checkPassword('Zhang_san1', 'lisi')).toBeNull();
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
    expect(
      applicantRegisterSchema
        .safeParse({ username: 'Zhang_san1', password: 'Zhang_san1', realName: '张三', mobile: '13912345678', email: 'z@x.cn', captcha: '1234' })
        .error?.issues.find((i) => i.path[0] === 'password')?.message,
    ).toContain('用户名');
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
