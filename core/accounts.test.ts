import { describe, it, expect } from 'vitest';
import { applicantRegisterSchema, loginSchema, recoverResetSchema, recoverSendSchema, unitCreateSchema, unitRegisterSchema } from './accounts';

const messages = (r: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  Object.fromEntries((r.error?.issues ?? []).map((i) => [String(i.path[0]), i.message]));

describe('account schemas', () => {
  it('login requires each field with its own message', () => {
    expect(messages(loginSchema.safeParse({}))).toEqual({ username: '请输入用户名', password: '请输入密码', captcha: '请输入验证码' });
    expect(messages(loginSchema.safeParse({ username: ' ', password: '', captcha: '' }))).toEqual({
      username: '请输入用户名',
      password: '请输入密码',
      captcha: '请输入验证码',
    });
    expect(loginSchema.safeParse({ username: 'zhangsan', password: 'x', captcha: '47980' }).success).toBe(true);
  });

  it('applicant registration validates every field', () => {
    const ok = { username: 'zhangsan', password: 'Abc12345x', realName: '张三', mobile: '13912345678', email: 'z@x.cn', captcha: '1234' };
    expect(applicantRegisterSchema.safeParse(ok).success).toBe(true);
    const m = messages(applicantRegisterSchema.safeParse({ ...ok, password: 'abcdefgh', realName: '张', mobile: '123', email: 'x' }));
    expect(Object.keys(m).sort()).toEqual(['email', 'mobile', 'password', 'realName']);
    expect(m.realName).toContain('2至30');
  });

  it('unit registration checks type, region and phone; creation needs no captcha', () => {
    const ok = {
      username: 'wlmqkx',
      password: 'Abc12345x',
      unitName: '乌鲁木齐市科学技术协会',
      unitType: '地州市科协',
      region: '乌鲁木齐市',
      contactName: '路遥',
      contactPhone: '0991-6386020',
      mobile: '13912345678',
      captcha: '1234',
    };
    expect(unitRegisterSchema.safeParse(ok).success).toBe(true);
    // a landline 联系电话 is fine, but the account's own 手机 is required; 电子邮箱 is optional but checked
    expect(messages(unitRegisterSchema.safeParse({ ...ok, mobile: undefined })).mobile).toContain('手机');
    expect(messages(unitRegisterSchema.safeParse({ ...ok, mobile: '0991-6386020' })).mobile).toContain('11位');
    expect(messages(unitRegisterSchema.safeParse({ ...ok, email: 'not-an-address' })).email).toContain('电子邮箱');
    expect(unitRegisterSchema.parse({ ...ok, email: '' }).email).toBeNull();
    expect(unitRegisterSchema.parse({ ...ok, email: 'kx@example.cn' }).email).toBe('kx@example.cn');
    expect(unitRegisterSchema.safeParse({ ...ok, contactPhone: '13912345678' }).success).toBe(true);
    const m = messages(unitRegisterSchema.safeParse({ ...ok, unitName: '科协', unitType: '协会', region: '北京市', contactPhone: '123' }));
    expect(Object.keys(m).sort()).toEqual(['contactPhone', 'region', 'unitName', 'unitType']);
    expect(m.contactPhone).toContain('联系电话');
    const { captcha: _captcha, ...noCaptcha } = ok;
    expect(unitCreateSchema.safeParse(noCaptcha).success).toBe(true);
    expect(unitRegisterSchema.safeParse(noCaptcha).success).toBe(false);
  });

  it('recovery checks channel, code and new password', () => {
    expect(recoverSendSchema.safeParse({ username: 'zhangsan', channel: 'email', captcha: '1' }).success).toBe(true);
    expect(messages(recoverSendSchema.safeParse({ username: 'zhangsan', channel: 'fax', captcha: '1' })).channel).toContain('手机或电子邮箱');
    expect(recoverResetSchema.safeParse({ username: 'zhangsan', code: '123456', newPassword: 'Abc12345x' }).success).toBe(true);
    const m = messages(recoverResetSchema.safeParse({ username: 'zhangsan', code: '12345', newPassword: 'short' }));
    expect(m.code).toContain('6位数字');
    expect(m.newPassword).toContain('8至64位');
  });
});
