import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { chinaToday } from '../core';
import { campaigns, outbox, units } from './db/schema';
import { buildApplicant, buildOrganizer, buildUnit } from './testing/factories';
import { CAPTCHA, Client, json, startTestPlatform } from './testing/harness';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let admin: Client;
beforeAll(async () => {
  t = await startTestPlatform();
  const org = await buildOrganizer(t.s);
  admin = new Client(t.app);
  await admin.login(org.username, org.password);
});
afterAll(async () => t?.close());

const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string; fields?: { field: string; message: string }[] } }).error;

type Campaign = {
  id: string;
  programCode: string;
  year: number;
  title: string;
  settings: Record<string, unknown> & { unitQuota: number; windows: { apply: { start: string; end: string } } };
};

describe('评选活动设置', () => {
  it('the 2023 最美科技工作者 campaign exists after the first start with 申报 open', async () => {
    const c = json<Campaign>(await admin.get('/api/campaigns/current'));
    expect(c).toMatchObject({ programCode: 'ZMKJ', year: 2023 });
    expect(c.settings).toMatchObject({ unitQuota: 3, winners: 20, nationalRecommendees: 10, academicianMaxRatio: 0.1, youthMinRatio: 0.2 });
    const today = chinaToday();
    expect(c.settings.windows.apply.start <= today && today <= c.settings.windows.apply.end).toBe(true);
  });

  it('the organizer edits the settings; invalid settings are refused and nothing changes', async () => {
    const c = json<Campaign>(await admin.get('/api/campaigns/current'));
    const updated = await admin.put(`/api/admin/campaigns/${c.id}`, { title: c.title, settings: { ...c.settings, unitQuota: 4 } });
    expect(updated.statusCode).toBe(200);
    expect(json<Campaign>(updated).settings.unitQuota).toBe(4);
    const bad = await admin.put(`/api/admin/campaigns/${c.id}`, {
      settings: { ...c.settings, unitQuota: 0, windows: { ...(c.settings.windows as object), apply: { start: '2023-05-01', end: '2023-04-01' } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).message).toContain('推荐名额');
    expect(errorOf(bad).message).toContain('开始日期不能晚于结束日期');
    const [row] = await t.s.db.select().from(campaigns).where(eq(campaigns.id, c.id));
    expect((row!.settings as { unitQuota: number }).unitQuota).toBe(4);
    await admin.put(`/api/admin/campaigns/${c.id}`, { settings: { ...c.settings, unitQuota: 3 } });
  });

  it('活动名称 takes 4 to 100 characters (core campaignTitleSchema, as the web checks it); a refused title changes nothing', async () => {
    const c = json<Campaign>(await admin.get('/api/campaigns/current'));
    for (const [title, message] of [
      ['评选', '活动名称至少4个字'],
      ['名'.repeat(101), '活动名称不能超过100字'],
    ] as const) {
      const res = await admin.put(`/api/admin/campaigns/${c.id}`, { title, settings: c.settings });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).fields).toEqual([{ field: 'title', label: '活动名称', message }]);
    }
    const renamed = await admin.put(`/api/admin/campaigns/${c.id}`, { title: '  2023年评选活动  ', settings: c.settings });
    expect(json<Campaign>(renamed).title).toBe('2023年评选活动');
    await admin.put(`/api/admin/campaigns/${c.id}`, { title: c.title, settings: c.settings });
    expect(json<Campaign>(await admin.get(`/api/admin/campaigns/${c.id}`)).title).toBe(c.title);
  });

  it('closing the 申报 window stops 我要申请 with the dates', async () => {
    const c = json<Campaign>(await admin.get('/api/campaigns/current'));
    const closed = { ...c.settings, windows: { ...(c.settings.windows as object), apply: { start: '2023-04-01', end: '2023-04-30' } } };
    await admin.put(`/api/admin/campaigns/${c.id}`, { settings: closed });
    try {
      const a = await buildApplicant(t.s);
      const ac = new Client(t.app);
      await ac.login(a.username, a.password);
      const res = await ac.post('/api/applications');
      expect(res.statusCode).toBe(403);
      expect(errorOf(res).message).toContain('2023-04-01 至 2023-04-30');
    } finally {
      await admin.put(`/api/admin/campaigns/${c.id}`, { settings: c.settings });
    }
  });
});

describe('推荐单位管理 and 消息发件箱', () => {
  it('the organizer creates a unit that can log in at once, and must change the password at first log-in', async () => {
    const res = await admin.post('/api/admin/units', {
      unitName: '新疆维吾尔自治区农学会',
      unitType: '自治区学会（协会、研究会）',
      region: '自治区级',
      contactName: '赵六',
      contactPhone: '0991-6386020',
      mobile: '13609906020',
      username: 'xjnxh01',
      password: 'Abcdef12x',
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ status: 'active', statusLabel: '已通过', username: 'xjnxh01' });
    const c = new Client(t.app);
    const first = await c.post('/api/auth/login', { username: 'xjnxh01', password: 'Abcdef12x', captcha: CAPTCHA });
    expect(first.statusCode).toBe(200);
    // the password was 自治区科协's choice: the unit must set its own first, and may do nothing else before
    expect(json<{ user: { mustChangePassword: boolean } }>(first).user.mustChangePassword).toBe(true);
    expect(json<{ error: { code: string; message: string } }>(await c.get('/api/units')).error).toEqual({
      code: 'PASSWORD_CHANGE_REQUIRED',
      message: '您正在使用自治区科协设置的初始密码，请先修改初始密码，修改后方可使用评选平台的其他功能',
    });
    expect((await c.post('/api/auth/password', { oldPassword: 'Abcdef12x', newPassword: 'Nongxue#2024' })).statusCode).toBe(200);
    const active = json<{ name: string }[]>(await c.get('/api/units'));
    expect(active.map((u) => u.name)).toContain('新疆维吾尔自治区农学会');
  });

  it('lists units by status and the outbox newest first', async () => {
    const pending = await buildUnit(t.s, { status: 'pending' });
    const list = json<{ id: string }[]>(await admin.get('/api/admin/units?status=pending'));
    expect(list.map((u) => u.id)).toContain(pending.unit.id);
    expect(json<{ id: string }[]>(await admin.get('/api/admin/units?status=active')).map((u) => u.id)).not.toContain(pending.unit.id);
    await t.s.sender.send(t.s.db, { channel: 'email', recipient: 'x@example.cn', subject: '测试', body: '最新一条' });
    const box = json<{ body: string }[]>(await admin.get('/api/admin/outbox'));
    expect(box[0]!.body).toBe('最新一条');
  });

  it('applicants and units cannot use the organizer’s functions, and nothing changes', async () => {
    const pending = await buildUnit(t.s, { status: 'pending' });
    const a = await buildApplicant(t.s);
    const u = await buildUnit(t.s);
    const c = json<Campaign>(await admin.get('/api/campaigns/current'));
    const outboxBefore = (await t.s.db.select().from(outbox)).length;
    for (const who of [a, u]) {
      const cl = new Client(t.app);
      await cl.login(who.username, who.password);
      for (const res of [
        await cl.get('/api/admin/units'),
        await cl.post(`/api/admin/units/${pending.unit.id}/approve`),
        await cl.post(`/api/admin/units/${pending.unit.id}/refuse`, { reason: '不行不行' }),
        await cl.post('/api/admin/units', {
          unitName: '越权创建单位',
          unitType: '企业科协',
          region: '哈密市',
          contactName: '某',
          contactPhone: '13600000000',
          username: 'hack01',
          password: 'Abcdef12x',
        }),
        await cl.get('/api/admin/outbox'),
        await cl.put(`/api/admin/campaigns/${c.id}`, { settings: { ...c.settings, unitQuota: 9 } }),
      ]) {
        expect(res.statusCode).toBe(403);
        expect(errorOf(res).message).toContain('仅限自治区科协');
      }
    }
    const [unit] = await t.s.db.select().from(units).where(eq(units.id, pending.unit.id));
    expect(unit!.status).toBe('pending');
    expect(await t.s.db.select().from(units).where(eq(units.name, '越权创建单位'))).toHaveLength(0);
    expect(json<Campaign>(await admin.get('/api/campaigns/current')).settings.unitQuota).toBe(3);
    expect((await t.s.db.select().from(outbox)).length).toBe(outboxBefore);
  });
});
