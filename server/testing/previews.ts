// Test helper: an image's preview is made by a job (server/jobs/media.ts) a moment after its upload. Tests that look at
// a preview wait for it here, as the page waits while it shows 预览生成中.
import { and, eq, inArray, isNull, lte } from 'drizzle-orm';
import type { Services } from '../context';
import { attachments, jobs } from '../db/schema';
import { PREVIEW_JOB, previewDedupeKey } from '../jobs/media';
import { runJobsUntilIdle } from '../jobs/runner';

/**
 * Until each of these attachments (default: every image not deleted) has its preview and no preview job of theirs is
 * running or due: the app's own runner stores the preview a moment before it marks its job done, and a test that goes
 * on to enqueue the same preview again would otherwise be handed that job, still live (enqueueJob's dedupe). Runs the
 * queue meanwhile.
 */
export async function previewsMade(s: Services, ids?: readonly string[], timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runJobsUntilIdle(s);
    const missing = await s.db
      .select({ id: attachments.id })
      .from(attachments)
      .where(
        and(
          isNull(attachments.previewKey),
          isNull(attachments.deletedAt),
          inArray(attachments.mime, ['image/jpeg', 'image/png']),
          ids ? inArray(attachments.id, [...ids]) : undefined,
        ),
      );
    const live = missing.length
      ? []
      : await s.db
          .select({ id: jobs.id, status: jobs.status })
          .from(jobs)
          .where(
            and(
              eq(jobs.kind, PREVIEW_JOB),
              ids ? inArray(jobs.dedupeKey, ids.map(previewDedupeKey)) : undefined,
              inArray(jobs.status, ['queued', 'running']),
              lte(jobs.runAt, new Date()),
            ),
          );
    if (!missing.length && !live.length) return;
    if (Date.now() > until) {
      throw new Error(
        `no preview after ${timeoutMs} ms: ${missing.map((m) => m.id).join(', ') || `preview jobs still live: ${live.map((j) => `${j.id} ${j.status}`).join(', ')}`}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
