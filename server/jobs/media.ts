// Jobs of this area: the preview of an uploaded image. The upload checks the image decodes (a damaged photo is refused
// at once, with its reason) and writes the attachment's row with this job in one transaction; the job makes the
// re-encoded JPEG without metadata (no EXIF, no GPS) that every page shows, and the page shows 预览生成中 until then.
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { and, eq, isNull } from 'drizzle-orm';
import { attachments } from '../db/schema';
import { MediaError } from '../media/probe';
import { makeThumbnail } from '../media/thumbnail';
import { JobFailure, type JobKind } from './types';

export const PREVIEW_JOB = 'attachment-preview';
/** Long side of the preview the 附件 viewer shows (and lists scale down as thumbnails). */
export const PREVIEW_SIZE = 1280;
export const previewDedupeKey = (attachmentId: string) => `preview:${attachmentId}`;

/**
 * A preview's attempts: the store being away (a restart of the object store, a full disk being freed) must not lose the
 * preview for good, so it is tried again for about 8½ minutes, at most 30 s apart, so that it appears soon after the
 * store is back (the page asks for it for 2 minutes).
 */
export const PREVIEW_MAX_ATTEMPTS = 20;
export const previewRetryDelayMs = (attempt: number) => Math.min(30_000, 5_000 * 2 ** (attempt - 1));

export const MEDIA_JOBS: Record<string, JobKind> = {
  [PREVIEW_JOB]: {
    label: '生成图片预览',
    // the platform's own: nobody owns it; a failure is listed in 失败任务 for 重新执行
    system: true,
    maxAttempts: PREVIEW_MAX_ATTEMPTS,
    retryDelayMs: previewRetryDelayMs,
    async run(ctx) {
      const id = String(ctx.job.params.attachmentId ?? '');
      const [row] = await ctx.s.db
        .select({ storageKey: attachments.storageKey, previewKey: attachments.previewKey })
        .from(attachments)
        .where(and(eq(attachments.id, id), isNull(attachments.deletedAt)));
      // deleted meanwhile, or made by an attempt that was cut after its update
      if (!row || row.previewKey) return;
      await ctx.progress(0, 1);
      const original = ctx.tmpFile('.img');
      await pipeline(await ctx.s.storage.open(row.storageKey), fs.createWriteStream(original));
      const preview = ctx.tmpFile('.jpg');
      try {
        await makeThumbnail(original, preview, PREVIEW_SIZE);
      } catch (err) {
        if (err instanceof MediaError) throw new JobFailure(`无法生成预览图：${err.message}`);
        throw err;
      }
      const key = await ctx.s.storage.putFile(preview, { contentType: 'image/jpeg' });
      const set = await ctx.s.db
        .update(attachments)
        .set({ previewKey: key })
        .where(and(eq(attachments.id, id), isNull(attachments.previewKey)))
        .returning({ id: attachments.id });
      // another attempt stored one first: this copy is nobody's
      if (!set.length) await ctx.s.storage.remove(key);
      await ctx.progress(1, 1);
    },
  },
};
