import fsp from 'node:fs/promises';
import path from 'node:path';
import { and, eq, inArray, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Services } from '../context';
import { attachments, campaignSeals, certificates, jobs, outbox, uploadParts } from '../db/schema';

const DAY = 24 * 60 * 60 * 1000;
/**
 * A finished job's file (an export, which may hold full 身份证号码; a 申请书 PDF; a ZIP of certificates) is kept this
 * long after the job ended, then removed: asked for again, it is made again. The download then says so.
 */
export const JOB_RESULT_TTL_MS = 7 * DAY;
/**
 * Ended jobs (with the 失败任务 list) and the outbox (the record of each message and its delivery) are kept this long,
 * as the operations log of a 等保 level-3 system must be (180 days), then deleted. The audit log is never swept.
 */
export const RECORD_RETENTION_MS = 180 * DAY;

/** A stored object younger than this may belong to an upload whose row is being written right now. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
/** Temporary files older than this belong to requests that died. */
export const TMP_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Objects in storage that no row points to (an attachment, a job's result, a certificate, a seal, an upload's piece: a crash between
 * storing a file and writing its row) and stale temporary files. Deleted attachments keep their files: 流程情况 snapshots refer to them.
 */
export async function sweepOrphans(s: Services, now = Date.now()): Promise<{ objects: number; tmpFiles: number }> {
  let objects = 0;
  let batch: string[] = [];
  const flush = async () => {
    const keys = batch;
    batch = [];
    if (!keys.length) return;
    const used = await s.db
      .select({ storageKey: attachments.storageKey, previewKey: attachments.previewKey })
      .from(attachments)
      .where(or(inArray(attachments.storageKey, keys), inArray(attachments.previewKey, keys)));
    // what the platform itself produced and stored: export files, rendered certificates, the seals
    const produced = await Promise.all([
      s.db.select({ key: jobs.resultKey }).from(jobs).where(inArray(jobs.resultKey, keys)),
      s.db.select({ key: certificates.storageKey }).from(certificates).where(inArray(certificates.storageKey, keys)),
      s.db.select({ key: campaignSeals.storageKey }).from(campaignSeals).where(inArray(campaignSeals.storageKey, keys)),
      // the pieces of resumable uploads in progress (usecases/uploads.ts; an abandoned upload's go with it at its sweep)
      s.db.select({ key: uploadParts.storageKey }).from(uploadParts).where(inArray(uploadParts.storageKey, keys)),
    ]);
    const referenced = new Set([...used.flatMap((u) => [u.storageKey, u.previewKey]), ...produced.flat().map((r) => r.key)]);
    for (const key of keys) {
      if (referenced.has(key)) continue;
      await s.storage.remove(key);
      objects++;
    }
  };
  for await (const o of s.storage.list()) {
    if (o.lastModified.getTime() > now - ORPHAN_GRACE_MS) continue;
    batch.push(o.key);
    if (batch.length >= 500) await flush();
  }
  await flush();

  let tmpFiles = 0;
  for (const name of await fsp.readdir(s.storage.tmpDir).catch(() => [] as string[])) {
    const file = path.join(s.storage.tmpDir, name);
    const stat = await fsp.stat(file).catch(() => null);
    if (stat?.isFile() && stat.mtimeMs < now - TMP_TTL_MS) {
      await fsp.rm(file, { force: true });
      tmpFiles++;
    }
  }
  return { objects, tmpFiles };
}

/**
 * Retention of the platform's own records (see JOB_RESULT_TTL_MS and RECORD_RETENTION_MS): the files of jobs that
 * ended a week ago, the rows of jobs that ended and of messages made 180 days ago (a message still queued stays). A row
 * loses its file's key before the file goes, so a crash between leaves an orphan for sweepOrphans, never a dangling key.
 */
export async function sweepRecords(s: Services, now = Date.now()): Promise<{ results: number; jobs: number; messages: number }> {
  const ended = inArray(jobs.status, ['done', 'failed', 'cancelled']);
  const endedBefore = (ms: number) => lt(sql`coalesce(${jobs.finishedAt}, ${jobs.createdAt})`, new Date(now - ms));
  const expired = await s.db
    .select({ id: jobs.id, key: jobs.resultKey })
    .from(jobs)
    .where(and(ended, isNotNull(jobs.resultKey), endedBefore(JOB_RESULT_TTL_MS)));
  let results = 0;
  for (const row of expired) {
    const cleared = await s.db
      .update(jobs)
      .set({ resultKey: null })
      .where(and(eq(jobs.id, row.id), eq(jobs.resultKey, row.key!)))
      .returning({ id: jobs.id });
    if (!cleared.length) continue;
    await s.storage.remove(row.key!);
    results++;
  }
  const gone = await s.db
    .delete(jobs)
    .where(and(ended, endedBefore(RECORD_RETENTION_MS)))
    .returning({ key: jobs.resultKey });
  for (const { key } of gone) if (key) await s.storage.remove(key);
  const messages = await s.db
    .delete(outbox)
    .where(and(ne(outbox.status, 'queued'), lt(outbox.createdAt, new Date(now - RECORD_RETENTION_MS))))
    .returning({ id: outbox.id });
  return { results, jobs: gone.length, messages: messages.length };
}
