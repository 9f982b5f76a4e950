import fsp from 'node:fs/promises';
import path from 'node:path';
import { inArray, or } from 'drizzle-orm';
import type { Services } from '../context';
import { attachments, campaignSeals, certificates, jobs } from '../db/schema';

/** A stored object younger than this may belong to an upload whose row is being written right now. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;
/** Temporary files older than this belong to requests that died. */
export const TMP_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Objects in storage that no row points to (an attachment, a job's result, a certificate, a seal: a crash between
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
