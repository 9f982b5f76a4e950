// The jobs API (GET /api/jobs, GET /api/jobs/:id, POST /api/jobs/:id/cancel, GET /api/jobs/:id/download): a job is
// its owner's — another user's id is 404 for every route, whatever their role, and nothing changes; the download of an
// unfinished job is 409; a cancelled job stays cancelled and has nothing to download. PGlite and PostgreSQL.
import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { JobView } from '../../core/jobs';
import { jobs, outbox } from '../db/schema';
import { sweepRecords } from '../usecases/sweep';
import { buildApplicant, buildOrganizer, buildUnit } from '../testing/factories';
import { Client, json, startTestPlatform } from '../testing/harness';
import { JOB_KINDS } from './kinds';
import { enqueueJob, runJobsUntilIdle } from './runner';

let t: Awaited<ReturnType<typeof startTestPlatform>>;
let oc: Client;
let oc2: Client;
let uc: Client;
let ac: Client;
let org: Awaited<ReturnType<typeof buildOrganizer>>;
let unit: Awaited<ReturnType<typeof buildUnit>>;
let release: (() => void) | null = null;

beforeAll(async () => {
  JOB_KINDS['test.api-file'] = {
    label: '测试导出',
    async run(ctx) {
      const file = ctx.tmpFile('.txt');
      await fsp.writeFile(file, '第一行\n第二行');
      await ctx.progress(1, 1);
      await ctx.store('测试导出（全部）.txt', 'text/plain; charset=utf-8', { path: file });
    },
  };
  JOB_KINDS['test.api-held'] = {
    label: '等待中的任务',
    async run(ctx) {
      await ctx.progress(1, 4);
      await new Promise<void>((resolve) => (release = resolve));
      await ctx.progress(2, 4);
    },
  };
  t = await startTestPlatform();
  org = await buildOrganizer(t.s);
  unit = await buildUnit(t.s);
  const applicant = await buildApplicant(t.s);
  const other = await buildOrganizer(t.s);
  [oc, oc2, uc, ac] = [new Client(t.app), new Client(t.app), new Client(t.app), new Client(t.app)];
  await oc.login(org.username, org.password);
  await oc2.login(other.username, other.password);
  await uc.login(unit.username, unit.password);
  await ac.login(applicant.username, applicant.password);
});
afterAll(async () => {
  release?.();
  await t?.close();
  delete JOB_KINDS['test.api-file'];
  delete JOB_KINDS['test.api-held'];
});

async function settled(id: string): Promise<typeof jobs.$inferSelect> {
  const until = Date.now() + 20_000;
  for (;;) {
    await runJobsUntilIdle(t.s);
    const [row] = await t.s.db.select().from(jobs).where(eq(jobs.id, id));
    if (row && !['queued', 'running'].includes(row.status)) return row;
    if (Date.now() > until) throw new Error(`job ${id} still ${row?.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rowOf = async (id: string) => (await t.s.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;

describe('jobs API', () => {
  it('the owner follows a job to its file: label, progress, result, downloadUrl, the Chinese file name', async () => {
    const job = await enqueueJob(t.s.db, { kind: 'test.api-file', ownerId: unit.user.id, unitId: unit.unit.id });
    await settled(job.id);
    const view = json<JobView>(await uc.get(`/api/jobs/${job.id}`));
    expect(view).toMatchObject({
      id: job.id,
      label: '测试导出',
      status: 'done',
      progress: { done: 1, total: 1 },
      error: null,
      downloadUrl: `/api/jobs/${job.id}/download`,
    });
    expect(view.result).toEqual({ name: '测试导出（全部）.txt', size: Buffer.byteLength('第一行\n第二行'), type: 'text/plain; charset=utf-8' });
    const file = await uc.get(view.downloadUrl!);
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe('第一行\n第二行');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="________.txt"; filename*=UTF-8''${encodeURIComponent('测试导出（全部）.txt')}`);
    expect(file.headers['cache-control']).toBe('private, no-store');
    // the list: the caller's own, newest first
    const second = await enqueueJob(t.s.db, { kind: 'test.api-file', ownerId: unit.user.id });
    await settled(second.id);
    const list = json<JobView[]>(await uc.get('/api/jobs'));
    expect(list.map((j) => j.id).slice(0, 2)).toEqual([second.id, job.id]);
    expect(json<JobView[]>(await ac.get('/api/jobs'))).toEqual([]);
    expect(json<JobView[]>(await oc.get('/api/jobs')).some((j) => j.id === job.id)).toBe(false);
  });

  it("another user's job is 404 for get, cancel and download — the organizer's included — and nothing changes", async () => {
    const done = await enqueueJob(t.s.db, { kind: 'test.api-file', ownerId: org.user.id });
    await settled(done.id);
    const queued = await enqueueJob(t.s.db, { kind: 'test.api-file', ownerId: org.user.id, runAt: new Date(Date.now() + 3_600_000) });
    for (const c of [uc, ac, oc2]) {
      for (const id of [done.id, queued.id]) {
        expect((await c.get(`/api/jobs/${id}`)).statusCode).toBe(404);
        expect((await c.get(`/api/jobs/${id}/download`)).statusCode).toBe(404);
        const cancel = await c.post(`/api/jobs/${id}/cancel`);
        expect(cancel.statusCode).toBe(404);
        expect(json<{ error: { message: string } }>(cancel).error.message).toContain('未找到该任务');
      }
    }
    expect((await rowOf(queued.id)).status).toBe('queued');
    expect((await rowOf(done.id)).status).toBe('done');
    // a malformed or unknown id: 404 too; anonymous: 401
    expect((await oc.get('/api/jobs/not-a-uuid')).statusCode).toBe(404);
    expect((await oc.get('/api/jobs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await new Client(t.app).get(`/api/jobs/${done.id}`)).statusCode).toBe(401);
    // the platform's own jobs (no owner) are the organizer's to see, not a unit's
    const system = await enqueueJob(t.s.db, { kind: 'test.api-file', runAt: new Date(Date.now() + 3_600_000) });
    expect((await oc.get(`/api/jobs/${system.id}`)).statusCode).toBe(200);
    expect((await uc.get(`/api/jobs/${system.id}`)).statusCode).toBe(404);
    // … and not theirs to cancel here (a scheduled 发布 is cancelled on its page, which clears its schedule too)
    const refused = await oc.post(`/api/jobs/${system.id}/cancel`);
    expect(refused.statusCode).toBe(403);
    expect(json<{ error: { message: string } }>(refused).error.message).toContain('取消定时发布');
    expect((await uc.post(`/api/jobs/${system.id}/cancel`)).statusCode).toBe(404);
    expect((await rowOf(system.id)).status).toBe('queued');
  });

  it('download before the end is 409; cancel stops it (cancelled, nothing to download); cancelling again is 409', async () => {
    const queued = await enqueueJob(t.s.db, { kind: 'test.api-file', ownerId: unit.user.id, runAt: new Date(Date.now() + 3_600_000) });
    const early = await uc.get(`/api/jobs/${queued.id}/download`);
    expect(early.statusCode).toBe(409);
    expect(json<{ error: { message: string } }>(early).error.message).toContain('尚未生成完毕');
    expect((await uc.post(`/api/jobs/${queued.id}/cancel`, { now: true })).statusCode).toBe(400);
    expect((await rowOf(queued.id)).status).toBe('queued');
    const cancelled = await uc.post(`/api/jobs/${queued.id}/cancel`);
    expect(cancelled.statusCode).toBe(200);
    expect(json<JobView>(cancelled)).toMatchObject({ status: 'cancelled', downloadUrl: null, result: null });
    expect((await uc.get(`/api/jobs/${queued.id}/download`)).statusCode).toBe(409);
    expect((await uc.post(`/api/jobs/${queued.id}/cancel`)).statusCode).toBe(409);

    // a running job: its progress shows, cancel ends it at its next report
    const held = await enqueueJob(t.s.db, { kind: 'test.api-held', ownerId: unit.user.id });
    const running = runJobsUntilIdle(t.s);
    const until = Date.now() + 10_000;
    let view = json<JobView>(await uc.get(`/api/jobs/${held.id}`));
    while (view.progress.done < 1 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 30));
      view = json<JobView>(await uc.get(`/api/jobs/${held.id}`));
    }
    expect(view).toMatchObject({ status: 'running', progress: { done: 1, total: 4 } });
    expect((await uc.get(`/api/jobs/${held.id}/download`)).statusCode).toBe(409);
    expect((await uc.post(`/api/jobs/${held.id}/cancel`)).statusCode).toBe(200);
    release?.();
    await running;
    const end = await rowOf(held.id);
    expect(end.status).toBe('cancelled');
    expect(end.resultKey).toBeNull();
  });

  it('retention: a file goes a week after its job ended (the download says so); ended jobs and sent messages after 180 days; nothing younger', async () => {
    const day = 86_400_000;
    const now = Date.now();
    const finished = async (ownerId: string, daysAgo: number) => {
      const job = await enqueueJob(t.s.db, { kind: 'test.api-file', ownerId });
      const row = await settled(job.id);
      expect(row.status).toBe('done');
      await t.s.db
        .update(jobs)
        .set({ finishedAt: new Date(now - daysAgo * day) })
        .where(eq(jobs.id, job.id));
      return row;
    };
    const fresh = await finished(unit.user.id, 6);
    const week = await finished(unit.user.id, 8);
    const old = await finished(unit.user.id, 181);
    // a queued job of long ago is not an ended one
    const waiting = await enqueueJob(t.s.db, { kind: 'test.api-file', ownerId: unit.user.id, runAt: new Date(now + 3_600_000) });
    await t.s.db
      .update(jobs)
      .set({ createdAt: new Date(now - 400 * day) })
      .where(eq(jobs.id, waiting.id));
    const message = (status: string, daysAgo: number) =>
      t.s.db
        .insert(outbox)
        .values({
          channel: 'sms',
          recipient: '13900000000',
          subject: '',
          body: `保留期测试${status}${daysAgo}`,
          status,
          createdAt: new Date(now - daysAgo * day),
        })
        .returning({ id: outbox.id })
        .then((r) => r[0]!.id);
    const messages = {
      sentOld: await message('sent', 181),
      failedOld: await message('failed', 200),
      queuedOld: await message('queued', 181),
      sentNew: await message('sent', 179),
    };

    const swept = await sweepRecords(t.s, now);
    expect(swept.results).toBeGreaterThanOrEqual(1);
    expect(swept.jobs).toBeGreaterThanOrEqual(1);
    expect(swept.messages).toBeGreaterThanOrEqual(2);
    // younger than a week: the file is there and downloads
    expect((await rowOf(fresh.id)).resultKey).toBe(fresh.resultKey);
    expect(await t.s.storage.stat(fresh.resultKey!)).toBeTruthy();
    expect((await uc.get(`/api/jobs/${fresh.id}/download`)).statusCode).toBe(200);
    // older: the row stays, the file is gone, and the download says why
    expect((await rowOf(week.id)).resultKey).toBeNull();
    expect(await t.s.storage.stat(week.resultKey!)).toBeFalsy();
    expect(json<JobView>(await uc.get(`/api/jobs/${week.id}`))).toMatchObject({ status: 'done', downloadUrl: null, result: null });
    const expired = await uc.get(`/api/jobs/${week.id}/download`);
    expect(expired.statusCode).toBe(409);
    expect(json<{ error: { message: string } }>(expired).error.message).toBe('文件已过期（导出的文件保留7天），请重新导出');
    // 180 days: the row and its file are gone; a queued job is not touched however old
    expect(await t.s.db.select().from(jobs).where(eq(jobs.id, old.id))).toEqual([]);
    expect(await t.s.storage.stat(old.resultKey!)).toBeFalsy();
    expect((await uc.get(`/api/jobs/${old.id}`)).statusCode).toBe(404);
    expect((await rowOf(waiting.id)).status).toBe('queued');
    const left = new Set((await t.s.db.select({ id: outbox.id }).from(outbox)).map((r) => r.id));
    expect([messages.sentOld, messages.failedOld].some((id) => left.has(id))).toBe(false);
    expect(left.has(messages.queuedOld) && left.has(messages.sentNew)).toBe(true);
    // again: nothing more to do
    expect(await sweepRecords(t.s, now)).toEqual({ results: 0, jobs: 0, messages: 0 });
  });
});
