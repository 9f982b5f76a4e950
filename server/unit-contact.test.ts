// Issue 11, items 3 and 8a: a unit's own 手机/电子邮箱 (registration, 新建, 账号信息, 找回, 待办理 texts),
// and the refusal of 【提交】 to 自治区科协 naming what is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import type { RankingReply } from '../core/review';
import { applications, expertGroupMembers, expertGroups, outbox, publicities, units, users } from './db/schema';
import { DEMO_CANDIDATES, DEMO_EXPERTS, DEMO_GROUP } from './demo/review';
import { currentCampaign } from './usecases/campaigns';
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
  password: 'Abcdef12x',
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
      password: 'Abcdef12x',
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
    const bad = await uc.put('/api/account/contact', { mobile: '0991-2345678', email: 'x@', currentPassword: unit.password });
    expect(bad.statusCode).toBe(400);
    expect(
      errorOf(bad)
        .fields!.map((f) => f.field)
        .sort(),
    ).toEqual(['email', 'mobile']);
    expect((await uc.put('/api/account/contact', { email: 'a@example.cn', currentPassword: unit.password })).statusCode).toBe(400);
    // the password again: without it, or a wrong one, nothing changes
    const unconfirmed = await uc.put('/api/account/contact', { mobile: '13609912345' });
    expect(unconfirmed.statusCode).toBe(400);
    expect(errorOf(unconfirmed).fields).toEqual([{ field: 'currentPassword', label: '当前密码', message: '请填写当前密码' }]);
    const empty = await uc.put('/api/account/contact', { mobile: '13609912345', currentPassword: '' });
    expect(errorOf(empty).fields).toEqual([{ field: 'currentPassword', label: '当前密码', message: '请输入当前密码，确认是本人修改' }]);
    const wrong = await uc.put('/api/account/contact', { mobile: '13609912345', email: 'unit@example.cn', currentPassword: `${unit.password}x` });
    expect(wrong.statusCode).toBe(400);
    expect(errorOf(wrong).fields).toEqual([{ field: 'currentPassword', label: '当前密码', message: '当前密码不正确，账号信息未修改' }]);
    expect(json(await uc.get('/api/account/contact'))).toEqual({ mobile: null, email: null });

    const saved = await uc.put('/api/account/contact', { mobile: '13609912345', email: 'unit@example.cn', currentPassword: unit.password });
    expect(saved.statusCode).toBe(200);
    expect(json(saved)).toEqual({ mobile: '13609912345', email: 'unit@example.cn' });
    expect(json<{ user: { mobile: string } }>(await uc.get('/api/auth/me')).user.mobile).toBe('13609912345');
    // an empty e-mail removes it
    expect(json(await uc.put('/api/account/contact', { mobile: '13609912345', email: '', currentPassword: unit.password }))).toEqual({
      mobile: '13609912345',
      email: null,
    });

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
    expect(json(await ac.put('/api/account/contact', { mobile: '13900003333', email: 'new@example.cn', currentPassword: applicant.password }))).toEqual({
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
    // and the 网上评选 it made (the next test looks at it): the window moved to today, and where to look
    expect(text).toMatch(/网上评选时间已调整为 \d{4}-\d{2}-\d{2} 至/);
    expect(text).toContain('网上评选演示：阿依努尔、李建华、买买提江 已受理');
    expect(line('13700000001')).toContain('评审专家（陈志远，新疆大学）：已创建，可用演示密码登录');
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

  it('makes a 网上评选 to walk: experts who log in with the printed password, a 评审组, a 公示 that is over, assigned candidates and sheets', async () => {
    // made by the first run (the test above, or this one's own), then found by the second
    await seedDemo(t.s);
    const campaign = await currentCampaign(t.s.db);
    const report = await seedDemo(t.s);
    const text = formatDemoReport(report);
    for (const e of DEMO_EXPERTS) {
      expect(
        report.find((r) => r.username === e.mobile),
        e.mobile,
      ).toMatchObject({ outcome: 'existing' });
      expect(text.split('\n').find((l) => l.includes(e.mobile))).toContain('可用演示密码登录');
    }
    for (const c of DEMO_CANDIDATES)
      expect(
        report.find((r) => r.username === c.username),
        c.username,
      ).toMatchObject({ outcome: 'existing' });

    // 评审专家: no first-login change asked; each logs in with the demo password and sees its tasks
    const experts = await t.s.db
      .select()
      .from(users)
      .where(
        inArray(
          users.username,
          DEMO_EXPERTS.map((e) => e.mobile),
        ),
      );
    expect(experts).toHaveLength(DEMO_EXPERTS.length);
    expect(experts.every((e) => e.role === 'expert' && !e.mustChangePassword)).toBe(true);
    const counts = { todo: 0, saved: 0, submitted: 0 };
    for (const e of DEMO_EXPERTS) {
      const c = new Client(t.app);
      expect((await c.post('/api/auth/login', { username: e.mobile, password: DEMO_PASSWORD, captcha: CAPTCHA })).statusCode, e.mobile).toBe(200);
      const mine = json<{ items: unknown[]; counts: typeof counts }>(await c.get('/api/review/mine'));
      for (const k of ['todo', 'saved', 'submitted'] as const) counts[k] += mine.counts[k];
    }
    // 3 candidates × 3 experts: one left 未评, the fourth expert's saved, the rest submitted
    expect(counts.todo + counts.saved + counts.submitted).toBe(9);
    expect(counts.todo).toBe(1);
    expect(counts.saved).toBeGreaterThan(0);
    expect(counts.submitted).toBeGreaterThan(0);

    // one 评审组 with the four
    const [group] = await t.s.db.select().from(expertGroups).where(eq(expertGroups.name, DEMO_GROUP));
    expect(group).toBeDefined();
    expect(await t.s.db.select().from(expertGroupMembers).where(eq(expertGroupMembers.groupId, group!.id))).toHaveLength(DEMO_EXPERTS.length);

    // demo_kashi's 初评公示: one over (its three candidates forwarded), one running; each published once
    const [kashi] = await t.s.db.select().from(users).where(eq(users.username, 'demo_kashi'));
    const notices = await t.s.db.select().from(publicities).where(eq(publicities.unitId, kashi!.unitId!));
    expect(notices).toHaveLength(2);
    expect(notices.every((p) => p.status === 'published')).toBe(true);
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(notices.filter((p) => p.endsOn < today)).toHaveLength(1);

    // the candidates: three 网上评选中 (assigned), the fourth still at the unit, 初评 通过, in the running 公示
    const apps = await t.s.db
      .select({ id: applications.id, status: applications.status, name: applications.applicantName, preliminary: applications.preliminaryResult })
      .from(applications)
      .innerJoin(users, eq(users.id, applications.applicantId))
      .where(
        inArray(
          users.username,
          DEMO_CANDIDATES.map((c) => c.username),
        ),
      );
    expect(apps.map((a) => a.status).sort()).toEqual(['online_review', 'online_review', 'online_review', 'submitted_to_unit']);
    expect(apps.every((a) => a.preliminary === 'pass')).toBe(true);

    // 网上评选结果 as demo_org sees it: a figure for each of the three
    const org = new Client(t.app);
    expect((await org.post('/api/auth/login', { username: 'demo_org', password: DEMO_PASSWORD, captcha: CAPTCHA })).statusCode).toBe(200);
    const ranking = json<RankingReply>(await org.get(`/api/review/campaigns/${campaign.id}/ranking`));
    const reviewed = ranking.rows.filter((r) => apps.some((a) => a.id === r.applicationId));
    expect(reviewed).toHaveLength(3);
    expect(reviewed.every((r) => r.sheets > 0 && r.mean !== null && r.rank !== null)).toBe(true);
    // the 网上评选 window is open today, as the first run said
    const online = (await currentCampaign(t.s.db)).settings.windows.online;
    expect(online.start <= today && today <= online.end).toBe(true);
  });
});
