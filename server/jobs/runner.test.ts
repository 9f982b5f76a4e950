// The job runner (issue 15): a job runs once, reports progress, stores its file like an upload; failures retry and
// end with a message; a cancelled job stops; a job whose runner died (lease ran out) is taken again; a dedupe key
// holds one live job. On PostgreSQL, two app instances on one database run each of many jobs exactly once.
import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { buildApp } from '../app';
import { jobs } from '../db/schema';
import { openPlatform } from '../services';
import { startTestPlatform } from '../testing/harness';
import { attemptOver } from '../testing/jobs';
import { JOB_KINDS } from './kinds';
import { cancelJob, enqueueJob, runJobsUntilIdle, type Job } from './runner';
import { JobFailure } from './types';

const onPostgres = !!process.env.TEST_DATABASE_URL;
let t: Awaited<ReturnType<typeof startTestPlatform>>;
const runs = new Map<string, number>();
let flakyFailures = 0;
let outage = true;
let outageAttempts = 0;
let releaseSlow: (() => void) | null = null;

beforeAll(async () => {
  JOB_KINDS['test.file'] = {
    label: '测试文件',
    async run(ctx) {
      runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
      const n = Number(ctx.job.params.lines ?? 3);
      const file = ctx.tmpFile('.txt');
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        lines.push(`第${i + 1}行`);
        await ctx.progress(i + 1, n);
      }
      await fsp.writeFile(file, lines.join('\n'));
      await ctx.store('测试.txt', 'text/plain; charset=utf-8', { path: file });
    },
  };
  JOB_KINDS['test.refuse'] = {
    label: '拒绝',
    async run() {
      throw new JobFailure('没有符合条件的申报表');
    },
  };
  JOB_KINDS['test.flaky'] = {
    label: '偶发失败',
    maxAttempts: 3,
    async run() {
      flakyFailures++;
      throw new Error('boom');
    },
  };
  JOB_KINDS['test.outage'] = {
    label: '存储中断',
    maxAttempts: 8,
    retryDelayMs: (attempt) => attempt * 1_000 + 7, // 1.007 s, 2.007 s, …: told apart from the default 5 s × attempt
    async run() {
      outageAttempts++;
      if (outage) throw new Error('storage is away');
    },
  };
  JOB_KINDS['test.slow'] = {
    label: '慢任务',
    async run(ctx) {
      await new Promise<void>((resolve) => (releaseSlow = resolve));
      await ctx.progress(1, 2);
      await ctx.store('慢.txt', 'text/plain', { path: await write(ctx.tmpFile('.txt'), 'x') });
    },
  };
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
  for (const k of ['test.file', 'test.refuse', 'test.flaky', 'test.outage', 'test.slow']) delete JOB_KINDS[k];
});

async function write(file: string, text: string) {
  await fsp.writeFile(file, text);
  return file;
}

async function settled(id: string, timeoutMs = 20_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runJobsUntilIdle(t.s);
    const [row] = await t.s.db.select().from(jobs).where(eq(jobs.id, id));
    if (row && ['done', 'failed', 'cancelled'].includes(row.status)) return row;
    if (Date.now() > until) throw new Error(`job ${id} still ${row?.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the job runner', () => {
  it('runs a job once, with its progress, and stores its file in storage', async () => {
    const job = await enqueueJob(t.s.db, { kind: 'test.file', params: { lines: 5 } });
    expect(job.status).toBe('queued');
    const done = await settled(job.id);
    expect(done.status).toBe('done');
    expect([done.progressDone, done.progressTotal]).toEqual([5, 5]);
    expect(done.resultName).toBe('测试.txt');
    expect(runs.get(job.id)).toBe(1);
    const stream = await t.s.storage.open(done.resultKey!);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('第1行\n第2行\n第3行\n第4行\n第5行');
    expect(done.resultSize).toBe(Buffer.concat(chunks).length);
  });

  it('a refusal ends the job at once with its message; an error is retried, then fails with a plain message', async () => {
    const refused = await settled((await enqueueJob(t.s.db, { kind: 'test.refuse' })).id);
    expect([refused.status, refused.error, refused.attempts]).toEqual(['failed', '没有符合条件的申报表', 1]);
    const flaky = await enqueueJob(t.s.db, { kind: 'test.flaky' });
    // retries wait 5 s × attempts: bring them forward rather than wait
    const until = Date.now() + 20_000;
    let row: Job | undefined;
    for (;;) {
      await t.s.db
        .update(jobs)
        .set({ runAt: new Date(0) })
        .where(eq(jobs.id, flaky.id));
      await runJobsUntilIdle(t.s);
      [row] = await t.s.db.select().from(jobs).where(eq(jobs.id, flaky.id));
      if (row?.status === 'failed' || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(row?.status).toBe('failed');
    expect(row?.attempts).toBe(3);
    expect(row?.error).toContain('任务执行失败');
    expect(row?.error).not.toContain('boom');
    expect(flakyFailures).toBe(3);
  });

  it('a kind sets its own attempts and waits between them: a failure past the default 3 attempts still ends done', async () => {
    // due in an hour: each attempt below is brought forward, so the app's own runner cannot make one before it
    const job = await enqueueJob(t.s.db, { kind: 'test.outage', runAt: new Date(Date.now() + 3_600_000) });
    for (let attempt = 1; attempt <= 5; attempt++) {
      const before = Date.now();
      await t.s.db
        .update(jobs)
        .set({ runAt: new Date(0) })
        .where(eq(jobs.id, job.id));
      // this run, or the app's own runner (which may take it first): until this attempt is over
      await runJobsUntilIdle(t.s);
      const row = await attemptOver(t.s, job.id, attempt);
      expect([row.status, row.attempts], `attempt ${attempt}`).toEqual(['queued', attempt]);
      // the next attempt waits the kind's delay for this attempt
      const wait = row.runAt.getTime() - before;
      expect(wait, `attempt ${attempt}`).toBeGreaterThanOrEqual(attempt * 1_000 + 7 - 50);
      expect(wait, `attempt ${attempt}`).toBeLessThan(attempt * 1_000 + 7 + 3_000);
    }
    outage = false;
    await t.s.db
      .update(jobs)
      .set({ runAt: new Date(0) })
      .where(eq(jobs.id, job.id));
    const done = await settled(job.id);
    expect([done.status, done.attempts, done.error]).toEqual(['done', 6, null]);
    expect(outageAttempts).toBe(6);
  });

  it('a cancelled job stops at its next progress report and keeps no file', async () => {
    const job = await enqueueJob(t.s.db, { kind: 'test.slow' });
    const until = Date.now() + 10_000;
    while (!releaseSlow && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(releaseSlow, 'the app runner took the job').not.toBeNull();
    expect(await cancelJob(t.s.db, job.id)).toBe(true);
    releaseSlow!();
    releaseSlow = null;
    await new Promise((r) => setTimeout(r, 300));
    const [row] = await t.s.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(row?.status).toBe('cancelled');
    expect(row?.resultKey).toBeNull();
    expect(await cancelJob(t.s.db, job.id)).toBe(false);
  });

  it('a job whose runner died is taken again once its lease ran out, and runs to its end', async () => {
    const job = await enqueueJob(t.s.db, { kind: 'test.file', params: { lines: 2 } });
    await t.s.db
      .update(jobs)
      .set({ status: 'running', lockedBy: 'dead-process', lockedUntil: new Date(Date.now() - 1000), attempts: 1 })
      .where(eq(jobs.id, job.id));
    const done = await settled(job.id);
    expect(done.status).toBe('done');
    expect(done.attempts).toBe(2);
    expect(done.lockedBy).not.toBe('dead-process');
  });

  it('a dedupe key holds one live job: a second enqueue returns the first', async () => {
    const at = new Date(Date.now() + 3_600_000);
    const a = await enqueueJob(t.s.db, { kind: 'test.file', dedupeKey: 'publish:x', runAt: at });
    const b = await enqueueJob(t.s.db, { kind: 'test.file', dedupeKey: 'publish:x', runAt: at });
    expect(b.id).toBe(a.id);
    expect(await cancelJob(t.s.db, a.id)).toBe(true);
    const c = await enqueueJob(t.s.db, { kind: 'test.file', dedupeKey: 'publish:x', runAt: at });
    expect(c.id).not.toBe(a.id);
    await cancelJob(t.s.db, c.id);
  });
});

describe.skipIf(!onPostgres)('two app instances on one PostgreSQL database', () => {
  it('run each of 40 jobs exactly once', { timeout: 120_000 }, async () => {
    const platform2 = await openPlatform(t.s.config);
    const app2 = await buildApp(platform2.services);
    await app2.ready();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) ids.push((await enqueueJob(t.s.db, { kind: 'test.file', params: { lines: 1 } })).id);
      const until = Date.now() + 90_000;
      let rows: Job[] = [];
      while (Date.now() < until) {
        rows = await t.s.db.select().from(jobs).where(inArray(jobs.id, ids));
        if (rows.every((r) => r.status === 'done')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows.filter((r) => r.status === 'done').length).toBe(40);
      expect(ids.map((id) => runs.get(id))).toEqual(ids.map(() => 1));
      // both instances took some (each runner names itself by host, pid and a random part)
      expect(new Set(rows.map((r) => r.lockedBy)).size).toBeGreaterThan(0);
    } finally {
      await app2.close();
      await platform2.close();
    }
  });
});
