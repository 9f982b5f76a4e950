// Campaign settings are read through core's schema (readCampaignSettings), whatever they were stored under: a campaign
// saved before a section or key existed gets the defaults of its year, a stored value that no longer passes is read as
// its default and reported once. And GET /api/campaigns/:id, the campaign an application belongs to.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { defaultCampaignSettings, chinaToday } from '../core';
import { campaigns, programs } from './db/schema';
import { buildApplicant, buildOrganizer, buildUnit, completeForm } from './testing/factories';
import { jpegBytes, pdfBytes } from './testing/files';
import { Client, json, startTestPlatform } from './testing/harness';
import { PHOTO_BYTES, prepareForward } from './testing/journey';
import { Tus } from './testing/tus';
import { onSettingsProblem } from './usecases/campaigns';

const MiB = 1024 * 1024;
const NOT_FOUND = '未找到该评选活动，可能已被删除或您无权查看';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let base: string;
let oldId: string;
let currentId: string;
const warnings: string[] = [];
let restoreWarnings: () => void;

type Campaign = { id: string; programCode: string; programName: string; year: number; title: string; settings: ReturnType<typeof defaultCampaignSettings> };
const errorOf = (res: { json(): unknown }) => (res.json() as { error: { code: string; message: string } }).error;

/** A date `days` from today, Beijing time. */
const day = (days: number) => chinaToday(new Date(Date.now() + days * 86_400_000));

beforeAll(async () => {
  t = await startTestPlatform();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  restoreWarnings = onSettingsProblem((m) => warnings.push(m));
  // The newest campaign (2023) gets tight media limits, so that an application of the old campaign shows it is
  // judged by its own campaign's (default) limits, not by the newest one's.
  const [current] = await t.s.db.select().from(campaigns);
  currentId = current!.id;
  const tight = { ...(current!.settings as object), media: { ...defaultCampaignSettings(2023).media, scanMaxBytes: MiB, photoMaxBytes: 3 * MiB } };
  await t.s.db.update(campaigns).set({ settings: tight }).where(eq(campaigns.id, currentId));
  // A 2022 campaign stored before `media` existed, with no 宣传学习 window, a quota of 1 and a 青年 age limit that no
  // longer passes the schema (1–100).
  const stored = JSON.parse(JSON.stringify(defaultCampaignSettings(2022))) as Record<string, unknown> & { windows: Record<string, unknown> };
  delete stored.media;
  delete stored.windows.publicity;
  stored.windows.apply = { start: day(-1), end: day(30) };
  stored.windows.preliminary = { start: day(-1), end: day(30) };
  stored.unitQuota = 1;
  stored.youthAgeLimit = 200;
  const [program] = await t.s.db.select().from(programs).where(eq(programs.code, 'ZMKJ'));
  const [old] = await t.s.db
    .insert(campaigns)
    .values({ programId: program!.id, year: 2022, title: '2022年“新疆最美科技工作者”学习宣传活动', settings: stored })
    .returning();
  oldId = old!.id;
});
afterAll(async () => {
  restoreWarnings?.();
  await t?.close();
});

async function loggedIn(account: { username: string; password: string }) {
  const c = new Client(t.app);
  await c.login(account.username, account.password);
  return c;
}

/** An application of the 2022 campaign, complete and pledged, with its scans and a photo. */
async function oldApplication() {
  const applicant = await buildApplicant(t.s);
  const ac = await loggedIn(applicant);
  const created = await ac.post('/api/applications', { campaignId: oldId });
  expect(created.statusCode).toBe(200);
  const id = json<{ id: string; campaignId: string }>(created).id;
  expect(json<{ campaignId: string }>(created).campaignId).toBe(oldId);
  expect((await ac.put(`/api/applications/${id}`, { form: completeForm({ name: applicant.user.realName }) })).statusCode).toBe(200);
  expect((await ac.post(`/api/applications/${id}/pledge`)).statusCode).toBe(200);
  return { applicant, ac, id };
}

describe('stored settings read through the schema', () => {
  it('GET /api/campaigns/:id gives the stored values, the defaults of 2022 for what is missing, and reports what no longer passes', async () => {
    const applicant = await buildApplicant(t.s);
    const ac = await loggedIn(applicant);
    const c = json<Campaign>(await ac.get(`/api/campaigns/${oldId}`));
    const d = defaultCampaignSettings(2022);
    expect(c).toEqual({
      id: oldId,
      programCode: 'ZMKJ',
      programName: '最美科技工作者',
      year: 2022,
      title: '2022年“新疆最美科技工作者”学习宣传活动',
      settings: expect.any(Object),
    });
    expect(c.settings.media).toEqual(d.media);
    expect(c.settings.windows.publicity).toEqual({ start: '2022-06-01', end: '2022-12-31' });
    expect(c.settings.windows.apply).toEqual({ start: day(-1), end: day(30) });
    expect(c.settings.unitQuota).toBe(1);
    expect(c.settings.youthAgeLimit).toBe(45);
    expect(Object.keys(c.settings).sort()).toEqual(Object.keys(d).sort());
    const mine = warnings.filter((w) => w.includes(oldId));
    expect(mine).toEqual([
      `评选活动“2022年“新疆最美科技工作者”学习宣传活动”（${oldId}）的设置 youthAgeLimit 不符合规则：青年科技工作者年龄上限应为1至100之间的整数；已暂用默认值，请在评选活动设置中核对后保存`,
    ]);
    // reported once, not at every read
    await ac.get(`/api/campaigns/${oldId}`);
    expect(warnings.filter((w) => w.includes(oldId))).toHaveLength(1);
    // the organizer's page reads the same, and saving it stores a whole, valid value
    const org = await loggedIn(await buildOrganizer(t.s));
    const full = json<Campaign>(await org.get(`/api/admin/campaigns/${oldId}`));
    expect(full.settings).toEqual(c.settings);
  });

  it("uploads to an application of that campaign take its limits (the defaults), not the newest campaign's", async () => {
    const { ac, id } = await oldApplication();
    // the newest campaign allows scans of 1 MB; the 2022 campaign has no media section: the default 20 MB applies
    const scan = await ac.upload(`/api/applications/${id}/attachments`, 'integrity_pledge', '承诺.pdf', Buffer.concat([pdfBytes('x'), Buffer.alloc(2 * MiB)]));
    expect(scan.statusCode).toBe(200);
    const tus = new Tus(ac, base);
    const big = await tus.create(id, 'photo', '大.jpg', 25 * MiB);
    expect(big.res.status).toBe(201);
    await fetch(big.url!, { method: 'DELETE', headers: { ...(await tus.sessionHeaders()), 'tus-resumable': '1.0.0' } });
    const huge = await tus.create(id, 'photo', '太大.jpg', 31 * MiB);
    expect(huge.res.status).toBe(413);
    expect((JSON.parse(huge.body) as { error: { message: string } }).error.message).toBe('照片 31 MB，要求不大于 30 MB');
    // an application of the newest campaign is held to its 3 MB photos
    const applicant = await buildApplicant(t.s);
    const bc = await loggedIn(applicant);
    const newer = json<{ id: string; campaignId: string }>(await bc.post('/api/applications'));
    expect(newer.campaignId).toBe(currentId);
    expect((await new Tus(bc, base).create(newer.id, 'photo', '大.jpg', 25 * MiB)).res.status).toBe(413);
  });

  it('transitions take its windows and quota: 提交 in its open 申报 window, one forward per unit, the second refused', async () => {
    const unit = await buildUnit(t.s);
    const uc = await loggedIn(unit);
    const forwarded: string[] = [];
    for (const n of [1, 2]) {
      const { ac, id } = await oldApplication();
      for (const kind of ['unit_opinion', 'political_review', 'integrity_pledge']) {
        expect((await ac.upload(`/api/applications/${id}/attachments`, kind, `${kind}.pdf`, pdfBytes(kind))).statusCode).toBe(200);
      }
      expect((await ac.upload(`/api/applications/${id}/attachments`, 'photo', 'photo.jpg', jpegBytes(PHOTO_BYTES))).statusCode).toBe(200);
      const submitted = await ac.post(`/api/applications/${id}/transitions/submit`, { unitId: unit.unit.id });
      expect(submitted.statusCode, submitted.body).toBe(200);
      await prepareForward(uc, id); // 办理, 初评 通过, 推荐单位意见, the three scans (each checked 200)
      const forward = await uc.post(`/api/applications/${id}/transitions/forward`);
      if (n === 1) {
        expect(forward.statusCode, forward.body).toBe(200);
        forwarded.push(json<{ number: string }>(forward).number);
      } else {
        expect(forward.statusCode).toBe(409);
        expect(errorOf(forward).message).toContain(`每个推荐单位最多向自治区科协推荐1名候选人，本单位已提交1名：${forwarded[0]}`);
      }
    }
  });
});

describe('GET /api/campaigns/:id', () => {
  it('any logged-in account reads a campaign; anonymous is 401', async () => {
    const unit = await loggedIn(await buildUnit(t.s));
    const res = await unit.get(`/api/campaigns/${currentId}`);
    expect(res.statusCode).toBe(200);
    const c = json<Campaign>(res);
    expect(Object.keys(c).sort()).toEqual(['id', 'programCode', 'programName', 'settings', 'title', 'year']);
    expect(c).toMatchObject({ id: currentId, programCode: 'ZMKJ', year: 2023 });
    expect(c.settings.media.scanMaxBytes).toBe(MiB);
    expect(json(await unit.get(`/api/campaigns/${currentId.toUpperCase()}`))).toEqual(c);
    const anonymous = await new Client(t.app).get(`/api/campaigns/${currentId}`);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain(currentId);
  });

  it('an unknown or malformed id is 404 in Chinese', async () => {
    const c = await loggedIn(await buildApplicant(t.s));
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid', '1', `${currentId}x`, '%27%20or%201%3D1', 'x'.repeat(90)]) {
      const res = await c.get(`/api/campaigns/${id}`);
      expect(res.statusCode, id).toBe(404);
      expect(errorOf(res)).toEqual({ code: 'NOT_FOUND', message: NOT_FOUND });
    }
  });

  it('takes no body, and changes nothing', async () => {
    const c = await loggedIn(await buildApplicant(t.s));
    const before = await t.s.db.select().from(campaigns).where(eq(campaigns.id, currentId));
    const withBody = await c.request('GET', `/api/campaigns/${currentId}`, undefined, {
      payload: JSON.stringify({ settings: {} }),
      headers: { 'content-type': 'application/json' },
    });
    // Fastify does not parse a GET's body (noBody in the route refuses one if it ever did): the body changes nothing
    expect(withBody.statusCode).toBe(200);
    expect(json(withBody)).toEqual(json(await c.get(`/api/campaigns/${currentId}`)));
    for (const method of ['PUT', 'POST', 'DELETE'] as const) {
      expect((await c.request(method, `/api/campaigns/${currentId}`, {})).statusCode, method).toBe(404);
    }
    expect(await t.s.db.select().from(campaigns).where(eq(campaigns.id, currentId))).toEqual(before);
  });
});
