// The job runner (issue 15): claims queued jobs from the `jobs` table and runs them off the request path.
// One loop per process, one job at a time (JOB_CONCURRENCY), woken by the `jobs` event (pg_notify at enqueue, so any
// instance may take it) and by a short poll for scheduled run_at and leases that ran out. On PostgreSQL with several
// instances `for update skip locked` gives each job to one runner; every write after the claim is fenced by
// locked_by, so a runner whose lease ran out (paused, killed) cannot overwrite the job's new owner.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../context';
import type { Db } from '../db/client';
import { jobs } from '../db/schema';
import { notifyInTx } from '../events';
import { JOB_KINDS } from './kinds';
import { JobCancelledError, JobFailure, type JobContext, type JobRow } from './types';

export const JOBS_TOPIC = 'jobs';
/** how long a claim holds without a heartbeat; a killed process's job is taken again after this */
export const LEASE_MS = Number(process.env.JOB_LEASE_MS ?? 60_000);
const HEARTBEAT_MS = Math.max(1_000, Math.floor(LEASE_MS / 3));
const POLL_MS = Number(process.env.JOB_POLL_MS ?? 2_000);
const PROGRESS_EVERY_MS = 300;

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type Job = typeof jobs.$inferSelect;

export interface EnqueueInput {
  kind: string;
  campaignId?: string | null;
  ownerId?: string | null;
  unitId?: string | null;
  params?: Record<string, unknown>;
  /** when it may run (default now): a scheduled 发布 */
  runAt?: Date;
  /** at most one queued or running job per key: a second enqueue returns the first */
  dedupeKey?: string | null;
}

/**
 * Adds a job (inside the caller's transaction when `db` is one: it exists only if the caller's change commits) and
 * wakes the runners at commit. With a dedupeKey that a live job holds, returns that job instead.
 */
export async function enqueueJob(db: Db, input: EnqueueInput): Promise<Job> {
  if (!JOB_KINDS[input.kind]) throw new Error(`unknown job kind ${input.kind}`);
  const values = {
    kind: input.kind,
    campaignId: input.campaignId ?? null,
    ownerId: input.ownerId ?? null,
    unitId: input.unitId ?? null,
    params: input.params ?? {},
    runAt: input.runAt ?? new Date(),
    dedupeKey: input.dedupeKey ?? null,
  };
  const [row] = input.dedupeKey
    ? await db
        .insert(jobs)
        .values(values)
        .onConflictDoNothing({ target: jobs.dedupeKey, where: sql`dedupe_key is not null and status in ('queued', 'running')` })
        .returning()
    : await db.insert(jobs).values(values).returning();
  if (row) {
    await notifyInTx(db, JOBS_TOPIC);
    return row;
  }
  const [live] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.dedupeKey, input.dedupeKey!), inArray(jobs.status, ['queued', 'running'])));
  if (!live) throw new Error(`job ${input.dedupeKey} vanished`);
  return live;
}

/** Cancels a queued or running job; a running one stops at its next progress report. False when it had already ended. */
export async function cancelJob(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: 'cancelled', finishedAt: new Date(), lockedUntil: null })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Claims the next job that may run (queued and due, or running with its lease run out) for `runnerId`. */
async function claim(db: Db, runnerId: string): Promise<Job | null> {
  const result = (await db.execute(sql`
    update jobs set status = 'running', locked_by = ${runnerId}, attempts = attempts + 1,
      locked_until = now() + ${`${LEASE_MS} milliseconds`}::interval, started_at = coalesce(started_at, now()), error = null
    where id = (
      select id from jobs
      where (status = 'queued' and run_at <= now()) or (status = 'running' and locked_until < now())
      order by run_at, created_at
      limit 1
      for update skip locked
    )
    returning id`)) as unknown as { rows: { id: string }[] };
  const id = result.rows[0]?.id;
  if (!id) return null;
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row ?? null;
}

class ShutdownError extends Error {}

/** Runs one claimed job to its end: done, failed, back in the queue for another attempt, or released at shutdown. */
async function runClaimed(s: Services, row: Job, runnerId: string, isClosing: () => boolean, log?: FastifyBaseLogger): Promise<void> {
  const fenced = and(eq(jobs.id, row.id), eq(jobs.lockedBy, runnerId), eq(jobs.status, 'running'));
  const tmpFiles: string[] = [];
  let stored: { key: string; name: string; type: string; size: number } | null = null;
  let lastWrite = 0;
  let lost = false;
  const extend = async () => {
    const rows = await s.db
      .update(jobs)
      .set({ lockedUntil: sql`now() + ${`${LEASE_MS} milliseconds`}::interval` })
      .where(fenced)
      .returning({ id: jobs.id });
    if (!rows.length) lost = true;
  };
  const heartbeat = setInterval(() => void extend().catch(() => undefined), HEARTBEAT_MS);
  heartbeat.unref();
  const job: JobRow = {
    id: row.id,
    kind: row.kind,
    campaignId: row.campaignId,
    ownerId: row.ownerId,
    unitId: row.unitId,
    params: (row.params ?? {}) as Record<string, unknown>,
    attempts: row.attempts,
  };
  const ctx: JobContext = {
    s,
    job,
    async progress(done, total) {
      if (isClosing()) throw new ShutdownError();
      if (lost) throw new JobCancelledError();
      const now = Date.now();
      if (now - lastWrite < PROGRESS_EVERY_MS && (total === undefined || done < total)) return;
      lastWrite = now;
      const rows = await s.db
        .update(jobs)
        .set({ progressDone: done, ...(total !== undefined ? { progressTotal: total } : {}) })
        .where(fenced)
        .returning({ id: jobs.id });
      if (!rows.length) {
        lost = true;
        throw new JobCancelledError();
      }
    },
    tmpFile(ext) {
      const file = path.join(s.storage.tmpDir, `job-${crypto.randomUUID()}${ext.startsWith('.') || !ext ? ext : `.${ext}`}`);
      tmpFiles.push(file);
      return file;
    },
    async store(name, type, file) {
      let filePath: string;
      if ('path' in file) filePath = file.path;
      else {
        filePath = ctx.tmpFile('');
        await pipeline(file.stream, fs.createWriteStream(filePath));
      }
      const size = (await fsp.stat(filePath)).size;
      const key = await s.storage.putFile(filePath, { contentType: type });
      stored = { key, name, type, size };
    },
  };
  try {
    const kind = JOB_KINDS[row.kind];
    if (!kind) throw new JobFailure(`未知的任务类型：${row.kind}`);
    await kind.run(ctx);
    const done = await s.db
      .update(jobs)
      .set({
        status: 'done',
        finishedAt: new Date(),
        lockedUntil: null,
        ...(stored
          ? {
              resultKey: (stored as { key: string }).key,
              resultName: (stored as { name: string }).name,
              resultType: (stored as { type: string }).type,
              resultSize: (stored as { size: number }).size,
            }
          : {}),
      })
      .where(fenced)
      .returning({ id: jobs.id });
    // cancelled (or taken over) meanwhile: the file nobody points to is removed now rather than by the sweep
    if (!done.length && stored) await s.storage.remove((stored as { key: string }).key);
  } catch (err) {
    if (stored) await s.storage.remove((stored as { key: string }).key).catch(() => undefined);
    if (err instanceof ShutdownError) {
      // the process is stopping: give the job back untouched (this attempt does not count)
      await s.db
        .update(jobs)
        .set({ status: 'queued', lockedBy: null, lockedUntil: null, attempts: sql`greatest(${jobs.attempts} - 1, 0)` })
        .where(fenced)
        .catch(() => undefined);
    } else if (!(err instanceof JobCancelledError)) {
      const kind = JOB_KINDS[row.kind];
      const max = kind?.maxAttempts ?? 3;
      const delay = kind?.retryDelayMs?.(row.attempts) ?? 5_000 * row.attempts;
      const final = err instanceof JobFailure || row.attempts >= max;
      const message = err instanceof JobFailure ? err.message : '任务执行失败，请稍后重试；如问题持续，请联系技术服务电话 0991-3193615';
      if (!(err instanceof JobFailure)) log?.error({ err, job: row.id, kind: row.kind, attempt: row.attempts }, 'job failed');
      await s.db
        .update(jobs)
        .set(
          final
            ? { status: 'failed', error: message, finishedAt: new Date(), lockedUntil: null }
            : { status: 'queued', error: message, lockedBy: null, lockedUntil: null, runAt: new Date(Date.now() + delay) },
        )
        .where(fenced)
        .catch(() => undefined);
    }
  } finally {
    clearInterval(heartbeat);
    await Promise.all(tmpFiles.map((f) => fsp.rm(f, { force: true }).catch(() => undefined)));
  }
}

/**
 * Runs due jobs in this process until none is left (tests, and the CLI): the same claim and the same code as the
 * runner. Returns how many ran.
 */
export async function runJobsUntilIdle(s: Services, runnerId = `once-${crypto.randomUUID()}`): Promise<number> {
  let n = 0;
  for (;;) {
    const row = await claim(s.db, runnerId);
    if (!row) return n;
    await runClaimed(s, row, runnerId, () => false);
    n++;
  }
}

export interface JobRunner {
  /** wakes the loop now (after an enqueue in this process) */
  wake(): void;
  stop(): Promise<void>;
}

/** Starts the runner loop of this process. */
export function startJobRunner(s: Services, log?: FastifyBaseLogger, concurrency = Number(process.env.JOB_CONCURRENCY ?? 1)): JobRunner {
  const runnerId = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  let closing = false;
  let wakeUp: (() => void) | null = null;
  let unsubscribe: (() => void) | null = null;
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, POLL_MS);
      timer.unref();
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const worker = async () => {
    while (!closing) {
      let row: Job | null = null;
      try {
        row = await claim(s.db, runnerId);
      } catch (err) {
        if (!closing) log?.error({ err }, 'claiming a job failed');
      }
      if (row) await runClaimed(s, row, runnerId, () => closing, log);
      else if (!closing) await sleep();
    }
  };
  s.events
    .subscribe(JOBS_TOPIC, () => wakeUp?.())
    .then((u) => {
      if (closing) u();
      else unsubscribe = u;
    })
    .catch((err: unknown) => log?.warn({ err }, 'jobs: no LISTEN; polling only'));
  const running = Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => worker()));
  return {
    wake: () => wakeUp?.(),
    async stop() {
      closing = true;
      unsubscribe?.();
      wakeUp?.();
      await running;
    },
  };
}
