// The owner's background jobs (GET /api/jobs, /api/jobs/:id, cancel, download): who may see a job, how it is shown.
// A job is its owner's: another user's id answers 404 as if it did not exist (server/usecases/access.ts's rule). The
// platform's own jobs (no owner, e.g. a scheduled 发布) are seen by the organizer. An organizer does NOT see another
// organizer's or a unit's exports: a file with full 身份证号码 was recorded as asked by one person, and stays theirs.
import type { Readable } from 'node:stream';
import { and, desc, eq, isNull, or, type SQL } from 'drizzle-orm';
import type { JobView } from '../../core/jobs';
import type { SessionUser } from '../auth/sessions';
import type { Services } from '../context';
import { jobs } from '../db/schema';
import { AppError, notFound } from '../errors';
import { JOB_KINDS } from '../jobs/kinds';
import { cancelJob, type Job, type JobStatus } from '../jobs/runner';
import { JOB_RESULT_TTL_MS } from './sweep';

/** how many of their jobs GET /api/jobs lists (newest first) */
export const JOB_LIST_LIMIT = 50;

function visibleTo(user: SessionUser): SQL {
  const own = eq(jobs.ownerId, user.id);
  return user.role === 'organizer' ? (or(own, isNull(jobs.ownerId)) as SQL) : own;
}

export const jobDownloadUrl = (id: string) => `/api/jobs/${id}/download`;

export function presentJob(row: Job): JobView {
  const done = row.status === 'done' && !!row.resultKey;
  return {
    id: row.id,
    kind: row.kind,
    label: JOB_KINDS[row.kind]?.label ?? row.kind,
    status: row.status as JobStatus,
    progress: { done: row.progressDone, total: row.progressTotal },
    error: row.error,
    result: done ? { name: row.resultName ?? '导出文件', size: row.resultSize ?? 0, type: row.resultType ?? 'application/octet-stream' } : null,
    downloadUrl: done ? jobDownloadUrl(row.id) : null,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

export async function listJobs(s: Services, user: SessionUser): Promise<JobView[]> {
  const rows = await s.db.select().from(jobs).where(eq(jobs.ownerId, user.id)).orderBy(desc(jobs.createdAt), desc(jobs.id)).limit(JOB_LIST_LIMIT);
  return rows.map(presentJob);
}

async function loadJob(s: Services, user: SessionUser, id: string): Promise<Job> {
  const [row] = await s.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), visibleTo(user)));
  if (!row) throw notFound('任务');
  return row;
}

export async function getJob(s: Services, user: SessionUser, id: string): Promise<JobView> {
  return presentJob(await loadJob(s, user, id));
}

/**
 * Cancels a queued or running job of the caller; one that has ended is refused (409) with its state. The platform's own
 * jobs, which the organizer sees, are not the caller's: each is cancelled where it was set up (a scheduled 发布 by
 * 【取消定时发布】, which also clears the page's schedule), so here it is refused (403) and left as it is.
 */
export async function cancelOwnJob(s: Services, user: SessionUser, id: string): Promise<JobView> {
  const row = await loadJob(s, user, id);
  if (row.ownerId !== user.id) {
    throw new AppError('FORBIDDEN', '该任务由平台安排（如定时发布），不能在此取消；定时发布请在【发布结果】页点击【取消定时发布】');
  }
  if (!(await cancelJob(s.db, row.id))) {
    const now = await loadJob(s, user, id);
    throw new AppError('CONFLICT', `该任务已${now.status === 'done' ? '完成' : now.status === 'failed' ? '失败' : '取消'}，无法取消`);
  }
  return getJob(s, user, id);
}

/** The produced file of a finished job: 409 while it runs (or when it failed or was cancelled). */
export async function openJobResult(s: Services, user: SessionUser, id: string): Promise<{ name: string; type: string; size: number; stream: Readable }> {
  const row = await loadJob(s, user, id);
  if (row.status !== 'done' || !row.resultKey) {
    const why =
      row.status === 'done'
        ? row.resultName
          ? `文件已过期（导出的文件保留${JOB_RESULT_TTL_MS / 86_400_000}天），请重新导出`
          : '该任务没有可下载的文件'
        : row.status === 'failed'
          ? '任务失败，没有可下载的文件'
          : row.status === 'cancelled'
            ? '任务已取消，没有可下载的文件'
            : '文件尚未生成完毕，请等待任务完成后再下载';
    throw new AppError('CONFLICT', why);
  }
  const stat = await s.storage.stat(row.resultKey);
  if (!stat) throw new AppError('NOT_FOUND', '文件已过期或已被清理，请重新导出');
  return {
    name: row.resultName ?? '导出文件',
    type: row.resultType ?? 'application/octet-stream',
    size: stat.size,
    stream: await s.storage.open(row.resultKey),
  };
}
