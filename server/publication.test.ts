// 发布 (issue 15, 1., 2.'s 宣传稿 and 6.) through HTTP: refused before the final 公示 is over (nothing changed), the
// outcome hidden from applicants and units before and shown after, 立即发布 with its transitions, events and messages,
// a second 发布 refused, the 宣传稿 (public fields only, the candidate's own photos and videos only, a correction after
// 发布 recorded), 定时发布 rescheduled, cancelled and run by the platform (and failing, with its reason, when no longer
// ready), the next year's campaign from this one's settings, a previous winner refused at 我要申请 and at 【提交】, and
// every route refused to applicants, units and experts with nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { ApplicationDetail, HistoryEntry } from '../core';
import type { NextCampaignReply, ProfileDetail, PublicationState } from '../core/publication';
import type { SelectionState } from '../core/selection/api';
import {
  applicationEvents,
  applications,
  campaigns,
  jobs,
  notifications,
  outbox,
  publications,
  publicities,
  selectionEvents,
  winnerProfiles,
} from './db/schema';
import { runJobsUntilIdle } from './jobs/runner';
import { buildApplicant, buildApplication, completeForm } from './testing/factories';
import { Client, json, startTestPlatform } from './testing/harness';
import { dayFromToday } from './testing/journey';
import { expertWithProfile } from './testing/review';
import { ARTICLE_OF, publishedCampaign } from './testing/publication';
import { getCampaign } from './usecases/campaigns';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let p: Awaited<ReturnType<typeof publishedCampaign>>;
let unitClient: Client;
let expertClient: Client;
const url = (rest = '') => `/api/publication/campaigns/${p.campaignId}${rest}`;
const yearOf = async (campaignId: string) => (await getCampaign(t.s.db, campaignId)).year;
const state = async () => json<PublicationState>(await p.oc.get(url()));

beforeAll(async () => {
  t = await startTestPlatform();
  // 2023: five candidates on the 入围名单, three winners picked (the first also 推荐全国), the final 公示 over; not published
  p = await publishedCampaign(t, { publish: false });
  unitClient = new Client(t.app);
  await unitClient.login(p.units[0]!.username, p.units[0]!.password);
  expertClient = (await expertWithProfile(t)).client;
}, 180_000);

afterAll(async () => {
  await t?.close();
});

/** Everything 发布 writes: statuses, events, the publications row, profiles, selection events, jobs. */
async function snapshot(campaignId: string) {
  const ids = (await t.s.db.select({ id: applications.id }).from(applications).where(eq(applications.campaignId, campaignId))).map((r) => r.id);
  return {
    statuses: await t.s.db
      .select({ id: applications.id, status: applications.status })
      .from(applications)
      .where(eq(applications.campaignId, campaignId))
      .orderBy(asc(applications.id)),
    events: (await t.s.db.select({ id: applicationEvents.id }).from(applicationEvents).where(inArray(applicationEvents.applicationId, ids))).length,
    publication: await t.s.db.select().from(publications).where(eq(publications.campaignId, campaignId)),
    profiles: await t.s.db.select().from(winnerProfiles).where(eq(winnerProfiles.campaignId, campaignId)).orderBy(asc(winnerProfiles.position)),
    selectionEvents: (await t.s.db.select({ id: selectionEvents.id }).from(selectionEvents).where(eq(selectionEvents.campaignId, campaignId))).length,
    // the scheduled 发布's jobs (the certificates' own rendering jobs, made at 发布, run on their own)
    jobs: await t.s.db
      .select({ id: jobs.id, status: jobs.status })
      .from(jobs)
      .where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, 'publish')))
      .orderBy(asc(jobs.createdAt)),
  };
}

async function setFinalPublicityEnd(campaignId: string, endsOn: string) {
  await t.s.db
    .update(publicities)
    .set({ endsOn })
    .where(and(eq(publicities.campaignId, campaignId), eq(publicities.scope, 'final')));
}

/** Runs due jobs here until the job has ended (the platform's own runner may take it first: either way it runs once). */
async function jobEnded(id: string) {
  for (let i = 0; i < 200; i++) {
    await runJobsUntilIdle(t.s);
    const [job] = await t.s.db.select().from(jobs).where(eq(jobs.id, id));
    if (job && ['done', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not end`);
}

const publishJobs = async (campaignId: string) =>
  t.s.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.campaignId, campaignId), eq(jobs.kind, 'publish')))
    .orderBy(asc(jobs.createdAt));

describe('发布: before', () => {
  it('makes one profile per winner in the selection’s order with public fields only, the 宣传稿 from 主要事迹 and 感人故事', async () => {
    const s = await state();
    expect(s).toMatchObject({ status: 'none', statusLabel: '未发布', scheduledAt: null, publishedAt: null, readiness: { ready: true, reason: null } });
    expect(s.profiles.map((x) => [x.position, x.slug, x.name, x.national])).toEqual([
      [1, '01', p.winners[0]!.name, true],
      [2, '02', p.winners[1]!.name, false],
      [3, '03', p.winners[2]!.name, false],
    ]);
    // a profile made afresh starts from the 申请书: 主要事迹, a blank line, 感人故事
    const [app] = await t.s.db.select().from(applications).where(eq(applications.id, p.winners[1]!.id));
    const form = app!.form as Record<string, string>;
    await t.s.db.delete(winnerProfiles).where(eq(winnerProfiles.applicationId, p.winners[1]!.id));
    expect((await p.oc.get(`/api/publication/profiles/${p.winners[1]!.id}`)).statusCode).toBe(404);
    const remade = (await state()).profiles.find((x) => x.applicationId === p.winners[1]!.id)!;
    expect(remade.slug).toBe('02');
    const detail = json<ProfileDetail>(await p.oc.get(`/api/publication/profiles/${p.winners[1]!.id}`));
    expect(detail.article).toBe(`${form.mainDeeds!.trim()}\n\n${form.story!.trim()}`);
    expect(detail.photoIds).toEqual(p.winners[1]!.photoIds);
    expect(detail.videoIds).toEqual(p.winners[1]!.videoIds);
    expect(detail.photos.map((x) => x.id)).toEqual(p.winners[1]!.photoIds);
    // nothing private in the reply: 身份证号码, phone, e-mail, address, birth date
    const body = JSON.stringify(detail) + JSON.stringify(await state());
    for (const key of ['mobile', 'email', 'address', 'birthDate', 'officePhone'] as const) {
      if (form[key]) expect(body).not.toContain(form[key]);
    }
    expect(body).not.toContain(app!.mobile);
    const res = await p.oc.put(`/api/publication/profiles/${p.winners[1]!.id}`, {
      article: ARTICLE_OF(p.winners[1]!.name),
      photoIds: detail.photoIds,
      videoIds: detail.videoIds,
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('refuses another candidate’s photo, a video among the photos, and an unknown id, naming them, with nothing changed', async () => {
    const [w0, w1] = p.winners;
    const before = await snapshot(p.campaignId);
    const foreign = await p.oc.put(`/api/publication/profiles/${w0!.id}`, { article: '新的宣传稿', photoIds: [w1!.photoIds[0]!], videoIds: [] });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.fields[0]).toMatchObject({ field: 'photoIds', label: '照片' });
    expect(foreign.body).toContain(w1!.photoIds[0]!);
    const swapped = await p.oc.put(`/api/publication/profiles/${w0!.id}`, { article: '新的宣传稿', photoIds: w0!.videoIds, videoIds: [] });
    expect(swapped.statusCode).toBe(400);
    const unknown = await p.oc.put(`/api/publication/profiles/${w0!.id}`, {
      article: '新的宣传稿',
      photoIds: [],
      videoIds: ['00000000-0000-4000-8000-000000000001'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.fields[0]).toMatchObject({ field: 'videoIds', label: '视频' });
    const dup = await p.oc.put(`/api/publication/profiles/${w0!.id}`, { article: 'x', photoIds: [w0!.photoIds[0]!, w0!.photoIds[0]!], videoIds: [] });
    expect(dup.statusCode).toBe(400);
    expect(await snapshot(p.campaignId)).toEqual(before);
    // a profile of no winner
    expect((await p.oc.get(`/api/publication/profiles/${p.candidates[4]!.id}`)).statusCode).toBe(404);
  });

  it('refuses 发布 while the final 公示 runs, with the reason, and changes nothing', async () => {
    await setFinalPublicityEnd(p.campaignId, dayFromToday(2));
    try {
      const s = await state();
      expect(s.readiness.ready).toBe(false);
      expect(s.readiness.reason).toContain('公示期满且无异议后方可发布结果');
      const before = await snapshot(p.campaignId);
      const res = await p.oc.post(url('/publish'), {});
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toContain('尚不能发布评选结果');
      expect(res.json().error.message).toContain('公示期满');
      // a 定时发布 before the 公示 ends is refused too; after it, it may be scheduled
      const early = await p.oc.post(url('/publish'), { at: `${dayFromToday(2)}T09:00:00+08:00` });
      expect(early.statusCode).toBe(409);
      expect(early.json().error.message).toContain('定时发布的时间须在公示期满之后');
      expect(await snapshot(p.campaignId)).toEqual(before);
      const later = await p.oc.post(url('/publish'), { at: `${dayFromToday(3)}T09:00:00+08:00` });
      expect(later.statusCode, later.body).toBe(200);
      expect(json<PublicationState>(later).status).toBe('scheduled');
      expect((await p.oc.post(url('/cancel'))).statusCode).toBe(200);
    } finally {
      await setFinalPublicityEnd(p.campaignId, dayFromToday(-1));
    }
  });

  it('shows applicants and units 评审中 and nothing of the outcome', async () => {
    for (const c of p.candidates) {
      const d = json<ApplicationDetail>(await c.client.get(`/api/applications/${c.id}`));
      expect(d.status).toBe('final_review');
      expect(d.statusLabel).toBe('评审中');
      const h = json<HistoryEntry[]>(await c.client.get(`/api/applications/${c.id}/history`));
      expect(h.map((e) => e.actionLabel)).not.toContain('发布结果');
    }
    const mine = json<{ rows: { status: string }[] }>(await unitClient.get(`/api/applications?year=${await yearOf(p.campaignId)}&pageSize=100`));
    expect(mine.rows.length).toBeGreaterThan(0);
    expect(mine.rows.every((r) => r.status === 'final_review')).toBe(true);
  });
});

describe('发布: permissions', () => {
  it('refuses applicants, units and experts every route, with nothing changed', async () => {
    const before = await snapshot(p.campaignId);
    const w = p.winners[0]!;
    const calls: [string, string, Record<string, unknown>?][] = [
      ['GET', url()],
      ['POST', url('/publish'), {}],
      ['POST', url('/publish'), { at: `${dayFromToday(5)}T09:00:00+08:00` }],
      ['POST', url('/cancel')],
      ['GET', `/api/publication/profiles/${w.id}`],
      ['PUT', `/api/publication/profiles/${w.id}`, { article: '篡改', photoIds: [], videoIds: [] }],
      ['POST', '/api/admin/campaigns', { year: 2030, copyFrom: p.campaignId }],
    ];
    for (const client of [w.client, unitClient, expertClient]) {
      for (const [method, path, body] of calls) {
        const res = await client.request(method as 'GET', path, body);
        expect([403, 404], `${method} ${path} → ${res.statusCode}`).toContain(res.statusCode);
      }
    }
    const anonymous = await new Client(t.app).get(url());
    expect(anonymous.statusCode).toBe(401);
    expect(await snapshot(p.campaignId)).toEqual(before);
    expect(await t.s.db.select().from(campaigns).where(eq(campaigns.year, 2030))).toEqual([]);
  });
});

describe('发布: 定时发布 and 取消', () => {
  it('schedules at the 发布日期 default or a chosen time, reschedules (one live job), and cancels until it runs', async () => {
    const s = await state();
    const campaign = await getCampaign(t.s.db, p.campaignId);
    expect(s.defaultAt).toBe(new Date(`${campaign.settings.publishDate}T09:00:00+08:00`).toISOString());
    const past = await p.oc.post(url('/publish'), { at: '2020-05-30T09:00:00+08:00' });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.fields[0].field).toBe('at');
    const bad = await p.oc.post(url('/publish'), { at: '明天上午' });
    expect(bad.statusCode).toBe(400);

    const first = `${dayFromToday(5)}T09:00:00+08:00`;
    const scheduled = json<PublicationState>(await p.oc.post(url('/publish'), { at: first }));
    expect(scheduled).toMatchObject({ status: 'scheduled', statusLabel: '已定时发布', scheduledAt: new Date(first).toISOString() });
    const second = `${dayFromToday(6)}T10:30:00+08:00`;
    const moved = json<PublicationState>(await p.oc.post(url('/publish'), { at: second }));
    expect(moved.scheduledAt).toBe(new Date(second).toISOString());
    const js = await publishJobs(p.campaignId);
    expect(js.filter((j) => j.status === 'queued')).toHaveLength(1);
    expect(js.find((j) => j.status === 'queued')!).toMatchObject({ runAt: new Date(second), dedupeKey: `publish:${p.campaignId}`, ownerId: null });

    const cancelled = json<PublicationState>(await p.oc.post(url('/cancel')));
    expect(cancelled).toMatchObject({ status: 'none', scheduledAt: null });
    expect((await publishJobs(p.campaignId)).every((j) => j.status === 'cancelled')).toBe(true);
    expect((await p.oc.post(url('/cancel'))).statusCode).toBe(409);
    const sel = json<SelectionState>(await p.oc.get(`/api/selection/campaigns/${p.campaignId}`));
    expect(sel.events.map((e) => e.actionLabel).slice(-3)).toEqual(['定时发布', '定时发布', '取消定时发布']);
    // still nothing published
    expect((await snapshot(p.campaignId)).statuses.every((r) => r.status === 'final_review')).toBe(true);
  });
});

describe('发布: 立即发布', () => {
  it('moves every candidate to its outcome through the workflow, records it, and tells the applicants', async () => {
    const res = await p.oc.post(url('/publish'), {});
    expect(res.statusCode, res.body).toBe(200);
    const s = json<PublicationState>(res);
    expect(s).toMatchObject({ status: 'published', statusLabel: '已发布', readiness: { ready: false } });
    expect(s.publishedAt).not.toBeNull();
    expect(s.readiness.reason).toContain('评选结果已于');

    const rows = await t.s.db.select({ id: applications.id, status: applications.status }).from(applications).where(eq(applications.campaignId, p.campaignId));
    const statusOf = new Map(rows.map((r) => [r.id, r.status]));
    expect(p.candidates.map((c) => statusOf.get(c.id))).toEqual(['national', 'won', 'won', 'not_won', 'not_won']);
    for (const c of p.candidates) {
      const [event] = await t.s.db
        .select()
        .from(applicationEvents)
        .where(eq(applicationEvents.applicationId, c.id))
        .orderBy(asc(applicationEvents.id))
        .then((e) => e.slice(-1));
      expect(event).toMatchObject({
        action: { national: 'publishNational', won: 'publishWin', not_won: 'publishNotWon' }[c.outcome],
        fromStatus: 'final_review',
        toStatus: c.outcome,
        actorId: p.org.user.id,
      });
      // the applicant is told: an in-app message and a text
      const [n] = await t.s.db
        .select()
        .from(notifications)
        .where(eq(notifications.applicationId, c.id))
        .orderBy(asc(notifications.id))
        .then((x) => x.slice(-1));
      expect(n!.body).toContain({ national: '推荐全国', won: '当选', not_won: '未当选' }[c.outcome]);
    }
    const texts = await t.s.db.select().from(outbox).where(eq(outbox.subject, '评选结果'));
    expect(texts.length).toBeGreaterThanOrEqual(5);
    const [ev] = await t.s.db
      .select()
      .from(selectionEvents)
      .where(and(eq(selectionEvents.campaignId, p.campaignId), eq(selectionEvents.action, 'publish')));
    expect(ev!.output).toMatchObject({ counts: { national: 1, won: 2, not_won: 2 } });
  });

  it('shows the applicant and the unit the outcome in 我的申报表 / 查询申报表 and 流程情况', async () => {
    const labels = { national: '推荐全国', won: '当选', not_won: '未当选' };
    for (const c of p.candidates) {
      const d = json<ApplicationDetail>(await c.client.get(`/api/applications/${c.id}`));
      expect(d.statusLabel).toBe(labels[c.outcome]);
      const mine = json<{ id: string; statusLabel: string }[]>(await c.client.get('/api/applications/mine'));
      expect(mine.find((r) => r.id === c.id)!.statusLabel).toBe(labels[c.outcome]);
      const h = json<HistoryEntry[]>(await c.client.get(`/api/applications/${c.id}/history`));
      expect(h.at(-1)).toMatchObject({ actionLabel: '发布结果', toStatus: c.outcome });
    }
    const list = json<{ rows: { id: string; statusLabel: string }[] }>(
      await unitClient.get(`/api/applications?year=${await yearOf(p.campaignId)}&pageSize=100`),
    );
    const ofUnit0 = p.candidates.filter((c) => c.spec.unit === 0);
    for (const c of ofUnit0) expect(list.rows.find((r) => r.id === c.id)?.statusLabel).toBe(labels[c.outcome]);
    // 查询申报表 filters by the new statuses
    const won = json<{ rows: { id: string }[] }>(await p.oc.get(`/api/applications?year=${await yearOf(p.campaignId)}&status=won&pageSize=100`));
    expect(won.rows.map((r) => r.id).sort()).toEqual(
      p.candidates
        .filter((c) => c.outcome === 'won')
        .map((c) => c.id)
        .sort(),
    );
  });

  it('refuses a second 发布, a 定时发布, a cancel and reopening the selection, with nothing changed', async () => {
    const before = await snapshot(p.campaignId);
    const again = await p.oc.post(url('/publish'), {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('不能重复发布');
    expect((await p.oc.post(url('/publish'), { at: `${dayFromToday(5)}T09:00:00+08:00` })).statusCode).toBe(409);
    expect((await p.oc.post(url('/cancel'))).statusCode).toBe(409);
    const sel = json<SelectionState>(await p.oc.get(`/api/selection/campaigns/${p.campaignId}`));
    const reopen = await p.oc.post(`/api/selection/campaigns/${p.campaignId}/reopen`, { version: sel.version, reason: '发布后想再改' });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.body).toContain('评选结果已发布');
    expect(await snapshot(p.campaignId)).toEqual(before);
  });

  it('keeps the profiles frozen, and records a correction after 发布 (who and when)', async () => {
    const w = p.winners[2]!;
    const before = (await t.s.db.select().from(winnerProfiles).where(eq(winnerProfiles.applicationId, w.id)))[0]!;
    // the 申请书 changing afterwards does not change the published page
    await t.s.db.update(applications).set({ workUnit: '后来改的单位' }).where(eq(applications.id, w.id));
    const s = await state();
    expect(s.profiles.find((x) => x.applicationId === w.id)!.workUnit).toBe(before.workUnit);
    const res = await p.oc.put(`/api/publication/profiles/${w.id}`, { article: '更正后的宣传稿。', photoIds: w.photoIds, videoIds: [] });
    expect(res.statusCode, res.body).toBe(200);
    const d = json<ProfileDetail>(res);
    expect(d).toMatchObject({ published: true, article: '更正后的宣传稿。', videoIds: [], updatedByName: p.org.user.realName });
    const [ev] = await t.s.db
      .select()
      .from(selectionEvents)
      .where(and(eq(selectionEvents.campaignId, p.campaignId), eq(selectionEvents.action, 'correctProfile')));
    expect(ev).toMatchObject({ actorId: p.org.user.id, input: { applicationId: w.id, before: { article: before.article } } });
  });
});

describe('the year after', () => {
  let next: NextCampaignReply;
  let pn: Awaited<ReturnType<typeof publishedCampaign>>;

  it('creates 2024 from 2023’s settings, dates moved one year, leaving 2023 as it is', async () => {
    const old = await getCampaign(t.s.db, p.campaignId);
    const before = await snapshot(p.campaignId);
    const bad = await p.oc.post('/api/admin/campaigns', { year: old.year, copyFrom: p.campaignId });
    expect(bad.statusCode).toBe(400);
    const res = await p.oc.post('/api/admin/campaigns', { year: old.year + 1, copyFrom: p.campaignId });
    expect(res.statusCode, res.body).toBe(200);
    next = json<NextCampaignReply>(res);
    expect(next.title).toBe(old.title.replaceAll(String(old.year), String(old.year + 1)));
    const made = await getCampaign(t.s.db, next.id);
    const plusYear = (d: string) => `${Number(d.slice(0, 4)) + 1}${d.slice(4)}`;
    expect(made.settings.publishDate).toBe(plusYear(old.settings.publishDate));
    expect(made.settings.windows.apply).toEqual({ start: plusYear(old.settings.windows.apply.start), end: plusYear(old.settings.windows.apply.end) });
    expect(made.settings.winners).toBe(old.settings.winners);
    expect((await p.oc.get('/api/campaigns/current?program=ZMKJ')).json().id).toBe(next.id);
    expect((await p.oc.post('/api/admin/campaigns', { year: old.year + 1, copyFrom: p.campaignId })).statusCode).toBe(409);
    expect(await snapshot(p.campaignId)).toEqual(before);
    // the 申报 window of the new year opened for the rest of this file
    const settings = { ...made.settings, windows: { ...made.settings.windows, apply: { start: dayFromToday(-1), end: dayFromToday(30) } } };
    await t.s.db.update(campaigns).set({ settings }).where(eq(campaigns.id, next.id));
  });

  it('refuses a previous winner at 我要申请 (the same account) and at 【提交】 (the same 身份证号码), naming the year', async () => {
    const winner = p.winners[1]!;
    const refused = await winner.client.post('/api/applications', {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain(`已获评${(await getCampaign(t.s.db, p.campaignId)).year}年“新疆最美科技工作者”`);
    // someone else's account with the winner's 身份证号码 (a new account of the same person)
    const [old] = await t.s.db.select().from(applications).where(eq(applications.id, winner.id));
    const idNumber = t.s.cipher.decrypt(old!.idEnc!);
    const again = await buildApplicant(t.s, { realName: winner.name });
    const ac = new Client(t.app);
    await ac.login(again.username, again.password);
    const form = completeForm({
      name: winner.name,
      idNumber,
      birthDate: (old!.form as { birthDate: string }).birthDate,
      gender: (old!.form as { gender: string }).gender,
    });
    const app = await buildApplication(t.s, again.user, { form, pledged: true });
    const check = json<{ complete: boolean; missing: { field: string; message: string }[] }>(await ac.get(`/api/applications/${app.id}/check`));
    expect(check.complete).toBe(false);
    expect(check.missing.find((m) => m.field === 'eligibility')!.message).toContain('经核查，申报人已获评');
    const detail = json<ApplicationDetail>(await ac.get(`/api/applications/${app.id}`));
    expect(detail.eligibility.refused.join()).toContain('往年获评');
    // one who was not elected in 2023 is not refused for it
    const loser = p.candidates[4]!;
    const fine = await loser.client.post('/api/applications', {});
    expect(fine.statusCode, fine.body).toBe(200);
    const other = json<ApplicationDetail>(fine);
    expect(other.eligibility.refused).toEqual([]);
  });

  it('runs a 定时发布 at its time by the platform itself; one no longer ready fails with its reason, nothing changed', async () => {
    pn = await publishedCampaign(t, { publish: false });
    expect(pn.campaignId).toBe(next.id);
    const nurl = (rest = '') => `/api/publication/campaigns/${pn.campaignId}${rest}`;
    // scheduled, then the final 公示 turns out to run longer: at its time the run refuses
    expect((await pn.oc.post(nurl('/publish'), { at: `${dayFromToday(3)}T09:00:00+08:00` })).statusCode).toBe(200);
    await setFinalPublicityEnd(pn.campaignId, dayFromToday(5));
    await t.s.db
      .update(jobs)
      .set({ runAt: new Date(Date.now() - 1000) })
      .where(and(eq(jobs.campaignId, pn.campaignId), eq(jobs.status, 'queued')));
    const [queued] = (await publishJobs(pn.campaignId)).filter((j) => j.status === 'queued');
    const failed = await jobEnded(queued!.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('公示期满');
    const s = json<PublicationState>(await pn.oc.get(nurl()));
    expect(s.status).toBe('none');
    expect(s.lastFailure?.error).toContain('公示期满');
    const rows = await t.s.db.select({ status: applications.status }).from(applications).where(eq(applications.campaignId, pn.campaignId));
    expect(rows.every((r) => r.status !== 'won' && r.status !== 'national')).toBe(true);

    // ready again: scheduled, and run at its time
    await setFinalPublicityEnd(pn.campaignId, dayFromToday(-1));
    expect((await pn.oc.post(nurl('/publish'), { at: `${dayFromToday(1)}T09:00:00+08:00` })).statusCode).toBe(200);
    await t.s.db
      .update(jobs)
      .set({ runAt: new Date(Date.now() - 1000) })
      .where(and(eq(jobs.campaignId, pn.campaignId), eq(jobs.status, 'queued')));
    const [again] = (await publishJobs(pn.campaignId)).filter((j) => j.status === 'queued');
    expect((await jobEnded(again!.id)).status).toBe('done');
    const after = json<PublicationState>(await pn.oc.get(nurl()));
    expect(after).toMatchObject({ status: 'published', lastFailure: null });
    const statusOf = new Map(
      (await t.s.db.select({ id: applications.id, status: applications.status }).from(applications).where(eq(applications.campaignId, pn.campaignId))).map(
        (r) => [r.id, r.status],
      ),
    );
    expect(pn.candidates.map((c) => statusOf.get(c.id))).toEqual(['national', 'won', 'won', 'not_won', 'not_won']);
    // in the name of the organizer who scheduled it
    const [ev] = await t.s.db
      .select()
      .from(applicationEvents)
      .where(eq(applicationEvents.applicationId, pn.candidates[0]!.id))
      .orderBy(asc(applicationEvents.id))
      .then((e) => e.slice(-1));
    expect(ev).toMatchObject({ action: 'publishNational', actorId: pn.org.user.id });
    // 2023's profiles are as they were
    const old = await t.s.db.select().from(winnerProfiles).where(eq(winnerProfiles.campaignId, p.campaignId));
    expect(old).toHaveLength(3);
  });
});

describe('发布 twice at once', () => {
  it('publishes once: one 200, one 409, one 发布结果 per candidate', async () => {
    const current = json<{ id: string; year: number }>(await p.oc.get('/api/campaigns/current?program=ZMKJ'));
    const made = json<NextCampaignReply>(await p.oc.post('/api/admin/campaigns', { year: current.year + 1, copyFrom: current.id }));
    const c = await getCampaign(t.s.db, made.id);
    const settings = { ...c.settings, windows: { ...c.settings.windows, apply: { start: dayFromToday(-1), end: dayFromToday(30) } } };
    await t.s.db.update(campaigns).set({ settings }).where(eq(campaigns.id, made.id));
    const q = await publishedCampaign(t, { publish: false });
    expect(q.campaignId).toBe(made.id);
    const [a, b] = await Promise.all([
      q.oc.post(`/api/publication/campaigns/${q.campaignId}/publish`, {}),
      p.oc.post(`/api/publication/campaigns/${q.campaignId}/publish`, {}),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.statusCode === 409)!.body).toContain('不能重复发布');
    for (const cand of q.candidates) {
      const events = await t.s.db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, cand.id));
      expect(events.filter((e) => e.action.startsWith('publish'))).toHaveLength(1);
    }
    const published = await t.s.db
      .select()
      .from(selectionEvents)
      .where(and(eq(selectionEvents.campaignId, q.campaignId), eq(selectionEvents.action, 'publish')));
    expect(published).toHaveLength(1);
  });
});
