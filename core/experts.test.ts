import { describe, expect, it } from 'vitest';
import { checkExpertFields, expertCreateSchema, expertGroupInputSchema, headerColumn, normaliseExpertMobile, normaliseHeader } from './experts';

describe('the import header', () => {
  it('matches the columns by name whatever the spaces, full-width characters, notes and marks', () => {
    expect(headerColumn(' 姓名 ')).toBe('realName');
    expect(headerColumn('姓　名')).toBe('realName');
    expect(headerColumn('*手机')).toBe('mobile');
    expect(headerColumn('手机号码（必填）')).toBe('mobile');
    expect(headerColumn('电子邮箱(选填)')).toBe('email');
    expect(headerColumn('ＥＭＡＩＬ')).toBe('email');
    expect(headerColumn('工作\n单位')).toBe('workUnit');
    expect(headerColumn('身份证号')).toBe('idNumber');
    expect(headerColumn('备注')).toBeNull();
    expect(headerColumn('')).toBeNull();
    expect(normaliseHeader('专业领域（如：化学）')).toBe('专业领域');
  });
});

describe('an expert’s fields', () => {
  const ok = { realName: '王建国', workUnit: '新疆大学', field: '化学', mobile: '13912345678' };

  it('normalises 手机 (full-width, spaces, hyphens, +86) and 电子邮箱, trims every kind of space', () => {
    expect(normaliseExpertMobile('１３９ 1234-5678')).toBe('13912345678');
    expect(normaliseExpertMobile('+8613912345678')).toBe('13912345678');
    expect(normaliseExpertMobile('008613912345678')).toBe('13912345678');
    const r = checkExpertFields({ ...ok, realName: '\u3000王建国 ', email: 'ｗａｎｇ@example.cn' });
    expect(r).toEqual({ ok: true, value: { ...ok, email: 'wang@example.cn', idNumber: null } });
  });

  it('names every problem of a row at once', () => {
    const r = checkExpertFields({ realName: '', workUnit: '新', field: '化学', mobile: '12345', email: 'x@', idNumber: '123' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.field, i.message])).toEqual([
      ['realName', '缺少姓名'],
      ['workUnit', '工作单位长度应为2至100个字，当前为1个'],
      ['mobile', '手机“12345”格式不正确，应为11位数字，以1开头、第二位为3至9'],
      ['email', '电子邮箱“x@”格式不正确，应为如 name@example.com 的邮箱地址'],
      ['idNumber', '身份证号码位数不正确，应为18位，当前为3位'],
    ]);
  });

  it('the JSON body: strict, the same messages on the fields’ own paths', () => {
    expect(expertCreateSchema.safeParse({ ...ok, extra: 1 }).success).toBe(false);
    const bad = expertCreateSchema.safeParse({ ...ok, mobile: '23912345678' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['mobile'] });
    expect(expertCreateSchema.parse({ ...ok, email: '', idNumber: null })).toMatchObject({ email: null, idNumber: null });
  });

  it('a 评审组: name 2–50 characters, 推荐领域 one of the five or none', () => {
    expect(expertGroupInputSchema.parse({ name: ' 第一组 ', field: '' })).toEqual({ name: '第一组', field: null });
    expect(expertGroupInputSchema.safeParse({ name: '组' }).success).toBe(false);
    expect(expertGroupInputSchema.safeParse({ name: '第一组', field: '天文学' }).success).toBe(false);
    expect(expertGroupInputSchema.parse({ name: '第一组', field: '人民生命健康' }).field).toBe('人民生命健康');
  });
});
