// Issue 11, items 3 and 8a: a unit's own 手机/电子邮箱 (registration, 新建, 账号信息, 找回, 待办理 texts),
// and the refusal of 【提交】 to 自治区科协 naming what is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { outbox, units, users } from './db/schema';
import { buildApplicant, buildOrganizer, buildUnit } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';
import { pdfBytes } from './testing/files';
import { DEMO_PASSWORD, formatDemoReport, seedDemo } from './seed-demo';
import { parties, readyApplication } from './testing/journey';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => t?.close());

type ErrorBody = { error: { code: string; message: string; fields?: { field: string; message: string }[] } };
const errorOf = (res: { json(): unknown }) => (res.json() as ErrorBody).error;
const sentTo = async (recipient: string) => t.s.db.select().from(outbox).where(eq(outbox.recipient, recipient));

const registration = {
  username: 'tlfkx2023',
  password: 'Abcdef12',
  unitName: '吐鲁番市科学技术协会',
  unitType: '地州市科协',
  region: '吐鲁番市',
  contactName: '马丽',
  contactPhone: '0995-8521234',
  captcha: CAPTCHA,
};

describe('a unit registered with a landline can still be reached', () => {
  it('registration asks for the account’s 手机 (required) and 电子邮箱 (optional); 联系电话 may stay a landline', async () => {
    const c = new Client(t.app);
    const missing = await c.post('/api/auth/register/unit', registration);
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).fields!.map((f) => f.field)).toEqual(['mobile']);
    expect(errorOf(missing).message).toContain('手机');
    const landlineAsMobile = await c.post('/api/auth/register/unit', { ...registration, mobile: '0995-8521234' });
    expect(landlineAsMobile.statusCode).toBe(400);
    expect(errorOf(landlineAsMobile).fields![0]!.message).toContain('11位');
    expect(await t.s.db.select().from(units).where(eq(units.name, registration.unitName))).toHaveLength(0);

    const ok = await c.post('/api/auth/register/unit', { ...registration, mobile: '13609951234', email: 'tlfkx@example.cn' });
    expect(ok.statusCode).toBe(200);
    const [account] = await t.s.db.select().from(users).where(eq(users.username, 'tlfkx2023'));
    expect(account).toMatchObject({ mobile: '13609951234', email: 'tlfkx@example.cn' });
    const [unit] = await t.s.db.select().from(units).where(eq(units.name, registration.unitName));
    expect(unit!.contactPhone).toBe('0995-8521234');

    // approved: the text goes to the mobile; 找回 reaches it by mobile and by e-mail
    const org = await buildOrganizer(t.s);
    const oc = new Client(t.app);
    await oc.login(org.username, org.password);
    expect((await oc.post(`/api/admin/units/${unit!.id}/approve`)).statusCode).toBe(200);
    expect((await sentTo('13609951234')).map((m) => m.subject)).toContain('推荐单位注册审核通过');
    for (const [channel, recipient] of [
      ['mobile', '13609951234'],
      ['email', 'tlfkx@example.cn'],
    ] as const) {
      const sent = await new Client(t.app).post('/api/auth/recover/send', { username: 'tlfkx2023', channel, captcha: CAPTCHA });
      expect(sent.statusCode).toBe(200);
      expect((await sentTo(recipient)).map((m) => m.subject)).toContain('找回密码验证码');
    }
  });

  it('the organizer’s 新建 takes 手机 and 电子邮箱 too', async () => {
    const org = await buildOrganizer(t.s);
    const oc = new Client(t.app);
    await oc.login(org.username, org.password);
    const body = {
      unitName: '阿勒泰地区科学技术协会',
      unitType: '地州市科协',
      region: '阿勒泰地区',
      contactName: '哈力',
      contactPhone: '0906-2123456',
      username: 'altkx01',
      password: 'Abcdef12',
    };
    const missing = await oc.post('/api/admin/units', body);
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).fields!.map((f) => f.field)).toEqual(['mobile']);
    const created = await oc.post('/api/admin/units', { ...body, mobile: '13609061234' });
    expect(created.statusCode).toBe(200);
    const [account] = await t.s.db.select().from(users).where(eq(users.username, 'altkx01'));
    expect(account).toMatchObject({ mobile: '13609061234', email: null });
  });

  it('账号信息: a unit without a mobile adds one, then gets 找回 codes and 待办理 texts', async () => {
    const unit = await buildUnit(t.s, { contactPhone: '0991-2345678' });
    // a unit from before: a landline and no mobile on its account
    await t.s.db.update(users).set({ mobile: null, email: null }).where(eq(users.unitId, unit.unit.id));
    const uc = new Client(t.app);
    await uc.login(unit.username, unit.password);
    expect(json<{ user: { mobile: string | null } }>(await uc.get('/api/auth/me')).user.mobile).toBeNull();
    expect(json(await uc.get('/api/account/contact'))).toEqual({ mobile: null, email: null });

    // strict body, named fields, and only for the logged-in
    expect((await new Client(t.app).put('/api/account/contact', { mobile: '13609912345' })).statusCode).toBe(401);
    const unknown = await uc.put('/api/account/contact', { mobile: '13609912345', role: 'organizer' });
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).message).toContain('role');
    const bad = await uc.put('/api/account/contact', { mobile: '0991-2345678', email: 'x@' });
    expect(bad.statusCode).toBe(400);
    expect(
      errorOf(bad)
        .fields!.map((f) => f.field)
        .sort(),
    ).toEqual(['email', 'mobile']);
    expect((await uc.put('/api/account/contact', { email: 'a@example.cn' })).statusCode).toBe(400);

    const saved = await uc.put('/api/account/contact', { mobile: '13609912345', email: 'unit@example.cn' });
    expect(saved.statusCode).toBe(200);
    expect(json(saved)).toEqual({ mobile: '13609912345', email: 'unit@example.cn' });
    expect(json<{ user: { mobile: string } }>(await uc.get('/api/auth/me')).user.mobile).toBe('13609912345');
    // an empty e-mail removes it
    expect(json(await uc.put('/api/account/contact', { mobile: '13609912345', email: '' }))).toEqual({ mobile: '13609912345', email: null });

    const sent = await new Client(t.app).post('/api/auth/recover/send', { username: unit.username, channel: 'mobile', captcha: CAPTCHA });
    expect(sent.statusCode).toBe(200);
    expect((await sentTo('13609912345')).map((m) => m.subject)).toContain('找回密码验证码');

    // an application submitted to the unit: the 待办理 text goes to the new mobile
    const applicant = await buildApplicant(t.s);
    const ac = new Client(t.app);
    await ac.login(applicant.username, applicant.password);
    const id = await readyApplication(t, applicant, ac);
    expect((await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id })).statusCode).toBe(200);
    const texts = await t.s.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.recipient, '13609912345'), eq(outbox.channel, 'mobile')));
    expect(texts.length).toBeGreaterThanOrEqual(2);
  });

  it('any logged-in account may edit its own contact, and only its own', async () => {
    const applicant = await buildApplicant(t.s, { mobile: '13900001111' });
    const other = await buildApplicant(t.s, { mobile: '13900002222' });
    const ac = new Client(t.app);
    await ac.login(applicant.username, applicant.password);
    expect(json(await ac.put('/api/account/contact', { mobile: '13900003333', email: 'new@example.cn' }))).toEqual({
      mobile: '13900003333',
      email: 'new@example.cn',
    });
    const [mine] = await t.s.db.select().from(users).where(eq(users.id, applicant.user.id));
    const [theirs] = await t.s.db.select().from(users).where(eq(users.id, other.user.id));
    expect(mine!.mobile).toBe('13900003333');
    expect(theirs!.mobile).toBe('13900002222');
  });
});

describe('【提交】 to 自治区科协 names what is missing', () => {
  it('推荐单位意见 missing, 推荐报告扫描件 missing, or both', async () => {
    const { unit, ac, uc } = await parties(t);
    const submitted = async () => {
      // a fresh applicant each time: one live application per person
      const a = await buildApplicant(t.s);
      await ac.login(a.username, a.password);
      const id = await readyApplication(t, a, ac);
      expect((await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id })).statusCode).toBe(200);
      await uc.post(`/api/applications/${id}/open`);
      return id;
    };
    const forward = async (id: string) => {
      const res = await uc.post(`/api/applications/${id}/transitions/forward`);
      expect(res.statusCode).toBe(409);
      return errorOf(res).message;
    };

    const both = await forward(await submitted());
    expect(both).toContain('尚未填写【推荐单位意见】');
    expect(both).toContain('未上传【推荐报告扫描件】');

    const opinionOnly = await submitted();
    await uc.put(`/api/applications/${opinionOnly}/opinions/recommend`, { text: '同意推荐。' });
    const noReport = await forward(opinionOnly);
    expect(noReport).toContain('尚未上传【推荐报告扫描件】');
    expect(noReport).not.toContain('推荐单位意见');

    const reportOnly = await submitted();
    expect((await uc.upload(`/api/applications/${reportOnly}/attachments`, 'recommend_report', '推荐报告.pdf', pdfBytes('r'))).statusCode).toBe(200);
    const noOpinion = await forward(reportOnly);
    expect(noOpinion).toContain('尚未填写【推荐单位意见】');
    expect(noOpinion).not.toContain('上传【推荐报告扫描件】');
    expect(new Set([both, noReport, noOpinion]).size).toBe(3);
  });
});

describe('seed:demo says what happened to each demo account', () => {
  it('never reports as usable a login the demo password does not open', async () => {
    // the README's create-unit example made 乌鲁木齐市科学技术协会 under another name; demo_aili is someone's own
    const wlmq = await buildUnit(t.s, { name: '乌鲁木齐市科学技术协会', username: 'wlmqkx_own' });
    await buildApplicant(t.s, { username: 'demo_aili' });
    const report = await seedDemo(t.s);
    const byName = Object.fromEntries(report.map((r) => [r.username, r]));
    expect(byName.demo_wlmq).toMatchObject({ outcome: 'skipped' });
    expect(byName.demo_wlmq!.note).toContain(wlmq.username);
    expect(byName.demo_aili).toMatchObject({ outcome: 'unusable' });
    expect(byName.demo_kashi).toMatchObject({ outcome: 'created' });
    const text = formatDemoReport(report);
    const line = (name: string) => text.split('\n').find((l) => l.includes(name))!;
    expect(line('demo_wlmq')).toContain('wlmqkx_own');
    expect(line('demo_wlmq')).not.toContain('可用演示密码登录');
    expect(line('demo_aili')).toContain('不可用');
    expect(line('demo_aili')).not.toContain('可用演示密码登录');
    expect(line('demo_kashi')).toContain('可用演示密码登录');
    // what it calls usable does log in; what it skipped does not exist
    for (const r of report.filter((x) => x.outcome === 'created' && x.username !== 'demo_pending')) {
      const res = await new Client(t.app).post('/api/auth/login', { username: r.username, password: DEMO_PASSWORD, captcha: CAPTCHA });
      expect(res.statusCode, r.username).toBe(200);
    }
    expect(await t.s.db.select().from(users).where(eq(users.username, 'demo_wlmq'))).toHaveLength(0);
    // a second run: what it made is there and usable
    const again = await seedDemo(t.s);
    expect(again.find((r) => r.username === 'demo_kashi')).toMatchObject({ outcome: 'existing' });
  });
});
