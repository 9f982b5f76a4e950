import { describe, expect, it } from 'vitest';
import { checkTemplate, exampleValues, MESSAGE_DEFS, MESSAGE_KEYS, renderTemplate, smsParts } from './messages';

describe('message templates', () => {
  it('every default passes its own check, uses only its placeholders and fills completely with the examples', () => {
    for (const key of MESSAGE_KEYS) {
      const def = MESSAGE_DEFS[key];
      for (const channel of def.channels) expect(checkTemplate(def, channel, def), `${key}/${channel}`).toEqual([]);
      expect(renderTemplate(def.body, def.placeholders, exampleValues(def)), key).not.toMatch(/[{}]/);
      expect(new Set(def.placeholders.map((p) => p.param)).size, key).toBe(def.placeholders.length);
    }
  });

  it('renders by name, leaving what it does not know', () => {
    const def = MESSAGE_DEFS['account.recover-code'];
    expect(renderTemplate('{用户名} {验证码} { 验证码 } {其他}', def.placeholders, { username: 'ab', code: 12 })).toBe('ab 12 12 {其他}');
  });

  it('names unknown placeholders, unpaired braces, empty bodies and over-long SMS', () => {
    const def = MESSAGE_DEFS['publicity.code'];
    expect(checkTemplate(def, 'sms', { subject: '', body: '{验证码}{手机}' })[0]!.message).toBe(
      '内容中的占位符 {手机} 不能用于“公示异议验证码”，可用的占位符：{验证码}',
    );
    expect(checkTemplate(def, 'sms', { subject: '{x', body: '{验证码}' })[0]).toMatchObject({ field: 'subject' });
    expect(checkTemplate(def, 'sms', { subject: '', body: ' ' }).map((i) => i.message)).toContain('内容不能为空');
    // filled with the example (6 digits): 6 + 495 = 501 > 500; 6 + 494 = 500
    expect(checkTemplate(def, 'sms', { subject: '', body: `{验证码}${'字'.repeat(495)}` })[0]!.message).toContain('最多 500 个字，当前 501 个字');
    expect(checkTemplate(def, 'sms', { subject: '', body: `{验证码}${'字'.repeat(494)}` })).toEqual([]);
  });

  it('counts SMS parts as the providers bill them', () => {
    expect([smsParts(70), smsParts(71), smsParts(134), smsParts(135)]).toEqual([1, 2, 2, 3]);
  });
});
